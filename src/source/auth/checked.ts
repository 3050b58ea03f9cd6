import type { CredentialsSpec } from '../../definition/model.js';
import { CredentialError } from '../../errors.js';
import type { Auth, CredentialValues } from './types.js';

/** What Node's HTTP client refuses in a header value (it would end the header: request splitting). */
const unsendable = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Wraps an auth component: a header it sets must be one HTTP can carry. A token pasted with a
 * line break, or holding a control character, is a credential error before anything is sent —
 * not a network failure retried five times. The message names the credential field and its
 * environment variable, and describes the character, never the value.
 */
export function checkedAuth(auth: Auth, spec: CredentialsSpec, credentials: CredentialValues): Auth {
  return {
    ...auth,
    apply: async (request) => {
      const before = { ...request.headers };
      await auth.apply(request);
      for (const [name, value] of Object.entries(request.headers)) {
        if (before[name] === value) continue;
        const bad = unsendable.exec(value);
        if (bad) throw refused(name, bad[0], spec, credentials);
      }
    },
  };
}

function refused(header: string, char: string, spec: CredentialsSpec, credentials: CredentialValues): CredentialError {
  const fields = Object.entries(spec.fields).filter(([name]) => unsendable.test(credentials[name] ?? ''));
  const source = fields.length
    ? fields.map(([name, field]) => `the credential ${name}${field.env ? ` (${field.env})` : ''}`).join(' or ')
    : 'the token the credentials obtained';
  return new CredentialError('credential_unsendable', `${source} holds ${describe(char)}, which the ${header} header cannot carry; nothing was sent`, {
    hint: fields.length ? 'set the credential again without the stray character (a line break copied with the token is the usual cause)' : 'the login or token endpoint returned an unusable token: check login.token.path in the connector',
  });
}

function describe(char: string): string {
  if (char === '\n' || char === '\r') return 'a line break';
  const code = char.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `a control character (U+${hex(code)})` : `a character outside Latin-1 (U+${hex(code)})`;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
