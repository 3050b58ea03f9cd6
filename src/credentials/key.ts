import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CredentialError } from '../errors.js';
import { vaultKeyFile } from './paths.js';
import { checkPrivate, exists, writePrivate } from './private.js';
import { registerSecret } from './scrub.js';

/**
 * The vault's key: 32 random bytes (AES-256), never stored in the embedded store. It comes from
 * `INTAKE_VAULT_KEY` (the base64 of 32 bytes: `openssl rand -base64 32`), else from the key file
 * `vault.key` beside the credentials file, which `intake credentials set --cloud` creates private
 * (0600, folder 0700) the first time it needs a key. The key is registered with the scrubber, so
 * no output or store byte can carry it.
 */
export interface VaultKey {
  key: Buffer;
  /** a fingerprint that names the key without revealing it (HMAC of a fixed text): stored with each value, so a wrong key is told from a damaged value */
  id: string;
  /** where it came from, for messages: `INTAKE_VAULT_KEY` or the key file's path */
  source: string;
}

export const keyVariable = 'INTAKE_VAULT_KEY';

/** The key, or undefined when there is none and `create` is false. */
export function loadVaultKey(env: NodeJS.ProcessEnv = process.env, create = false): VaultKey | undefined {
  const given = env[keyVariable]?.trim();
  if (given) return decode(given, keyVariable);
  const file = vaultKeyFile(env);
  if (exists(file)) {
    checkPrivate(file, 'the vault key file');
    return decode(readFileSync(file, 'utf8').trim(), file);
  }
  if (!create) return undefined;
  const text = randomBytes(32).toString('base64');
  writePrivate(file, `${text}\n`);
  return decode(text, file);
}

/** A new random key, as its base64 text (for rotation). */
export function newKeyText(): string {
  return randomBytes(32).toString('base64');
}

/** Decodes and checks a key; the message says what is wrong with it, never what it is. */
export function decode(text: string, source: string, what = source === keyVariable ? keyVariable : `the vault key file ${source}`): VaultKey {
  registerSecret(text);
  const key = Buffer.from(text, 'base64');
  const canonical = key.toString('base64');
  if (key.length !== 32 || canonical.replace(/=+$/, '') !== text.replace(/=+$/, '')) {
    throw new CredentialError('vault_key_invalid', `${what} does not hold a vault key: the base64 of 32 bytes (44 characters)${key.length !== 32 ? `; it decodes to ${key.length} bytes` : '; it holds characters that are not base64'}`, {
      hint: source === keyVariable ? `set ${keyVariable} to the key you made for this vault (a new one is made with: openssl rand -base64 32)` : `restore the key file from your backup; without it the vault's values cannot be read`,
    });
  }
  registerSecret(canonical);
  return { key, id: keyId(key), source };
}

export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('intake vault key id').digest('hex').slice(0, 16);
}
