import type { ConnectorSpec } from '../definition/model.js';
import { CredentialError } from '../errors.js';
import type { CredentialValues } from '../source/auth/types.js';
import { minimumSecretLength, registerSecret } from './scrub.js';

/**
 * Local credential store: each credential field comes from the environment variable the
 * connector declares (`env: SLACK_TOKEN`). Values stay in this process; they are never
 * written to the store, the run log or any message: secret values are registered with the
 * scrubber as they are read, and one too short to be masked is refused.
 */
export function resolveLocalCredentials(connector: ConnectorSpec, env: NodeJS.ProcessEnv = process.env): CredentialValues {
  const values: CredentialValues = {};
  const missing: string[] = [];
  for (const [name, field] of Object.entries(connector.credentials.fields)) {
    const value = field.env ? env[field.env] : undefined;
    if (value === undefined || value.trim() === '') missing.push(field.env ? `${field.env} (${field.label})` : `${name} (${field.label}; declare an env: name for it)`);
    else values[name] = value.trim();
  }
  if (missing.length) {
    throw new CredentialError('credentials_missing', `no credentials for connector ${connector.id}: ${missing.join(', ')} not set`, {
      hint: `set ${missing.map((m) => m.split(' ')[0]).join(', ')} in the environment of this machine, e.g. export ${missing[0].split(' ')[0]}=…`,
    });
  }
  secretsOf(connector, values);
  return values;
}

/**
 * Every secret value of a connector's credentials, registered with the scrubber (with each
 * `a:b` pair that holds one, the text basic auth encodes), so nothing shown or stored can
 * carry it. A secret too short to be masked is refused before anything is sent.
 */
export function secretsOf(connector: ConnectorSpec, values: CredentialValues): string[] {
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
