import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, loadVaultKey, type VaultKey } from '../../src/credentials/key.js';
import { scrub } from '../../src/credentials/scrub.js';
import { Vault } from '../../src/credentials/vault.js';
import { CredentialError } from '../../src/errors.js';
import { openStore } from '../../src/store/db.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/** The vault: AES-256-GCM per value in the embedded store, the key outside it. */

const SECRET = 'Zx8Q~planted-vault-secret_4f1264799865';
const newKey = (source = 'test'): VaultKey => decode(randomBytes(32).toString('base64'), source);

let store: TempStore;
let db: Database.Database;
beforeEach(() => {
  store = tempStore();
  db = openStore(store.file);
});
afterEach(() => {
  if (db.open) db.close();
  store.remove();
});

interface Row {
  connector: string;
  field: string;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}
const rows = (): Row[] => db.prepare('SELECT connector, field, key_id, nonce, ciphertext, tag FROM vault ORDER BY connector, field').all() as Row[];
const refusal = (act: () => unknown): CredentialError => {
  try {
    act();
  } catch (error) {
    if (error instanceof CredentialError) return error;
    throw error;
  }
  throw new Error('expected a CredentialError');
};

describe('vault values', () => {
  it('reads back what was written; the table holds a 12-byte nonce, ciphertext as long as the value, a 16-byte tag, never the value', () => {
    const key = newKey();
    new Vault(db).write('ms-graph-users', { client_secret: SECRET, client_id: '535fb089-9ff3-47b6' }, key);
    expect(new Vault(db).read('ms-graph-users', key)).toEqual({ client_secret: SECRET, client_id: '535fb089-9ff3-47b6' });
    const secretRow = rows().find((r) => r.field === 'client_secret')!;
    expect(secretRow).toMatchObject({ connector: 'ms-graph-users', key_id: key.id });
    expect(secretRow.nonce).toHaveLength(12);
    expect(secretRow.tag).toHaveLength(16);
    expect(secretRow.ciphertext).toHaveLength(Buffer.byteLength(SECRET));
    expect(secretRow.ciphertext.equals(Buffer.from(SECRET))).toBe(false);
    db.close();
    const bytes = store.rawBytes();
    expect(bytes).not.toContain(SECRET);
    expect(bytes).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(bytes).not.toContain(key.key.toString('latin1'));
    expect(bytes).not.toContain(key.key.toString('base64'));
  });

  it('a fresh random nonce for every value written: the same value twice gives other bytes', () => {
    const key = newKey();
    const vault = new Vault(db);
    vault.write('a', { token: SECRET }, key);
    const first = rows()[0];
    vault.write('a', { token: SECRET }, key);
    const second = rows()[0];
    expect(second.nonce.equals(first.nonce)).toBe(false);
    expect(second.ciphertext.equals(first.ciphertext)).toBe(false);
    expect(vault.read('a', key)).toEqual({ token: SECRET });
  });

  it('the connector id and field are associated data: a value copied to another row does not decrypt', () => {
    const key = newKey();
    const vault = new Vault(db);
    vault.write('zoom-users', { client_secret: SECRET }, key);
    vault.write('ms-graph-users', { client_secret: 'another-secret-value-0815' }, key);
    db.prepare("UPDATE vault SET nonce = (SELECT nonce FROM vault WHERE connector = 'zoom-users'), ciphertext = (SELECT ciphertext FROM vault WHERE connector = 'zoom-users'), tag = (SELECT tag FROM vault WHERE connector = 'zoom-users') WHERE connector = 'ms-graph-users'").run();
    const error = refusal(() => vault.read('ms-graph-users', key));
    expect(error.code).toBe('vault_value_damaged');
    expect(error.message).toBe('the vault value ms-graph-users.client_secret does not decrypt with the vault\'s key: it was changed or damaged');
    expect(error.hint).toBe('set it again: intake credentials set ms-graph-users --field client_secret --cloud');
    expect(vault.read('zoom-users', key)).toEqual({ client_secret: SECRET });
  });

  it('a changed ciphertext byte or a truncated tag is damage, never garbage', () => {
    const key = newKey();
    const vault = new Vault(db);
    vault.write('a', { token: SECRET }, key);
    const row = rows()[0];
    const flipped = Buffer.from(row.ciphertext);
    flipped[0] ^= 1;
    db.prepare('UPDATE vault SET ciphertext = ?').run(flipped);
    expect(refusal(() => vault.read('a', key)).code).toBe('vault_value_damaged');
    db.prepare('UPDATE vault SET ciphertext = ?, tag = ?').run(row.ciphertext, row.tag.subarray(0, 4));
    expect(refusal(() => vault.read('a', key)).code).toBe('vault_value_damaged');
  });

  it('a wrong key is a clear error before anything is decrypted; it cannot write into the vault either', () => {
    const key = newKey();
    const vault = new Vault(db);
    vault.write('a', { token: SECRET }, key);
    const wrong = newKey('INTAKE_VAULT_KEY');
    const error = refusal(() => vault.read('a', wrong));
    expect(error.code).toBe('vault_key_wrong');
    expect(error.message).toBe(`the vault key from INTAKE_VAULT_KEY is not the key the vault in ${store.file} was written with; nothing was decrypted`);
    expect(error.hint).toMatch(/set INTAKE_VAULT_KEY to the vault's key/);
    expect(refusal(() => vault.write('b', { token: 'another-secret-value-0815' }, wrong)).code).toBe('vault_key_wrong');
    expect(vault.entries().map((e) => e.connector)).toEqual(['a']);
  });

  it('rekey: every value under the new key in one transaction; the old key no longer opens the vault', () => {
    const old = newKey();
    const vault = new Vault(db);
    vault.write('a', { token: SECRET }, old);
    vault.write('b', { user: 'svc-intake', password: 'b-password-0815' }, old);
    const next = newKey();
    expect(vault.rekey(old, next)).toBe(3);
    expect(vault.read('a', next)).toEqual({ token: SECRET });
    expect(vault.read('b', next)).toEqual({ user: 'svc-intake', password: 'b-password-0815' });
    expect(rows().every((r) => r.key_id === next.id)).toBe(true);
    expect(refusal(() => vault.read('a', old)).code).toBe('vault_key_wrong');
  });

  it('every decrypted value is registered with the scrubber', () => {
    const key = newKey();
    const value = `decrypted-${randomBytes(6).toString('hex')}`;
    new Vault(db).write('c', { token: value }, key);
    expect(scrub(`x ${value} y`)).toBe(`x ${value} y`); // only written so far, in this process
    new Vault(db).read('c', key);
    expect(scrub(`x ${value} y`)).toBe('x *** y');
  });
});

describe('the vault key', () => {
  it('INTAKE_VAULT_KEY: the base64 of 32 bytes; anything else is refused without showing it', () => {
    const text = randomBytes(32).toString('base64');
    expect(loadVaultKey({ INTAKE_VAULT_KEY: text })!.key.equals(Buffer.from(text, 'base64'))).toBe(true);
    for (const bad of [randomBytes(16).toString('base64'), 'not base64 at all, but long enough!!', `${text}AAAA`]) {
      const error = refusal(() => loadVaultKey({ INTAKE_VAULT_KEY: bad }));
      expect(error.code).toBe('vault_key_invalid');
      expect(error.message).toMatch(/^INTAKE_VAULT_KEY does not hold a vault key: the base64 of 32 bytes \(44 characters\)/);
      expect(`${error.message}${error.hint}`).not.toContain(bad);
      expect(error.hint).toMatch(/openssl rand -base64 32/);
    }
  });

  it('the key file: none until asked to create one; then made 0600 in a 0700 folder, and read again the same', () => {
    const env = { XDG_CONFIG_HOME: join(store.dir, 'config') };
    expect(loadVaultKey(env)).toBeUndefined();
    const made = loadVaultKey(env, true)!;
    const file = join(store.dir, 'config', 'intake', 'vault.key');
    expect(made.source).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(store.dir, 'config', 'intake')).mode & 0o777).toBe(0o700);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(loadVaultKey(env)!.id).toBe(made.id);
    // INTAKE_VAULT_KEY wins over the file
    const other = randomBytes(32).toString('base64');
    expect(loadVaultKey({ ...env, INTAKE_VAULT_KEY: other })!.id).not.toBe(made.id);
  });

  it('a key file others may read is refused with the chmod that fixes it', () => {
    const folder = join(store.dir, 'keys');
    mkdirSync(folder, { mode: 0o700 });
    const file = join(folder, 'vault.key');
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`);
    chmodSync(file, 0o644);
    const error = refusal(() => loadVaultKey({ INTAKE_CREDENTIALS: join(folder, 'credentials.yaml') }));
    expect(error.code).toBe('credentials_not_private');
    expect(error.message).toBe(`the vault key file ${file} is readable by group and others (mode 0644); it is not read`);
    expect(error.hint).toBe(`make it private: chmod 600 ${file}`);
  });
});
