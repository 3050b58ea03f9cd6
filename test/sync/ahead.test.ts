import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MappingSpec, Preference } from '../../src/definition/model.js';
import { compiledMapping, connectorOf } from '../helpers/mapping.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import { openStore, writeTransaction } from '../../src/store/db.js';
import { LookupsAhead, lookupsAhead } from '../../src/sync/ahead.js';
import { resolveKeyPairs, sync, type Lists } from '../../src/sync/engine.js';
import { Tally } from '../../src/sync/outcomes.js';
import { listRecords, sqliteTarget } from '../../src/targets/sqlite.js';
import type { Target } from '../../src/targets/target.js';

// The Slack last-login shape: an aggregated read whose groups come only at the end, written in the store's order.
const mapping: MappingSpec = {
  connector: 'slack-last-login',
  record_type: 'people',
  preference: 'update_only',
  sync_key: [{ source: 'user_id', target: 'slack_user_id' }],
  fields: { slack_last_login: 'last_used' },
};
/** the People fields the mapping writes */
const written = Object.keys(mapping.fields!);
const connector = connectorOf('test', { user_id: 'string', last_used: 'datetime' });
const compiled = (spec: MappingSpec) => compiledMapping(spec, connector, { slack_user_id: 'string', slack_last_login: 'datetime', username: 'string' });
const login = (id: string, at = '2026-11-01T09:00:00Z'): SourceRecord => ({ user_id: id, last_used: at });
/**
 * A page that the API takes `ms` to send: the event loop waits. 100 ms, as Slack's API takes: the look-ahead judges
 * the loop's use over each wait, and on a loaded machine (CI's, other suites on both cores) a chunk's own lookups or
 * a collection take up to about 50 ms of it; waits of 15 ms were judged busy there, one run in two.
 */
const idle = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));
/** A page that keeps the process busy (parsing it) and then arrives at once: the event loop turns, with no time to spare. */
const busy = async (ms = 15) => {
  for (const end = performance.now() + ms; performance.now() < end; );
  await new Promise((resolve) => setImmediate(resolve));
};

