import type { ComponentDefinition } from '../../registry.js';
import { CredentialError } from '../../errors.js';
import { below } from '../below.js';
import { encodeBody } from '../http.js';
import { getter } from '../paths.js';
import { expiresAt, renderAuth, tokenCache } from './token.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

/**
 * `type: session` — a login request whose response yields the token, then sent on every call.
 * Logged in again once after an HTTP 401.
 *
 * ```yaml
 * credentials:
 *   type: session
 *   login:
 *     path: /auth/login                       # below the base URL (".." that leads out of it is refused)
 *     body:
 *       username: "{{ credentials.user }}"
 *       password: "{{ credentials.password }}"
 *     token: { from: body, path: data.token }  # or { from: header, path: X-Session-Token }
 *     expires_in_seconds: 3600
 *   header: Authorization
 *   scheme: Bearer
 *   fields:
 *     user:     { label: User, secret: false, env: ACME_USER }
 *     password: { label: Password, secret: true, env: ACME_PASSWORD }
 * ```
 * `exports` hands values of the login response to the request path, query, headers and body as
 * `{{ auth.<name> }}` (see token.ts); not to base_url, below which the login is sent.
 */
interface SessionSpec extends AuthSpec {
  login: { path: string; body_type?: 'json' | 'form'; body: Record<string, string>; token: { from: 'body' | 'header'; path: string }; expires_in_seconds?: number };
  header: string;
  scheme?: string;
  exports?: Record<string, string>;
}

export const session: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'session',
  create(config, ctx) {
    const spec = config as SessionSpec;
    const tokenAt = getter(spec.login.token.path);
    const cache = tokenCache(ctx, async () => {
      const url = below(ctx.baseUrl, spec.login.path, 'login path');
      const values = Object.fromEntries(Object.entries(spec.login.body).map(([k, v]) => [k, renderAuth(v, ctx)]));
      const { body, contentType } = encodeBody(spec.login.body_type ?? 'json', values);
      const response = await ctx.send({ method: 'POST', url, headers: { 'content-type': contentType }, body });
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.text);
      } catch {
        parsed = undefined;
      }
      const token = spec.login.token.from === 'header' ? response.headers[spec.login.token.path.toLowerCase()] : tokenAt(parsed);
      if (response.status >= 400 || typeof token !== 'string' || !token) {
        throw new CredentialError('login_refused', `the login request ${url.pathname} did not return a token (HTTP ${response.status})`, { hint: 'check the user name and password, and login.token.path in the connector' });
      }
      return { value: token, expiresAt: expiresAt(spec.login.expires_in_seconds ?? 3600), body: parsed, source: `the login request ${url.pathname}` };
    }, spec.exports);
    return {
      apply: async (request) => {
        const token = await cache.get();
        request.headers[spec.header.toLowerCase()] = spec.scheme ? `${spec.scheme} ${token}` : token;
      },
      refresh: async () => {
        cache.drop();
        return true;
      },
      exports: cache.exports,
    };
  },
};
