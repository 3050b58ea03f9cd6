import type { CredentialsSpec } from '../../definition/model.js';
import { Registry } from '../../registry.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';
import { apiKey } from './api_key.js';
import { basic } from './basic.js';
import { bearer } from './bearer.js';
import { oauth2ClientCredentials } from './oauth2_client_credentials.js';
import { oauth2JwtBearer } from './oauth2_jwt_bearer.js';
import { oauth2RefreshToken } from './oauth2_refresh_token.js';
import { session } from './session.js';

export type * from './types.js';

/** The auth family, keyed by `credentials.type`; one file per type beside this one. */
export const auths = new Registry<AuthSpec, AuthContext, Auth>('credentials');
auths.add(bearer).add(apiKey).add(basic).add(oauth2ClientCredentials).add(oauth2RefreshToken).add(oauth2JwtBearer).add(session);

/**
 * Auth types only the cloud installation type may use: their tokens are issued to and refreshed
 * by the instance, which keeps client secrets in its vault.
 */
export const cloudOnlyAuth = new Set(['oauth2_client_credentials', 'oauth2_refresh_token', 'oauth2_jwt_bearer', 'aws_signature']);

/**
 * Why credentials need the cloud installation type, or undefined when a local one may use them:
 * a cloud-only type, or a `session` whose login is an OAuth 2 grant in disguise (a `grant_type`
 * in its body) — client secrets and their grants belong in the instance's vault either way.
 */
export function cloudOnlyReason(credentials: CredentialsSpec): string | undefined {
  if (cloudOnlyAuth.has(credentials.type)) return credentials.type;
  if (credentials.type !== 'session') return undefined;
  const body = (credentials.login as { body?: Record<string, unknown> } | undefined)?.body ?? {};
  const grant = Object.entries(body).find(([key]) => key.toLowerCase() === 'grant_type');
  return grant ? `session with an OAuth 2 grant (login.body.grant_type: ${String(grant[1])})` : undefined;
}