let dir: string;
let file: string;
let db: Database.Database;
let target: Target;
let lookedUp: string[][];
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'intake-ahead-'));
  file = join(dir, 'store.db');
  db = openStore(file);
  target = sqliteTarget(db);
  await target.write('people', { create: ['U1', 'U2', 'U3', 'U4', 'U5', 'U6'].map((id) => ({ username: id.toLowerCase(), slack_user_id: id, slack_last_login: '2026-10-01T00:00:00Z' })), update: [] });
  lookedUp = [];
  const find = target.findByKey.bind(target);
  target.findByKey = async (recordType, field, values, options) => {
    lookedUp.push([...values]);
    return find(recordType, field, values, options);
  };
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An aggregated read as the source stage gives it: each group is found (and shown to `ahead`) while
 * pages come in, `between` runs between pages (the API's latency, or a busy parse), and every group
 * is handed on at the end, once the read is done (`readDone` is then true).
 */
function aggregatedRead(groups: SourceRecord[], ahead: LookupsAhead | undefined, between: () => unknown, state: { readDone: boolean }): Lists {
  async function* lists(): AsyncGenerator<readonly SourceItem[]> {
    for (let i = 0; i < groups.length; i += 2) {
      await between(); // the next page
      for (const group of groups.slice(i, i + 2)) ahead?.add(group);
    }
    await between();
    state.readDone = true;
    yield groups.map((record) => ({ record }));
  }
  return { lists: lists() };
}

async function run(groups: SourceRecord[], options: { ahead?: LookupsAhead; between?: () => unknown; preference?: Preference; beforeBatches?: () => void } = {}) {
  const tally = new Tally();
  const state = { readDone: false };
  let inBatches: string[][] | undefined;
  await sync(aggregatedRead(groups, options.ahead, options.between ?? idle, state), {
    target: options.ahead?.target ?? target, tally, mapping: compiled({ ...mapping, preference: options.preference ?? 'update_only' }), syncKey: resolveKeyPairs(mapping.sync_key!), required: [],
    preference: options.preference ?? 'update_only', storageOrder: true, batchSize: 3,
    unit: async (work) => {
      if (!inBatches) {
        options.beforeBatches?.();
        inBatches = [];
      }
      const before = lookedUp.length;
      const result = await writeTransaction(db, work);
      inBatches.push(...lookedUp.slice(before));
      return result;
    },
  });
  return { tally, inBatches: inBatches ?? [] };
}

const logins = () => Object.fromEntries(listRecords(db, 'people').map((p) => [p.slack_user_id, p.slack_last_login]));
/** Another process, between the look-ahead and the batches: creates U7, and sets U2's last login to the one the read has. */
function anotherProcessWrites(): void {
  const other = new Database(file);
  other.prepare("INSERT INTO records (record_type, data, created_at, updated_at) VALUES ('people', json('{\"username\":\"u7\",\"slack_user_id\":\"U7\"}'), 'x', 'x')").run();
  other.prepare("UPDATE records SET data = json_set(data, '$.slack_last_login', '2026-11-01T09:00:00Z') WHERE json_extract(data, '$.slack_user_id') = 'U2'").run();
  other.close();
}

/**
 * Runs `withAhead` on the store, then the same groups on a copy of the store as it was, looking
 * nothing up ahead: the outcomes and the stored records must be the same. The run with the
 * look-ahead, with what it looked up.
 */
async function asWithout(groups: SourceRecord[], withAhead: () => ReturnType<typeof run>) {
  const copy = join(dir, 'copy.db');
  await db.backup(copy);
  const result = { ...(await withAhead()), lookedUp: [...lookedUp] };
  const stored = listRecords(db, 'people').map(({ id, ...fields }) => ({ ...fields, id: String(id) }));
  db.close();
  rmSync(file);
  db = new Database(copy);
  target = sqliteTarget(db);
  const without = await run(groups, { preference: 'create_update' });
  expect(without.tally.counts).toEqual(result.tally.counts);
  expect(listRecords(db, 'people').map(({ id, ...fields }) => ({ ...fields, id: String(id) }))).toEqual(stored);
  return result;
}

/** The store without its snapshot (as a store of more People than a snapshot takes): keys are looked up a chunk at a time. */
const chunksOnly = (): Target => ({ ...target, snapshot: undefined });

describe('stored records looked up while an aggregated read goes on, a chunk of keys at a time (src/sync/ahead.ts)', () => {
  it('a read that waits for its API: each chunk of new keys is looked up between pages, and the batches look nothing up again', async () => {
    const ahead = lookupsAhead(chunksOnly(), resolveKeyPairs(mapping.sync_key!), written)!;
    (ahead as unknown as { chunk: number }).chunk = 2;
    const groups = [login('U4'), login('U1'), login('U9'), login('U2'), login('U6'), login('U3', '2026-10-01T00:00:00Z')];
    const { tally, inBatches } = await run(groups, { ahead });
    expect(lookedUp).toEqual([['U4', 'U1'], ['U9', 'U2'], ['U6', 'U3']]); // all while reading
    expect(inBatches).toEqual([]);
    expect(tally.counts).toEqual({ added: 0, updated: 4, unchanged: 1, skipped: 1, failed: 0 });
    expect(tally.details).toEqual([expect.objectContaining({ key: 'U9', outcome: 'skipped', reason: expect.stringContaining('not in People') })]);
    expect(logins()).toMatchObject({ U1: '2026-11-01T09:00:00Z', U3: '2026-10-01T00:00:00Z', U5: '2026-10-01T00:00:00Z', U6: '2026-11-01T09:00:00Z' });
  });

  it('the same outcomes and stored values as a run that looks nothing up ahead', async () => {
    const groups = [login('U5'), login('U2', '2026-10-01T00:00:00Z'), login('U8'), login('U1')];
    const ahead = lookupsAhead(chunksOnly(), resolveKeyPairs(mapping.sync_key!), written)!;
    (ahead as unknown as { chunk: number }).chunk = 2;
    await asWithout(groups, () => run(groups, { ahead, preference: 'create_update' }));
  });

  it('another process writes to the store after the look-ahead: the batches look their records up again and see its writes', async () => {
    const ahead = lookupsAhead(chunksOnly(), resolveKeyPairs(mapping.sync_key!), written)!;
    (ahead as unknown as { chunk: number }).chunk = 2;
    const groups = [login('U1'), login('U7'), login('U2'), login('U3')];
    const { tally, inBatches } = await run(groups, {
      ahead,
      beforeBatches: anotherProcessWrites, // the look-ahead found no U7, and U2 with an older login
    });
    expect(inBatches.flat().sort()).toEqual(['U1', 'U2', 'U3', 'U7']);
    expect(tally.counts).toEqual({ added: 0, updated: 3, unchanged: 1, skipped: 0, failed: 0 }); // U7 found and updated; U2 unchanged
    expect(logins()).toMatchObject({ U7: '2026-11-01T09:00:00Z', U2: '2026-11-01T09:00:00Z' });
  });

  it('a busy read (no time to spare between pages) leaves its keys to the batches', async () => {
    const ahead = lookupsAhead(chunksOnly(), resolveKeyPairs(mapping.sync_key!), written)!;
    (ahead as unknown as { chunk: number }).chunk = 2;
    const { tally, inBatches } = await run([login('U1'), login('U2'), login('U3'), login('U4')], { ahead, between: busy });
    expect(inBatches.flat().sort()).toEqual(['U1', 'U2', 'U3', 'U4']);
    expect(lookedUp.flat().sort()).toEqual(['U1', 'U2', 'U3', 'U4']); // once each
    expect(tally.counts.updated).toBe(4);
  });

  it('looks up at most `limit` keys ahead; the batches look up the others', async () => {
    const ahead = new LookupsAhead(chunksOnly() as ConstructorParameters<typeof LookupsAhead>[0], resolveKeyPairs(mapping.sync_key!)[0], written, 2, 2);
    const { tally, inBatches } = await run([login('U1'), login('U2'), login('U3'), login('U4')], { ahead });
    expect(lookedUp[0]).toEqual(['U1', 'U2']);
    expect(inBatches.flat().sort()).toEqual(['U3', 'U4']);
    expect(tally.counts.updated).toBe(4);
  });

  it('only for one sync key field and a target that says where records lie and whether another process wrote', () => {
    expect(lookupsAhead(target, resolveKeyPairs([{ source: 'user_id', target: 'slack_user_id' }, { source: 'email', target: 'email' }]), written)).toBeUndefined();
    expect(lookupsAhead({ ...target, version: undefined }, resolveKeyPairs(mapping.sync_key!), written)).toBeUndefined();
  });
});

describe('a store read whole on a thread of its own while an aggregated read goes on (Target.snapshot)', () => {
  it('the batches look nothing up, with the same outcomes and stored values as without it', async () => {
    const groups = [login('U5'), login('U2', '2026-10-01T00:00:00Z'), login('U8'), login('U1')];
    const withAhead = await asWithout(groups, () => run(groups, { ahead: lookupsAhead(target, resolveKeyPairs(mapping.sync_key!), written)!, preference: 'create_update', between: () => idle(1) }));
    expect(withAhead.lookedUp).toEqual([]);
    expect(withAhead.tally.counts).toEqual({ added: 1, updated: 2, unchanged: 1, skipped: 0, failed: 0 });
  });

  it('compares the fields the mapping writes as the store holds them: one missing, one null, one among fields the mapping does not write', async () => {
    db.exec(`UPDATE records SET data = CASE json_extract(data, '$.slack_user_id')
      WHEN 'U1' THEN json_remove(data, '$.slack_last_login')
      WHEN 'U3' THEN json_set(data, '$.department', 'IT', '$.manager', json('{"name":"Ann"}'))
      WHEN 'U4' THEN json_set(data, '$.slack_last_login', json('null'))
      ELSE data END`);
    const groups = ['U1', 'U2', 'U3', 'U4'].map((id) => login(id, '2026-10-01T00:00:00Z'));
    const withAhead = await asWithout(groups, () => run(groups, { ahead: lookupsAhead(target, resolveKeyPairs(mapping.sync_key!), written)!, preference: 'create_update', between: () => idle(1) }));
    expect(withAhead.lookedUp).toEqual([]);
    expect(withAhead.tally.counts).toEqual({ added: 0, updated: 2, unchanged: 2, skipped: 0, failed: 0 }); // U1 and U4 get their login; U2 and U3 have it
    expect(listRecords(db, 'people').find((p) => p.slack_user_id === 'U3')).toMatchObject({ department: 'IT', manager: { name: 'Ann' } });
  });

  it('another process writes to the store after the snapshot: the batches look their records up again and see its writes', async () => {
    const ahead = lookupsAhead(target, resolveKeyPairs(mapping.sync_key!), written)!;
    const { tally, inBatches } = await run([login('U1'), login('U7'), login('U2')], {
      ahead,
      beforeBatches: anotherProcessWrites,
    });
    expect(inBatches.flat().sort()).toEqual(['U1', 'U2', 'U7']);
    expect(tally.counts).toEqual({ added: 0, updated: 2, unchanged: 1, skipped: 0, failed: 0 });
  });

  it('holds every stored record with a key, in the store\'s order, keys folded as a case-insensitive lookup folds them; none for a store in memory or over the limit', async () => {
    await target.write('people', { create: [{ username: 'x', email: 'Ann@Example.com' }, { username: 'y' }, { username: 'z', email: 'BOB@example.com' }], update: [] });
    const read = await target.snapshot!('people', 'email', { caseInsensitive: true, limit: 100, fields: ['username', 'email', 'slack_last_login'] });
    expect(read).toMatchObject({ version: expect.any(Number), keys: ['ann@example.com', 'bob@example.com'], fields: ['username', 'email', 'slack_last_login'] });
    const ids = Object.fromEntries(listRecords(db, 'people').map((p) => [p.username, p.id]));
    expect([...read!.ids]).toEqual([ids.x, ids.z]);
    // the values of the fields asked for, parsed on the reader's thread; none for a field a record does not have
    expect(read!.values).toEqual([['x', 'z'], ['Ann@Example.com', 'BOB@example.com'], [undefined, undefined]]);
    expect(target.snapshot!('people', 'email', { limit: 8, fields: [] })).toBeUndefined(); // 9 People
    const memory = sqliteTarget(openStore(':memory:'));
    expect(memory.snapshot!('people', 'email', { limit: 100, fields: [] })).toBeUndefined();
  });
});
