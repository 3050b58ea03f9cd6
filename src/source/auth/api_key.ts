import type { ComponentDefinition } from '../../registry.js';
import { fieldOf, type Auth, type AuthContext, type AuthSpec } from './types.js';

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
 * With `in: query`, `name` is the query parameter (`?api_key=<key>`).
 */
interface ApiKeySpec extends AuthSpec {
  in: 'header' | 'query';
  name: string;
  scheme?: string;
  key_field?: string;
}

export const apiKey: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'api_key',
  create(config, { credentials }) {
    const spec = config as ApiKeySpec;
    const key = credentials[fieldOf(spec, spec.key_field)];
    const value = spec.scheme ? `${spec.scheme} ${key}` : key;
    return {
      apply: async (request) => {
        if (spec.in === 'query') request.url.searchParams.set(spec.name, value);
        else request.headers[spec.name.toLowerCase()] = value;
      },
    };
  },
};
