import type { FilterSpec, Scalar } from '../definition/model.js';
import type { SourceRecord } from '../source/types.js';
import { suggestion } from '../definition/suggest.js';
import { compileExpr, ExprError } from './expr.js';
import type { FormContext } from './forms/index.js';
import { describeType } from './types.js';

/** Why a record is skipped, or undefined to keep it; throws when a `when:` cannot be evaluated. */
export type Filter = (record: SourceRecord) => string | undefined;

/**
 * A record must meet every filter to be synced; the first it fails is its `skipped` reason.
 * ```yaml
 * filters:
 *   - { field: is_bot, not_equals: true, reason: bot user }
 *   - { field: email, exists: true }
 *   - { when: 'user_type != "Guest" && account_enabled', reason: guest or disabled account }
 * ```
 */
export function compileFilter(filter: FilterSpec, ctx: FormContext): { filter: Filter; refs: string[] } {
  if (filter.when !== undefined) return compileWhen(filter.when, filter.reason, ctx);
  const field = filter.field!;
  if (!ctx.scope.fields.has(field)) ctx.report(['field'], 'unknown_field', `"${field}" is not a field of the connector`, suggestion(field, [...ctx.scope.fields.keys()]));
  const why = (text: string) => `filter: ${filter.reason ?? text}`;
  return {
    refs: [field],
    filter: (record) => {
      const value = record[field] ?? null;
      if ('equals' in filter && value !== filter.equals) return why(`${field} is ${JSON.stringify(value)}, not ${JSON.stringify(filter.equals)}`);
      if ('not_equals' in filter && value === filter.not_equals) return why(`${field} is ${JSON.stringify(value)}`);
      if (filter.in && !filter.in.includes(value as Scalar)) return why(`${field} is ${JSON.stringify(value)}, not one of ${filter.in.join(', ')}`);
      if (filter.not_in && filter.not_in.includes(value as Scalar)) return why(`${field} is ${JSON.stringify(value)}`);
      if (filter.exists !== undefined && (value !== null && value !== '') !== filter.exists) return why(`${field} is ${filter.exists ? 'empty' : 'set'}`);
      return undefined;
    },
  };
}

/** `when:` keeps the records for which the expression is true. */
function compileWhen(text: string, reason: string | undefined, ctx: FormContext): { filter: Filter; refs: string[] } {
  try {
    const compiled = compileExpr(text, ctx.scope, ctx.meta);
    if (compiled.type !== 'boolean' && compiled.type !== 'any') {
      ctx.report(['when'], 'expr_type', `a filter's condition must be true or false, but this expression gives ${describeType(compiled.type)}`, 'compare the value, e.g. status == "ACTIVE"');
    }
    const skipped = `filter: ${reason ?? `${text} is false`}`;
    return {
      refs: compiled.refs,
      filter: (record) => {
        let keep: unknown;
        try {
          keep = compiled.evaluate(record);
        } catch (error) {
          throw new Error(`filter ${text}: ${(error as Error).message}`);
        }
        if (keep === true) return undefined;
        if (keep === false) return skipped;
        throw new Error(`filter ${text}: gave ${JSON.stringify(keep)}, not true or false`);
      },
    };
  } catch (error) {
    if (!(error instanceof ExprError)) throw error;
    ctx.report(['when'], error.code, `expression: ${error.message}`, error.hint, error.offset);
    return { refs: [], filter: () => undefined };
  }
}
