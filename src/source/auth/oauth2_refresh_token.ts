import type { ComponentDefinition } from '../../registry.js';
import { bearerFrom, renderAuth, requestToken, tokenCache } from './token.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';

/**
 * `type: oauth2_refresh_token` — exchanges a stored refresh token for access tokens (RFC 6749
 * §6), cached until expiry and renewed once after an HTTP 401. Needs the cloud installation type.
 *
 * ```yaml
 * credentials:                       # Google Workspace
 *   type: oauth2_refresh_token
 *   token_url: https://oauth2.googleapis.com/token
 *   client_id_field: client_id
 *   client_secret_field: client_secret
 *   refresh_token_field: refresh_token
 *   fields:
 *     client_id:     { label: OAuth client ID, secret: false, env: GOOGLE_CLIENT_ID }
 *     client_secret: { label: OAuth client secret, secret: true, env: GOOGLE_CLIENT_SECRET }
 *     refresh_token: { label: Refresh token, secret: true, env: GOOGLE_REFRESH_TOKEN }
 * ```
 * `exports: { instance_url: instance_url }` hands values of the token response to the request
 * templates as `{{ auth.<name> }}` (Salesforce's base URL; see token.ts).
 *
 * A provider that rotates refresh tokens answers with a new `refresh_token` (RFC 6749 §6): it is
 * used from then on, masked, and handed to `credentialChanged`, so the vault keeps it for the
 * next run (the old one may be revoked already).
 */
interface RefreshTokenSpec extends AuthSpec {
  token_url: string;
  client_id_field: string;
  client_secret_field: string;
  refresh_token_field: string;
  scopes?: string[];
  exports?: Record<string, string>;
}

export const oauth2RefreshToken: ComponentDefinition<AuthSpec, AuthContext, Auth> = {
  type: 'oauth2_refresh_token',
  create(config, ctx) {
    const spec = config as RefreshTokenSpec;
    const cache = tokenCache(ctx, async () => {
      const form: Record<string, string> = {
        grant_type: 'refresh_token',
        refresh_token: ctx.credentials[spec.refresh_token_field],
        client_id: ctx.credentials[spec.client_id_field],
        client_secret: ctx.credentials[spec.client_secret_field],
      };
      if (spec.scopes?.length) form.scope = spec.scopes.map((scope) => renderAuth(scope, ctx)).join(' ');
      const token = await requestToken(ctx, renderAuth(spec.token_url, ctx), form);
      const rotated = (token.body as Record<string, unknown> | undefined)?.refresh_token;
      if (typeof rotated === 'string' && rotated.trim() && rotated.trim() !== form.refresh_token) ctx.credentialChanged(spec.refresh_token_field, rotated.trim());
      return token;
    }, spec.exports);
    return bearerFrom(cache);
  },
};
