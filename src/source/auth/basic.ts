import type { ComponentDefinition } from '../../registry.js';
import { renderAuth } from './token.js';
import { usesSecret, type Auth, type AuthContext, type AuthSpec } from './types.js';

/**
 * `type: basic` — HTTP basic auth. Without `password_field`, the password is empty (APIs that
 * take the key as the user name, e.g. `Authorization: Basic base64(<key>:)`).
 *
 * ```yaml
 * credentials:
 *   type: basic
 *   username_field: user
 *   password_field: secret
 *   fields:
 *     user:   { label: User name, secret: false, env: ACME_USER }
 *     secret: { label: Password, secret: true, env: ACME_PASSWORD }
 * ```
 * `username` builds the user name from the credential fields instead (Zendesk API tokens:
 * `{email}/token:{api_token}`); the composed `user:password` is registered with the scrubber, so
 * it and its base64 (the header) are masked whole.
 *
 * ```yaml
 * credentials:
 *   type: basic
 *   username: "{{ credentials.email }}/token"
 *   password_field: api_token
 *   fields:
 *     email:     { label: Agent e-mail, secret: false, env: ZENDESK_EMAIL }
 *     api_token: { label: API token, secret: true, env: ZENDESK_API_TOKEN }
 * ```
 */
interface BasicSpec extends AuthSpec {
  username_field?: string;
  username?: string;
  password_field?: string;
}

export const basic: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'basic',
  create(config, ctx) {
    const spec = config as BasicSpec;
    const user = spec.username !== undefined ? renderAuth(spec.username, ctx) : ctx.credentials[spec.username_field!];
    const password = spec.password_field ? ctx.credentials[spec.password_field] : '';
    const pair = `${user}:${password}`;
    const secretPassword = spec.password_field !== undefined && spec.fields[spec.password_field]?.secret !== false;
    if (spec.username !== undefined && (secretPassword || usesSecret(spec.username, spec))) ctx.addSecret(pair);
    const value = `Basic ${Buffer.from(pair).toString('base64')}`;
    return {
      apply: async (request) => {
        request.headers.authorization = value;
      },
    };
  },
};
