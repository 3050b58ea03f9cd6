import type { Report } from '../mapping/compile.js';
import type { ConnectorSpec } from './model.js';
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
      report(['credentials', composed], 'template_without_credential', `${composed} "${template}" uses no credential field, so it authenticates nothing`, `write the field in it, e.g. {{ credentials.${Object.keys(credentials.fields)[0]} }}`);
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
