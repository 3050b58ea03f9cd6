import { Registry } from '../../registry.js';
import type { Auth, AuthContext, AuthSpec } from './types.js';
import { bearer } from './bearer.js';

export type * from './types.js';

/** The auth family, keyed by `credentials.type`; one file per type beside this one. */
export const auths = new Registry<AuthSpec, AuthContext, Auth>('credentials');
auths.add(bearer);

/** Auth types that only the cloud installation type may use (tokens refreshed by the instance). */
export const cloudOnlyAuth = new Set(['oauth2_client_credentials', 'oauth2_refresh_token', 'aws_signature']);
