import type { AggregateSpec, Reducer } from '../definition/model.js';
import { Column } from '../columns.js';
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
 * Memory holds one row per key, never the entries: a key table and one column per field (see
 * `Columns`); a record object is made only as its group is handed on. When one of a key's entries
 * cannot be read, the whole group fails with that reason: a partial group could hold a stale
 * value. Ties on `latest_by` are broken by the entries' other values, so arrival order never matters.
 * `onGroup` sees each group's first entry as the group is found (its stored record can be looked
 * up while the read goes on: sync/ahead.ts).
 */
export async function* aggregate(chunks: AsyncIterable<Chunk>, spec: AggregateSpec, onGroup?: (first: SourceRecord) => void): AsyncGenerator<Chunk> {
  const fields = Object.keys(spec.take ?? {});
  const reducers = fields.map((f) => spec.take![f]);
  const { by, latest_by: latestBy } = spec;
  const table = new Columns([by, ...fields], new Set(fields.filter((_, i) => reducers[i] === 'sum')));
  const taken = fields.map((f) => table.column(f));
  for (const column of taken) column.reduced = true;
  // the latest entry's latest_by value is the greatest one: with `max` on that field, its column already holds it
  const shared = latestBy !== undefined && spec.take?.[latestBy] === 'max';
  const latestColumn = shared ? table.column(latestBy) : new Column('', true);
  const latestTaken = shared ? fields.indexOf(latestBy) : -1; // packed once an entry
  const failures = new Map<string, string>();
  const scratch: unknown[] = new Array(reducers.length);
  const unkeyed: SourceItem[] = [];
  for await (const chunk of chunks) {
    const items = chunk.items;
    for (let n = 0; n < items.length; n++) {
      const item = items[n];
      if (!('record' in item)) {
        if (!failures.has(item.ref)) failures.set(item.ref, item.failed);
        continue;
      }
      const entry = item.record;
      const key = entry[by];
      if (key === null || key === undefined || key === '') {
        unkeyed.push(item);
        continue;
      }
      const id = typeof key === 'string' ? key : String(key);
      const row = table.rows.get(id);
      if (row === undefined) {
        table.add(id, entry);
        onGroup?.(entry);
        if (!shared) latestColumn.values.push(latestBy ? latestColumn.pack(entry[latestBy]) : undefined);
        continue;
      }
      const latest = latestBy ? latestColumn.pack(entry[latestBy]) : undefined;
      const order = latestBy ? compare(latest, latestColumn.values[row]) : 1;
      const isLatest = order > 0 || (order === 0 && tieBreak(entry, table.record(row), spec) > 0);
      for (let i = 0; i < reducers.length; i++) {
        const next = i === latestTaken ? latest : taken[i].pack(entry[fields[i]]); // packed first: it may turn the column to plain values
        scratch[i] = reduce(reducers[i], taken[i].values[row], next, isLatest);
      }
      if (isLatest) {
        table.set(row, entry);
        if (!shared) latestColumn.values[row] = latest;
      }
      for (let i = 0; i < reducers.length; i++) taken[i].values[row] = scratch[i];
    }
    // an entry without a key is no group's: it goes on as it came (the engine says why it cannot sync)
    if (unkeyed.length) yield { first: 0, items: unkeyed.splice(0) };
  }
  // handed on a slice at a time, each record made as it goes: it dies young in the engine
  let out: SourceItem[] = [];
  const ids = table.ids;
  table.rows.clear(); // the key table's memory goes before the engine builds its own
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row];
    const failed = failures.get(id);
    if (failed === undefined) out.push({ record: table.record(row) });
    else {
      failures.delete(id);
      out.push({ failed: `an entry of this ${spec.by} could not be read (${failed}); the group is not synced`, ref: id });
    }
    if (out.length === slice) {
      yield { first: 0, items: out };
      out = [];
    }
  }
  table.clear();
  if (!shared) latestColumn.values = [];
  for (const [ref, failed] of failures) out.push({ failed, ref });
  if (out.length) yield { first: 0, items: out };
}

/** Groups handed on at a time. */
const slice = 1000;

/**
 * The groups as a table: a key → row map and one column (a plain array) per field, in the order
 * the fields were first seen. An object per group (the record, its fields, a wrapper) cost about
 * three times the memory on large access logs and outlived every young-generation collection.
 */
class Columns {
  readonly rows = new Map<string, number>();
  /** each row's key */
  readonly ids: string[] = [];
  /** every column; `order`: those an entry has had, in the order they were first seen (a record's field order) */
  private readonly all: Column[] = [];
  private readonly order: Column[] = [];
  private readonly byName = new Map<string, Column>();

  constructor(
    names: string[],
    private readonly plain: Set<string>,
  ) {
    for (const name of names) this.column(name);
  }

  column(name: string): Column {
    let column = this.byName.get(name);
    if (!column) {
      column = new Column(name, !this.plain.has(name));
      column.values = new Array<unknown>(this.ids.length).fill(undefined);
      this.byName.set(name, column);
      this.all.push(column);
    }
    return column;
  }

  /** A new group from its first entry. */
  add(id: string, entry: SourceRecord): void {
    for (const name in entry) this.seen(name);
    this.rows.set(id, this.ids.length);
    this.ids.push(id);
    const all = this.all;
    for (let c = 0; c < all.length; c++) all[c].values.push(all[c].pack(entry[all[c].name]));
  }

  /** The latest entry's values into a group's row (the fields it has; the reduced ones are set after, by the caller). */
  set(row: number, entry: SourceRecord): void {
    for (const name in entry) {
      const column = this.seen(name);
      if (!column.reduced) column.values[row] = column.pack(entry[name]);
    }
  }

  /** A group's record: its fields with a value, as they came. */
  record(row: number): SourceRecord {
    const record: SourceRecord = {};
    const order = this.order;
    for (let c = 0; c < order.length; c++) {
      const value = order[c].unpack(order[c].values[row]);
      if (value !== undefined) record[order[c].name] = value;
    }
    return record;
  }

  clear(): void {
    this.rows.clear();
    this.ids.length = 0;
    for (const column of this.all) column.values = [];
  }

  private seen(name: string): Column {
    const column = this.column(name);
    if (!column.seen) {
      column.seen = true;
      this.order.push(column);
    }
    return column;
  }
}

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
