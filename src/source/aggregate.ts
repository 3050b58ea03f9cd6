import type { AggregateSpec, Reducer } from '../definition/model.js';
import type { Chunk } from './read.js';
import type { SourceItem, SourceRecord } from './types.js';

/**
 * Groups source records that share a key into one record per key. Listed fields are reduced;
 * every other field comes from the entry with the greatest `latest_by` value, so the order in
 * which entries arrive never changes the result.
 *
 * ```yaml
 * aggregate:
 *   by: user_id
 *   latest_by: last_used
 *   take: { last_used: max, first_used: min, count: sum }
 * ```
 * Memory holds one record per key, never the entries. When one of a key's entries cannot be
 * read, the whole group fails with that reason: a partial group could hold a stale value.
 * Ties on `latest_by` are broken by the entries' other values, so arrival order never matters.
 */
export async function* aggregate(chunks: AsyncIterable<Chunk>, spec: AggregateSpec): AsyncGenerator<Chunk> {
  const groups = new Map<string, { record: SourceRecord; latest: unknown }>();
  const fields = Object.keys(spec.take ?? {});
  const reducers = fields.map((f) => spec.take![f]);
  const failures = new Map<string, string>();
  const scratch: unknown[] = new Array(reducers.length);
  const unkeyed: SourceItem[] = [];
  const { by, latest_by: latestBy } = spec;
  for await (const chunk of chunks) {
    const items = chunk.items;
    for (let n = 0; n < items.length; n++) {
      const item = items[n];
      if (!('record' in item)) {
        if (!failures.has(item.ref)) failures.set(item.ref, item.failed);
        continue;
      }
      const entry = item.record; // a fresh object per entry: the group may keep it (the first of its key)
      const key = entry[by];
      if (key === null || key === undefined || key === '') {
        unkeyed.push(item);
        continue;
      }
      const id = typeof key === 'string' ? key : String(key);
      const group = groups.get(id);
      const latest = latestBy ? entry[latestBy] : undefined;
      if (!group) {
        groups.set(id, { record: entry, latest });
        continue;
      }
      const order = latestBy ? compare(latest, group.latest) : 1;
      const isLatest = order > 0 || (order === 0 && tieBreak(entry, group.record, spec) > 0);
      const kept = group.record;
      for (let i = 0; i < reducers.length; i++) scratch[i] = reduce(reducers[i], kept[fields[i]], entry[fields[i]], isLatest);
      if (isLatest) {
        // the group keeps its first record object and takes the latest entry's values into it: the
        // entry itself dies young instead of every latest entry outliving a garbage collection
        for (const name in entry) kept[name] = entry[name];
        group.latest = latest;
      }
      for (let i = 0; i < reducers.length; i++) kept[fields[i]] = scratch[i];
    }
    // an entry without a key is no group's: it goes on as it came (the engine says why it cannot sync)
    if (unkeyed.length) yield { first: 0, items: unkeyed.splice(0) };
  }
  // handed on a slice at a time, each group dropped as it goes: memory falls while the engine syncs
  let out: SourceItem[] = [];
  for (const [id, { record }] of groups) {
    groups.delete(id);
    const failed = failures.get(id);
    if (failed === undefined) out.push({ record });
    else {
      failures.delete(id);
      out.push({ failed: `an entry of this ${spec.by} could not be read (${failed}); the group is not synced`, ref: id });
    }
    if (out.length === slice) {
      yield { first: 0, items: out };
      out = [];
    }
  }
  for (const [ref, failed] of failures) out.push({ failed, ref });
  if (out.length) yield { first: 0, items: out };
}

/** Groups handed on at a time. */
const slice = 1000;

/** Orders two entries with the same `latest_by` value by their other, unreduced values. */
function tieBreak(entry: SourceRecord, group: SourceRecord, spec: AggregateSpec): number {
  const taken = new Set(Object.keys(spec.take ?? {}));
  const key = (r: SourceRecord) => JSON.stringify(Object.keys(entry).filter((f) => !taken.has(f)).map((f) => r[f] ?? null));
  return compare(key(entry), key(group));
}

function reduce(reducer: Reducer, current: unknown, next: unknown, isLatest: boolean): unknown {
  if (next === null || next === undefined) return current;
  if (current === null || current === undefined) return next;
  switch (reducer) {
    case 'max':
      return compare(next, current) > 0 ? next : current;
    case 'min':
      return compare(next, current) < 0 ? next : current;
    case 'sum':
      return Number(current) + Number(next);
    case 'latest':
      return isLatest ? next : current;
  }
}

/** Orders numbers numerically, ISO datetimes by instant, anything else as text; null is lowest. */
export function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length && a.charCodeAt(10) === 84 && b.charCodeAt(10) === 84 && a.charCodeAt(a.length - 1) === 90) {
    return a < b ? -1 : a > b ? 1 : 0; // canonical UTC datetimes of one form order as text
  }
  const ta = Date.parse(String(a));
  const tb = Date.parse(String(b));
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
