import type { ComponentDefinition } from '../../registry.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

/**
 * `type: bearer` — `Authorization: Bearer <token>`.
 *
 * ```yaml
 * credentials:
 *   type: bearer
 *   fields:
 *     token: { label: "User token (xoxp-…)", secret: true, env: SLACK_TOKEN }
 *   required_scopes: [admin]
 * ```
 * The token is the first field declared.
 */
export const bearer: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'bearer',
  create(spec, { credentials }) {
    const field = Object.keys(spec.fields)[0];
    const value = `Bearer ${credentials[field]}`;
    return { headers: async () => ({ authorization: value }) };
  },
};
