import type { CredentialOwner } from '../definition/model.js';
import { UsageError } from '../errors.js';
import { cloudOnlyReason } from '../source/auth/index.js';
import { openStore, openStoreForReading } from '../store/db.js';
import { readCredentialsFile, removeFromFile, setInFile } from './file.js';
import { keyVariable, loadVaultKey } from './key.js';
import { credentialsFile, vaultKeyFile } from './paths.js';
import { exists } from './private.js';
import { minimumSecretLength, registerSecret } from './scrub.js';
import { keyMissing } from './stores/vault.js';
import type { Origin } from './stores/types.js';
import { Vault } from './vault.js';

/**
 * What `intake credentials set | list | remove` do to the two stores: the local credentials file
 * and the vault in the embedded store. Values come in from the CLI (a hidden prompt or stdin) and
 * go out only into the file or the vault, never into a message.
 */

export interface Where {
  env: NodeJS.ProcessEnv;
  /** the embedded store's file (the vault's home) */
  db: string;
}

export interface Stored {
  connector: string;
  fields: string[];
  store: 'file' | 'vault';
  /** the credentials file, or the embedded store */
  path: string;
  /** the vault's key: where it is, and whether it was made now */
  key?: { source: string; created: boolean };
  /** fields whose environment variable is set: it wins over the file */
  overridden: string[];
}

/** Checks values before they are stored: every field non-empty, every secret long enough to be masked. */
export function checkValues(connector: CredentialOwner, values: Record<string, string>): void {
  const declared = connector.credentials.fields;
  for (const [name, value] of Object.entries(values)) if (declared[name].secret !== false) registerSecret(value);
  const short = Object.entries(values).filter(([name, value]) => declared[name].secret !== false && value.length < minimumSecretLength).map(([name]) => name);
  if (short.length) {
    throw new UsageError('credential_too_short', `the value given for ${short.map((n) => `${n} (${declared[n].label})`).join(', ')} of ${connector.id} is shorter than ${minimumSecretLength} characters; nothing was stored`, {
      hint: 'a secret that short cannot be kept out of messages and the store without masking ordinary text; check that you gave the whole credential',
    });
  }
}

/** A connector whose auth only a cloud installation runs may not go into the local file. */
export function refuseLocal(connector: CredentialOwner): void {
  const reason = cloudOnlyReason(connector.credentials);
  if (!reason) return;
  throw new UsageError('needs_cloud', `connector ${connector.id} authenticates with ${reason}, which a local installation does not run: its credentials belong in the vault, not in the local credentials file; nothing was stored`, {
    hint: `choose cloud: store them with intake credentials set ${connector.id} --cloud, and write installation: cloud in its mapping (docs/installation.md)`,
  });
}

/** Writes values into the local file (created 0600 when missing) or into the vault (its key made on first use). */
export function storeValues(connector: CredentialOwner, values: Record<string, string>, cloud: boolean, where: Where): Stored {
  const fields = Object.keys(values).sort();
  if (!cloud) {
    refuseLocal(connector);
    const path = credentialsFile(where.env);
    setInFile(path, connector.id, values);
    const overridden = fields.filter((name) => {
      const variable = connector.credentials.fields[name].env;
      return Boolean(variable && where.env[variable]?.trim());
    });
    return { connector: connector.id, fields, store: 'file', path, overridden };
  }
  const db = openStore(where.db);
  try {
    const vault = new Vault(db);
    const empty = vault.entries().length === 0;
    const hadKey = Boolean(where.env[keyVariable]?.trim()) || exists(vaultKeyFile(where.env));
    // a vault that holds values is never given a new key: that would make them unreadable
    const key = loadVaultKey(where.env, empty);
    if (!key) throw keyMissing(where.db, where.env);
    vault.write(connector.id, values, key);
    return { connector: connector.id, fields, store: 'vault', path: where.db, key: { source: key.source, created: !hadKey }, overridden: [] };
  } finally {
    db.close();
  }
}

