import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { CredentialError } from '../../errors.js';
import type { ComponentDefinition } from '../../registry.js';
import { openStoreForReading } from '../../store/db.js';
import { keyVariable, loadVaultKey } from '../key.js';
import { vaultKeyFile } from '../paths.js';
import { Vault } from '../vault.js';
import type { CredentialStore, Origin, StoreContext } from './types.js';

/**
 * `vault` — the credentials of cloud integrations: the embedded store's `vault` table, each value
 * encrypted with AES-256-GCM under a key kept outside the store (`INTAKE_VAULT_KEY`, or the key
 * file beside the credentials file; see ../key.ts and ../vault.ts). Written by
 * `intake credentials set <connector> --cloud`; read by `intake run` on the vault's machine, which
 * also writes back a refresh token the provider rotates (`keeper`).
 */
export const vault: ComponentDefinition<object, StoreContext, CredentialStore> = {
  type: 'vault',
  create(_config, { env, db }) {
    const withVault = <T>(use: (vault: Vault) => T): T => {
      const store = openStoreForReading(db);
      try {
        return use(new Vault(store));
      } finally {
        store.close();
      }
    };
    return {
      type: 'vault',
      locate(connector) {
        const held = new Set(withVault((v) => v.fields(connector.id)));
        return Object.fromEntries(Object.keys(connector.credentials.fields).map((name) => [name, held.has(name) ? 'vault' : 'missing'])) as Record<string, Origin>;
      },
      read(connector) {
        return withVault((v) => {
          if (!v.fields(connector.id).length) return { values: {}, from: {} };
          const key = loadVaultKey(env);
          if (!key) throw keyMissing(db, env);
          const values = v.read(connector.id, key);
          const declared = Object.keys(connector.credentials.fields).filter((name) => name in values);
          return { values: Object.fromEntries(declared.map((name) => [name, values[name]])), from: Object.fromEntries(declared.map((name) => [name, 'vault' as const])) };
        });
      },
      missing(connector, fields) {
        const declared = connector.credentials.fields;
        return {
          where: `${fields.map((name) => `${name} (${declared[name].label})`).join(', ')} not in the vault of ${db}`,
          hint: `store ${fields.length > 1 ? 'them' : 'it'} in the vault on this machine: intake credentials set ${connector.id} --cloud${db === resolve(env.INTAKE_DB || 'intake.db') ? '' : ` --db ${db}`}`,
        };
      },
    };
  },
};

/** The vault holds values, but no key is given and the key file is gone. */
export function keyMissing(db: string, env: NodeJS.ProcessEnv): CredentialError {
  return new CredentialError('vault_key_missing', `the vault in ${db} holds credentials, but there is no vault key: ${keyVariable} is not set and ${vaultKeyFile(env)} does not exist`, {
    hint: `restore the key file from your backup (or set ${keyVariable} to the key); without it the vault cannot be read`,
  });
}

/**
 * Writes back, through the run's own store connection, values the provider changed during a run
 * (a rotated refresh token): at once when no transaction is open, else as soon as the batch's
 * transaction has ended, so a batch that rolls back never takes the new token with it.
 * `flush()` returns a warning when the vault could not keep a value.
 */
export function vaultKeeper(db: Database.Database, connector: string, env: NodeJS.ProcessEnv): { change(field: string, value: string): void; flush(): string | undefined } {
  const pending = new Map<string, string>();
  let failed: string | undefined;
  const flush = () => {
    if (!pending.size || db.inTransaction) return failed;
    const values = Object.fromEntries(pending);
    pending.clear();
    try {
      const key = loadVaultKey(env);
      if (!key) throw keyMissing(db.name, env);
      new Vault(db).write(connector, values, key);
    } catch (error) {
      failed = `the provider issued a new ${Object.keys(values).join(', ')} for ${connector}, and the old one may no longer work, but the vault could not keep it (${error instanceof Error ? error.message : String(error)}): authorise again and set it with intake credentials set ${connector} --cloud`;
    }
    return failed;
  };
  return {
    change(field, value) {
      pending.set(field, value);
      flush();
    },
    flush,
  };
}
