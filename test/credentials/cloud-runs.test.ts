import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVaultKey } from '../../src/credentials/key.js';
import { storeValues } from '../../src/credentials/manage.js';
import { vaultKeeper } from '../../src/credentials/stores/index.js';
import { Vault } from '../../src/credentials/vault.js';
import { loadConnector } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { openStore } from '../../src/store/db.js';
import { root } from '../helpers/cli.js';
import { useServer } from '../helpers/msw.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * Cloud installation runs: the Microsoft Graph, Zoom and Google Workspace integrations (shipped
 * connectors and mappings, `installation: cloud`) read their OAuth 2 credentials from the vault of
 * the embedded store — no `credentials` given in-process, nothing in the environment but where the
 * key is — against msw models of the documented token endpoints and APIs (bodies from
 * test/fixtures/graph, zoom, google). A refresh token the provider rotates goes back into the
 * vault in the same run. The store's bytes never hold a secret; the vault table holds ciphertext.
 */

const { server, requests } = useServer();

const fixture = <T = Record<string, unknown>>(dir: string, name: string): T => JSON.parse(readFileSync(join(root, 'test', 'fixtures', dir, name), 'utf8')) as T;
const connectorFile = (id: string) => join(root, 'connectors', `${id}.yaml`);
const mappingFile = (id: string) => join(root, 'mappings', `${id}.yaml`);

let store: TempStore;
let env: Record<string, string>;
beforeEach(() => {
  store = tempStore();
  env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'intake-config-')) };
});
afterEach(() => {
  store.remove();
  rmSync(env.XDG_CONFIG_HOME, { recursive: true, force: true });
});

/** What `intake credentials set <id> --cloud` does with the values it read. */
const toVault = (id: string, values: Record<string, string>) => storeValues(loadConnector(connectorFile(id)), values, true, { env, db: store.file });
const run = (id: string, overrides: Record<string, string>, test = false): Promise<RunResult> => runIntegration({ mappingFile: mappingFile(id), db: store.file, overrides, env, test });

/** The vault's rows as stored, and the values the vault's key decrypts them to. */
function vault(id: string): { rows: { field: string; ciphertext: Buffer }[]; values: Record<string, string> } {
  const db = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT field, ciphertext FROM vault WHERE connector = ? ORDER BY field').all(id) as { field: string; ciphertext: Buffer }[];
    return { rows, values: new Vault(db).read(id, loadVaultKey(env)!) };
  } finally {
    db.close();
  }
}

/** No secret in the result, the run log or any byte of the store; the vault holds each secret as ciphertext of its length. */
function expectKeptSecret(result: RunResult, id: string, secrets: Record<string, string>): void {
  const { rows } = vault(id);
  for (const [field, secret] of Object.entries(secrets)) {
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(store.runs())).not.toContain(secret);
    expect(store.rawBytes()).not.toContain(secret);
    const row = rows.find((r) => r.field === field)!;
    expect(row.ciphertext).toHaveLength(Buffer.byteLength(secret));
    expect(row.ciphertext.toString('latin1')).not.toBe(secret);
  }
}

