import type { ComponentDefinition } from '../../registry.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

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
 */
interface BasicSpec extends AuthSpec {
  username_field: string;
  password_field?: string;
}

export const basic: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'basic',
  create(config, { credentials }) {
    const spec = config as BasicSpec;
    const password = spec.password_field ? credentials[spec.password_field] : '';
    const value = `Basic ${Buffer.from(`${credentials[spec.username_field]}:${password}`).toString('base64')}`;
    return {
      apply: async (request) => {
        request.headers.authorization = value;
      },
    };
  },
};
