import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intake, type CliResult } from '../helpers/cli.js';
import { startFaultServer, type FaultServer } from '../helpers/faults.js';
import { tempStore, type TempStore } from '../helpers/store.js';
import { PLANTED } from './workspace.js';

/**
 * Odd values from an API, through the built CLI (issue 7: items 1 and 3 and the fault suite's
 * "duplicate ids, odd values"): each odd record ends in exactly one outcome with a reason that
 * names the field, the good ones are written whole, nothing implausible reaches the store, and
 * a body that is not UTF-8 is read with a warning. Both pages are served by a local API.
 */
const good = (n: number, extra: Record<string, unknown> = {}) => ({ id: `U${n}`, username: `user${n}`, email: `User.${n}@Example.test`, last_login: 1_700_000_000 + n, logins: n, ...extra });

const page1 = [
  good(1),
  good(2, { last_login: 1_700_000_000_000 }), // epoch milliseconds where seconds are declared: year 55 840
  good(3, { logins: '0x10' }), // hex is not a number here
  good(4, { last_login: [1] }), // a list is not a timestamp
  good(5, { username: { first: 'x' } }), // an object is not text
  good(6, { id: '' }), // an empty sync key
  good(7, { username: null }), // a person cannot be created without a user name
  good(1, { username: 'user1-again' }), // a duplicate id
  good(8, { email: 'USER.8@EXAMPLE.TEST' }),
];
const page2 = [good(9), good(10, { last_login: '1700000010' })];

/** Page 2 holds "José" written in Latin-1 inside an otherwise UTF-8 body. */
function page2Bytes(): Buffer {
  const text = JSON.stringify({ users: page2.map((u, i) => (i === 0 ? { ...u, name: 'NAME_HERE' } : u)), next_cursor: '' });
  const [before, after] = text.split('NAME_HERE');
  return Buffer.concat([Buffer.from(`${before}Jos`), Buffer.from([0xe9]), Buffer.from(after)]);
}

let api: FaultServer;
let dir: string;
let store: TempStore;
let run: CliResult;
let result: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let shown: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  api = await startFaultServer((req) => (res) => {
    if (req.url.searchParams.get('cursor') === 'p2') {
      const body = page2Bytes();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
      return;
    }
    const text = JSON.stringify({ users: page1, next_cursor: 'p2', echo: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  dir = mkdtempSync(join(tmpdir(), 'intake-odd-'));
  mkdirSync(join(dir, 'connectors'));
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'connectors', 'odd-users.yaml'), `id: odd-users
name: Odd users
record_type: users
credentials: { type: bearer, fields: { token: { label: API token, secret: true, env: ODD_TOKEN } } }
settings: { base_url: { label: API base URL, type: string, required: true } }
base_url: "{{ settings.base_url }}"
request: { method: GET, path: /users }
pagination: { type: cursor, token: { from: body, path: next_cursor }, send: { in: query, name: cursor } }
records: users
fields:
  user_id:    { label: User Id, path: id, type: string }
  username:   { label: Username, path: username, type: string }
  email:      { label: Email, path: email, type: string }
  name:       { label: Name, path: name, type: string }
  last_login: { label: Last Login, path: last_login, type: datetime, format: unix_seconds }
  logins:     { label: Logins, path: logins, type: integer }
sync_key: user_id
`);
  writeFileSync(join(dir, 'mappings', 'odd-users.yaml'), `name: Odd users
connector: odd-users
record_type: people
preference: create_update
sync_key:
  - { source: user_id, target: odd_user_id }
  - { source: email, target: email }
custom_fields:
  odd_user_id: { label: Odd User Id, type: string }
  odd_last_login: { label: Odd Last Login, type: datetime }
  odd_logins: { label: Odd Logins, type: integer }
fields:
  username: username
  email: { source: email, convert: lowercase }
  full_name: name
  role: { value: Employee }
  odd_last_login: last_login
  odd_logins: logins
`);
  store = tempStore();
  run = await intake(['--db', store.file, 'run', 'mappings/odd-users.yaml', '--json', '--set', `base_url=${api.url}/api`], { ODD_TOKEN: PLANTED }, dir);
  result = JSON.parse(run.stdout);
  shown = JSON.parse((await intake(['--db', store.file, 'runs', 'show', String(result.run_id), '--json'], {}, dir)).stdout);
}, 60_000);

