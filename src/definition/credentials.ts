import type { Report } from '../mapping/compile.js';
import type { ConnectorSpec } from './model.js';
import { suggestion } from './suggest.js';
import { compileTemplate, TemplateSyntaxError } from './template.js';

/**
 * Cross-checks of a connector's `credentials:` formats that a schema cannot express: a composed
 * value (`api_key.value`, `basic.username`) replaces the options it would contradict, and builds
 * on at least one credential field (a value made of none authenticates nothing).
 *
 * ```yaml
 * credentials: { type: api_key, in: header, name: Authorization, value: "Token token={{ credentials.key }}", fields: { key: … } }
 * ```
 */
export function checkCredentialFormats(spec: ConnectorSpec, report: Report): void {
  const credentials = spec.credentials;
  const composed = credentials.type === 'api_key' ? 'value' : credentials.type === 'basic' ? 'username' : undefined;
  if (!composed) return;
  const template = credentials[composed];
  const replaced = composed === 'value' ? ['scheme', 'key_field'] : ['username_field'];
  if (typeof template === 'string') {
    for (const option of replaced.filter((o) => credentials[o] !== undefined)) {
      report(['credentials', option], 'conflicting_options', `${option} and ${composed} both say how the ${composed === 'value' ? 'value' : 'user name'} is written`, `keep ${composed} (it can write ${option === 'scheme' ? `"${String(credentials.scheme)} {{ credentials.<field> }}"` : '{{ credentials.<field> }}'}) and remove ${option}`, 'key');
    }
    if (!referencesCredential(template)) {
      // the value itself is not repeated: it may be a key pasted into the file
      report(['credentials', composed], 'template_without_credential', `${composed} uses no credential field, so it authenticates nothing (and a key written into the file is not kept secret)`, `write the field in it, e.g. {{ credentials.${Object.keys(credentials.fields)[0]} }}, and give the key in its environment variable`);
    }
  } else if (composed === 'username' && credentials.username_field === undefined) {
    report(['credentials'], 'missing_option', 'basic credentials need a user name: username_field (a credential field) or username (a template)', `add username_field: ${Object.keys(credentials.fields)[0]}, or username: "{{ credentials.<field> }}…"`, 'key');
  }
}

function referencesCredential(template: string): boolean {
  try {
    return compileTemplate(template).refs.some((ref) => ref.startsWith('credentials.'));
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return true; // reported as template_syntax
    throw error;
  }
}

/** The names a token grant exports to request templates as `{{ auth.<name> }}` (none for other types). */
export function exportNames(spec: ConnectorSpec): string[] {
  const exports = spec.credentials.exports;
  return exports && typeof exports === 'object' ? Object.keys(exports) : [];
}

/** The grants that can export values of their response (`credentials.exports`). */
const exportingTypes = ['oauth2_client_credentials', 'oauth2_refresh_token', 'oauth2_jwt_bearer', 'session'];

/** The hint for `{{ auth.<name> }}` that the credentials do not export: the nearest export, or how to add one. */
export function exportHint(name: string, exported: string[]): string {
  if (exported.length) return `${suggestion(name, exported)} (exported: ${exported.join(', ')}; add more under credentials.exports)`;
  return `only a token grant (${exportingTypes.join(', ')}) exports values of its response: add exports: { ${name || '<name>'}: <path in the token response> } to its credentials`;
}

/** Values a token grant's response cannot export: the token itself, which templates would then carry around. */
const secretPaths = new Set(['access_token', 'refresh_token', 'id_token']);

/**
 * Checks of `credentials.exports`: the token itself is never exported, and a session — which logs
 * in below the base URL — cannot take its base URL from its own response.
 *
 * ```yaml
 * credentials: { type: oauth2_refresh_token, …, exports: { instance_url: instance_url } }
 * base_url: "{{ auth.instance_url }}/services/data/v59.0"
 * ```
 */
export function checkAuthExports(spec: ConnectorSpec, report: Report): void {
  const exports = (spec.credentials.exports ?? {}) as Record<string, string>;
  for (const [name, path] of Object.entries(exports)) {
    if (secretPaths.has(path)) {
      report(['credentials', 'exports', name], 'secret_export', `exports.${name} would hand the token (${path}) to the request templates`, 'the credentials send the token themselves; export only values such as instance_url');
    }
  }
  if (spec.credentials.type === 'session' && /\{\{\s*auth\./.test(spec.base_url)) {
    report(['base_url'], 'auth_in_base_url', 'base_url uses {{ auth.… }}, but a session logs in below base_url, before its response is known', 'give base_url without {{ auth.… }}; a session\'s exports can be used in the request path, query, headers and body');
  }
}
