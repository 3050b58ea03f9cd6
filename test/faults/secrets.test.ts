import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServer, type ApiServer, type Reply } from '../helpers/api-server.js';
import { intake, type CliResult } from '../helpers/cli.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * A planted credential that an API (or a proxy before it) echoes back in every way seen in the
 * wild: in a next-page Link header (`private_token=…`), in records, in error bodies, URL-encoded
 * (`Bearer%20…`), form-encoded, base64 (basic auth). It must appear nowhere a user or an attacker
 * can read: stdout, stderr, the run log, the store's file bytes, preview output (text and JSON).
 * Its `/`, `+` and `=` make each encoding differ from the raw text.
 */
const TOKEN = 'PLANTED/t0ken+s3cret=42xq';
const USER = 'svc-intake';
const PASSWORD = 'PLANTED/pa55+w0rd=77';

/** Every form of the planted secrets a reader could decode; the marker catches any readable copy. */
function forms(): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const basic = b64(`${USER}:${PASSWORD}`);
  const list = ['PLANTED', 'PLANTED'.toLowerCase(), basic, encodeURIComponent(basic), new URLSearchParams({ s: basic }).toString().slice(2), b64(TOKEN), b64(`x:${TOKEN}`).slice(4, -4)];
  for (const secret of [TOKEN, PASSWORD]) {
    list.push(secret, encodeURIComponent(secret), encodeURIComponent(secret).toLowerCase(), new URLSearchParams({ s: secret }).toString().slice(2), secret.slice(8));
  }
  return list;
}

function expectNoSecret(where: string, text: string): void {
  for (const form of forms()) {
    if (text.includes(form)) throw new Error(`${where} holds the planted secret as ${JSON.stringify(form)}:\n${text.slice(Math.max(0, text.indexOf(form) - 200), text.indexOf(form) + 200)}`);
  }
}

const connector = (id: string, credentials: string) => `
id: ${id}
name: Echo users
record_type: users
credentials:
${credentials}
settings:
  base_url: { label: API base URL, type: string, required: true }
base_url: "{{ settings.base_url }}"
request: { method: GET, path: /users }
pagination: { type: next_url, from: link_header }
records: users
fields:
  user_id: { label: User Id, path: id, type: string }
  login: { label: Login, type: string }
  name: { label: Name, type: string }
  age: { label: Age, type: integer }
sync_key: user_id
`;

const mapping = (connectorId: string, base: string) => `
name: Echo users
connector: ${connectorId}
installation: local
record_type: people
preference: create_update
sync_key:
  - { source: user_id, target: echo_user_id }
custom_fields:
  echo_user_id: { label: Echo User Id, type: string }
  echo_age: { label: Echo Age, type: integer }
fields:
  username: login
  email: login
  full_name: name
  role: { value: Employee }
  echo_age: age
settings:
  base_url: ${base}
`;

const bearer = '  type: bearer\n  fields:\n    token: { label: API token, secret: true, env: ECHO_TOKEN }';
const basic = '  type: basic\n  username_field: user\n  password_field: password\n  fields:\n    user: { label: User, secret: false, env: ECHO_USER }\n    password: { label: Password, secret: true, env: ECHO_PASSWORD }';

/** An API that echoes what it was sent: the Authorization header and every query parameter. */
function echo(url: URL, headers: Record<string, string | string[] | undefined>, base: string): Reply {
  const auth = String(headers.authorization ?? '');
  const token = auth.replace(/^Bearer /, '');
  if (url.pathname !== '/users') return { status: 404, body: { error: 'not_found' } };
  if (!url.searchParams.has('page')) {
    const next = new URL('/users', base);
    next.searchParams.set('page', '2');
    next.searchParams.set('private_token', token);
    return {
      headers: { link: `<${next.href}>; rel="next"` },
      body: {
        users: [
          { id: 'u1', login: 'ann@example.test', name: `Bearer%20${encodeURIComponent(token)}`, age: 31 },
          { id: 'u2', login: 'bob@example.test', name: 'Bob', age: auth },
          { id: 'u3', login: 'cy@example.test', name: 'Cy', age: `x:${Buffer.from(`x:${token}`).toString('base64')}` },
          { id: 'u4', login: 'di@example.test', name: token, age: 40 },
        ],
      },
    };
  }
  return { body: { users: [{ id: 'u5', login: 'ed@example.test', name: 'Ed', age: `private_token=${url.searchParams.get('private_token')}` }] } };
}

