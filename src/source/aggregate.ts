import type { AggregateSpec, Reducer } from '../definition/model.js';
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
 * Memory holds one record per key, never the entries.
 */
export async function* aggregate(items: AsyncIterable<SourceItem>, spec: AggregateSpec): AsyncGenerator<SourceItem> {
  const groups = new Map<string, SourceRecord>();
  const latestOf = new Map<string, unknown>();
  const reducers = Object.entries(spec.take ?? {});
  for await (const item of items) {
    if (!('record' in item)) {
      yield item;
      continue;
    }
    const entry = item.record;
    const key = entry[spec.by];
    if (key === null || key === undefined || key === '') {
      yield item;
      continue;
    }
    const id = String(key);
    const group = groups.get(id);
    if (!group) {
      groups.set(id, { ...entry });
      latestOf.set(id, spec.latest_by ? entry[spec.latest_by] : undefined);
      continue;
    }
    const isLatest = spec.latest_by ? compare(entry[spec.latest_by], latestOf.get(id)) > 0 : true;
    const reduced = reducers.map(([field, reducer]) => [field, reduce(reducer, group[field], entry[field], isLatest)] as const);
    if (isLatest) {
      Object.assign(group, entry);
      if (spec.latest_by) latestOf.set(id, entry[spec.latest_by]);
    }
    for (const [field, value] of reduced) group[field] = value;
  }
  for (const record of groups.values()) yield { record };
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
  const ta = Date.parse(String(a));
  const tb = Date.parse(String(b));
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
