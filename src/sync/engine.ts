import type { Preference } from '../definition/model.js';
import { IntakeError, StoreError } from '../errors.js';
import type { CompiledMapping } from '../mapping/compile.js';
import type { SourceItem, SourceRecord } from '../source/types.js';
import { foldCase, TargetUnavailable, type Fields, type RecordWrite, type StoredRecord, type Target } from '../targets/target.js';
import { Tally } from './outcomes.js';
import { Column } from '../columns.js';

export interface SyncOptions {
  target: Target;
  preference: Preference;
  mapping: CompiledMapping;
  syncKey: SyncKeyPair[];
  /** People fields that must have a value before a record is created */
  required: string[];
  /** outcomes of the People records: one per record read */
  tally: Tally;
  /** the SaaS user records of a People plus SaaS user integration, with their own outcomes */
  saas?: { required: string[]; tally: Tally };
  dryRun?: boolean;
  batchSize?: number;
  /** called once, before the first write (e.g. to create custom fields) */
  beforeFirstWrite?: () => Promise<void>;
  /** sees each record's outcome as it is decided (the test run shows them) */
  onRecord?: (event: RecordEvent) => void;
  /**
   * wraps each batch: its lookups, its writes and `commit` run as one unit, all or nothing (the
   * runner passes the store's write transaction); without it each write stands alone
   */
  unit?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * inside the unit, after the batch's writes: the batch's outcomes (the run log commits them with
   * the batch). `partial`: a record-by-record target stopped in the middle of the batch; these are
   * the outcomes of what it acknowledged (and of what needed no write), and the batch's other
   * records were not sent, so the source position must not move past them
   */
  commit?: (batch: { people: Tally; saas?: Tally }, partial?: boolean) => void;
  /** whether the items received so far end where the source can resume cheaply (a page's end): batches end there when they can */
  atBoundary?: () => boolean;
  /** stops the sync between records: the batch in progress is not written, and `sync` throws an `interrupted` error */
  signal?: AbortSignal;
  /**
   * the items are all read before the first can be written anyway (an aggregated read yields its
   * groups only at the end): take them all, then write them in batches in the order the target
   * stores them (`Target.storageOrder`), when it has one. Each batch is still up to `batchSize`
   * records, committed whole with its outcomes; only which records share a batch changes
   */
  storageOrder?: boolean;
}

/** The sync stopped on a signal (SIGINT, SIGTERM) before reading everything. */
export class SyncInterrupted extends IntakeError {
  constructor(readonly signal: string) {
    super('interrupted', `interrupted by ${signal}: stopped reading`);
  }
}

/** A sync key pair as the engine uses it: `match` resolved (see `keyMatch`). */
export interface SyncKeyPair {
  source: string;
  target: string;
  match?: 'exact' | 'case_insensitive';
}

/**
 * The pairs with `match` resolved: as the mapping says, else case-insensitive for an e-mail
 * target field (`email`, `work_email` …), exact otherwise.
 */
export function resolveKeyPairs(pairs: { source: string; target: string; match?: SyncKeyPair['match'] }[]): SyncKeyPair[] {
  return pairs.map((pair) => ({ ...pair, match: pair.match ?? (/(^|_)e?mail$/.test(pair.target) ? 'case_insensitive' : 'exact') }));
}

/** One record's outcome, with the values that were (or would be) written. */
export interface RecordEvent {
  kind: 'people' | 'saas_users';
  key: string;
  outcome: 'added' | 'updated' | 'unchanged' | 'skipped' | 'failed';
  reason?: string;
  fields?: Fields;
}

/** A record of one kind on its way to the target: its key values and mapped fields. */
interface Candidate {
  key: string;
  keys: string[];
  fields: Fields;
}

interface Planned {
  people: Candidate;
  /** the SaaS user fields, or why they could not be mapped */
  saas?: Fields | { failed: string };
}

