import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator } from '../../src/demo/simulator.js';
import { intake, root, type CliResult } from '../helpers/cli.js';

/**
 * `intake credentials …` and the runs that read what it stores, through the built CLI as a user
 * runs it: values piped on stdin, a config home of the test's own (XDG_CONFIG_HOME), the local
 * Slack API simulator at the HTTP edge. A planted token must appear in no output and no byte of the
 * store; the credentials file is private (0600 in a 0700 folder), and so is the vault's key file.
 */

const TOKEN = 'xoxp-planted-e2e/t0ken+4711';
let simulator: Awaited<ReturnType<typeof startSlackSimulator>>;
beforeAll(async () => {
  simulator = await startSlackSimulator({ users: 12, token: TOKEN });
});
afterAll(() => simulator.close());

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A user's machine: a config home (the credentials file, the vault key), a store, a working folder. */
function machine() {
  const dir = mkdtempSync(join(tmpdir(), 'intake-creds-e2e-'));
  made.push(dir);
  const config = join(dir, 'config');
  const file = join(config, 'intake', 'credentials.yaml');
  const db = join(dir, 'store', 'intake.db');
  const env = { XDG_CONFIG_HOME: config };
  const outputs: CliResult[] = [];
  const cli = async (args: string[], input = '', extra: Record<string, string> = {}, cwd = root) => {
    const result = await intake(['--db', db, ...args], { ...env, ...extra }, cwd, input);
    outputs.push(result);
    return result;
  };
  const storeBytes = () => (existsSync(join(dir, 'store')) ? ['intake.db', 'intake.db-wal', 'intake.db-shm'].map((n) => join(dir, 'store', n)).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n') : '');
  return { dir, config, file, db, env, cli, outputs, storeBytes };
}

const base = () => `base_url=${simulator.url}`;
const mode = (path: string) => statSync(path).mode & 0o777;
const noToken = (texts: string[]) => {
  for (const text of texts) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(encodeURIComponent(TOKEN));
    expect(text).not.toContain(TOKEN.slice(5));
  }
};

