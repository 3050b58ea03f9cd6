import { compileExpr, ExprError } from '../expr.js';
import type { CompiledForm, FormContext } from './types.js';

/**
 * A CEL expression over the record's fields, `meta` and `settings` (see src/mapping/expr.ts).
 * ```yaml
 * fields:
 *   okta_active: { expr: 'status == "ACTIVE"' }
 *   zendesk_active: { expr: active && !suspended }
 * ```
 */
export const expr = {
  type: 'expr',
  create(spec: { expr: string }, ctx: FormContext): CompiledForm {
    try {
      const compiled = compileExpr(spec.expr, ctx.scope, ctx.meta);
      return { type: compiled.type, produce: (record) => compiled.evaluate(record), refs: compiled.refs };
    } catch (error) {
      if (!(error instanceof ExprError)) throw error;
      ctx.report(['expr'], error.code, `expression: ${error.message}`, error.hint, error.offset);
      return { type: 'any', produce: () => null, refs: [] };
    }
  },
};