/** How one record kind is matched and written: People by the sync key, SaaS users by app and user key. */
interface Kind {
  name: 'people' | 'saas_users';
  label: string;
  keyFields: string[];
  /** per key field: match it in any case */
  caseInsensitive: boolean[];
  where?: Fields;
  required: string[];
  tally: Tally;
}

/**
 * The sync engine: source items in, one outcome per record out. Lookups by sync key and writes
 * are batched; the preference decides create / update / skip; a record whose mapped values equal
 * the stored ones is `unchanged` and not written. Decisions live here, never in a target.
 * A People plus SaaS user integration then does the same for each user's SaaS user record,
 * linked to the People record it found or created.
 */
export async function sync(items: AsyncIterable<SourceItem> | Lists, options: SyncOptions): Promise<void> {
  const size = options.batchSize ?? 5000;
  const seen = new Seen();
  // outcomes are staged per batch and counted only once the batch is committed: a run's counts are what it wrote
  const people: Kind = {
    name: 'people', label: 'People', keyFields: options.syncKey.map((k) => k.target), caseInsensitive: options.syncKey.map((k) => k.match === 'case_insensitive'),
    required: options.required, tally: new Tally(),
  };
  const saas: Kind | undefined = options.mapping.saas && options.saas && {
    name: 'saas_users', label: `${options.mapping.saas.app} SaaS users`, keyFields: ['external_id'], caseInsensitive: [false], where: { saas_name: options.mapping.saas.app },
    required: options.saas.required, tally: new Tally(),
  };
  const unit = options.unit ?? (<T>(work: () => Promise<T>) => work());
  let batch: Planned[] = [];
  let prepared = false;
  const write = async (kind: Kind, writes: Writes): Promise<Written | undefined> => {
    if (options.dryRun || (!writes.create.length && !writes.update.length)) return { created: writes.create.map(() => null), updated: writes.update.map(() => undefined) };
    if (!prepared) await options.beforeFirstWrite?.();
    prepared = true;
    const key = { field: kind.keyFields[0], caseInsensitive: kind.caseInsensitive[0] };
    try {
      return await options.target.write(kind.name, { create: writes.create.map((c) => c.fields), update: writes.update, key });
    } catch (error) {
      if (error instanceof StoreError) throw error; // the store itself failed: the run stops, the batch rolls back
      if (error instanceof TargetUnavailable) {
        // a record-by-record target stopped: what it acknowledged is kept and counted, the rest was not sent
        if (error.acknowledged) settle(options, kind, writes, error.acknowledged);
        throw new StoppedInBatch(error);
      }
      const reason = `the target refused the write: ${(error as Error).message}`;
      for (const c of [...writes.create, ...writes.updated]) record(options, kind, c.key, 'failed', reason, c.fields);
      return undefined;
    }
  };
  // a batch of `count` records, in slices (see `sliceSize`)
  const flush = async (count = batch.length, slices: Iterable<Planned[]> = slicesOf(batch)) => {
    const staged = { people: people.tally, saas: saas?.tally };
    if (!count && !staged.people.read && !staged.saas?.read) return;
    try {
      await unit(async () => {
        for (const slice of slices) {
          const linked = await syncKind(slice.map((p) => p.people), people, options, write);
          if (saas) await syncKind(saasCandidates(slice, linked, saas, options), saas, options, write);
        }
        options.commit?.(staged);
      });
    } catch (error) {
      if (!(error instanceof StoppedInBatch)) throw error;
      // the target kept what it acknowledged: the run log says so, and the next run reads this batch again
      options.commit?.(staged, true);
      options.tally.merge(staged.people);
      if (saas) options.saas!.tally.merge(staged.saas!);
      throw error.cause;
    }
    batch = [];
    options.tally.merge(staged.people);
    if (saas) options.saas!.tally.merge(staged.saas!);
    people.tally = new Tally();
    if (saas) saas.tally = new Tally();
  };
  const pending = () => batch.length + people.tally.read;
  if (options.storageOrder && options.target.storageOrder && !options.dryRun) {
    // every item first (outcomes decided without the target, such as duplicates, are staged for the first batch);
    // held as columns, not an object graph per record: 300,000 records of it outlived every young collection
    const held = new Held(options.syncKey.length, people.caseInsensitive[0], Boolean(saas));
    for await (const list of listsOf(items, options.signal)) {
      for (let n = 0; n < list.length; n++) {
        const planned = prepare(list[n], people, options, seen);
        if (planned) held.push(planned);
      }
    }
    seen.clear(); // every item is in: no more duplicates to find, and 300,000 keys' worth of table to free
    const order = await inStorageOrder(held.first, people, options.target);
    for (let from = 0; from < order.length; ) {
      // the first batch also carries the outcomes staged above
      const to = Math.min(order.length, from + Math.max(size - people.tally.read, 1));
      if (options.signal?.aborted) throw new SyncInterrupted(String(options.signal.reason ?? 'a signal'));
      await flush(to - from, held.slices(order, from, to));
      from = to;
    }
    if (options.signal?.aborted) throw new SyncInterrupted(String(options.signal.reason ?? 'a signal'));
    await flush();
    return;
  }
  for await (const item of untilAborted('lists' in items ? flat(items.lists) : items, options.signal)) {
    const planned = prepare(item, people, options, seen);
    if (planned) batch.push(planned);
    if (pending() >= size * 2 || (pending() >= size && (options.atBoundary?.() ?? true))) await flush();
  }
  await flush();
}

