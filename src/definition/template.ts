/**
 * The one template syntax of connector files: `{{ scope.name }}` placeholders, nothing else.
 * No expressions, no JavaScript: a placeholder is a dotted variable path, resolved at render.
 *
 * ```yaml
 * base_url: "{{ settings.base_url }}"          # the whole string: keeps the value's type
 * query: { user: "{{ record.user_id }}" }
 * message: "Slack refused users.list: {{ code }}"
 * ```
 */
export type Vars = Record<string, unknown>;

export interface Template {
  /** The dotted variable paths the template refers to, e.g. `settings.max_pages`. */
  readonly refs: string[];
  /** Literal text and variable paths (split at dots), in order. */
  readonly parts: readonly (string | string[])[];
  render(vars: Vars): unknown;
}

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const variable = /^[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z0-9_@$-]+)*$/;

/** Compiles once at load; throws `TemplateSyntaxError` for a placeholder that is not a plain variable path. */
export function compileTemplate(text: string): Template {
  const parts: (string | string[])[] = [];
  const refs: string[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholder)) {
    const ref = match[1];
    if (!variable.test(ref)) throw new TemplateSyntaxError(`"{{ ${ref} }}" is not a variable; templates only take names like {{ settings.page_size }}`);
    parts.push(text.slice(last, match.index), ref.split('.'));
    refs.push(ref);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  const literal = parts.filter((p): p is string => typeof p === 'string');
  if (refs.length === 0) return { refs, parts, render: () => text };
  const whole = refs.length === 1 && literal.every((p) => p === '');
  if (whole) {
    const path = parts.find((p): p is string[] => Array.isArray(p))!;
    return { refs, parts, render: (vars) => lookup(vars, path) };
  }
  return {
    refs,
    parts,
    render: (vars) => parts.map((p) => (typeof p === 'string' ? p : String(lookup(vars, p) ?? ''))).join(''),
  };
}

export class TemplateSyntaxError extends Error {}

function lookup(vars: Vars, path: string[]): unknown {
  let value: unknown = vars;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
