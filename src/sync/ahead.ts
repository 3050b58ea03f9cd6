import { performance } from 'node:perf_hooks';
import type { SourceRecord } from '../source/types.js';
import { foldCase, type Fields, type FindOptions, type Snapshot, type StoredRecord, type Target } from '../targets/target.js';
import type { SyncKeyPair } from './engine.js';

/**
 * Stored People records looked up while an aggregated read goes on. Such a read hands its groups
 * on only once it has read everything, so the batches after it would look every record up then,
 * with nothing left to hide the time under. Instead:
 *
 * - a store of up to 100,000 People is read whole, in the store's order, on a connection and a
 *   thread of its own (`Target.snapshot`), while the main thread reads the API: the batches find
 *   every key's record and position in it;
 * - else each new group's key (from its first entry) is looked up as the read finds it, a chunk of
 *   keys at a time between pages, with its storage position, while the read leaves time to spare
 *   (`spare`): under an API's latency, the lookups cost no time at all.
 *
 * The engine sees none of it: it syncs into `target`, the store with these answers in front of
 * its `findByKey` and `storageOrder` (the People's sync key only). Only a cache of the store's own
 * answers, by key value, and only while they are still the store's: a lookup uses them when no
 * other connection has written to the store since the first of them (`Target.version`, read
 * inside the batch's transaction), else it asks the store, as it always did. The run's own
 * batches cannot make an answer stale: with one sync key field, a record keeps the key it was
 * found by, and a record created by a batch has a key no later record has (a duplicate). The
 * first storage-order question (every group is in) ends the looking ahead and waits for a
 * snapshot being read.
 *
 * A key the mapping converts (a lower-cased e-mail) may differ from the raw key looked up a chunk
 * at a time: a batch finds no answer for it and looks it up itself. At most `limit` keys are
 * looked up so (about 300 bytes of memory each); the others are looked up by their batch.
 */
/** Stores of up to this many People are read whole, on a thread of their own, while the read goes on (about 150 bytes a record). */
const snapshotLimit = 100_000;

/** `fields`: the People fields the mapping writes (what a batch compares with the stored record); the sync key's is added. */
export function lookupsAhead(target: Target, syncKey: SyncKeyPair[], fields: string[]): LookupsAhead | undefined {
  if (syncKey.length !== 1 || !target.storageOrder || !target.version) return undefined;
  return new LookupsAhead(target as Target & Required<Pick<Target, 'storageOrder' | 'version'>>, syncKey[0], fields);
}

export class LookupsAhead {
  private readonly found = new Map<string, StoredRecord | null>();
  private readonly positions = new Map<string, number | null>();
  /** the event loop's use since the last judgement (`performance.eventLoopUtilization`), and that judgement */
  private loop = performance.eventLoopUtilization();
  private idle = false;
  private judged = false;
  private waiting: string[] = [];
  private scheduled = false;
  private asked = 0;
  private version: number | undefined;
  /** every stored People record with a key, being read on a thread of its own (`Target.snapshot`), and once read, the position of each key in it */
  private snapshot: Promise<Snapshot | undefined> | undefined;
  private taken: { records: Snapshot; at: Map<string, number> } | undefined;

  constructor(
    private readonly store: Target & Required<Pick<Target, 'storageOrder' | 'version'>>,
    private readonly key: SyncKeyPair,
    fields: string[],
    private readonly limit = 50_000,
    private readonly chunk = 500,
  ) {
    // a batch compares the fields the mapping writes: the snapshot holds those of each record
    const wanted = [...new Set([...fields, key.target])];
    this.snapshot = store.snapshot?.('people', key.target, { caseInsensitive: key.match === 'case_insensitive', limit: snapshotLimit, fields: wanted })?.catch(() => undefined);
    this.target = this.inFront();
  }

  /** A new group's first entry: its key is looked up with the next chunk (not with a snapshot coming: it holds every key). */
  readonly add = (first: SourceRecord): void => {
    if (this.snapshot || this.asked + this.waiting.length >= this.limit) return;
    const raw = first[this.key.source];
    const value = raw === null || raw === undefined ? '' : String(raw).trim();
    if (value === '') return;
    this.waiting.push(this.key.match === 'case_insensitive' ? foldCase(value) : value);
    this.schedule();
  };

  /** The store with what was looked up ahead in front of its People lookups by sync key: what the engine syncs into. */
  readonly target: Target;

