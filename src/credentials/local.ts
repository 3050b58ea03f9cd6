import type { CredentialOwner } from '../definition/model.js';
import { resolveFrom, storeFor } from './stores/index.js';
import type { CredentialValues } from '../source/auth/types.js';

/**
 * This machine's credentials for a connector (the `local` credential store, ./stores/local.ts):
 * each field from the environment variable the connector declares, else from the private
 * credentials file. Values stay in this process; they are never written to the store, the run
 * log or any message: secret values are registered with the scrubber as they are read, and one
 * too short to be masked is refused.
 */
export function resolveLocalCredentials(connector: CredentialOwner, env: NodeJS.ProcessEnv = process.env): CredentialValues {
  return resolveFrom(storeFor('local', { env, db: '' }), connector).values;
}

export { secretsOf } from './secrets.js';
