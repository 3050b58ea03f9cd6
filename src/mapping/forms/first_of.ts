import { suggestion } from '../../definition/suggest.js';
import type { ValueType } from '../types.js';
import { isEmpty, type CompiledForm, type FormContext } from './types.js';

/**
 * The first of several connector fields that has a value.
 * ```yaml
 * fields:
 *   email: { first_of: [mail, user_principal_name], convert: lowercase }
 * ```
 */
export const first_of = {
  type: 'first_of',
  create(spec: { first_of: string[] }, ctx: FormContext): CompiledForm {
    const names = spec.first_of;
    const types = new Set<ValueType>();
    names.forEach((name, i) => {
      const type = ctx.scope.fields.get(name);
      if (type) types.add(type);
      else ctx.report(['first_of', i], 'unknown_field', `"${name}" is not a field of the connector`, suggestion(name, [...ctx.scope.fields.keys()]));
    });
    return {
      type: types.size === 1 ? [...types][0] : 'any',
      refs: names,
      produce: (record) => {
        for (const name of names) {
          const value = record[name];
          if (!isEmpty(value)) return value;
        }
        return null;
      },
    };
  },
};
