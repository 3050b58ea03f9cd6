import type { CredentialOwner } from '../../definition/model.js';
import type { CredentialValues } from '../../source/auth/types.js';

/** Where a credential field's value comes from. */
export type Origin = 'environment' | 'file' | 'vault' | 'missing';

/** What every credential store is given: the process environment and the embedded store (the vault's home). */
export interface StoreContext {
  env: NodeJS.ProcessEnv;
  /** the embedded store's file */
  db: string;
}

/**
 * A credential store (`local`: environment, then the credentials file; `vault`: the embedded
 * store's encrypted table). Each one is a component registered by its type (./index.ts).
 */
export interface CredentialStore {
  type: string;
  /** where each declared field would come from, decrypting nothing (intake credentials list, intake integrations) */
  locate(connector: CredentialOwner): Record<string, Origin>;
  /** the connector's values this store holds, and where each came from; fields it lacks are left out */
  read(connector: CredentialOwner): { values: CredentialValues; from: Record<string, Origin> };
  /** what is missing, in words: `SLACK_TOKEN (User token)`, with the hint that tells how to set it */
  missing(connector: CredentialOwner, fields: string[]): { where: string; hint: string };
}