/** Removes a connector's values from the file or the vault; how many fields it held there. */
export function removeValues(connectorId: string, cloud: boolean, where: Where): { store: 'file' | 'vault'; path: string; removed: boolean } {
  if (!cloud) {
    const path = credentialsFile(where.env);
    return { store: 'file', path, removed: removeFromFile(path, connectorId) };
  }
  if (!exists(where.db)) return { store: 'vault', path: where.db, removed: false };
  const db = openStore(where.db);
  try {
    return { store: 'vault', path: where.db, removed: new Vault(db).remove(connectorId) > 0 };
  } finally {
    db.close();
  }
}

export interface FieldListing {
  field: string;
  label: string;
  secret: boolean;
  env: string | null;
  /** where a run takes it from: a connector only a cloud installation runs reads the vault; any other the environment, then the file, then the vault */
  from: Origin;
  /** every place that holds a value for it */
  held_in: Exclude<Origin, 'missing'>[];
}

export interface ConnectorListing {
  connector: string;
  /** null: an id the file or the vault holds that no connector file has */
  name: string | null;
  installation: 'local' | 'cloud' | null;
  fields: FieldListing[];
}

/** Every connector's fields and where each comes from; values are never read out of the vault. */
export function listing(connectors: CredentialOwner[], where: Where): { file: { path: string; exists: boolean }; vault: { path: string; values: number; key: string | null }; connectors: ConnectorListing[] } {
  const file = readCredentialsFile(credentialsFile(where.env));
  const db = openStoreForReading(where.db);
  let entries: { connector: string; field: string }[];
  try {
    entries = new Vault(db).entries();
  } finally {
    db.close();
  }
  const inVault = (id: string, field: string) => entries.some((e) => e.connector === id && e.field === field);
  const listed: ConnectorListing[] = connectors.map((connector) => {
    const cloud = cloudOnlyReason(connector.credentials) !== undefined;
    return {
      connector: connector.id,
      name: connector.name,
      installation: cloud ? 'cloud' : 'local',
      fields: Object.entries(connector.credentials.fields).map(([name, field]) => {
        const held: Exclude<Origin, 'missing'>[] = [];
        if (field.env && where.env[field.env]?.trim()) held.push('environment');
        if (file.connectors.get(connector.id)?.has(name)) held.push('file');
        if (inVault(connector.id, name)) held.push('vault');
        const from: Origin = cloud ? (held.includes('vault') ? 'vault' : 'missing') : held[0] ?? 'missing';
        return { field: name, label: field.label, secret: field.secret !== false, env: field.env ?? null, from, held_in: held };
      }),
    };
  });
  listed.push(...strays(new Set(connectors.map((c) => c.id)), file.connectors, entries));
  const key = where.env[keyVariable]?.trim() ? keyVariable : exists(vaultKeyFile(where.env)) ? vaultKeyFile(where.env) : null;
  return { file: { path: file.path, exists: file.exists }, vault: { path: where.db, values: entries.length, key }, connectors: listed };
}

/** Ids the file or the vault holds that no connector file has (a removed or renamed connector): listed so they can be removed. */
function strays(known: Set<string>, file: Map<string, Map<string, string>>, vault: { connector: string; field: string }[]): ConnectorListing[] {
  const held = new Map<string, Map<string, Exclude<Origin, 'missing'>[]>>();
  const add = (id: string, field: string, place: 'file' | 'vault') => {
    if (known.has(id)) return;
    const fields = held.get(id) ?? held.set(id, new Map()).get(id)!;
    fields.set(field, [...(fields.get(field) ?? []), place]);
  };
  for (const [id, fields] of file) for (const field of fields.keys()) add(id, field, 'file');
  for (const entry of vault) add(entry.connector, entry.field, 'vault');
  return [...held].sort(([a], [b]) => a.localeCompare(b)).map(([id, fields]) => ({
    connector: id,
    name: null,
    installation: null,
    fields: [...fields].map(([field, places]) => ({ field, label: '', secret: true, env: null, from: places[0], held_in: places })),
  }));
}
