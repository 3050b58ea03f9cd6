import { minimumSecretLength, registerSecret } from '../../credentials/scrub.js';
import { CredentialError } from '../../errors.js';

/**
 * The Oomnitza API token, sent as the `Authorization2` header. Today it comes from the environment
 * (`OOMNITZA_TOKEN`).
 *
 * This is the one seam for where the token lives: the credential store of issue 9 (a private
 * credentials file, the vault) plugs in here, e.g. by looking up `oomnitza.token` after the
 * environment — nothing else in the Oomnitza target reads a token. Whatever the source, the value
 * is registered with the scrubber before it is used, and a token too short to be masked is refused.
 */
export function oomnitzaToken(env: NodeJS.ProcessEnv): string {
  const token = env.OOMNITZA_TOKEN?.trim();
  if (!token) {
    throw new CredentialError('credentials_missing', 'no API token for --target oomnitza: OOMNITZA_TOKEN is not set; nothing was run', {
      hint: 'create a token in Oomnitza (Configuration > Security > API tokens, for a user allowed to read, create and edit People), then export OOMNITZA_TOKEN=…',
    });
  }
  if (token.length < minimumSecretLength) {
    throw new CredentialError('credential_too_short', `OOMNITZA_TOKEN is shorter than ${minimumSecretLength} characters; nothing was sent`, {
      hint: 'a secret that short cannot be kept out of messages and the store without masking ordinary text; check that OOMNITZA_TOKEN holds the whole token',
    });
  }
  registerSecret(token);
  return token;
}
