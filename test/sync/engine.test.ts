import { beforeEach, describe, expect, it } from '@jest/globals';
import type Database from 'better-sqlite3';
import type { MappingSpec, Preference } from '../../src/definition/model.js';
import { compileMapping, type CompiledMapping } from '../../src/mapping/compile.js';
import { compiledMapping, connectorOf } from '../helpers/mapping.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import { openStore } from '../../src/store/db.js';
import { resolveKeyPairs, sync } from '../../src/sync/engine.js';
import { Tally } from '../../src/sync/outcomes.js';
import { listRecords, sqliteTarget } from '../../src/targets/sqlite.js';
import type { Target } from '../../src/targets/target.js';
import { StoreError } from '../../src/errors.js';

const mapping: MappingSpec = {
  connector: 'slack-users',
  record_type: 'people',
  preference: 'create_update',
  sync_key: [{ source: 'user_id', target: 'slack_user_id' }],
  filters: [{ field: 'is_bot', not_equals: true, reason: 'bot user' }],
  fields: { username: 'username', email: { source: 'email', convert: 'lowercase' }, slack_last_login: 'last_used' },
};
const connector = connectorOf('test', { user_id: 'string', username: 'string', email: 'string', is_bot: 'boolean', last_used: 'datetime' });

const compiled = (spec: MappingSpec = mapping): CompiledMapping => compiledMapping(spec, connector, { username: 'string', email: 'string', slack_user_id: 'string', slack_last_login: 'datetime' });

const user = (id: string, extra: Partial<SourceRecord> = {}): SourceItem => ({
  record: { user_id: id, username: `user.${id.toLowerCase()}`, email: `User.${id}@Example.com`, is_bot: false, last_used: '2015-02-03T00:21:04Z', ...extra },
});

async function* stream(items: SourceItem[]): AsyncGenerator<SourceItem> {
  yield* items;
}