/**
 * The order in which to write the held records (their positions): the order the target stores them
 * in (by the first key field), so a batch of records stored next to each other rewrites a few of
 * the store's pages, not most of them (in the embedded store, 60 batches over 300,000 records: 3.4 s
 * of commits against 0.13 s). Records the target does not hold keep their order, after the others.
 * `first`: each record's first key value, as the duplicate check left them (distinct, not empty).
 */
async function inStorageOrder(first: string[], kind: Kind, target: Target): Promise<Uint32Array> {
  const order = await target.storageOrder!(kind.name, kind.keyFields[0], first, { where: kind.where, caseInsensitive: kind.caseInsensitive[0] });
  const n = first.length;
  const rank = new Float64Array(n);
  let small = n <= positionMask + 1;
  for (let i = 0; i < n; i++) {
    const r = order.get(first[i]);
    rank[i] = r ?? Infinity;
    if (r !== undefined && !(Number.isInteger(r) && r >= 0 && r < unheld)) small = false;
  }
  order.clear();
  if (small) {
    // each record's rank and position in one number, sorted as numbers (no comparator call per pair)
    for (let i = 0; i < n; i++) rank[i] = (rank[i] === Infinity ? unheld : rank[i]) * (positionMask + 1) + i;
    rank.sort();
    const positions = new Uint32Array(n);
    for (let i = 0; i < n; i++) positions[i] = rank[i] % (positionMask + 1);
    return positions;
  }
  const positions = new Uint32Array(n);
  for (let i = 0; i < n; i++) positions[i] = i;
  return positions.sort((a, b) => rank[a] - rank[b] || a - b);
}

/**
 * How many records of a batch are looked up, decided and written together, inside the batch's
 * unit (one transaction, one commit, one run-log entry). A batch of 5,000 handled whole kept
 * 5,000 records' candidates, stored records and changes alive for as long as its writes took;
 * V8's young collections found them alive and moved them, page by page, to the old generation,
 * which then grew by about 4 MB every tenth of a second until a full collection (300,000
 * records: +110 MB of peak memory, docs/benchmark.md). A slice of 500 dies young.
 */
const sliceSize = 500;

/** A batch's records a slice at a time. */
function* slicesOf<T>(items: T[]): Generator<T[]> {
  if (items.length <= sliceSize) yield items;
  else for (let at = 0; at < items.length; at += sliceSize) yield items.slice(at, at + sliceSize);
}