describe('Microsoft Graph as a cloud installation (client credentials from the vault)', () => {
  const GRAPH = 'https://graph.test/v1.0';
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const CLIENT_ID = '535fb089-9ff3-47b6-9bfb-4f1264799865';
  const CLIENT_SECRET = 'Zx8Q~vault-only.Graph-client-secret_9bfb4f12';

  it('runs: the token endpoint of the vault\'s tenant gets the vault\'s client id and secret, Graph the token; nothing secret is kept in plain', async () => {
    const stored = toVault('ms-graph-users', { tenant_id: TENANT, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(stored).toMatchObject({ store: 'vault', key: { source: join(env.XDG_CONFIG_HOME, 'intake', 'vault.key'), created: true } });
    const forms: URLSearchParams[] = [];
    server.use(
      http.post(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, async ({ request }) => {
        forms.push(new URLSearchParams(await request.text()));
        return HttpResponse.json(fixture('graph', 'token.success.json'));
      }),
      http.get(`${GRAPH}/users`, () => HttpResponse.json({ value: fixture<{ value: Record<string, unknown>[] }>('graph', 'users.list.json').value.map((u) => ({ ...u, accountEnabled: true, userType: 'Member' })) })),
    );

    const result = await run('ms-graph-users', { base_url: GRAPH });

    expect(result).toMatchObject({ status: 'succeeded', read: 2, counts: { added: 2 } });
    expect(forms.map((f) => Object.fromEntries(f))).toEqual([{ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }]);
    const access = fixture<{ access_token: string }>('graph', 'token.success.json').access_token;
    expect(requests.filter((r) => r.url.host === 'graph.test').map((r) => r.headers.authorization)).toEqual([`Bearer ${access}`]);
    expect(store.people()).toHaveLength(2);
    expectKeptSecret(result, 'ms-graph-users', { client_secret: CLIENT_SECRET });
    expect(store.rawBytes()).not.toContain(access);
  });

  it('without the vault\'s credentials it does not run: exit-2 error naming the vault and the command that fills it', async () => {
    await expect(run('ms-graph-users', { base_url: GRAPH })).rejects.toMatchObject({
      code: 'credentials_missing',
      message: `no credentials for connector ms-graph-users: tenant_id (Directory (tenant) ID), client_id (Application (client) ID), client_secret (Client secret (value, not the secret ID)) not in the vault of ${store.file}`,
      hint: expect.stringContaining('intake credentials set ms-graph-users --cloud'),
    });
    expect(requests).toEqual([]);
  });

  it('with the wrong key it does not run, and says so (no garbage credentials sent)', async () => {
    toVault('ms-graph-users', { tenant_id: TENANT, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    env.INTAKE_VAULT_KEY = randomBytes(32).toString('base64');
    await expect(run('ms-graph-users', { base_url: GRAPH })).rejects.toMatchObject({ code: 'vault_key_wrong', message: expect.stringMatching(/^the vault key from INTAKE_VAULT_KEY is not the key the vault in .* was written with/) });
    expect(requests).toEqual([]);
  });
});

describe('Zoom as a cloud installation (Server-to-Server OAuth account credentials from the vault)', () => {
  const BASE = 'https://api.zoom.test/v2';
  const CREDENTIALS = { account_id: 'Wk9PTV9BQ0NPVU5UX0lE', client_id: 'zoom-vault-client-id', client_secret: 'zoom-vault-client-secret-5be1d0' };

  it('runs with the key in INTAKE_VAULT_KEY: Basic client auth and account_credentials from the vault, users read with the token', async () => {
    env.INTAKE_VAULT_KEY = randomBytes(32).toString('base64');
    expect(toVault('zoom-users', CREDENTIALS)).toMatchObject({ key: { source: 'INTAKE_VAULT_KEY', created: false } });
    const tokens: { authorization: string | null; form: URLSearchParams }[] = [];
    server.use(
      http.post('https://zoom.us/oauth/token', async ({ request }) => {
        tokens.push({ authorization: request.headers.get('authorization'), form: new URLSearchParams(await request.text()) });
        return HttpResponse.json({ ...fixture<Record<string, unknown>>('zoom', 'oauth.token.json'), access_token: 'zoom-access-from-vault-run' });
      }),
      http.get(`${BASE}/users`, () => HttpResponse.json({ ...fixture<Record<string, unknown>>('zoom', 'users.list.json'), next_page_token: '' })),
    );

    const result = await run('zoom-users', { base_url: BASE, statuses: 'active' });

    expect(result).toMatchObject({ status: 'succeeded', read: 1, counts: { added: 1 } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0].authorization).toBe(`Basic ${Buffer.from(`${CREDENTIALS.client_id}:${CREDENTIALS.client_secret}`).toString('base64')}`);
    expect(Object.fromEntries(tokens[0].form)).toEqual({ grant_type: 'account_credentials', account_id: CREDENTIALS.account_id });
    expect(requests.filter((r) => r.url.host === 'api.zoom.test').map((r) => r.headers.authorization)).toEqual(['Bearer zoom-access-from-vault-run']);
    expectKeptSecret(result, 'zoom-users', { client_secret: CREDENTIALS.client_secret });
    expect(store.rawBytes()).not.toContain(Buffer.from(`${CREDENTIALS.client_id}:${CREDENTIALS.client_secret}`).toString('base64'));
    expect(store.rawBytes()).not.toContain(env.INTAKE_VAULT_KEY);
  });
});

describe('Google Workspace as a cloud installation: a rotated refresh token is written back to the vault', () => {
  const DIRECTORY = 'https://admin.google.test/admin/directory/v1';
  const CLIENT = { client_id: '1234567890-abcdefghijklmnop.apps.googleusercontent.com', client_secret: 'GOCSPX-vault-google-client-secret' };
  const FIRST = '1//0vault-refresh-token-first-xEoDL4iW3cxlI7yDbSRFYNG01';

  /** Google's token endpoint; each answer issues the next refresh token of `rotations` (none: not rotated). */
  function tokenEndpoint(rotations: (string | undefined)[]): URLSearchParams[] {
    const forms: URLSearchParams[] = [];
    server.use(
      http.post('https://oauth2.googleapis.com/token', async ({ request }) => {
        forms.push(new URLSearchParams(await request.text()));
        const rotated = rotations[forms.length - 1];
        return HttpResponse.json({ ...fixture<Record<string, unknown>>('google', 'token.refresh.json'), access_token: `ya29.vault-access-${forms.length}`, ...(rotated ? { refresh_token: rotated } : {}) });
      }),
    );
    return forms;
  }
  const users = (status = 200) => server.use(http.get(`${DIRECTORY}/users`, () => (status === 200 ? HttpResponse.json(fixture('google', 'users.list.domain.json')) : HttpResponse.json(fixture('google', 'error.403.forbidden.json'), { status }))));
  const directoryOnePage = { base_url: DIRECTORY, max_pages: '1' };

  it('the next run sends the rotated token; the vault holds each new one (as ciphertext), the store never the plain text', async () => {
    const SECOND = '1//0vault-refresh-token-second-Zt7QwE4rT5yU6iO7pA8sD9';
    const THIRD = '1//0vault-refresh-token-third-Lk3Jh2Gf1Ds0Ap9Oi8Uy7T';
    toVault('google-workspace-users', { ...CLIENT, refresh_token: FIRST });
    const forms = tokenEndpoint([SECOND, THIRD]);
    users();

    const first = await run('google-workspace-users', directoryOnePage);

    expect(first).toMatchObject({ status: 'succeeded', read: 2 });
    expect(forms[0].get('refresh_token')).toBe(FIRST);
    expect(vault('google-workspace-users').values).toEqual({ ...CLIENT, refresh_token: SECOND });

    const second = await run('google-workspace-users', directoryOnePage);

    expect(second).toMatchObject({ status: 'succeeded', counts: { unchanged: 2 } });
    expect(forms.map((f) => f.get('refresh_token'))).toEqual([FIRST, SECOND]);
    expect(vault('google-workspace-users').values.refresh_token).toBe(THIRD);
    for (const result of [first, second]) expectKeptSecret(result, 'google-workspace-users', { refresh_token: THIRD, client_secret: CLIENT.client_secret });
    for (const old of [FIRST, SECOND]) {
      expect(JSON.stringify([first, second, store.runs()])).not.toContain(old);
      expect(store.rawBytes()).not.toContain(old);
    }
  });

  it('a token response without a refresh_token leaves the vault as it was', async () => {
    toVault('google-workspace-users', { ...CLIENT, refresh_token: FIRST });
    const before = vault('google-workspace-users').rows;
    tokenEndpoint([undefined]);
    users();

    expect(await run('google-workspace-users', directoryOnePage)).toMatchObject({ status: 'succeeded' });

    const after = vault('google-workspace-users').rows;
    expect(after.map((r) => r.ciphertext.toString('hex'))).toEqual(before.map((r) => r.ciphertext.toString('hex')));
  });

  it('a run that writes nothing (--test), and a run that fails after the token, still keep the rotated token', async () => {
    const SECOND = '1//0vault-refresh-token-test-run-Qa1Ws2Ed3Rf4Tg5Yh6';
    const THIRD = '1//0vault-refresh-token-failed-run-Uj7Ik8Ol9Pz0Xc1V';
    toVault('google-workspace-users', { ...CLIENT, refresh_token: FIRST });
    const forms = tokenEndpoint([SECOND, THIRD]);
    users();

    const test = await run('google-workspace-users', directoryOnePage, true);

    expect(test).toMatchObject({ test: true, run_id: null, read: 2 });
    expect(store.people()).toEqual([]);
    expect(vault('google-workspace-users').values.refresh_token).toBe(SECOND);

    users(403);
    const failed = await run('google-workspace-users', directoryOnePage);

    expect(failed.status).toBe('failed');
    expect(forms.map((f) => f.get('refresh_token'))).toEqual([FIRST, SECOND]);
    expect(vault('google-workspace-users').values.refresh_token).toBe(THIRD);
    expectKeptSecret(failed, 'google-workspace-users', { refresh_token: THIRD });
  });

  it('a token rotated while a batch transaction is open is written after it ends, so a batch that rolls back does not take it along', () => {
    toVault('google-workspace-users', { ...CLIENT, refresh_token: FIRST });
    const db = openStore(store.file);
    try {
      const keeper = vaultKeeper(db, 'google-workspace-users', env);
      db.exec('BEGIN IMMEDIATE');
      keeper.change('refresh_token', '1//0rotated-during-a-batch-1234567');
      db.exec('ROLLBACK');
      expect(new Vault(db).read('google-workspace-users', loadVaultKey(env)!).refresh_token).toBe(FIRST);
      expect(keeper.flush()).toBeUndefined();
      expect(new Vault(db).read('google-workspace-users', loadVaultKey(env)!).refresh_token).toBe('1//0rotated-during-a-batch-1234567');
    } finally {
      db.close();
    }
  });

  it('a vault that cannot keep the rotated token: the run says so in a warning, with what to do', () => {
    toVault('google-workspace-users', { ...CLIENT, refresh_token: FIRST });
    const db = new Database(store.file, { readonly: true, fileMustExist: true });
    try {
      const keeper = vaultKeeper(db, 'google-workspace-users', env);
      keeper.change('refresh_token', '1//0rotated-but-not-kept-7654321');
      expect(keeper.flush()).toMatch(/^the provider issued a new refresh_token for google-workspace-users, and the old one may no longer work, but the vault could not keep it \(.*readonly.*\): authorise again and set it with intake credentials set google-workspace-users --cloud$/);
    } finally {
      db.close();
    }
  });
});
