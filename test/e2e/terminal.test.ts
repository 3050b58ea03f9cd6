import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServer, type ApiServer } from '../helpers/api-server.js';
import { intake, type CliResult } from '../helpers/cli.js';

/**
 * API data reaches the terminal in text output (records, the integration log, reasons, keys).
 * Escape sequences (clearing the screen, setting the window title, OSC 8 links), NUL, carriage
 * returns, C1 controls (U+009B is CSI), bidirectional overrides and newlines must not act on the
 * terminal nor break the table: they are shown escaped. JSON output keeps every value exact.
 */
const hostile = {
  clear: 'Mallory\x1b[2J\x1b[H',
  title: 'Eve\x1b]0;pwned\x07',
  nul: 'nul\x00byte',
  lines: 'first line\nsecond line\rover',
  csi: 'c1\u009b31mred',
  bidi: 'admin\u202egnp.exe',
  tab: 'tab\there',
  emoji: 'Ana \u{1f469}\u200d\u{1f4bb} (ZWJ stays: emoji and scripts need it)',
};

const connector = `
id: hostile
name: Hostile users
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: API token, secret: true, env: HOSTILE_TOKEN }
settings:
  base_url: { label: API base URL, type: string, required: true }
base_url: "{{ settings.base_url }}"
request: { method: GET, path: /users }
pagination: { type: none }
records: users
fields:
  id: { label: Id, type: string }
  login: { label: Login, type: string }
  name: { label: Name, type: string }
  age: { label: Age, type: integer }
sync_key: id
`;

const mapping = (base: string) => `
name: Hostile users
connector: hostile
installation: local
record_type: people
preference: create_update
sync_key:
  - { source: id, target: hostile_id }
custom_fields:
  hostile_id: { label: Hostile Id, type: string }
  hostile_age: { label: Hostile Age, type: integer }
fields:
  username: login
  email: login
  full_name: name
  role: { value: Employee }
  hostile_age: age
settings:
  base_url: ${base}
`;

const users = [
  ...Object.entries(hostile).map(([id, name], i) => ({ id, login: `user${i}@example.test`, name, age: 30 })),
  { id: 'bad\n\x1b[31mkey', login: 'bad@example.test', name: 'Bad', age: 'x\x1b[5m' },
];

/** Any character that acts on a terminal, or breaks a line, other than the newlines that end lines. */
const control = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('API data in text output', () => {
  let api: ApiServer;
  let dir: string;
  const db = () => join(dir, 'intake.db');
  const env = { HOSTILE_TOKEN: 'hostile-token-1234' };
  const cli = (args: string[]): Promise<CliResult> => intake(['--db', db(), ...args], env, dir);

  beforeAll(async () => {
    api = await apiServer(() => ({ body: { users } }));
    dir = mkdtempSync(join(tmpdir(), 'intake-terminal-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
    writeFileSync(join(dir, 'connectors', 'hostile.yaml'), connector);
    writeFileSync(join(dir, 'mappings', 'hostile.yaml'), mapping(api.url));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records users: escapes, NUL, CR, C1 and bidi controls are shown escaped, one row per record; --json is exact', async () => {
    const run = await cli(['run', 'mappings/hostile.yaml', '--json']);
    expect(JSON.parse(run.stdout).counts).toMatchObject({ added: 8, failed: 1 });

    const text = await cli(['records', 'users']);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(control);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2 + 8); // header, rule, one row per record
    expect(text.stdout).toContain('Mallory\\u001b[2J\\u001b[H');
    expect(text.stdout).toContain('Eve\\u001b]0;pwned\\u0007');
    expect(text.stdout).toContain('nul\\u0000byte');
    expect(text.stdout).toContain('first line\\nsecond line\\rover');
    expect(text.stdout).toContain('c1\\u009b31mred');
    expect(text.stdout).toContain('admin\\u202egnp.exe');
    expect(text.stdout).toContain('tab\\there');
    expect(text.stdout).toContain(hostile.emoji);

    const json = await cli(['records', 'users', '--json']);
    const names = Object.fromEntries((JSON.parse(json.stdout) as { hostile_id: string; full_name: string }[]).map((p) => [p.hostile_id, p.full_name]));
    expect(names).toEqual(hostile);
  });

  it('the integration log, its reasons and keys: run, runs, runs show, run --test', async () => {
    for (const args of [['run', 'mappings/hostile.yaml'], ['run', 'mappings/hostile.yaml', '--test'], ['runs', 'show', '1']]) {
      const result = await cli(args);
      expect(result.stdout + result.stderr).not.toMatch(control);
      expect(result.stdout).toContain('bad\\n\\u001b[31mkey');
      expect(result.stdout).toContain('found "x\\u001b[5m"');
    }
    expect((await cli(['runs'])).stdout).not.toMatch(control);
    const shown = JSON.parse((await cli(['runs', 'show', '1', '--json'])).stdout);
    expect(shown.records).toEqual([{ key: 'bad\n\x1b[31mkey', outcome: 'failed', reason: 'field age: expected an integer, found "x\\u001b[5m"', record_type: 'people' }]);
  });
});