/** Ranks below 2^31 - 1 (SQLite row ids, as a store numbers its rows; not held: 2^31 - 1) and positions below 2^22 share one exact double. */
const positionMask = 2 ** 22 - 1;
const unheld = 2 ** 31 - 1;

/**
 * Prepared records held until their batch is formed: one array per part, the mapped fields as a
 * column per field (datetimes as numbers, see `Column`) and each record's field names as a shape
 * the records that have the same names share. A record's objects are made again as it is taken:
 * 300,000 of them (a fields object, a datetime string, a candidate, its keys) outlived every young
 * collection and set how far V8 let the heap grow.
 */
class Held {
  readonly first: string[] = [];
  private readonly key: string[] = [];
  private readonly keys: string[][] = [];
  private readonly saas: Planned['saas'][] = [];
  private readonly columns: Column[] = [];
  private readonly byName = new Map<string, Column>();
  private readonly shapes: Column[][] = [];
  private readonly shapeIds = new Map<string, number>();
  /** each record's shape, once there is more than one */
  private shapeOf: number[] | undefined;

  constructor(
    private readonly keyCount: number,
    /** whether the first key value is folded (a case-insensitive key), so the key itself is kept too */
    private readonly folded: boolean,
    private readonly linked: boolean,
  ) {}

  push({ people, saas }: Planned): void {
    const n = this.first.length;
    this.first.push(people.keys[0]);
    if (this.folded) this.key.push(people.key); // else the key is the first key value
    if (this.keyCount > 1) this.keys.push(people.keys);
    if (this.linked) this.saas.push(saas);
    const fields = people.fields;
    const shape = this.shapeFor(fields, n);
    if (shape !== 0 && !this.shapeOf) this.shapeOf = new Array<number>(n).fill(0);
    this.shapeOf?.push(shape);
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) columns[c].values.push(columns[c].pack(fields[columns[c].name]));
  }

  /** The records at `order[from]` to `order[to - 1]`, a slice at a time, each made as its slice is wanted. */
  *slices(order: Uint32Array, from: number, to: number): Generator<Planned[]> {
    for (let at = from; at < to; at += sliceSize) {
      const slice: Planned[] = [];
      for (let n = at; n < Math.min(to, at + sliceSize); n++) slice.push(this.take(order[n]));
      yield slice;
    }
  }

  /** The record at position `n`, released from here. */
  take(n: number): Planned {
    const fields: Fields = {};
    for (const column of this.shapes[this.shapeOf?.[n] ?? 0]) {
      fields[column.name] = column.unpack(column.values[n]);
      column.values[n] = undefined;
    }
    const people = { key: this.folded ? this.key[n] : this.first[n], keys: this.keyCount > 1 ? this.keys[n] : [this.first[n]], fields };
    return { people, saas: this.linked ? this.saas[n] : undefined };
  }

  /** The shape of a record's field names (the previous record's, most often), making the columns it needs. */
  private shapeFor(fields: Fields, n: number): number {
    const last = n > 0 ? (this.shapeOf?.[n - 1] ?? 0) : -1;
    if (last >= 0) {
      const shape = this.shapes[last];
      let i = 0;
      for (const name in fields) {
        if (shape[i]?.name !== name) {
          i = -1;
          break;
        }
        i++;
      }
      if (i === shape.length) return last;
    }
    const names = Object.keys(fields);
    const id = names.join('\u0000');
    let shape = this.shapeIds.get(id);
    if (shape === undefined) {
      shape = this.shapes.length;
      this.shapeIds.set(id, shape);
      this.shapes.push(names.map((name) => this.column(name, n)));
    }
    return shape;
  }

  private column(name: string, rows: number): Column {
    let column = this.byName.get(name);
    if (!column) {
      column = new Column(name, true);
      column.values = new Array<unknown>(rows).fill(undefined);
      this.byName.set(name, column);
      this.columns.push(column);
    }
    return column;
  }
}

