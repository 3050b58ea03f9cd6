import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiServer, type ApiServer } from '../helpers/api-server.js';
import { intake } from '../helpers/cli.js';

/**
 * The integration log groups skip and fail reasons by their template, whatever the shape of the
 * record ids: integer ids (most APIs) gave one group per record while Slack-shaped ids grouped.
 */
const connector = `
id: numbers
name: Numbered users
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: API token, secret: true, env: NUMBERS_TOKEN }
settings:
  base_url: { label: API base URL, type: string, required: true }
base_url: "{{ settings.base_url }}"
request: { method: GET, path: /users }
pagination: { type: none }
records: users
fields:
  id: { label: Id, type: integer }
  login: { label: Login, type: string }
  age: { label: Age, type: integer }
sync_key: id
`;

const mapping = (base: string) => `
name: Numbered users
connector: numbers
installation: local
record_type: people
preference: update_only
sync_key:
  - { source: id, target: numbers_id }
custom_fields:
  numbers_id: { label: Numbers Id, type: integer }
  numbers_age: { label: Numbers Age, type: integer }
fields:
  email: login
  numbers_age: age
settings:
  base_url: ${base}
`;

const users = [
  ...Array.from({ length: 27 }, (_, i) => ({ id: 100 + i * 37, login: `user${i}@example.test`, age: 20 + i })),
  { id: 9001, login: 'x@example.test', age: 'n/a' },
  { id: 9002, login: 'y@example.test', age: 'unknown' },
  { id: 9003, login: 'z@example.test', age: '?' },
];

describe('reasons grouped by template', () => {
  let api: ApiServer;
  let dir: string;
  beforeAll(async () => {
    api = await apiServer(() => ({ body: { users } }));
    dir = mkdtempSync(join(tmpdir(), 'intake-reasons-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
    writeFileSync(join(dir, 'connectors', 'numbers.yaml'), connector);
    writeFileSync(join(dir, 'mappings', 'numbers.yaml'), mapping(api.url));
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('integer ids: one group per reason, with its count, a value that differs shown as …', async () => {
    const db = join(dir, 'intake.db');
    const env = { NUMBERS_TOKEN: 'numbers-token-1234' };
    const json = await intake(['--db', db, 'run', 'mappings/numbers.yaml', '--json'], env, dir);
    const summary = JSON.parse(json.stdout);
    expect(summary.read).toBe(30);
    expect(summary.reasons).toEqual([
      { outcome: 'skipped', count: 27, keys: ['100', '137', '174'], reason: 'not in People (no record with numbers_id = …): the update only preference does not create records' },
      { outcome: 'failed', count: 3, keys: ['9001', '9002', '9003'], reason: 'field age: expected an integer, found …' },
    ]);
    const text = await intake(['--db', db, 'run', 'mappings/numbers.yaml'], env, dir);
    expect(text.stdout).toContain('  skipped 27: not in People (no record with numbers_id = …): the update only preference does not create records (e.g. 100, 137, 174)\n');
    expect(text.stdout).toContain('  failed 3: field age: expected an integer, found … (e.g. 9001, 9002, 9003)\n');
    expect(text.stdout).not.toMatch(/more reasons/);
  });

  it('a generic warning names no vendor: the sync key field no record has yet', async () => {
    writeFileSync(join(dir, 'mappings', 'keyless.yaml'), mapping(api.url).replace(/\n  numbers_id: .*/, ''));
    const json = await intake(['--db', join(dir, 'other.db'), 'run', 'mappings/keyless.yaml', '--json'], { NUMBERS_TOKEN: 'numbers-token-1234' }, dir);
    const summary = JSON.parse(json.stdout);
    expect(summary.warnings).toEqual([expect.stringMatching(/no People record has the sync key field "numbers_id" yet/)]);
    expect(JSON.stringify(summary)).not.toMatch(/slack|okta|zendesk|google|graph|zoom/i);
  });
});
