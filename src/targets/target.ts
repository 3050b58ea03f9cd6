import type { CustomFieldSpec } from '../definition/model.js';
import type { TargetField } from './fields.js';

export type { TargetField } from './fields.js';

/** Field values of a target record, by target field name. */
export type Fields = Record<string, unknown>;

export interface StoredRecord {
  id: string;
  fields: Fields;
}

/** The case folding of case-insensitive keys: ASCII letters only, as SQL's lower() (e-mail addresses are ASCII). */
export function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export interface FindOptions {
  where?: Fields;
  caseInsensitive?: boolean;
}

/** One batch of writes; a target applies it atomically (all or nothing). */
export interface WriteBatch {
  create: Fields[];
  update: { id: string; changes: Fields }[];
}

/**
 * A target adapter: plain data in and out, no decisions. The engine decides create / update /
 * skip / unchanged; an adapter only describes, finds and writes. Every adapter passes the
 * shared contract suite in test/targets/contract.ts.
 */
export interface Target {
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
  /** applies a batch atomically; returns the ids of the created records, in order */
  write(recordType: string, batch: WriteBatch): Promise<string[]>;
  /** makes every batch written so far durable and releases the target */
  close(): Promise<void>;
}
