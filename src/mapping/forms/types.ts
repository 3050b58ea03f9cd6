import type { SourceRecord } from '../../source/types.js';
import type { ExprMeta, ExprScope } from '../expr.js';
import type { ValueType } from '../types.js';

/** Produces a mapped value from one source record (null, undefined or '' mean empty). */
export type Produce = (record: SourceRecord) => unknown;

/** What a form compiles to: its value's static type and how to produce it. */
export interface CompiledForm {
  type: ValueType;
  produce: Produce;
  /** the connector fields it reads */
  refs: string[];
}

/**
 * What a form sees while it compiles: the connector's fields and settings, the run's meta values,
 * and `report`, which records a load-time problem at a path inside the field mapping (with an
 * offset inside a string value, for expressions). A form that reported a problem still returns.
 */
export interface FormContext {
  scope: ExprScope;
  meta: ExprMeta;
  report(at: (string | number)[], code: string, message: string, hint?: string, offset?: number | 'key'): void;
}

/** `true` for the values a mapping treats as "no value". */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}