describe('the local credentials file', () => {
  it('set from stdin creates it 0600 in a 0700 folder; a run reads it; the token appears in no output and no store byte', async () => {
    const m = machine();
    const set = await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`stored token of slack-users in ${m.file}\n`);
    expect(mode(m.file)).toBe(0o600);
    expect(mode(join(m.config, 'intake'))).toBe(0o700);
    expect(readFileSync(m.file, 'utf8')).toContain(`slack-users:\n  token: "${TOKEN}"`);

    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'])).stdout);
    expect(listed.file).toEqual({ path: m.file, exists: true });
    expect(listed.connectors.find((c: { connector: string }) => c.connector === 'slack-users')).toEqual({
      connector: 'slack-users', name: 'Slack users', installation: 'local',
      fields: [{ field: 'token', label: expect.any(String), secret: true, env: 'SLACK_TOKEN', from: 'file', held_in: ['file'] }],
    });

    const run = await m.cli(['run', 'mappings/slack-users.yaml', '--set', base(), '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', counts: { added: expect.any(Number), failed: 0 } });
    expect(JSON.parse(run.stdout).counts.added).toBeGreaterThanOrEqual(12);
    await m.cli(['runs', 'show', '1']);
    await m.cli(['credentials', 'list']);
    await m.cli(['credentials', 'test', 'slack-users', '--set', base()]);
    noToken([...m.outputs.map((o) => o.stdout + o.stderr), m.storeBytes()]);
  }, 60_000);

  it('the environment wins over the file: list says so, and the run uses the variable', async () => {
    const m = machine();
    await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    const wrong = { SLACK_TOKEN: 'xoxp-from-the-environment-0815' };
    const set = await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`, wrong);
    expect(set.stdout).toContain('note: SLACK_TOKEN is set in this environment and wins over the file for token');
    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'], '', wrong)).stdout);
    expect(listed.connectors.find((c: { connector: string }) => c.connector === 'slack-users').fields[0]).toMatchObject({ from: 'environment', held_in: ['environment', 'file'] });
    const run = await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()], '', wrong);
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).toMatch(/invalid_auth/);
  }, 60_000);

  it('credentials test: one request with the stored token, then the API\'s own words for a token it refuses', async () => {
    const m = machine();
    await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    const before = simulator.requests;
    const ok = await m.cli(['credentials', 'test', 'slack-users', '--set', base()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^ok: slack-users accepted the credentials \\(from file\\): GET ${simulator.url.replace(/[.]/g, '\\.')}/users\\.list\\S* answered HTTP 200 with \\d+ record\\(s\\) on the first page\\n$`));
    expect(simulator.requests - before).toBe(1);
    const json = JSON.parse((await m.cli(['credentials', 'test', 'slack-users', '--set', base(), '--json'])).stdout);
    expect(json).toMatchObject({ status: 'ok', connector: 'slack-users', from: { token: 'file' }, http_status: 200, requests: 1 });

    await m.cli(['credentials', 'set', 'slack-users', '--field', 'token'], 'xoxp-revoked-token-000000\n');
    const refused = await m.cli(['credentials', 'test', 'slack-users', '--set', base()]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/invalid_auth/);
    expect(refused.stdout + refused.stderr).not.toContain('xoxp-revoked-token-000000');
    const refusedJson = await m.cli(['credentials', 'test', 'slack-users', '--set', base(), '--json']);
    expect(refusedJson.code).toBe(3);
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({ status: 'error', connector: 'slack-users', message: expect.stringMatching(/invalid_auth/) });
    noToken(m.outputs.map((o) => o.stdout + o.stderr));
  }, 60_000);

  it('a file group or others may read is refused by run, test, list and set, with the exact chmod 600; an open folder with chmod 700', async () => {
    const m = machine();
    await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    chmodSync(m.file, 0o640);
    for (const args of [['run', 'mappings/slack-users.yaml', '--set', base()], ['credentials', 'test', 'slack-users', '--set', base()], ['credentials', 'list'], ['integrations']]) {
      const result = await m.cli(args);
      const text = result.stdout + result.stderr;
      expect(text).toContain(`the credentials file ${m.file} is readable by its group (mode 0640); it is not read`);
      expect(text).toContain(`chmod 600 ${m.file}`);
      if (args[0] !== 'integrations') expect(result.code).toBe(2);
    }
    const set = await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain(`hint: make it private: chmod 600 ${m.file}`);
    chmodSync(m.file, 0o600);
    chmodSync(join(m.config, 'intake'), 0o750);
    const run = await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`hint: make it private: chmod 700 ${join(m.config, 'intake')}`);
    chmodSync(join(m.config, 'intake'), 0o700);
    expect((await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()])).code).toBe(0);
    noToken(m.outputs.map((o) => o.stdout + o.stderr));
  }, 60_000);

  it('a file that does not parse: file:line:col and what is wrong, never the value', async () => {
    const m = machine();
    mkdirSync(join(m.config, 'intake'), { recursive: true, mode: 0o700 });
    writeFileSync(m.file, `slack-users:\n  token: "${TOKEN}\n`, { mode: 0o600 });
    const run = await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`intake: ${m.file}:2:10 a quote or bracket opened here is not closed`);
    noToken([run.stdout + run.stderr]);
  }, 60_000);

  it('--credentials <file> and INTAKE_CREDENTIALS choose the file', async () => {
    const m = machine();
    const other = join(m.dir, 'elsewhere', 'creds.yaml');
    const set = await m.cli(['--credentials', other, 'credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    expect(set.stdout).toBe(`stored token of slack-users in ${other}\n`);
    expect(mode(other)).toBe(0o600);
    expect(existsSync(m.file)).toBe(false);
    expect((await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()])).code).toBe(2);
    expect((await m.cli(['--credentials', other, 'run', 'mappings/slack-users.yaml', '--set', base()])).code).toBe(0);
    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'], '', { INTAKE_CREDENTIALS: other })).stdout);
    expect(listed.file.path).toBe(other);
  }, 60_000);

  it('remove takes a connector out of the file; a run then lacks it and says how to set it', async () => {
    const m = machine();
    await m.cli(['credentials', 'set', 'slack-users'], `token=${TOKEN}\n`);
    await m.cli(['credentials', 'set', 'slack-last-login'], `token=${TOKEN}\n`);
    const removed = await m.cli(['credentials', 'remove', 'slack-users']);
    expect(removed.stdout).toBe(`removed the credentials of slack-users from ${m.file}\n`);
    expect((await m.cli(['credentials', 'remove', 'slack-users'])).stdout).toBe(`${m.file} holds no credentials of slack-users; nothing to remove\n`);
    expect(readFileSync(m.file, 'utf8')).toContain('slack-last-login:');
    // an id no connector has any more (a retired app) is listed, and can be removed like any other
    writeFileSync(m.file, `${readFileSync(m.file, 'utf8')}retired-app:\n  token: "${TOKEN}"\n`);
    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'])).stdout);
    expect(listed.connectors.at(-1)).toEqual({ connector: 'retired-app', name: null, installation: null, fields: [{ field: 'token', label: '', secret: true, env: null, from: 'file', held_in: ['file'] }] });
    expect((await m.cli(['credentials', 'list'])).stdout).toMatch(/\nretired-app \(no such connector\) +token +file /);
    expect((await m.cli(['credentials', 'remove', 'retired-app'])).stdout).toBe(`removed the credentials of retired-app from ${m.file}\n`);
    const run = await m.cli(['run', 'mappings/slack-users.yaml', '--set', base()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no credentials for connector slack-users: SLACK_TOKEN (Bot or user token (xoxb-… or xoxp-…)) not set (environment, or ${m.file})`);
    expect(run.stderr).toContain('hint: store it privately with: intake credentials set slack-users — or set SLACK_TOKEN in the environment of this machine');
  }, 60_000);
});

describe('intake credentials set refuses, storing nothing', () => {
  it.each([
    ['an unknown --field: did you mean', ['--field', 'tokn'], `token=${TOKEN}\n`, /connector slack-users has no credential field "tokn"\n {2}hint: did you mean "token"\? \(fields: token\)/],
    ['an unknown name on stdin: not echoed, did you mean', [], `tokne=${TOKEN}\n`, /standard input, line 1: not a credential field of this connector \(the line is not shown\)\n {2}hint: did you mean "token"\?/],
    ['a line that is not NAME=value: not echoed', [], `${TOKEN.replace('=', '')}\n`, /standard input, line 1: expected NAME=value \(the value is not shown\)/],
    ['a value too short to be masked', [], 'token=xoxp-1\n', /the value given for token \(.*\) of slack-users is shorter than 8 characters; nothing was stored/],
    ['no value at all', [], '\n# nothing\n', /no value was given for slack-users; nothing was stored/],
    ['an empty value', [], 'token=\n', /the value given for token is empty; nothing was stored/],
  ])('%s (exit 2)', async (_what, args, input, message) => {
    const m = machine();
    const result = await m.cli(['credentials', 'set', 'slack-users', ...args], input);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(m.file)).toBe(false);
    noToken([result.stdout + result.stderr]);
    expect(result.stdout + result.stderr).not.toContain('tokne');
  });

  it('a value is never taken from the command line: an extra argument is a usage error', async () => {
    const m = machine();
    const result = await m.cli(['credentials', 'set', 'slack-users', TOKEN]);
    expect(result.code).toBe(2);
    expect(existsSync(m.file)).toBe(false);
  });

  it('with --field, the whole input is the value: a multi-line JSON key file reads back as piped', async () => {
    const m = machine();
    const key = JSON.stringify({ type: 'service_account', client_email: 'intake@example.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEplanted\n-----END PRIVATE KEY-----\n' }, null, 2);
    const result = await m.cli(['credentials', 'set', 'slack-users', '--field', 'token'], `${key}\n`);
    expect(result.code).toBe(0);
    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'])).stdout);
    expect(listed.connectors.find((c: { connector: string }) => c.connector === 'slack-users').fields[0].from).toBe('file');
    const yaml = await import('yaml');
    expect((yaml.parse(readFileSync(m.file, 'utf8')) as Record<string, Record<string, string>>)['slack-users'].token).toBe(key);
  });
});

describe('OAuth 2 in a local installation is refused, with how to choose cloud', () => {
  it('credentials set without --cloud: the vault is where OAuth credentials go', async () => {
    const m = machine();
    const result = await m.cli(['credentials', 'set', 'zoom-users'], 'account_id=Wk9PTV9BQ0NPVU5UX0lE\nclient_id=zoom-client-id\nclient_secret=zoom-secret-0123456789\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('intake: connector zoom-users authenticates with oauth2_client_credentials, which a local installation does not run');
    expect(result.stderr).toContain('hint: choose cloud: store them with intake credentials set zoom-users --cloud, and write installation: cloud in its mapping');
    expect(result.stderr).not.toContain('zoom-secret-0123456789');
    expect(existsSync(m.file)).toBe(false);
  });

  it('intake run of a local copy of the Zoom mapping: exit 2, installation: cloud and the command that fills the vault', async () => {
    const m = machine();
    mkdirSync(join(m.dir, 'mappings'));
    const file = join(m.dir, 'mappings', 'zoom-users.yaml');
    const text = readFileSync(join(root, 'mappings', 'zoom-users.yaml'), 'utf8').replace(/^installation: cloud$/m, 'installation: local');
    writeFileSync(file, text);
    const line = text.split('\n').indexOf('installation: local') + 1;
    const result = await m.cli(['run', file], '', { ZOOM_ACCOUNT_ID: 'a', ZOOM_CLIENT_ID: 'b', ZOOM_CLIENT_SECRET: 'zoom-secret-0123456789' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`zoom-users.yaml:${line}:15 error [needs_cloud] at installation: connector zoom-users authenticates with oauth2_client_credentials, which needs the cloud installation type`);
    expect(result.stderr).toContain('hint: a local installation does not keep OAuth secrets and tokens: choose cloud — write installation: cloud in this mapping, then store the credentials in the vault with: intake credentials set zoom-users --cloud');
    expect(result.stderr).not.toContain('zoom-secret-0123456789');
  });
});

describe('the vault, through the CLI: a cloud copy of the Slack users integration', () => {
  function cloudWorkspace(m: ReturnType<typeof machine>): string {
    mkdirSync(join(m.dir, 'mappings'));
    cpSync(join(root, 'connectors'), join(m.dir, 'connectors'), { recursive: true });
    const text = readFileSync(join(root, 'mappings', 'slack-users.yaml'), 'utf8').replace(/^installation: local$/m, 'installation: cloud').replace(/^name: Slack users$/m, 'name: Slack users (cloud)');
    writeFileSync(join(m.dir, 'mappings', 'slack-users-cloud.yaml'), text);
    return join(m.dir, 'mappings', 'slack-users-cloud.yaml');
  }
  const vaultRows = (db: string) => {
    const store = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return store.prepare('SELECT connector, field, key_id, nonce, ciphertext, tag FROM vault').all() as { connector: string; field: string; key_id: string; nonce: Buffer; ciphertext: Buffer; tag: Buffer }[];
    } finally {
      store.close();
    }
  };

  it('set --cloud makes the key file 0600; the integration turns ready and runs from the vault; the store holds only ciphertext', async () => {
    const m = machine();
    const mapping = cloudWorkspace(m);
    const draft = JSON.parse((await m.cli(['integrations', '--json'], '', {}, m.dir)).stdout).find((i: { name: string }) => i.name === 'slack-users-cloud');
    expect(draft).toMatchObject({ state: 'draft', installation: 'cloud', missing: [expect.stringContaining(`not in the vault of ${m.db}`)] });
    // a local token is not what a cloud integration reads
    expect((await m.cli(['run', mapping, '--set', base()], '', { SLACK_TOKEN: TOKEN }, m.dir)).code).toBe(2);

    const set = await m.cli(['credentials', 'set', 'slack-users', '--cloud'], `token=${TOKEN}\n`, {}, m.dir);
    expect(set.code).toBe(0);
    const keyFile = join(m.config, 'intake', 'vault.key');
    expect(set.stdout).toBe(`stored token of slack-users in the vault in ${m.db}\ncreated the vault key ${keyFile} (0600): back it up now — without it the vault cannot be read\n`);
    expect(mode(keyFile)).toBe(0o600);
    expect(existsSync(m.file)).toBe(false);
    const ready = JSON.parse((await m.cli(['integrations', '--json'], '', {}, m.dir)).stdout).find((i: { name: string }) => i.name === 'slack-users-cloud');
    expect(ready).toMatchObject({ state: 'ready', missing: [] });
    const listed = JSON.parse((await m.cli(['credentials', 'list', '--json'], '', {}, m.dir)).stdout);
    expect(listed.vault).toEqual({ path: m.db, values: 1, key: keyFile });

    const run = await m.cli(['run', mapping, '--set', base(), '--json'], '', {}, m.dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', counts: { added: expect.any(Number), failed: 0 } });
    expect(JSON.parse(run.stdout).counts.added).toBeGreaterThanOrEqual(12);
    const [row] = vaultRows(m.db);
    expect(row).toMatchObject({ connector: 'slack-users', field: 'token' });
    expect(row.nonce).toHaveLength(12);
    expect(row.tag).toHaveLength(16);
    expect(row.ciphertext).toHaveLength(Buffer.byteLength(TOKEN));
    await m.cli(['credentials', 'test', 'slack-users', '--cloud', '--set', base()], '', {}, m.dir);
    await m.cli(['runs', 'show', '1'], '', {}, m.dir);
    noToken([...m.outputs.map((o) => o.stdout + o.stderr), m.storeBytes()]);
    expect(m.storeBytes()).not.toContain(readFileSync(keyFile, 'utf8').trim());
  }, 60_000);

  it('a wrong INTAKE_VAULT_KEY is a clear error (exit 2); rotate-key re-encrypts and the run goes on with the new key file', async () => {
    const m = machine();
    const mapping = cloudWorkspace(m);
    await m.cli(['credentials', 'set', 'slack-users', '--cloud'], `token=${TOKEN}\n`, {}, m.dir);
    const keyFile = join(m.config, 'intake', 'vault.key');
    const wrong = await m.cli(['run', mapping, '--set', base()], '', { INTAKE_VAULT_KEY: randomBytes(32).toString('base64') }, m.dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`intake: the vault key from INTAKE_VAULT_KEY is not the key the vault in ${m.db} was written with; nothing was decrypted`);
    const invalid = await m.cli(['run', mapping, '--set', base()], '', { INTAKE_VAULT_KEY: 'c2hvcnQ=' }, m.dir);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('INTAKE_VAULT_KEY does not hold a vault key: the base64 of 32 bytes (44 characters); it decodes to 5 bytes');

    const oldKey = readFileSync(keyFile, 'utf8');
    const rotated = await m.cli(['credentials', 'rotate-key'], '', {}, m.dir);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain(`encrypted 1 value(s) of the vault in ${m.db} under a new key in ${keyFile}`);
    expect(readFileSync(keyFile, 'utf8')).not.toBe(oldKey);
    expect(mode(keyFile)).toBe(0o600);
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    expect((await m.cli(['run', mapping, '--set', base()], '', {}, m.dir)).code).toBe(0);
    const old = await m.cli(['run', mapping, '--set', base()], '', { INTAKE_VAULT_KEY: oldKey.trim() }, m.dir);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/is not the key the vault/);

    // the key file lost: the vault is not readable, and the message says what to do
    rmSync(keyFile);
    const lost = await m.cli(['run', mapping, '--set', base()], '', {}, m.dir);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toContain(`the vault in ${m.db} holds credentials, but there is no vault key: INTAKE_VAULT_KEY is not set and ${keyFile} does not exist`);
    expect(lost.stderr).toContain('restore the key file from your backup');
    noToken(m.outputs.map((o) => o.stdout + o.stderr));
  }, 60_000);

  it('remove --cloud empties the vault for that connector', async () => {
    const m = machine();
    await m.cli(['credentials', 'set', 'slack-users', '--cloud'], `token=${TOKEN}\n`);
    const removed = await m.cli(['credentials', 'remove', 'slack-users', '--cloud']);
    expect(removed.stdout).toBe(`removed the credentials of slack-users from the vault in ${m.db}\n`);
    expect(vaultRows(m.db)).toEqual([]);
  });
});