/**
 * A source's items a list at a time (`readSource().lists`): for the storage-order path, which takes
 * every item before it writes any, one hop per list instead of one per item.
 */
export interface Lists {
  lists: AsyncIterable<readonly SourceItem[]>;
}

/** The items a list at a time, until `signal` aborts. */
async function* listsOf(items: AsyncIterable<SourceItem> | Lists, signal: AbortSignal | undefined): AsyncGenerator<readonly SourceItem[]> {
  if ('lists' in items) {
    yield* untilAborted(items.lists, signal);
    return;
  }
  for await (const item of untilAborted(items, signal)) yield [item];
}

async function* flat<T>(lists: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const list of lists) yield* list;
}

/** The items until `signal` aborts; a pending read is abandoned then, not awaited (a stalled request must not hold the stop). */
function untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  // without a signal, the items as they are: no extra hop per record
  return signal ? abortable(items, signal) : items;
}

async function* abortable<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  const stop = () => new SyncInterrupted(String(signal.reason ?? 'a signal'));
  // the pending read's reject: an abort settles it at once. Not a Promise.race with one shared
  // "aborted" promise per record: each race left a reaction on that promise until the run ended
  // (300,000 records: 0.45 s and tens of MB)
  let interrupt: ((error: Error) => void) | undefined;
  const onAbort = () => interrupt?.(stop());
  signal.addEventListener('abort', onAbort, { once: true });
  let done = false;
  try {
    while (true) {
      if (signal.aborted) throw stop();
      const next = await new Promise<IteratorResult<T>>((resolve, reject) => {
        interrupt = reject;
        iterator.next().then(resolve, reject);
      });
      interrupt = undefined;
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!done) void iterator.return?.()?.catch(() => undefined);
  }
}

/** The keys synced in this run (the duplicate check), with the partition each was listed under when the read has partitions. */
class Seen {
  // a Set, and the partitions apart: a Map of 300,000 keys to undefined took a third more memory
  private readonly keys = new Set<string>();
  private readonly partitions = new Map<string, string>();

  has(key: string): boolean {
    return this.keys.has(key);
  }

  partition(key: string): string | undefined {
    return this.partitions.get(key);
  }

  add(key: string, partition: string | undefined): void {
    this.keys.add(key);
    if (partition !== undefined) this.partitions.set(key, partition);
  }

  clear(): void {
    this.keys.clear();
    this.partitions.clear();
  }
}

/**
 * Filters, maps and keys one item; records the outcome of items that go no further. Filters come
 * first, so a record a filter skips is skipped with its reason even when its key is empty. A key value
 * is the mapped value of its target field when the mapping maps that field (so it passes the
 * same conversion: `email: { source: email, convert: lowercase }`), else the source value; a
 * case-insensitive pair looks up and detects duplicates by its lower-case form. A duplicate of a
 * partitioned read names both partitions it was listed under.
 */
