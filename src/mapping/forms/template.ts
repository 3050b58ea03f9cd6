import { compileTemplate, TemplateSyntaxError } from '../../definition/template.js';
import { suggestion } from '../../definition/suggest.js';
import type { SourceRecord } from '../../source/types.js';
import { isEmpty, type CompiledForm, type FormContext } from './types.js';

type Part = string | ((record: SourceRecord) => unknown);

/**
 * Text joined from fields: a missing part is empty, the result is trimmed, and the value is
 * empty when every part is.
 * ```yaml
 * fields:
 *   full_name: { template: "{{ first_name }} {{ last_name }}" }
 *   note: { template: "{{ username }} ({{ meta.credential_name }})" }
 * ```
 */
export const template = {
  type: 'template',
  create(spec: { template: string }, ctx: FormContext): CompiledForm {
    let parsed;
    try {
      parsed = compileTemplate(spec.template);
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      ctx.report(['template'], 'template_syntax', error.message, 'write {{ field }}, e.g. {{ first_name }} {{ last_name }}');
      return { type: 'string', produce: () => null, refs: [] };
    }
    const parts: Part[] = parsed.parts.map((part) => (typeof part === 'string' ? part : reader(part, spec.template, ctx)));
    return {
      type: 'string',
      refs: parsed.parts.filter((p): p is string[] => Array.isArray(p) && p.length === 1).map((p) => p[0]).filter((n) => ctx.scope.fields.has(n)),
      produce: (record) => {
        let text = '';
        let filled = false;
        for (const part of parts) {
          if (typeof part === 'string') text += part;
          else {
            const value = part(record);
            if (!isEmpty(value)) {
              text += String(value);
              filled = true;
            }
          }
        }
        return filled ? text.trim() : null;
      },
    };
  },
};

/** `first_name`, `meta.sync_time` or `settings.<name>` → a reader; reports any other name. */
function reader(path: string[], text: string, ctx: FormContext): (record: SourceRecord) => unknown {
  const [root, member] = path;
  const offset = Math.max(0, text.indexOf(path.join('.')));
  if (path.length === 1 && ctx.scope.fields.has(root)) return (record) => record[root];
  if (path.length === 2 && root === 'meta' && (member === 'sync_time' || member === 'credential_name')) {
    const value = ctx.meta[member];
    return () => value;
  }
  if (path.length === 2 && root === 'settings' && member in ctx.scope.settings) {
    const value = ctx.meta.settings[member];
    return () => value;
  }
  const names = [...ctx.scope.fields.keys(), 'meta.sync_time', 'meta.credential_name', ...Object.keys(ctx.scope.settings).map((s) => `settings.${s}`)];
  ctx.report(['template'], 'unknown_field', `{{ ${path.join('.')} }}: "${path.join('.')}" is not a field of the connector`, suggestion(path.join('.'), names), offset);
  return () => null;
}