afterAll(async () => {
  await api.close();
  store.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('odd values from an API', () => {
  it('every record read ends in exactly one outcome, and the run log says what the run said', () => {
    expect(result.status).toBe('completed_with_failures');
    expect(run.code).toBe(4);
    expect(result.read).toBe(page1.length + page2.length);
    expect(result.counts).toEqual({ added: 4, updated: 0, unchanged: 0, skipped: 1, failed: 6 });
    expect(shown).toMatchObject({ status: 'completed_with_failures', read: result.read, counts: result.counts });
  });

  it('each odd record fails with a reason that names the field', () => {
    const reasons = Object.fromEntries(shown.records.map((r: { key: string; outcome: string; reason: string }) => [`${r.outcome} ${r.key}`, r.reason]));
    expect(reasons['failed U2']).toMatch(/^field odd_last_login: \+055840-.* is not a plausible date/);
    expect(reasons['failed U3']).toMatch(/^field logins: expected an integer, found "0x10"/);
    expect(reasons['failed U4']).toMatch(/^field last_login: \[1\] is not an epoch timestamp/);
    expect(reasons['failed U5']).toMatch(/^field username: expected text, found \{"first":"x"\}/);
    expect(Object.entries(reasons).find(([k]) => k.startsWith('failed record'))?.[1]).toMatch(/^empty sync key: user_id has no value/);
    expect(reasons['failed U7']).toBe('cannot create: required field username is empty');
    expect(reasons['skipped U1']).toMatch(/^duplicate: another record with odd_user_id = U1/);
  });

  it('the store holds the good records whole, with e-mails as mapped, and nothing implausible', () => {
    const people = store.people().map(({ id: _id, ...p }) => p);
    expect(people.map((p) => p.odd_user_id)).toEqual(['U1', 'U8', 'U9', 'U10']);
    expect(people[0]).toEqual({ odd_user_id: 'U1', username: 'user1', email: 'user.1@example.test', role: 'Employee', full_name: null, odd_last_login: '2023-11-14T22:13:21Z', odd_logins: 1 });
    expect(people[1].email).toBe('user.8@example.test');
    expect(people[3].odd_last_login).toBe('2023-11-14T22:13:30Z');
    for (const p of people) expect(String(p.odd_last_login)).toMatch(/^20\d\d-/);
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('a page that is not UTF-8 is read with U+FFFD and a warning naming the page', () => {
    expect(store.people().find((p) => p.odd_user_id === 'U9')?.full_name).toBe('Jos\uFFFD');
    expect(result.warnings).toContain('page 2: the response is not valid UTF-8; 1 byte sequence(s) were replaced by U+FFFD (�), so some values may show �; check the API\'s charset');
    expect(shown.warnings).toEqual(result.warnings);
  });

  it('a second run is unchanged for the good records and fails the odd ones again, with no duplicate', async () => {
    const again = JSON.parse((await intake(['--db', store.file, 'run', 'mappings/odd-users.yaml', '--json', '--set', `base_url=${api.url}/api`], { ODD_TOKEN: PLANTED }, dir)).stdout);
    expect(again.counts).toEqual({ added: 0, updated: 0, unchanged: 4, skipped: 1, failed: 6 });
    expect(store.people()).toHaveLength(4);
  });

  it('the planted token appears nowhere, although the API echoed it', () => {
    expect(`${run.stdout}${run.stderr}${JSON.stringify(shown)}`).not.toContain(PLANTED);
    expect(store.rawBytes()).not.toContain(PLANTED);
  });
});