  private inFront(): Target {
    const inner = this.store;
    const covers = (recordType: string, field: string, { where = {}, caseInsensitive = false }: FindOptions = {}) =>
      recordType === 'people' && field === this.key.target && caseInsensitive === (this.key.match === 'case_insensitive') && !Object.keys(where).length;
    return {
      ...inner,
      findByKey: async (recordType, field, values, options) => {
        if (!covers(recordType, field, options) || !this.valid()) return inner.findByKey(recordType, field, values, options);
        const found = new Map<string, StoredRecord>();
        const rest: string[] = [];
        for (const value of values) {
          const known = this.stored(value);
          if (known === undefined) rest.push(value);
          else if (known) found.set(value, known);
        }
        if (rest.length) for (const [key, record] of await inner.findByKey(recordType, field, rest, options)) found.set(key, record);
        return found;
      },
      storageOrder: async (recordType, field, values, options) => {
        if (!covers(recordType, field, options)) return inner.storageOrder(recordType, field, values, options);
        await this.finish(); // asked once every group is in
        const order = new Map<string, number>();
        const rest: string[] = [];
        for (const value of values) {
          const at = this.position(value);
          if (at === undefined) rest.push(value);
          else if (at !== null) order.set(value, at);
        }
        if (rest.length) for (const [key, at] of await inner.storageOrder(recordType, field, rest, options)) order.set(key, at);
        return order;
      },
    };
  }

  /** Whether the records looked up ahead are still the store's: no other connection has written to it since the first lookup. */
  private valid(): boolean {
    return this.version !== undefined && this.store.version() === this.version;
  }

  /** The stored record of a key as looked up ahead (null: there is none); undefined when the key was not looked up ahead. */
  private stored(key: string): StoredRecord | null | undefined {
    if (!this.taken) return this.found.get(key);
    const i = this.taken.at.get(key);
    if (i === undefined) return null;
    const { ids, fields, values } = this.taken.records;
    const stored: Fields = {};
    for (let f = 0; f < fields.length; f++) if (values[f][i] !== undefined) stored[fields[f]] = values[f][i];
    return { id: String(ids[i]), fields: stored };
  }

  /** Where the stored record of a key lies (`Target.storageOrder`; null: there is none); undefined when the key was not looked up ahead. */
  private position(key: string): number | null | undefined {
    if (!this.taken) return this.positions.get(key);
    const i = this.taken.at.get(key);
    return i === undefined ? null : this.taken.records.ids[i];
  }

  /** Every group is in: nothing more is looked up ahead (the batches look up what is left); a snapshot being read is waited for. */
  private async finish(): Promise<void> {
    this.waiting = [];
    this.asked = this.limit;
    const records = await this.snapshot;
    this.snapshot = undefined;
    if (!records) return;
    const at = new Map<string, number>();
    for (let i = 0; i < records.keys.length; i++) if (!at.has(records.keys[i])) at.set(records.keys[i], i); // the first stored, as a lookup finds it
    this.taken = { records, at };
    this.version = records.version;
  }

  /**
   * Whether the read leaves the process time to spare (it mostly waits for the API). Only then is
   * a chunk looked up: looked up in the order the read finds their keys, each record is on a page
   * of its own, about twice the work of a batch's lookup in storage order, worth it only where the
   * time would go unused. A busy read leaves its keys to the batches.
   */
  private spare(): boolean {
    const used = performance.eventLoopUtilization(this.loop);
    // judged over 50 ms at least (but for the first time): a page that brings two chunks' worth of keys is not its own measure
    if (used.idle + used.active >= 50 || !this.judged) {
      this.judged = true;
      this.loop = performance.eventLoopUtilization();
      this.idle = used.utilization < 0.7;
    }
    return this.idle;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length < this.chunk || this.asked >= this.limit) return;
    this.scheduled = true;
    // between pages, not inside the page being read; a failure only ends the looking ahead: the batches look up themselves and report it
    setImmediate(() => this.lookUp().catch(() => (this.asked = this.limit)));
  }

  private async lookUp(): Promise<void> {
    this.scheduled = false;
    const keys = this.waiting.splice(0, this.chunk);
    if (this.spare()) {
      this.version ??= this.store.version();
      this.asked += keys.length;
      const options = { caseInsensitive: this.key.match === 'case_insensitive' };
      const order = await this.store.storageOrder('people', this.key.target, keys, options);
      const records = await this.store.findByKey('people', this.key.target, keys, options);
      for (const key of keys) {
        this.positions.set(key, order.get(key) ?? null);
        this.found.set(key, records.get(key) ?? null);
      }
    }
    this.schedule();
  }
}