describe('sync engine', () => {
  let db: Database.Database;
  let target: Target;
  beforeEach(() => {
    db = openStore(':memory:');
    target = sqliteTarget(db);
  });

  async function run(items: SourceItem[], preference: Preference, batchSize = 2): Promise<Tally> {
    const tally = new Tally();
    await sync(stream(items), {
      target, preference, tally, batchSize,
      mapping: compiled(),
      syncKey: mapping.sync_key!, required: ['username'],
    });
    return tally;
  }

  const people = () => listRecords(db, 'people');

  it('create and update: adds new records with their sync key, then updates only what changed', async () => {
    const first = await run([user('U1'), user('U2'), user('U3')], 'create_update');
    expect(first.counts).toMatchObject({ added: 3, updated: 0, unchanged: 0 });
    expect(people().map((p) => [p.slack_user_id, p.email])).toEqual([['U1', 'user.u1@example.com'], ['U2', 'user.u2@example.com'], ['U3', 'user.u3@example.com']]);

    const second = await run([user('U1'), user('U2', { last_used: '2016-01-01T10:00:00+02:00' }), user('U4')], 'create_update');
    expect(second.counts).toMatchObject({ added: 1, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(people().find((p) => p.slack_user_id === 'U2')?.slack_last_login).toBe('2016-01-01T08:00:00Z');
  });

  it('a sync key the store holds as a number (an integer field): the second run finds every record, and adds none again', async () => {
    const byNumber: MappingSpec = { connector: 'hr', record_type: 'people', preference: 'create_update', sync_key: [{ source: 'id', target: 'employee_number' }], fields: { username: 'name', employee_number: 'id' } };
    const hr = connectorOf('hr', { id: 'integer', name: 'string' });
    const runOnce = async (records: SourceRecord[]) => {
      const tally = new Tally();
      await sync(stream(records.map((record) => ({ record }))), {
        target, preference: 'create_update', tally, batchSize: 2, required: ['username'], syncKey: byNumber.sync_key!,
        mapping: compiledMapping(byNumber, hr, { username: 'string', employee_number: 'integer' }),
      });
      return tally.counts;
    };
    expect(await runOnce([{ id: 1042, name: 'ann' }, { id: 7, name: 'bo' }])).toMatchObject({ added: 2 });
    expect(await runOnce([{ id: 1042, name: 'ann' }, { id: 7, name: 'bob' }])).toEqual({ added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(people().map((p) => [p.employee_number, p.username])).toEqual([[1042, 'ann'], [7, 'bob']]);
  });

  it('unchanged records are counted as unchanged and not rewritten', async () => {
    await run([user('U1'), user('U2')], 'create_update');
    const before = db.prepare('SELECT id, updated_at FROM records').all();
    await new Promise((r) => setTimeout(r, 5));
    const again = await run([user('U1'), user('U2')], 'create_update');
    expect(again.counts).toEqual({ added: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    expect(db.prepare('SELECT id, updated_at FROM records').all()).toEqual(before);
  });

  it('update only on an empty store: nothing added, every record skipped with a reason', async () => {
    const tally = await run([user('U1'), user('U2'), user('U3')], 'update_only');
    expect(tally.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 3, failed: 0 });
    expect(tally.details.map((d) => d.key)).toEqual(['U1', 'U2', 'U3']);
    for (const d of tally.details) expect(d.reason).toMatch(/update only preference does not create records/);
    expect(people()).toEqual([]);
  });

  it('update only: existing records are updated, new ones skipped', async () => {
    await run([user('U1')], 'create_update');
    const tally = await run([user('U1', { email: 'new@example.com' }), user('U2')], 'update_only');
    expect(tally.counts).toMatchObject({ added: 0, updated: 1, skipped: 1 });
    expect(people()).toHaveLength(1);
    expect(people()[0].email).toBe('new@example.com');
  });

  it('create only: existing records are skipped with a reason and left as they are', async () => {
    await run([user('U1')], 'create_update');
    const tally = await run([user('U1', { email: 'changed@example.com' }), user('U2')], 'create_only');
    expect(tally.counts).toMatchObject({ added: 1, updated: 0, skipped: 1 });
    expect(tally.details[0]).toMatchObject({ key: 'U1', outcome: 'skipped' });
    expect(tally.details[0].reason).toMatch(/create only/);
    expect(people().find((p) => p.slack_user_id === 'U1')?.email).toBe('user.u1@example.com');
  });

  it('every record read ends in exactly one outcome, with reasons for skipped and failed', async () => {
    const items: SourceItem[] = [
      user('U1'),
      user('U2', { is_bot: true }),
      user('U1'),
      user('', {}),
      user('U3', { last_used: 'not a date' }),
      user('U4', { username: null }),
      { failed: 'field last_used: "x" is not an epoch timestamp', ref: 'U5' },
      user('U6'),
    ];
    const tally = await run(items, 'create_update', 3);
    expect(tally.read).toBe(items.length);
    expect(tally.counts).toEqual({ added: 2, updated: 0, unchanged: 0, skipped: 2, failed: 4 });
    const reasons = Object.fromEntries(tally.details.map((d) => [`${d.outcome}:${d.key}`, d.reason]));
    expect(reasons['skipped:U2']).toBe('filter: bot user');
    expect(reasons['skipped:U1']).toMatch(/duplicate/);
    expect(Object.entries(reasons).find(([k]) => k.startsWith('failed:record'))?.[1]).toMatch(/empty sync key/);
    expect(reasons['failed:U3']).toMatch(/slack_last_login.*not a date/);
    expect(reasons['failed:U4']).toMatch(/required field username/);
    expect(reasons['failed:U5']).toMatch(/last_used/);
    expect(people().map((p) => p.slack_user_id)).toEqual(['U1', 'U6']);
  });

  it('falls back to the next sync key pair when the primary finds nothing', async () => {
    await target.write('people', { create: [{ username: 'alice', email: 'alice@example.com' }], update: [] });
    const tally = new Tally();
    await sync(stream([{ record: { user_id: 'U9', username: 'alice', email: 'ALICE@example.com', is_bot: false, last_used: null } }]), {
      target, preference: 'update_only', tally, required: ['username'],
      mapping: compiled(),
      syncKey: [{ source: 'user_id', target: 'slack_user_id' }, { source: 'username', target: 'username' }],
    });
    expect(tally.counts.updated).toBe(1);
    expect(people()[0]).toMatchObject({ username: 'alice', slack_user_id: 'U9' });
  });

  // Regression: Zoom gives pending users no id, and the Zoom mapping's filter
  // `{ field: user_id, exists: true }` meant to skip them; the empty key failed them first.
  it('a filter that skips records without a key skips them with its reason, rather than failing them for the empty key', async () => {
    const filtered = compiled({ ...mapping, filters: [{ field: 'user_id', exists: true, reason: 'pending user: no id yet' }] });
    const tally = new Tally();
    await sync(stream([user('U1'), { record: { user_id: null, username: 'invited', email: 'invited@example.com', is_bot: false, last_used: null } }]), {
      target, preference: 'create_update', tally, mapping: filtered, syncKey: mapping.sync_key!, required: ['username'],
    });
    expect(tally.counts).toEqual({ added: 1, updated: 0, unchanged: 0, skipped: 1, failed: 0 });
    expect(tally.details).toEqual([{ key: 'record invited', outcome: 'skipped', reason: 'filter: pending user: no id yet' }]);
  });

  it('a record listed under two partitions is synced once; the second is a duplicate whose reason names both partitions', async () => {
    const tally = await run([{ ...user('U1'), partition: 'status=active' }, { ...user('U2'), partition: 'status=active' }, { ...user('U1', { username: 'again' }), partition: 'status=inactive' }], 'create_update');
    expect(tally.counts).toEqual({ added: 2, updated: 0, unchanged: 0, skipped: 1, failed: 0 });
    expect(tally.details).toEqual([{ key: 'U1', outcome: 'skipped', reason: 'duplicate: another record with slack_user_id = U1 was already synced in this run (listed under status=active, and again under status=inactive)' }]);
    expect(people().map((p) => [p.slack_user_id, p.username])).toEqual([['U1', 'user.u1'], ['U2', 'user.u2']]);
  });

  it('a duplicate of a read without partitions says no partition', async () => {
    const tally = await run([user('U1'), user('U1')], 'create_update');
    expect(tally.details.map((d) => d.reason)).toEqual(['duplicate: another record with slack_user_id = U1 was already synced in this run']);
  });

  describe('batches as units', () => {
    const options = (tally: Tally) => ({ target, preference: 'create_update' as const, tally, mapping: compiled(), syncKey: mapping.sync_key!, required: ['username'] });

    it('counts a batch only once its unit has committed, and hands each batch\'s outcomes to commit inside the unit', async () => {
      const tally = new Tally();
      const seen: { inUnit: boolean; counts: unknown; before: number }[] = [];
      let inUnit = false;
      await sync(stream([user('U1'), user('U2', { is_bot: true }), user('U3'), user('U4')]), {
        ...options(tally), batchSize: 2,
        unit: async (work) => {
          inUnit = true;
          try {
            return await work();
          } finally {
            inUnit = false;
          }
        },
        commit: (batch) => seen.push({ inUnit, counts: { ...batch.people.counts }, before: tally.read }),
      });
      expect(seen).toEqual([
        { inUnit: true, counts: { added: 1, updated: 0, unchanged: 0, skipped: 1, failed: 0 }, before: 0 },
        { inUnit: true, counts: { added: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 }, before: 2 },
      ]);
      expect(tally.counts).toMatchObject({ added: 3, skipped: 1 });
    });

    it('a batch whose unit fails is not counted, and the sync stops with the failure', async () => {
      const tally = new Tally();
      let units = 0;
      const failing = sync(stream([user('U1'), user('U2'), user('U3'), user('U4')]), {
        ...options(tally), batchSize: 2,
        unit: async (work) => {
          if (++units === 2) throw new Error('COMMIT refused');
          return work();
        },
      });
      await expect(failing).rejects.toThrow('COMMIT refused');
      expect(tally.counts).toMatchObject({ added: 2 });
      expect(tally.read).toBe(2);
    });

    describe('a batch larger than a slice (500 records handled together, so that they die young)', () => {
      const many = (n: number) => Array.from({ length: n }, (_, i) => user(`U${i + 1}`));
      const transaction = async <T>(work: () => Promise<T>): Promise<T> => {
        db.exec('BEGIN');
        try {
          const result = await work();
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      };
      const counting = (fail?: number) => {
        const writes: number[] = [];
        const write = target.write.bind(target);
        target.write = async (recordType, batch) => {
          writes.push(batch.create.length + batch.update.length);
          if (writes.length === fail) throw new StoreError('store_full', 'database or disk is full');
          return write(recordType, batch);
        };
        return writes;
      };

      for (const storageOrder of [false, true]) {
        it(`is still one unit${storageOrder ? ' in the store\'s order' : ''}: written 500 records at a time, committed once with every outcome`, async () => {
          if (storageOrder) await run(many(1200).slice(600), 'create_update', 5000); // U601 … U1200 stored, the rest new
          const writes = counting();
          const tally = new Tally();
          const commits: unknown[] = [];
          await sync(stream(many(1200).map((item, i) => (i % 2 ? user(`U${i + 1}`, { last_used: '2020-01-01T00:00:00Z' }) : item))), {
            ...options(tally), batchSize: 5000, storageOrder, unit: transaction, commit: (batch) => commits.push({ ...batch.people.counts }),
          });
          // three slices, each written on its own; in the store's order the unchanged records need no write
          if (storageOrder) expect(writes).toHaveLength(3);
          else expect(writes).toEqual([500, 500, 200]);
          expect(writes.reduce((a, b) => a + b, 0)).toBe(storageOrder ? 900 : 1200);
          const counts = storageOrder ? { added: 600, updated: 300, unchanged: 300, skipped: 0, failed: 0 } : { added: 1200, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
          expect(commits).toEqual([counts]);
          expect(tally.counts).toEqual(counts);
          expect(people()).toHaveLength(1200);
          expect(people().filter((p) => p.slack_last_login === '2020-01-01T00:00:00Z')).toHaveLength(600);
        });
      }

      it('keeps nothing of the batch when its last slice fails: the earlier slices roll back with it', async () => {
        const writes = counting(3);
        const tally = new Tally();
        let commits = 0;
        await expect(sync(stream(many(1200)), { ...options(tally), batchSize: 5000, unit: transaction, commit: () => commits++ })).rejects.toThrow('database or disk is full');
        expect(writes).toEqual([500, 500, 200]);
        expect(commits).toBe(0);
        expect(tally.read).toBe(0);
        expect(people()).toEqual([]);
      });
    });

    it('ends a batch where the source can resume, unless it grows twice too large', async () => {
      const tally = new Tally();
      const sizes: number[] = [];
      let received = 0;
      async function* counted(): AsyncGenerator<SourceItem> {
        for (const id of ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'U9']) {
          received++;
          yield user(id);
        }
      }
      await sync(counted(), {
        ...options(tally), batchSize: 2,
        atBoundary: () => received === 3, // the source's only page end before the last record
        commit: (batch) => sizes.push(batch.people.read),
      });
      expect(sizes).toEqual([3, 4, 2]);
    });

    it('stops between records when its signal aborts, without writing the batch in progress', async () => {
      const tally = new Tally();
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<SourceItem> {
        yield user('U1');
        yield user('U2');
        controller.abort('SIGTERM');
        yield user('U3');
        await new Promise(() => undefined); // a page that never comes
      }
      await expect(sync(slow(), { ...options(tally), batchSize: 2, signal: controller.signal })).rejects.toThrow('interrupted by SIGTERM: stopped reading');
      expect(tally.counts).toMatchObject({ added: 2 });
      expect(people().map((p) => p.slack_user_id)).toEqual(['U1', 'U2']);
    });

    describe('in the store\'s order (an aggregated read: every item is read before the first write)', () => {
      // stored in the order U5, U3, U1, U4, U2; the read lists them otherwise, with a duplicate and a new one
      const read = () => [user('U1', { last_used: '2020-01-01T00:00:00Z' }), user('U2', { last_used: '2020-01-01T00:00:00Z' }), user('U9'), user('U3', { last_used: '2020-01-01T00:00:00Z' }), user('U1'), user('U4'), user('U5', { last_used: '2020-01-01T00:00:00Z' })];
      beforeEach(async () => {
        await run(['U5', 'U3', 'U1', 'U4', 'U2'].map((id) => user(id)), 'create_update', 100);
      });

      it('writes batches of records stored next to each other, with the same outcomes as in the order read', async () => {
        const tally = new Tally();
        const batches: string[][] = [];
        const write = target.write.bind(target);
        target.write = async (recordType, batch) => {
          batches.push([...batch.update.map((u) => listRecords(db, 'people').find((p) => String(p.id) === u.id)!.slack_user_id as string), ...batch.create.map((c) => `new ${c.slack_user_id as string}`)]);
          return write(recordType, batch);
        };
        const commits: unknown[] = [];
        await sync(stream(read()), { ...options(tally), batchSize: 2, storageOrder: true, commit: (batch) => commits.push({ ...batch.people.counts }) });
        // the duplicate of U1, decided as it is read, fills the first batch with U5; U4 is unchanged (no
        // write); U9, not stored, comes last
        expect(batches).toEqual([['U5'], ['U3', 'U1'], ['U2'], ['new U9']]);
        expect(commits).toEqual([
          { added: 0, updated: 1, unchanged: 0, skipped: 1, failed: 0 },
          { added: 0, updated: 2, unchanged: 0, skipped: 0, failed: 0 },
          { added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 },
          { added: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0 },
        ]);
        expect(tally.counts).toEqual({ added: 1, updated: 4, unchanged: 1, skipped: 1, failed: 0 });
        expect(tally.details.map((d) => d.reason)).toEqual(['duplicate: another record with slack_user_id = U1 was already synced in this run']);
        expect(people().map((p) => [p.slack_user_id, p.slack_last_login])).toEqual([
          ['U5', '2020-01-01T00:00:00Z'], ['U3', '2020-01-01T00:00:00Z'], ['U1', '2020-01-01T00:00:00Z'], ['U4', '2015-02-03T00:21:04Z'], ['U2', '2020-01-01T00:00:00Z'], ['U9', '2015-02-03T00:21:04Z'],
        ]);
      });

      it('takes any numbers as the target\'s order, not only row ids: large or fractional ones give the same batches', async () => {
        const batchesWith = async (scale: (rank: number) => number) => {
          const batches: string[][] = [];
          const write = target.write.bind(target);
          const storageOrder = target.storageOrder!.bind(target);
          target.write = async (recordType, batch) => {
            batches.push([...batch.update.map((u) => u.id), ...batch.create.map((c) => `new ${c.slack_user_id as string}`)]);
            return write(recordType, batch);
          };
          target.storageOrder = async (...args) => new Map([...(await storageOrder(...args))].map(([key, rank]) => [key, scale(rank)]));
          await sync(stream(read()), { ...options(new Tally()), batchSize: 2, storageOrder: true, dryRun: false });
          target.write = write;
          target.storageOrder = storageOrder;
          return batches;
        };
        const stored = async () => {
          db.exec('DELETE FROM records');
          await run(['U5', 'U3', 'U1', 'U4', 'U2'].map((id) => user(id)), 'create_update', 100);
          return people().map((p) => String(p.id));
        };
        const inOrder = (ids: string[], batches: string[][]) => batches.map((batch) => batch.map((id) => (id.startsWith('new') ? id : `#${ids.indexOf(id)}`)));
        const rowIds = inOrder(await stored(), await batchesWith((rank) => rank));
        expect(rowIds).toEqual([['#0'], ['#1', '#2'], ['#4'], ['new U9']]);
        expect(inOrder(await stored(), await batchesWith((rank) => rank * 2 ** 40))).toEqual(rowIds);
        expect(inOrder(await stored(), await batchesWith((rank) => rank / 3 - 7))).toEqual(rowIds);
      });

      it('stops between batches when its signal aborts: the batches committed are kept, no other', async () => {
        const tally = new Tally();
        const controller = new AbortController();
        await expect(sync(stream(read()), {
          ...options(tally), batchSize: 2, storageOrder: true, signal: controller.signal,
          commit: () => controller.abort('SIGINT'),
        })).rejects.toThrow('interrupted by SIGINT');
        expect(tally.counts).toEqual({ added: 0, updated: 1, unchanged: 0, skipped: 1, failed: 0 });
        expect(people().filter((p) => p.slack_last_login === '2020-01-01T00:00:00Z').map((p) => p.slack_user_id)).toEqual(['U5']);
      });
    });
  });
});

describe('sync keys through the mapping (regression: 216 duplicate People through an e-mail key)', () => {
  let db: Database.Database;
  let target: Target;
  beforeEach(() => {
    db = openStore(':memory:');
    target = sqliteTarget(db);
  });

  const pagerduty = connectorOf('pd', { pd_id: 'string', email: 'string', name: 'string' });
  const peopleFields = new Map([...['username', 'email', 'role', 'pd_user_id'].map((name) => [name, { name, label: name, type: 'string' as const, required: false, custom: false }] as const)]);

  async function run(items: SourceItem[], syncKey: MappingSpec['sync_key'], fields: MappingSpec['fields'], preference: Preference = 'create_update', storageOrder = false) {
    const spec: MappingSpec = { connector: 'pd', record_type: 'people', preference, sync_key: syncKey, fields };
    const tally = new Tally();
    const compiled = compileMapping(spec, pagerduty, { people: peopleFields }, { sync_time: '', credential_name: '', settings: {} }, (at, _c, message) => {
      throw new Error(`test mapping: ${at.join('.')}: ${message}`);
    });
    await sync(stream(items), { target, preference, tally, mapping: compiled, syncKey: resolveKeyPairs(syncKey!), required: [], storageOrder, batchSize: 2 });
    return tally;
  }

  const seed = (emails: string[]) => target.write('people', { create: emails.map((email, i) => ({ username: `u${i}`, email, role: 'Employee' })), update: [] });
  const pd = (id: string, email: string): SourceItem => ({ record: { pd_id: id, email, name: id } });
  const keys = [{ source: 'pd_id', target: 'pd_user_id' }, { source: 'email', target: 'email' }];

  it('a key value passes the same conversion as its mapped field, and e-mails match in any case: no duplicates', async () => {
    await seed(['ravi.patel1@example.com', 'ana.lima@example.com']);
    const tally = await run([pd('P1', 'Ravi.Patel1@Example.com'), pd('P2', 'ANA.LIMA@example.com')], keys, { email: { source: 'email', convert: 'lowercase' }, username: 'name', role: { value: 'Employee' } });
    expect(tally.counts).toMatchObject({ added: 0, updated: 2 });
    expect(listRecords(db, 'people').map((p) => [p.email, p.pd_user_id])).toEqual([['ravi.patel1@example.com', 'P1'], ['ana.lima@example.com', 'P2']]);
  });

  it('an e-mail key matches a stored value in another case even when the mapping does not convert it', async () => {
    await seed(['Ravi.Patel1@Example.com']);
    const tally = await run([pd('P1', 'ravi.patel1@EXAMPLE.com')], keys, { username: 'name' }, 'update_only');
    expect(tally.counts).toMatchObject({ updated: 1, skipped: 0 });
    expect(listRecords(db, 'people')).toHaveLength(1);
  });

  it('match: exact keeps an e-mail key case-sensitive when a mapping asks for it', async () => {
    await seed(['Ravi.Patel1@Example.com']);
    const tally = await run([pd('P1', 'ravi.patel1@example.com')], [keys[0], { ...keys[1], match: 'exact' }], { username: 'name' }, 'update_only');
    expect(tally.counts).toMatchObject({ updated: 0, skipped: 1 });
  });

  it('two records whose e-mail keys differ only in case are one person: the second is a duplicate', async () => {
    const tally = await run([pd('P1', 'a@example.com'), pd('P2', 'A@Example.com')], [{ source: 'email', target: 'email' }], { username: 'name', role: { value: 'Employee' } });
    expect(tally.counts).toMatchObject({ added: 1, skipped: 1 });
    expect(tally.details[0].reason).toMatch(/^duplicate: another record with email = A@Example.com/);
  });

  it('in the store\'s order (an aggregated read), e-mail keys in any case and records without a second key value end as in the order read, with the keys as read', async () => {
    const items = [pd('P1', 'Ravi.Patel1@Example.com'), pd('', 'New.One@example.com'), pd('P2', 'ANA.LIMA@example.com'), pd('P3', 'ravi.patel1@example.COM'), pd('', 'Zoe@Example.com')];
    const outcome = async (storageOrder: boolean) => {
      db = openStore(':memory:');
      target = sqliteTarget(db);
      await seed(['zoe@example.com', 'ana.lima@example.com', 'ravi.patel1@example.com']);
      const tally = await run(items, [{ source: 'email', target: 'email' }, { source: 'pd_id', target: 'pd_user_id' }], { username: 'name', role: { value: 'Employee' } }, 'update_only', storageOrder);
      const stored = listRecords(db, 'people').map((p) => [p.email, p.pd_user_id ?? null]);
      return { counts: tally.counts, reasons: tally.details.map((d) => `${d.key}: ${d.reason}`).sort(), stored };
    };
    const inStoreOrder = await outcome(true);
    expect(inStoreOrder).toEqual(await outcome(false));
    expect(inStoreOrder.counts).toEqual({ added: 0, updated: 3, unchanged: 0, skipped: 2, failed: 0 });
    expect(inStoreOrder.reasons).toEqual([
      'New.One@example.com: not in People (no record with email = New.One@example.com): the update only preference does not create records',
      'ravi.patel1@example.COM: duplicate: another record with email = ravi.patel1@example.COM was already synced in this run',
    ]);
    expect(inStoreOrder.stored).toEqual([
      ['Zoe@Example.com', null], ['ANA.LIMA@example.com', 'P2'], ['Ravi.Patel1@Example.com', 'P1'],
    ]);
  });

  it('a key mapped to empty fails the record with a reason', async () => {
    const tally = await run([pd('P1', 'x@example.com')], [{ source: 'email', target: 'email' }], { email: { expr: '""' }, username: 'name' });
    expect(tally.counts.failed).toBe(1);
    expect(tally.details[0].reason).toMatch(/empty sync key: email is empty after mapping/);
  });
});
