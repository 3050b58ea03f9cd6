import type { ComponentDefinition } from '../../registry.js';
import { fieldOf, type Auth, type AuthContext, type AuthSpec } from './types.js';

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
 * The token is the field named by `token_field`, else the first field declared.
 */
export const bearer: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'bearer',
  create(spec, { credentials }) {
    const value = `Bearer ${credentials[fieldOf(spec, spec.token_field)]}`;
    return {
      apply: async (request) => {
        request.headers.authorization = value;
      },
    };
  },
};
