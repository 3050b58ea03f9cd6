import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from '../../src/credentials/scrub.js';
import { openStore } from '../../src/store/db.js';
import { scrub } from '../../src/credentials/scrub.js';
import { parseTarget, targets } from '../../src/targets/index.js';
import type { Target } from '../../src/targets/target.js';
import { targetContract } from './contract.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intake-export-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An export target on a file in a fresh folder, as `--target <type>:<file>` builds it. */
function exportTo(type: 'jsonl' | 'csv', file: string, dryRun = false): Target {
  const db = openStore(':memory:');
  const target = targets.get(type).create(parseTarget(`${type}:${file}`, dir), { db, dryRun, env: {}, scrub, storePath: ':memory:' });
  return { ...target, traits: target.traits, close: async () => { await target.close(); db.close(); } };
}

targetContract('jsonl export', async () => exportTo('jsonl', join(mkdtempSync(join(tmpdir(), 'intake-export-')), 'out.jsonl')));
targetContract('csv export', async () => exportTo('csv', join(mkdtempSync(join(tmpdir(), 'intake-export-')), 'out.csv')));

const people = [
  { username: 'ana', email: 'ana@example.com', role: 'Employee', slack_user_id: 'U1' },
  { username: 'bo, "the boss"', email: 'bo@example.com', role: 'Admin', slack_user_id: 'U2', title: 'line one\nline two' },
];

describe('jsonl export', () => {
  it('writes one line per written record with its fields and whether it was added or updated, batch by batch', async () => {
    const file = join(dir, 'out', 'people.jsonl');
    const target = exportTo('jsonl', file);
    const { created } = await target.write('people', { create: people, update: [] });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    const id = (created[0] as { id: string }).id;
    await target.write('people', { create: [], update: [{ id, changes: { email: 'ana@new.example.com' } }] });
    await target.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { record_type: 'people', id: '1', outcome: 'added', fields: people[0] },
      { record_type: 'people', id: '2', outcome: 'added', fields: people[1] },
      { record_type: 'people', id: '1', outcome: 'updated', fields: { ...people[0], email: 'ana@new.example.com' } },
    ]);
  });

  it('is written afresh by each run: what an earlier run left is gone when the next one starts', async () => {
    const file = join(dir, 'people.jsonl');
    writeFileSync(file, '{"left":"by an earlier run"}\n');
    const target = exportTo('jsonl', file);
    expect(readFileSync(file, 'utf8')).toBe('');
    await target.write('people', { create: [people[0]], update: [] });
    await target.close();
    expect(readFileSync(file, 'utf8')).not.toContain('earlier run');
  });

  it('a dry run creates no file and leaves an existing one as it was', async () => {
    const none = join(dir, 'none.jsonl');
    const kept = join(dir, 'kept.jsonl');
    writeFileSync(kept, 'before\n');
    for (const file of [none, kept]) {
      const target = exportTo('jsonl', file, true);
      await target.close();
    }
    expect(existsSync(none)).toBe(false);
    expect(readFileSync(kept, 'utf8')).toBe('before\n');
  });

  it('masks a credential that a record carries, as everything Intake stores', async () => {
    const secret = 'xoxp-planted-secret-in-a-record-42';
    registerSecret(secret);
    const file = join(dir, 'people.jsonl');
    const target = exportTo('jsonl', file);
    await target.write('people', { create: [{ ...people[0], title: `echo ${secret}` }], update: [] });
    await target.close();
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    expect(readFileSync(file, 'utf8')).toContain('echo ***');
  });

  it('a file that cannot be written stops with its path and what to do', () => {
    writeFileSync(join(dir, 'a-file'), '');
    expect(() => exportTo('jsonl', join(dir, 'a-file', 'people.jsonl'))).toThrow(/people\.jsonl cannot be written/);
  });
});

describe('csv export', () => {
  it('has a header of record_type, id, outcome and every written field, quotes per RFC 4180 and ends lines with CRLF', async () => {
    const file = join(dir, 'people.csv');
    const target = exportTo('csv', file);
    await target.write('people', { create: people, update: [] });
    await target.write('people', { create: [], update: [{ id: '1', changes: { email: 'ana@new.example.com' } }] });
    await target.close();
    expect(readFileSync(file, 'utf8')).toBe([
      'record_type,id,outcome,username,email,role,slack_user_id,title',
      'people,1,added,ana,ana@example.com,Employee,U1,',
      'people,2,added,"bo, ""the boss""",bo@example.com,Admin,U2,"line one\nline two"',
      'people,1,updated,ana,ana@new.example.com,Employee,U1,',
      '',
    ].join('\r\n'));
  });

  it('writes SaaS user records in the same file, linked to the person by id', async () => {
    const file = join(dir, 'all.csv');
    const target = exportTo('csv', file);
    await target.write('people', { create: [people[0]], update: [] });
    await target.write('saas_users', { create: [{ saas_name: 'Slack', external_id: 'U1', person_id: '1', role: 'Admin', last_login: '2015-02-03T00:21:04Z' }], update: [] });
    await target.close();
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\r\n');
    expect(header).toBe('record_type,id,outcome,username,email,role,slack_user_id,saas_name,external_id,person_id,last_login');
    expect(rows).toEqual(['people,1,added,ana,ana@example.com,Employee,U1,,,,', 'saas_users,2,added,,,Admin,,Slack,U1,1,2015-02-03T00:21:04Z']);
  });

  it('an export with nothing written is a header and nothing else', async () => {
    const file = join(dir, 'empty.csv');
    await exportTo('csv', file).close();
    expect(readFileSync(file, 'utf8')).toBe('record_type,id,outcome\r\n');
  });
});

describe('--target text', () => {
  it('reads store, oomnitza and an export with its file, relative to the folder given', () => {
    expect(parseTarget('store', dir)).toEqual({ type: 'store' });
    expect(parseTarget('jsonl:out/people.jsonl', dir)).toEqual({ type: 'jsonl', file: join(dir, 'out', 'people.jsonl') });
    expect(parseTarget('csv:/tmp/x.csv', dir)).toEqual({ type: 'csv', file: '/tmp/x.csv' });
  });

  it.each([
    ['jsnl:out.jsonl', /"jsnl:out.jsonl" is not a target/, /did you mean "jsonl"/],
    ['mongo', /"mongo" is not a target/, /one of store, .*jsonl:<file>, csv:<file>/],
    ['jsonl', /the jsonl target needs a file/, /jsonl:<file>/],
    ['csv:', /the csv target needs a file/, /csv:<file>/],
    ['store:other.db', /takes nothing after "store"/, /--db/],
  ])('%s is refused, saying what would do', (text, message, hint) => {
    let thrown: { message: string; hint?: string; code?: string } | undefined;
    try {
      parseTarget(text, dir);
    } catch (error) {
      thrown = error as typeof thrown;
    }
    expect(thrown?.message).toMatch(message);
    expect(thrown?.hint).toMatch(hint);
  });
});
