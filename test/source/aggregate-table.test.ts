import { describe, expect, it } from '@jest/globals';
import type { AggregateSpec, Reducer } from '../../src/definition/model.js';
import { aggregate, compare } from '../../src/source/aggregate.js';
import { instantSeconds } from '../../src/columns.js';
import type { Chunk } from '../../src/source/read.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import { epochToIso } from '../../src/mapping/converters/index.js';

// The aggregation keeps its groups as a table (datetimes as epoch seconds) and makes each record as
// it hands it on. These tests hold it to what one record object per group gave: the same records,
// values exactly as they came, whatever mix of datetimes, other text, numbers and empty values.

async function run(entries: SourceItem[][], spec: AggregateSpec): Promise<SourceItem[]> {
  async function* chunks(): AsyncGenerator<Chunk> {
    for (const items of entries) yield { first: 0, items: items.map((item) => ('record' in item ? { record: { ...item.record } } : item)) };
  }
  const out: SourceItem[] = [];
  for await (const chunk of aggregate(chunks(), spec)) out.push(...chunk.items);
  return out;
}

/** One record object per group, as the aggregation kept them before the table: the oracle. */
function oneObjectPerGroup(entries: SourceItem[], spec: AggregateSpec): SourceItem[] {
  const groups = new Map<string, { record: SourceRecord; latest: unknown }>();
  const failures = new Map<string, string>();
  const unkeyed: SourceItem[] = [];
  const fields = Object.keys(spec.take ?? {});
  const taken = new Set(fields);
  const tieKey = (names: string[], r: SourceRecord) => JSON.stringify(names.filter((f) => !taken.has(f)).map((f) => r[f] ?? null));
  for (const item of entries) {
    if (!('record' in item)) {
      if (!failures.has(item.ref)) failures.set(item.ref, item.failed);
      continue;
    }
    const entry = { ...item.record };
    const key = entry[spec.by];
    if (key === null || key === undefined || key === '') {
      unkeyed.push(item);
      continue;
    }
    const id = String(key);
    const latest = spec.latest_by ? entry[spec.latest_by] : undefined;
    const group = groups.get(id);
    if (!group) {
      groups.set(id, { record: entry, latest });
      continue;
    }
    const order = spec.latest_by ? compare(latest, group.latest) : 1;
    const names = Object.keys(entry);
    const isLatest = order > 0 || (order === 0 && compare(tieKey(names, entry), tieKey(names, group.record)) > 0);
    const reduced = fields.map((f) => reduce(spec.take![f], group.record[f], entry[f], isLatest));
    if (isLatest) {
      Object.assign(group.record, entry);
      group.latest = latest;
    }
    fields.forEach((f, i) => (group.record[f] = reduced[i]));
  }
  const out: SourceItem[] = [...unkeyed];
  for (const [id, { record }] of groups) {
    const failed = failures.get(id);
    if (failed === undefined) out.push({ record: Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) });
    else {
      failures.delete(id);
      out.push({ failed: `an entry of this ${spec.by} could not be read (${failed}); the group is not synced`, ref: id });
    }
  }
  for (const [ref, failed] of failures) out.push({ failed, ref });
  return out;
}

function reduce(reducer: Reducer, current: unknown, next: unknown, isLatest: boolean): unknown {
  if (next === null || next === undefined) return current;
  if (current === null || current === undefined) return next;
  if (reducer === 'max') return compare(next, current) > 0 ? next : current;
  if (reducer === 'min') return compare(next, current) < 0 ? next : current;
  if (reducer === 'sum') return Number(current) + Number(next);
  return isLatest ? next : current;
}

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const datetimes = ['2024-05-01T12:00:00Z', '2024-05-01T12:00:01Z', '2023-12-31T23:59:59Z', '2024-02-29T08:30:00Z', '1970-01-01T00:00:00Z', '2099-07-04T00:00:00Z'];
// look like datetimes but are not the canonical form (or not a real instant): kept as text, never packed
const other = ['2024-05-01T12:00:00.500Z', '2024-02-30T00:00:00Z', '1969-12-31T23:59:59Z', '2024-05-01 12:00:00Z', '2024-05-01T12:00:00+02:00', 'yesterday', '', 'x'.repeat(20), '2024-05-01T-1:00:00Z', '2024-05-01T12:-5:00Z', '2024-05-01T12:00:-9Z', '2024-05-01T1a:00:00Z'];

function entriesFrom(seed: number, count: number, pool: unknown[]): SourceItem[] {
  const next = random(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
  const items: SourceItem[] = [];
  for (let i = 0; i < count; i++) {
    const user = pick(['U1', 'U2', 'U3', 'U4', 'U5', '', null]);
    if (next() < 0.03) {
      items.push({ failed: 'field last_used: not a datetime', ref: String(user ?? 'U9') });
      continue;
    }
    const record: SourceRecord = { user_id: user, last_used: pick(pool), first_used: pick(pool), count: pick([1, 2, 5, null, undefined]), ip: pick(['10.0.0.1', '10.0.0.2', null]) };
    if (next() < 0.2) record.region = pick(['NY', 'WA', pool[0]]);
    if (next() < 0.2) delete record.ip;
    items.push({ record });
  }
  return items;
}

const spec: AggregateSpec = { by: 'user_id', latest_by: 'last_used', take: { last_used: 'max', first_used: 'min', count: 'sum', ip: 'latest' } };

describe('aggregation as a table', () => {
  it.each([
    ['canonical datetimes only', datetimes],
    ['datetimes, other text, numbers and empty values mixed', [...datetimes, ...other, 1714564800, null]],
    ['no canonical datetime at all', other],
  ])('gives the records one object per group gave (%s), over many arrival orders', async (_, pool) => {
    for (let seed = 1; seed <= 40; seed++) {
      const entries = entriesFrom(seed, 60, pool as unknown[]);
      const split = [entries.slice(0, 25), entries.slice(25)];
      expect(await run(split, spec)).toEqual(oneObjectPerGroup(entries, spec));
    }
  });

  it('hands each datetime on as exactly the text it came as', async () => {
    const records = await run([[{ record: { user_id: 'U1', last_used: '2024-05-01T12:00:00Z' } }, { record: { user_id: 'U1', last_used: '2024-05-01T12:00:00.500Z' } }]], { by: 'user_id', latest_by: 'last_used', take: { last_used: 'max' } });
    expect(records).toEqual([{ record: { user_id: 'U1', last_used: '2024-05-01T12:00:00.500Z' } }]);
  });

  it('keeps a record\'s fields in the order its first entry had them', async () => {
    const [item] = await run([[{ record: { region: 'NY', user_id: 'U1', last_used: '2024-05-01T12:00:00Z' } }]], spec);
    expect(Object.keys((item as { record: SourceRecord }).record)).toEqual(['region', 'user_id', 'last_used']);
  });
});

describe('instantSeconds', () => {
  it('reads a canonical datetime as its epoch seconds, which give back the same text', () => {
    for (const text of datetimes) {
      const seconds = instantSeconds(text);
      expect(seconds * 1000).toBe(Date.parse(text));
      expect(epochToIso(seconds * 1000)).toBe(text);
    }
  });

  it('refuses every other text (so it is kept as it came)', () => {
    for (const text of other) expect(instantSeconds(text)).toBeNaN();
  });
});
