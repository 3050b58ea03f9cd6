import type { CredentialOwner } from '../definition/model.js';
import { CredentialError } from '../errors.js';
import type { CredentialValues } from '../source/auth/types.js';
import { minimumSecretLength, registerSecret } from './scrub.js';

/**
 * Every secret value of a connector's credentials, registered with the scrubber (with each
 * `a:b` pair that holds one, the text basic auth encodes), so nothing shown or stored can
 * carry it. A secret too short to be masked is refused before anything is sent.
 */
export function secretsOf(connector: CredentialOwner, values: CredentialValues): string[] {
  const fields = Object.entries(connector.credentials.fields);
  const secret = fields.filter(([name, field]) => field.secret !== false && values[name]);
  const short = secret.filter(([name]) => values[name].length < minimumSecretLength);
  if (short.length) {
    const names = short.map(([name, field]) => (field.env ? `${field.env} (${field.label})` : `${name} (${field.label})`));
    throw new CredentialError('credential_too_short', `the credential ${names.join(', ')} of connector ${connector.id} is shorter than ${minimumSecretLength} characters; nothing was sent`, {
      hint: `a secret that short cannot be kept out of messages and the store without masking ordinary text; check that ${short.map(([name, field]) => field.env ?? name).join(', ')} holds the whole credential`,
    });
  }
  const list = secret.map(([name]) => values[name]);
  for (const value of list) registerSecret(value);
  for (const value of list) {
    for (const [name] of fields) {
      if (!values[name]) continue;
      registerSecret(`${values[name]}:${value}`);
      registerSecret(`${value}:${values[name]}`);
    }
  }
  return list;
}
