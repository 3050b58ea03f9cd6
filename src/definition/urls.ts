import type { Scalar } from './model.js';
import { compileTemplate, TemplateSyntaxError } from './template.js';

const unknown = '\u0000';

/**
 * Why a URL template (`base_url`, `token_url`) cannot give an http(s) URL with these settings,
 * or undefined when it does — or when the part that decides depends on a value only known when
 * the integration runs (a credential field, a setting without a value).
 *
 * ```yaml
 * base_url: "{{ settings.base_url }}"                        # checked with the setting's value
 * token_url: "https://{{ credentials.subdomain }}.example.com/oauth/token"   # checked as https://x.example.com/…
 * ```
 */
export function urlProblem(template: string, settings: Record<string, Scalar>): string | undefined {
  let parts: readonly (string | string[])[];
  try {
    parts = compileTemplate(template).parts;
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return undefined; // reported as template_syntax
    throw error;
  }
  const text = parts.map((p) => (typeof p === 'string' ? p : p[0] === 'settings' && p.length === 2 && settings[p[1]] !== undefined ? String(settings[p[1]]) : unknown)).join('');
  const scheme = /^([^:/?#]*):/.exec(text)?.[1];
  if (scheme?.includes(unknown) || (scheme === undefined && text.startsWith(unknown))) return undefined;
  let url: URL;
  try {
    url = new URL(text.split(unknown).join('x'));
  } catch {
    return `${JSON.stringify(text.split(unknown).join('…'))} is not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${JSON.stringify(text.split(unknown).join('…'))} is a ${url.protocol.slice(0, -1)}: URL; Intake only calls http(s) APIs`;
  if (url.username || url.password) return 'the URL holds a user name or password; credentials belong under credentials:, where they are kept secret';
  return undefined;
}

/** The settings a template uses: `{{ settings.base_url }}` → `['base_url']`. */
export function settingsUsed(template: string): string[] {
  try {
    return compileTemplate(template).refs.filter((r) => r.startsWith('settings.')).map((r) => r.slice('settings.'.length));
  } catch {
    return [];
  }
}
