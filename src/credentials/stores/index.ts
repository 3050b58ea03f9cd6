import type { CredentialOwner } from '../../definition/model.js';
import { CredentialError } from '../../errors.js';
import { Registry } from '../../registry.js';
import type { CredentialValues } from '../../source/auth/types.js';
import { secretsOf } from '../secrets.js';
import { local } from './local.js';
import type { CredentialStore, Origin, StoreContext } from './types.js';
import { vault } from './vault.js';

export type * from './types.js';
export { vaultKeeper } from './vault.js';

/** The credential store family, keyed by type; one file per type beside this one. */
export const credentialStores = new Registry<object, StoreContext, CredentialStore>('credential store');
credentialStores.add(local).add(vault);

/** The store an installation type reads: a local installation this machine's (`local`), a cloud one the vault. */
export function storeFor(installation: 'local' | 'cloud' | undefined, ctx: StoreContext): CredentialStore {
  return credentialStores.get(installation === 'cloud' ? 'vault' : 'local').create({}, ctx);
}

/**
 * A connector's credentials from a store: every declared field, each secret registered with the
 * scrubber. A field the store lacks is a `credentials_missing` error that names it and says how
 * to set it; a secret too short to be masked is refused (see ../local.ts).
 */
export function resolveFrom(store: CredentialStore, connector: CredentialOwner): { values: CredentialValues; from: Record<string, Origin> } {
  const { values, from } = store.read(connector);
  const missing = Object.keys(connector.credentials.fields).filter((name) => !values[name]);
  if (missing.length) {
    const { where, hint } = store.missing(connector, missing);
    throw new CredentialError('credentials_missing', `no credentials for connector ${connector.id}: ${where}`, { hint });
  }
  secretsOf(connector, values);
  return { values, from };
}
