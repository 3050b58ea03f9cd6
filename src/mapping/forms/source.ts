import { suggestion } from '../../definition/suggest.js';
import type { CompiledForm, FormContext } from './types.js';

/**
 * A connector field as it is (`convert`, `map`, `default` may follow).
 * ```yaml
 * fields:
 *   username: username                                # short for { source: username }
 *   email: { source: email, convert: lowercase }
 * ```
 */
export const source = {
  type: 'source',
  create(spec: { source: string }, ctx: FormContext): CompiledForm {
    const name = spec.source;
    const type = ctx.scope.fields.get(name);
    if (!type) ctx.report(['source'], 'unknown_field', `"${name}" is not a field of the connector`, suggestion(name, [...ctx.scope.fields.keys()]));
    return { type: type ?? 'any', produce: (record) => record[name], refs: [name] };
  },
};
