import { resolveFrom, storeFor, type StoreContext } from '../../credentials/stores/index.js';
import type { CredentialOwner } from '../../definition/model.js';
import { CredentialError } from '../../errors.js';

/**
 * The Oomnitza API token's place in the credential stores: the id `oomnitza`, one secret field.
 * A local installation reads `OOMNITZA_TOKEN`, else the credentials file; a cloud one the vault:
 *
 * ```yaml
 * # ~/.config/intake/credentials.yaml (written by: intake credentials set oomnitza)
 * oomnitza:
 *   token: 7f3c…
 * ```
 */
export const oomnitzaCredentials: CredentialOwner = {
  id: 'oomnitza',
  name: 'Oomnitza target (--target oomnitza)',
  credentials: { type: 'api_token', fields: { token: { label: 'API token', env: 'OOMNITZA_TOKEN' } } },
};

const createToken = 'create a token in Oomnitza (Configuration > Security > API tokens, for a user allowed to read, create and edit People)';

/**
 * The Oomnitza API token, sent as the `Authorization2` header: from the credential store of the
 * integration's installation type (nothing else in the Oomnitza target reads a token). The value
 * is registered with the scrubber before it is used, and a token too short to be masked is refused.
 */
export function oomnitzaToken(installation: 'local' | 'cloud' | undefined, ctx: StoreContext): string {
  try {
    return resolveFrom(storeFor(installation, ctx), oomnitzaCredentials).values.token;
  } catch (error) {
    if (!(error instanceof CredentialError) || error.code !== 'credentials_missing') throw error;
    const local = installation !== 'cloud';
    throw new CredentialError('credentials_missing', local
      ? `no API token for --target oomnitza: OOMNITZA_TOKEN is not set and the credentials file holds no oomnitza token; nothing was run`
      : `no API token for --target oomnitza in the vault of ${ctx.db}; nothing was run`, {
      hint: local
        ? `${createToken}, then store it privately with: intake credentials set oomnitza — or export OOMNITZA_TOKEN=…`
        : `${createToken}, then store it in the vault on this machine: intake credentials set oomnitza --cloud`,
    });
  }
}
