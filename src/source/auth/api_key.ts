import type { ComponentDefinition } from '../../registry.js';
import { renderAuth } from './token.js';
import { fieldOf, usesSecret, type Auth, type AuthContext, type AuthSpec } from './types.js';

/**
 * `type: api_key` — an API key in a header (with an optional scheme) or a query parameter.
 *
 * ```yaml
 * credentials:                       # Okta: Authorization: SSWS <token>
 *   type: api_key
 *   in: header
 *   name: Authorization
 *   scheme: SSWS
 *   fields:
 *     token: { label: API token, secret: true, env: OKTA_API_TOKEN }
 * ```
 * With `in: query`, `name` is the query parameter (`?api_key=<key>`). `value` writes the whole
 * value as a template over the credential fields, for formats a scheme cannot give:
 *
 * ```yaml
 * credentials:                       # PagerDuty: Authorization: Token token=<key>
 *   type: api_key
 *   in: header
 *   name: Authorization
 *   value: "Token token={{ credentials.key }}"
 *   fields:
 *     key: { label: REST API key, secret: true, env: PAGERDUTY_API_KEY }
 * ```
 * A value composed from a secret is registered with the scrubber whole, so it is masked as one.
 */
interface ApiKeySpec extends AuthSpec {
  in: 'header' | 'query';
  name: string;
  scheme?: string;
  value?: string;
  key_field?: string;
}

export const apiKey: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'api_key',
  create(config, ctx) {
    const spec = config as ApiKeySpec;
    const key = ctx.credentials[fieldOf(spec, spec.key_field)];
    const value = spec.value !== undefined ? renderAuth(spec.value, ctx) : spec.scheme ? `${spec.scheme} ${key}` : key;
    if (spec.value !== undefined && usesSecret(spec.value, spec)) ctx.addSecret(value);
    return {
      apply: async (request) => {
        if (spec.in === 'query') request.url.searchParams.set(spec.name, value);
        else request.headers[spec.name.toLowerCase()] = value;
      },
    };
  },
};