describe('a planted credential echoed by the API appears nowhere', () => {
  let api: ApiServer;
  let dir: string;
  let store: TempStore;
  const outputs: [string, CliResult][] = [];
  const env = { ECHO_TOKEN: TOKEN };
  const cli = async (name: string, args: string[], extra: Record<string, string> = env, input = '') => {
    const result = await intake(['--db', store.file, ...args], extra, dir, input);
    outputs.push([name, result]);
    return result;
  };

  beforeAll(async () => {
    api = await apiServer(echo);
    store = tempStore();
    dir = mkdtempSync(join(tmpdir(), 'intake-secrets-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
    writeFileSync(join(dir, 'connectors', 'echo.yaml'), connector('echo', bearer));
    writeFileSync(join(dir, 'mappings', 'echo.yaml'), mapping('echo', api.url));
  });
  afterAll(async () => {
    await api.close();
    store.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run (text and JSON), runs, runs show, records: the echoes are masked, the failure reasons kept', async () => {
    const run = await cli('run --json', ['run', 'mappings/echo.yaml', '--json']);
    expect(run.stderr).toBe('');
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ status: 'completed_with_failures', read: 5, counts: { added: 2, failed: 3 } });
    // the API did see the token: this is what it echoed
    expect(api.requests[1].url).toContain(`private_token=${encodeURIComponent(TOKEN)}`);

    const shown = JSON.parse((await cli('runs show --json', ['runs', 'show', String(summary.run_id), '--json'])).stdout);
    expect(shown.records.map((r: { key: string }) => r.key).sort()).toEqual(['u2', 'u3', 'u5']);
    for (const record of shown.records) expect(record.reason).toMatch(/field age: expected an integer, found ".*\*\*\*.*"/);
    expect(shown.records.find((r: { key: string }) => r.key === 'u2').reason).toContain('"Bearer ***"');

    await cli('run (text)', ['run', 'mappings/echo.yaml']);
    await cli('runs show (text)', ['runs', 'show', String(summary.run_id)]);
    await cli('runs', ['runs']);
    const records = await cli('records users --json', ['records', 'users', '--json']);
    expect(JSON.parse(records.stdout).map((p: { full_name: string }) => p.full_name).sort()).toEqual(['***', 'Bearer%20***']);
    await cli('records users', ['records', 'users']);

    for (const [name, result] of outputs) {
      expectNoSecret(`${name} stdout`, result.stdout);
      expectNoSecret(`${name} stderr`, result.stderr);
    }
    expectNoSecret('the run log', JSON.stringify(store.runs()));
    expectNoSecret('the store file', store.rawBytes());
  }, 60_000);

  it('preview: the next-page URL carrying private_token, the raw responses and the records, text and JSON', async () => {
    const json = await cli('preview --json', ['preview', 'echo', '--pages', '2', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.pages).toHaveLength(2);
    expect(report.pages[1].request.url).toMatch(/[?&]private_token=\*\*\*/);
    const text = await cli('preview', ['preview', 'echo', '--pages', '2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/── page 2 ──\n→ GET http:\/\/127\.0\.0\.1:\d+\/users\?page=2&private_token=\*\*\*/);
    for (const result of [json, text]) {
      expectNoSecret('preview stdout', result.stdout);
      expectNoSecret('preview stderr', result.stderr);
    }
  }, 60_000);

  it('an error body echoing the header URL-encoded (a proxy page): the failed run says so, masked, in its message and the run log', async () => {
    const proxy = await apiServer((_url, headers) => ({ body: `<html><body>Denied: Authorization=${encodeURIComponent(String(headers.authorization))}</body></html>` }));
    try {
      writeFileSync(join(dir, 'mappings', 'proxied.yaml'), mapping('echo', proxy.url));
      const result = await cli('run behind a proxy', ['run', 'mappings/proxied.yaml']);
      expect(result.code).toBe(3);
      expect(result.stdout + result.stderr).toMatch(/not JSON: <html><body>Denied: Authorization=Bearer%20\*\*\*/);
      const json = await cli('run behind a proxy --json', ['run', 'mappings/proxied.yaml', '--json']);
      expect(JSON.parse(json.stdout).message).toContain('Bearer%20***');
      for (const r of [result, json]) {
        expectNoSecret('stdout', r.stdout);
        expectNoSecret('stderr', r.stderr);
      }
      expect(store.runs()[0].message).toContain('Bearer%20***');
      expectNoSecret('the run log', JSON.stringify(store.runs()));
      expectNoSecret('the store file', store.rawBytes());
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('basic auth: the base64 of user:password echoed in a record is masked in the run log, the store and the output', async () => {
    writeFileSync(join(dir, 'connectors', 'echo-basic.yaml'), connector('echo-basic', basic));
    writeFileSync(join(dir, 'mappings', 'echo-basic.yaml'), mapping('echo-basic', api.url));
    const credentials = { ECHO_USER: USER, ECHO_PASSWORD: PASSWORD };
    const run = await cli('run (basic)', ['run', 'mappings/echo-basic.yaml', '--json'], credentials);
    const summary = JSON.parse(run.stdout);
    expect(summary.counts.failed).toBe(3);
    expect(api.requests.at(-1)!.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    await cli('runs show (basic)', ['runs', 'show', String(summary.run_id)], credentials);
    const shown = JSON.parse((await cli('runs show --json (basic)', ['runs', 'show', String(summary.run_id), '--json'], credentials)).stdout);
    expect(shown.records.find((r: { key: string }) => r.key === 'u2').reason).toBe('field age: expected an integer, found "Basic ***"');
    const preview = await cli('preview (basic)', ['preview', 'echo-basic', '--pages', '2', '--json'], credentials);
    expect(preview.code).toBe(0);
    for (const [name, result] of outputs) {
      expectNoSecret(`${name} stdout`, result.stdout);
      expectNoSecret(`${name} stderr`, result.stderr);
    }
    expectNoSecret('the run log', JSON.stringify(store.runs()));
    expectNoSecret('the store file', store.rawBytes());
  }, 60_000);

  it('the same credential from the credentials file, and from the vault for a cloud copy: echoed, masked everywhere; the vault holds ciphertext', async () => {
    const config = mkdtempSync(join(tmpdir(), 'intake-secrets-config-'));
    const home = { XDG_CONFIG_HOME: config };
    try {
      const local = await cli('credentials set (file)', ['credentials', 'set', 'echo'], home, `token=${TOKEN}\n`);
      expect(local.code).toBe(0);
      const fromFile = JSON.parse((await cli('run from the file', ['run', 'mappings/echo.yaml', '--json'], home)).stdout);
      expect(fromFile).toMatchObject({ status: 'completed_with_failures', counts: { failed: 3 } });
      expect(api.requests.at(-1)!.url).toContain(`private_token=${encodeURIComponent(TOKEN)}`);

      writeFileSync(join(dir, 'mappings', 'echo-cloud.yaml'), mapping('echo', api.url).replace('installation: local', 'installation: cloud').replace('name: Echo users', 'name: Echo users (cloud)'));
      const cloud = await cli('credentials set --cloud', ['credentials', 'set', 'echo', '--cloud'], home, `token=${TOKEN}\n`);
      expect(cloud.code).toBe(0);
      const fromVault = JSON.parse((await cli('run from the vault', ['run', 'mappings/echo-cloud.yaml', '--json'], home)).stdout);
      expect(fromVault).toMatchObject({ status: 'completed_with_failures', counts: { failed: 3 } });
      expect(api.requests.at(-1)!.url).toContain(`private_token=${encodeURIComponent(TOKEN)}`);
      await cli('credentials list', ['credentials', 'list'], home);
      await cli('credentials test --cloud', ['credentials', 'test', 'echo', '--cloud', '--json'], home);
      await cli('runs show (vault)', ['runs', 'show', String(fromVault.run_id)], home);

      for (const [name, result] of outputs) {
        expectNoSecret(`${name} stdout`, result.stdout);
        expectNoSecret(`${name} stderr`, result.stderr);
      }
      expectNoSecret('the run log', JSON.stringify(store.runs()));
      expectNoSecret('the store file', store.rawBytes());
      const db = new Database(store.file, { readonly: true, fileMustExist: true });
      const rows = db.prepare("SELECT ciphertext FROM vault WHERE connector = 'echo'").all() as { ciphertext: Buffer }[];
      db.close();
      expect(rows).toHaveLength(1);
      expect(rows[0].ciphertext).toHaveLength(Buffer.byteLength(TOKEN));
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  }, 60_000);

  it('a credential too short to be masked is refused before anything is sent: exit 2, named, no run', async () => {
    const before = api.requests.length;
    const runs = store.runs().length;
    for (const args of [['run', 'mappings/echo.yaml'], ['preview', 'echo'], ['run', 'mappings/echo.yaml', '--test']]) {
      const result = await cli(args.join(' '), args, { ECHO_TOKEN: 'abc' });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/ECHO_TOKEN \(API token\) of connector echo is shorter than 8 characters; nothing was sent/);
    }
    const status = JSON.parse((await cli('integrations', ['integrations', '--json'], { ECHO_TOKEN: 'abc' })).stdout);
    expect(status.find((i: { name: string }) => i.name === 'echo')).toMatchObject({ state: 'draft', missing: [expect.stringMatching(/shorter than 8 characters/)] });
    expect(api.requests.length).toBe(before);
    expect(store.runs()).toHaveLength(runs);
  }, 60_000);
});