function prepare(item: SourceItem, people: Kind, options: SyncOptions, seen: Seen): Planned | undefined {
  const { syncKey } = options;
  if ('failed' in item) {
    record(options, people, item.ref, 'failed', item.failed);
    return undefined;
  }
  const source = item.record;
  const raw = keyValue(source[syncKey[0].source]);
  const ref = raw || describe(source);
  let fields: Fields;
  try {
    // filters first: a record a filter skips for having no key (Zoom's pending users) is skipped for that reason
    const skip = options.mapping.skipReason(source);
    if (skip) {
      record(options, people, ref, 'skipped', skip);
      return undefined;
    }
    if (raw === '') {
      record(options, people, ref, 'failed', `empty sync key: ${syncKey[0].source} has no value`);
      return undefined;
    }
    fields = options.mapping.map(source);
  } catch (error) {
    record(options, people, ref, 'failed', (error as Error).message);
    return undefined;
  }
  const values = syncKey.map((pair) => (pair.target in fields ? keyValue(fields[pair.target]) : keyValue(source[pair.source])));
  const key = values[0];
  if (key === '') {
    record(options, people, raw, 'failed', `empty sync key: ${syncKey[0].target} is empty after mapping (${syncKey[0].source} = ${raw})`);
    return undefined;
  }
  const keys = values.map((value, i) => (syncKey[i].match === 'case_insensitive' ? foldCase(value) : value));
  if (seen.has(keys[0])) {
    const first = seen.partition(keys[0]);
    const where = first && item.partition ? ` (listed under ${first}, and again under ${item.partition})` : '';
    record(options, people, key, 'skipped', `duplicate: another record with ${syncKey[0].target} = ${key} was already synced in this run${where}`);
    return undefined;
  }
  seen.add(keys[0], item.partition);
  // the key is written as looked up (trimmed text), but for a mapped value that is no text (an integer field's number): it keeps its type
  syncKey.forEach((pair, i) => {
    if (values[i] !== '' && (typeof fields[pair.target] === 'string' || !(pair.target in fields))) fields[pair.target] = values[i];
  });
  return { people: { key, keys, fields }, saas: options.saas && saasFields(options.mapping, source) };
}

function saasFields(mapping: CompiledMapping, record: SourceRecord): Fields | { failed: string } | undefined {
  if (!mapping.saas) return undefined;
  try {
    return mapping.saas.map(record);
  } catch (error) {
    return { failed: (error as Error).message };
  }
}

/** The SaaS user records of the people that exist (found or created) in this batch, linked to them. */
function saasCandidates(batch: Planned[], linked: Map<Candidate, string | null>, kind: Kind, options: SyncOptions): Candidate[] {
  const candidates: Candidate[] = [];
  for (const planned of batch) {
    if (!planned.saas || !linked.has(planned.people)) continue;
    const key = planned.people.key;
    if ('failed' in planned.saas) {
      record(options, kind, key, 'failed', planned.saas.failed as string);
      continue;
    }
    const person = linked.get(planned.people) ?? null;
    candidates.push({ key, keys: [key], fields: { ...planned.saas, saas_name: kind.where!.saas_name, external_id: key, person_id: person } });
  }
  return candidates;
}

interface Writes {
  create: Candidate[];
  update: { id: string; changes: Fields }[];
  updated: Candidate[];
}

type Write = (kind: Kind, writes: Writes) => Promise<Written | undefined>;

/**
 * Looks one batch of one kind up (key fields in order), applies the preference, writes, and
 * records every outcome. Returns the target id of every candidate that exists afterwards
 * (found, or created; null for a record a dry run would create).
 */
async function syncKind(batch: Candidate[], kind: Kind, options: SyncOptions, write: Write): Promise<Map<Candidate, string | null>> {
  const { preference } = options;
  const existing = await lookup(batch, kind, options.target);
  const writes: Writes = { create: [], update: [], updated: [] };
  const unchanged: Candidate[] = [];
  const ids = new Map<Candidate, string | null>();
  // only SaaS user records link to the People ids: without them, no map keyed by record (an identity hash per record)
  const linking = kind.name === 'people' && Boolean(options.mapping.saas && options.saas);
  for (let n = 0; n < batch.length; n++) {
    const candidate = batch[n];
    const found = existing[n];
    if (found) {
      if (linking) ids.set(candidate, found.id);
      if (preference === 'create_only') {
        record(options, kind, candidate.key, 'skipped', `already in ${kind.label}: the create only preference does not update records`, candidate.fields);
        continue;
      }
      const changes = changed(found.fields, candidate.fields);
      if (!changes) unchanged.push(candidate);
      else {
        writes.update.push({ id: found.id, changes });
        writes.updated.push(candidate);
      }
      continue;
    }
    if (preference === 'update_only') {
      record(options, kind, candidate.key, 'skipped', `not in ${kind.label} (no record with ${kind.keyFields[0]} = ${candidate.key}): the update only preference does not create records`, candidate.fields);
      continue;
    }
    const missing = kind.required.filter((f) => candidate.fields[f] === null || candidate.fields[f] === undefined || candidate.fields[f] === '');
    if (missing.length) {
      record(options, kind, candidate.key, 'failed', `cannot create: required field ${missing.join(', ')} is empty`, candidate.fields);
      continue;
    }
    writes.create.push(candidate);
  }
  // decided without a write: counted even when the target stops in the middle of the writes
  for (const c of unchanged) record(options, kind, c.key, 'unchanged', undefined, c.fields);
  const written = await write(kind, writes);
  if (!written) return ids; // the write failed: its records are failed, and nothing links to them
  settle(options, kind, writes, written).forEach((id, c) => ids.set(c, id));
  return ids;
}

