import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { CredentialFieldSpec } from '../../definition/model.js';
import { CredentialError } from '../../errors.js';

/** A private key read from a credential, with what a service-account key file says beside it. */
export interface SigningKey {
  key: KeyObject;
  /** the PEM text as used, and the base64 lines inside it: registered as secrets too */
  secretForms: string[];
  /** `client_email` of a service-account key file */
  clientEmail?: string;
}

/**
 * Reads the private key a JWT is signed with from one credential value, which is either
 * - a PEM private key (`-----BEGIN PRIVATE KEY-----` PKCS#8, or PKCS#1 / SEC 1), also with its
 *   line breaks written as `\n` (as a key copied out of a JSON file into an environment variable is);
 * - or the whole content of a service-account JSON key file (Google's "Create key → JSON"):
 *   `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n…", "client_email": …}`.
 *
 * A key file's `token_uri` is not used: the connector's `token_url` says where the assertion goes
 * (secrets go only where the connector says), and it is the `aud` claim.
 * Errors name the credential field and its environment variable, never the value.
 */
export function readSigningKey(value: string, field: string, spec: CredentialFieldSpec | undefined): SigningKey {
  const named = `the credential ${field}${spec?.env ? ` (${spec.env})` : ''}`;
  const text = value.trim();
  if (text.startsWith('{')) return fromKeyFile(text, named);
  return { ...fromPem(text, named), clientEmail: undefined };
}

function fromKeyFile(text: string, named: string): SigningKey {
  let file: Record<string, unknown>;
  try {
    file = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CredentialError('credential_invalid', `${named} starts like a JSON key file but is not JSON`, { hint: 'give the whole content of the key file, e.g. export VARIABLE="$(cat key.json)"; or a PEM private key' });
  }
  if (file.type !== 'service_account' && (file.installed || file.web)) {
    throw new CredentialError('credential_invalid', `${named} is an OAuth client file, not a service account key`, { hint: 'create a JSON key for the service account itself (not for an OAuth client) and give that file\'s content' });
  }
  const missing = ['private_key', 'client_email'].filter((k) => typeof file[k] !== 'string' || file[k] === '');
  if (missing.length) {
    throw new CredentialError('credential_invalid', `${named} is JSON without ${missing.join(' and ')}`, { hint: 'give the whole service account key file (it holds private_key and client_email), or a PEM private key with the issuer in its own field' });
  }
  return { ...fromPem(file.private_key as string, named), clientEmail: file.client_email as string };
}

function fromPem(pem: string, named: string): Omit<SigningKey, 'clientEmail'> {
  const text = pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new CredentialError('credential_invalid', `${named} is neither a PEM private key nor a service account key file`, { hint: 'give the key as PEM (-----BEGIN PRIVATE KEY----- …) or the whole JSON key file' });
  }
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new CredentialError('credential_invalid', `${named} is an encrypted private key`, { hint: 'give the key unencrypted (openssl pkcs8 -in key.pem -nocrypt -topk8), kept in the vault' });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new CredentialError('credential_invalid', `${named} holds a PEM block that is not a readable private key`, { hint: 'copy the whole key again, from -----BEGIN to -----END, with its line breaks (or \\n in their place)' });
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('-----'));
  return { key, secretForms: [text.trim(), lines.join(''), ...lines] };
}
