import type Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { CredentialError } from '../errors.js';
import { keyVariable, type VaultKey } from './key.js';
import { registerSecret } from './scrub.js';

/**
 * The vault: the credentials of cloud integrations, one row per connector and field in the
 * embedded store's `vault` table, each value encrypted with AES-256-GCM:
 *
 * | column       | what                                                                  |
 * |--------------|-----------------------------------------------------------------------|
 * | `connector`  | connector id (plain text)                                             |
 * | `field`      | credential field (plain text)                                         |
 * | `key_id`     | the key's fingerprint (HMAC-SHA256 of a fixed text, 16 hex digits)    |
 * | `nonce`      | 12 random bytes, new for every value written                          |
 * | `ciphertext` | the value's UTF-8 bytes, encrypted                                    |
 * | `tag`        | the 16-byte GCM authentication tag                                    |
 *
 * The associated data is `intake-vault-v1`, the connector id and the field, NUL-separated, so a
 * value moved to another row does not decrypt. The key never enters the store (see key.ts). A key
 * that is not the vault's is told by its fingerprint before anything is decrypted; a value that
 * fails authentication with the right key was changed or damaged. Either is an error, never garbage.
 */
export class Vault {
  constructor(private readonly db: Database.Database) {}

  /** The fields the vault holds for a connector (no key needed). */
  fields(connector: string): string[] {
    return (this.db.prepare('SELECT field FROM vault WHERE connector = ? ORDER BY field').all(connector) as { field: string }[]).map((r) => r.field);
  }

  /** Every connector and field in the vault, with when it was written (no key needed). */
  entries(): { connector: string; field: string; updated_at: string }[] {
    return this.db.prepare('SELECT connector, field, updated_at FROM vault ORDER BY connector, field').all() as { connector: string; field: string; updated_at: string }[];
  }

  /** Whether this key opens the vault: an empty vault takes any key. */
  opensWith(key: VaultKey): boolean {
    const ids = this.db.prepare('SELECT DISTINCT key_id FROM vault').all() as { key_id: string }[];
    return ids.every((r) => r.key_id === key.id);
  }

  /** The decrypted values of a connector (each registered with the scrubber as it is decrypted). */
  read(connector: string, key: VaultKey): Record<string, string> {
    this.check(key);
    const rows = this.db.prepare('SELECT field, nonce, ciphertext, tag FROM vault WHERE connector = ?').all(connector) as { field: string; nonce: Buffer; ciphertext: Buffer; tag: Buffer }[];
    const values: Record<string, string> = {};
    for (const row of rows) {
      const value = decrypt(key, connector, row);
      registerSecret(value);
      values[row.field] = value;
    }
    return values;
  }

  /** Writes values of a connector (one transaction; a fresh nonce for each). */
  write(connector: string, values: Record<string, string>, key: VaultKey): void {
    this.check(key);
    const statement = this.db.prepare(`INSERT INTO vault (connector, field, key_id, nonce, ciphertext, tag, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(connector, field) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at = excluded.updated_at`);
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const [field, value] of Object.entries(values)) {
        const sealed = encrypt(key, connector, field, value);
        statement.run(connector, field, key.id, sealed.nonce, sealed.ciphertext, sealed.tag, now);
      }
    }).immediate();
  }

  /** Removes a connector's values; how many fields were removed. */
  remove(connector: string): number {
    return this.db.prepare('DELETE FROM vault WHERE connector = ?').run(connector).changes;
  }

  /** Encrypts every value again under a new key, in one transaction: all or nothing. */
  rekey(current: VaultKey, next: VaultKey): number {
    this.check(current);
    const rows = this.db.prepare('SELECT connector, field, nonce, ciphertext, tag FROM vault').all() as { connector: string; field: string; nonce: Buffer; ciphertext: Buffer; tag: Buffer }[];
    const update = this.db.prepare('UPDATE vault SET key_id = ?, nonce = ?, ciphertext = ?, tag = ? WHERE connector = ? AND field = ?');
    this.db.transaction(() => {
      for (const row of rows) {
        const sealed = encrypt(next, row.connector, row.field, decrypt(current, row.connector, row));
        update.run(next.id, sealed.nonce, sealed.ciphertext, sealed.tag, row.connector, row.field);
      }
    }).immediate();
    return rows.length;
  }

  private check(key: VaultKey): void {
    if (this.opensWith(key)) return;
    throw new CredentialError('vault_key_wrong', `the vault key from ${key.source} is not the key the vault in ${this.db.name} was written with; nothing was decrypted`, {
      hint: key.source !== keyVariable && existsSync(`${key.source}.new`)
        ? `a key rotation was interrupted after the vault was encrypted again: its new key is ${key.source}.new; put it in place with: mv ${key.source}.new ${key.source}`
        : key.source === keyVariable
        ? `set ${keyVariable} to the vault's key (or unset it to use the key file), or restore the key from your backup`
        : `restore ${key.source} from your backup, or set ${keyVariable} to the vault's key; a lost key cannot be recovered: remove the values (intake credentials remove <connector> --cloud) and set them again`,
    });
  }
}

const cipher = 'aes-256-gcm';

function aad(connector: string, field: string): Buffer {
  return Buffer.from(`intake-vault-v1\0${connector}\0${field}`, 'utf8');
}

function encrypt(key: VaultKey, connector: string, field: string, value: string): { nonce: Buffer; ciphertext: Buffer; tag: Buffer } {
  const nonce = randomBytes(12);
  const gcm = createCipheriv(cipher, key.key, nonce);
  gcm.setAAD(aad(connector, field));
  const ciphertext = Buffer.concat([gcm.update(value, 'utf8'), gcm.final()]);
  return { nonce, ciphertext, tag: gcm.getAuthTag() };
}

function decrypt(key: VaultKey, connector: string, row: { field: string; nonce: Buffer; ciphertext: Buffer; tag: Buffer }): string {
  try {
    if (row.nonce.length !== 12 || row.tag.length !== 16) throw new Error('a nonce or tag of the wrong length');
    const gcm = createDecipheriv(cipher, key.key, row.nonce, { authTagLength: 16 });
    gcm.setAAD(aad(connector, row.field));
    gcm.setAuthTag(row.tag);
    return Buffer.concat([gcm.update(row.ciphertext), gcm.final()]).toString('utf8');
  } catch (error) {
    throw new CredentialError('vault_value_damaged', `the vault value ${connector}.${row.field} does not decrypt with the vault's key: it was changed or damaged`, {
      hint: `set it again: intake credentials set ${connector} --field ${row.field} --cloud`,
      cause: error,
    });
  }
}
