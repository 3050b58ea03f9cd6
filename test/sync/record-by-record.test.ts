import { describe, expect, it } from '@jest/globals';
import type { MappingSpec } from '../../src/definition/model.js';
import { compiledMapping, connectorOf } from '../helpers/mapping.js';
import type { SourceItem } from '../../src/source/types.js';
import { sync } from '../../src/sync/engine.js';
import { Tally } from '../../src/sync/outcomes.js';
import { TargetUnavailable, type Fields, type StoredRecord, type Target, type WriteBatch, type WriteResult } from '../../src/targets/target.js';

/**
 * The engine with a target that writes record by record (a remote API): a record the target
 * refuses fails in the target's words while the others of the batch are written, and a target
 * that stops in the middle of a batch keeps — and the run counts — what it acknowledged.
 */
const mapping: MappingSpec = {
  connector: 'test',
  record_type: 'people',
  preference: 'create_update',
  sync_key: [{ source: 'user_id', target: 'k' }],
  fields: { username: 'username' },
};
const connector = connectorOf('test', { user_id: 'string', username: 'string' });
const compiled = compiledMapping(mapping, connector, { username: 'string', k: 'string' });

/** A remote-like target: refuses usernames starting with "bad", stops (credentials revoked) at the `stopAt`-th create. */
function remote(options: { stopAt?: number } = {}): Target & { records: Map<string, Fields>; writes: WriteBatch[] } {
  const records = new Map<string, Fields>();
  const writes: WriteBatch[] = [];
  let creates = 0;
  return {
    records, writes,
    traits: { description: 'a test API', atomic: false, inStore: false, fixedFields: true, recordTypes: ['people'], keepsRecords: true },
    describe: async () => [],
    createCustomField: async () => undefined,
    async findByKey(_type, key, values) {
      const found = new Map<string, StoredRecord>();
      for (const [id, fields] of records) if (values.includes(String(fields[key]))) found.set(String(fields[key]), { id, fields });
      return found;
    },
    async write(_type, batch) {
      writes.push(batch);
      const result: WriteResult = { created: [], updated: batch.update.map(() => undefined) };
      for (const fields of batch.create) {
        if (options.stopAt !== undefined && ++creates >= options.stopAt) {
          throw new TargetUnavailable('target_auth', 'the API refused the token (HTTP 401)', { hint: 'check the token', acknowledged: { ...result, created: [...result.created, ...batch.create.slice(result.created.length).map(() => undefined)] } });
        }
        if (String(fields.username).startsWith('bad')) result.created.push({ refused: `the API refused it (HTTP 400): username "${String(fields.username)}" is not allowed` });
        else {
          const id = `id${records.size + 1}`;
          records.set(id, fields);
          result.created.push({ id });
        }
      }
      return result;
    },
    close: async () => undefined,
  };
}

const users = (...names: string[]): SourceItem[] => names.map((name, i) => ({ record: { user_id: `U${i + 1}`, username: name } }));

async function* stream(items: SourceItem[]): AsyncGenerator<SourceItem> {
  yield* items;
}

describe('sync into a record-by-record target', () => {
  it('fails only the refused records, in the target\'s words, and writes the others of the batch', async () => {
    const target = remote();
    const tally = new Tally();
    await sync(stream(users('ana', 'bad.bob', 'cy')), { target, preference: 'create_update', mapping: compiled, syncKey: mapping.sync_key!, required: [], tally });
    expect(tally.counts).toEqual({ added: 2, updated: 0, unchanged: 0, skipped: 0, failed: 1 });
    expect(tally.details).toEqual([{ key: 'U2', outcome: 'failed', reason: 'the API refused it (HTTP 400): username "bad.bob" is not allowed' }]);
    expect([...target.records.values()].map((r) => r.username)).toEqual(['ana', 'cy']);
  });

  it('tells the target the batch\'s key field, so it can check an unconfirmed create before sending it again', async () => {
    const target = remote();
    await sync(stream(users('ana')), { target, preference: 'create_update', mapping: compiled, syncKey: mapping.sync_key!, required: [], tally: new Tally() });
    expect(target.writes[0].key).toEqual({ field: 'k', caseInsensitive: false });
  });

  it('a target that stops in a batch: the run fails with its error, and counts and commits what it acknowledged, marked partial', async () => {
    const target = remote({ stopAt: 4 });
    const tally = new Tally();
    const commits: { added: number; partial: boolean }[] = [];
    const run = sync(stream(users('a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7')), {
      target, preference: 'create_update', mapping: compiled, syncKey: mapping.sync_key!, required: [], tally, batchSize: 2,
      commit: (batch, partial) => commits.push({ added: batch.people.counts.added, partial: Boolean(partial) }),
    });
    await expect(run).rejects.toThrow(/refused the token/);
    // batch 1 (a1, a2) whole; batch 2 (a3, a4): a3 acknowledged, a4 never sent
    expect(commits).toEqual([{ added: 2, partial: false }, { added: 1, partial: true }]);
    expect(tally.counts).toEqual({ added: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect([...target.records.values()].map((r) => r.username)).toEqual(['a1', 'a2', 'a3']);
  });
});
