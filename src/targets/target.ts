import type { CustomFieldSpec } from '../definition/model.js';
import { TargetError } from '../errors.js';
import type { RecordType, TargetField } from './fields.js';

export type { RecordType, TargetField } from './fields.js';

/** Field values of a target record, by target field name. */
export type Fields = Record<string, unknown>;

export interface StoredRecord {
  id: string;
  fields: Fields;
}

/**
 * Stored records by key (`Target.snapshot`): the key, the record's id and the values of the fields
 * asked for, in parallel arrays, in the order the store keeps them. `values[f][i]` is record `i`'s
 * value of `fields[f]`, undefined when it has none.
 */
export interface Snapshot {
  version: number;
  keys: string[];
  ids: Float64Array;
  fields: string[];
  values: unknown[][];
}

/** The case folding of case-insensitive keys: ASCII letters only, as SQL's lower() (e-mail addresses are ASCII). */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export interface FindOptions {
  where?: Fields;
  caseInsensitive?: boolean;
}

/** One batch of writes. */
export interface WriteBatch {
  create: Fields[];
  update: { id: string; changes: Fields }[];
  /**
   * the batch's primary sync-key field: a remote target that cannot tell whether a create reached
   * it (a request that timed out after it was sent) looks the record up by it before sending again
   */
  key?: { field: string; caseInsensitive?: boolean };
}

/** What became of one record of a batch: written (its id), refused in the target's own words, or not sent (a run that stopped). */
export type RecordWrite = { id: string } | { refused: string } | undefined;

/** What a write did, record by record, in the batch's order. */
export interface WriteResult {
  created: RecordWrite[];
  updated: RecordWrite[];
}

/**
 * How a target keeps what it is given; the runner and the engine act on these, never on a
 * target's type.
 */
export interface TargetTraits {
  /** the target in words, for messages and the run log: `the embedded store intake.db`, `Oomnitza at https://acme.oomnitza.com` */
  description: string;
  /**
   * a batch is applied whole or not at all (`write` throws and keeps nothing); false: record by
   * record, each one acknowledged or refused on its own (a remote API)
   */
  atomic: boolean;
  /** the records live in the embedded store itself: a batch and its run-log entry commit in one transaction */
  inStore: boolean;
  /**
   * `describe` lists every field the target has, and a field it lacks cannot be written (an asset
   * system's data model): the mapping's new custom fields are created only when the user asks
   * (`--create-fields`). False: declared custom fields come into being with the first write.
   */
  fixedFields: boolean;
  /** the record types it keeps */
  recordTypes: readonly RecordType[];
  /** it has records from before this run to match; false: an export, written afresh by each run */
  keepsRecords: boolean;
}

/**
 * A target adapter: plain data in and out, no decisions. The engine decides create / update /
 * skip / unchanged; an adapter only describes, finds and writes. Every adapter passes the
 * shared contract suite in test/targets/contract.ts.
 */
export interface Target {
  readonly traits: TargetTraits;
  /** built-in and custom fields of a record type */
  describe(recordType: string): Promise<TargetField[]>;
  createCustomField(recordType: string, name: string, spec: CustomFieldSpec): Promise<void>;
  /**
   * records whose `field` equals one of `values`, by that value (batched lookup); with `where`,
   * only records whose fields also equal those values (SaaS users: `{ saas_name: Slack }`); with
   * `caseInsensitive`, the values are case-folded (`foldCase`) and match a stored value in any
   * case of its ASCII letters (the map is keyed by the folded value)
   */
  findByKey(recordType: string, field: string, values: string[], options?: FindOptions): Promise<Map<string, StoredRecord>>;
  /**
   * optional, a target whose writes cost less in the order it stores records (the embedded store:
   * a batch of records next to each other dirties few pages): where each stored record with one of
   * `values` lies, as a number to sort by (keyed as `findByKey` keys). Only a hint for the order
   * of writes: read outside any batch, never used to decide an outcome
   */
  storageOrder?(recordType: string, field: string, values: string[], options?: FindOptions): Promise<Map<string, number>>;
  /**
   * optional: a number that changes whenever another connection (another process) commits to the
   * target's store, and not with this connection's own writes (SQLite's `PRAGMA data_version`):
   * records looked up ahead of their batch are used only while it has not changed (sync/ahead.ts)
   */
  version?(): number;
  /**
   * optional (the embedded store): every stored record of a type with a value in `field`, read on a
   * connection and a thread of their own while the run goes on (the values of `fields` only,
   * parsed there), with the `version` from before the read; undefined when the target would not
   * (a store in memory, more than `limit` records)
   */
  snapshot?(recordType: string, field: string, options: { caseInsensitive?: boolean; limit: number; fields: string[] }): Promise<Snapshot> | undefined;
  /**
   * writes a batch and says, record by record, what became of it. An atomic target applies it
   * whole or throws and keeps nothing; a record-by-record target reports each refusal in its own
   * words and throws `TargetUnavailable` (with what it acknowledged) only when it cannot go on
   */
  write(recordType: string, batch: WriteBatch): Promise<WriteResult>;
  /** makes every batch written so far durable and releases the target */
  close(): Promise<void>;
}

/**
 * A target that cannot go on (credentials refused, not reachable after retries, kept failing): the
 * run stops. `acknowledged` is what a record-by-record target confirmed of the batch in progress
 * before it stopped; those records are kept and counted, the others were not sent.
 */
export class TargetUnavailable extends TargetError {
  readonly acknowledged?: WriteResult;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown; acknowledged?: WriteResult } = {}) {
    super(code, message, options);
    this.acknowledged = options.acknowledged;
  }
}

/** A write result where every record was written: the ids of an atomic target's batch. */
export function allWritten(created: string[], updates: { id: string }[]): WriteResult {
  return { created: created.map((id) => ({ id })), updated: updates.map(({ id }) => ({ id })) };
}