/** A write's result with a dry run's "would be created" (null) among the ids. */
interface Written {
  created: (RecordWrite | null)[];
  updated: RecordWrite[];
}

/**
 * Records the outcome of every record the target answered for: added or updated, or failed in the
 * target's words. Returns the id of each created record (null in a dry run); a record the target
 * never got to (a run that stopped) gets no outcome.
 */
function settle(options: SyncOptions, kind: Kind, writes: Writes, written: Written): Map<Candidate, string | null> {
  const ids = new Map<Candidate, string | null>();
  writes.updated.forEach((c, i) => {
    const result = written.updated[i];
    if (result && 'refused' in result) record(options, kind, c.key, 'failed', result.refused, c.fields);
    else if (result || options.dryRun) record(options, kind, c.key, 'updated', undefined, c.fields);
  });
  writes.create.forEach((c, i) => {
    const result = written.created[i];
    if (result && 'refused' in result) return record(options, kind, c.key, 'failed', result.refused, c.fields);
    if (result === undefined) return;
    ids.set(c, result === null ? null : result.id);
    record(options, kind, c.key, 'added', undefined, c.fields);
  });
  return ids;
}

/** A record-by-record target stopped inside a batch; `cause` is why (the run's failure). */
class StoppedInBatch extends Error {
  constructor(override readonly cause: TargetUnavailable) {
    super(cause.message);
  }
}

function record(options: SyncOptions, kind: Kind, key: string, outcome: RecordEvent['outcome'], reason?: string, fields?: Fields): void {
  kind.tally.add(outcome, key, reason);
  options.onRecord?.({ kind: kind.name, key, outcome, reason, fields });
}

/** The stored record of each candidate (by its position in the batch), found by the key fields in order. */
async function lookup(batch: Candidate[], kind: Kind, target: Target): Promise<(StoredRecord | undefined)[]> {
  const result: (StoredRecord | undefined)[] = new Array<StoredRecord | undefined>(batch.length).fill(undefined);
  for (let i = 0; i < kind.keyFields.length; i++) {
    const open: number[] = [];
    const values = new Set<string>();
    for (let n = 0; n < batch.length; n++) {
      const value = batch[n].keys[i];
      if (result[n] !== undefined || value === '') continue;
      open.push(n);
      values.add(value);
    }
    if (!open.length) break;
    const found = await target.findByKey(kind.name, kind.keyFields[i], [...values], { where: kind.where, caseInsensitive: kind.caseInsensitive[i] });
    for (const n of open) result[n] = found.get(batch[n].keys[i]);
  }
  return result;
}

/** The fields whose value differs from the stored record, or undefined when none does. */
function changed(stored: Fields, next: Fields): Fields | undefined {
  let changes: Fields | undefined;
  for (const name in next) {
    const value = next[name];
    if (!same(stored[name], value)) (changes ??= {})[name] = value;
  }
  return changes;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'string' && typeof b === 'string') return false; // the usual case: no JSON of either
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyValue(value: unknown): string {
  return value === null || value === undefined ? '' : String(value).trim();
}

function describe(record: SourceRecord): string {
  const name = record.username ?? record.email ?? record.name;
  return name ? `record ${String(name)}` : 'record without key';
}
