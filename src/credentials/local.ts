import type { ConnectorSpec } from '../definition/model.js';
import { CredentialError } from '../errors.js';
import type { CredentialValues } from '../source/auth/types.js';

/**
 * Local credential store: each credential field comes from the environment variable the
 * connector declares (`env: SLACK_TOKEN`). Values stay in this process; they are never
 * written to the store, the run log or any message.
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
  return values;
}

/** Every secret value, so messages can be scrubbed before they are shown or stored. */
export function secretsOf(connector: ConnectorSpec, values: CredentialValues): string[] {
  return Object.entries(connector.credentials.fields)
    .filter(([, field]) => field.secret !== false)
    .map(([name]) => values[name])
    .filter((v): v is string => Boolean(v));
}
