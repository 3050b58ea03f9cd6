import type { ComponentDefinition } from '../../registry.js';
import type { CredentialOwner } from '../../definition/model.js';
import type { CredentialValues } from '../../source/auth/types.js';
import { readCredentialsFile } from '../file.js';
import { credentialsFile } from '../paths.js';
import { suggestion } from '../../definition/suggest.js';
import type { CredentialStore, Origin, StoreContext } from './types.js';

/**
 * `local` — this machine's credentials: each field from the environment variable the connector
 * declares (`env: SLACK_TOKEN`), else from the private credentials file
 * (`~/.config/intake/credentials.yaml`, see ../paths.ts), keyed by connector id:
 *
 * ```yaml
 * slack-last-login:
 *   token: xoxp-…
 * ```
 * The environment wins over the file. The file is read only when the environment lacks a field,
 * and then it must be private (0600) and parse; a field the file names but the connector does not
 * declare is pointed out when a declared one is missing (did you mean).
 */
export const local: ComponentDefinition<object, StoreContext, CredentialStore> = {
  type: 'local',
  create(_config, { env }) {
    const file = credentialsFile(env);
    const fromEnv = (connector: CredentialOwner) => {
      const values: CredentialValues = {};
      for (const [name, field] of Object.entries(connector.credentials.fields)) {
        const value = field.env ? env[field.env]?.trim() : undefined;
        if (value) values[name] = value;
      }
      return values;
    };
    const read = (connector: CredentialOwner) => {
      const values = fromEnv(connector);
      const from: Record<string, Origin> = Object.fromEntries(Object.keys(values).map((name) => [name, 'environment' as const]));
      const lacking = Object.keys(connector.credentials.fields).filter((name) => !(name in values));
      if (lacking.length) {
        const stored = readCredentialsFile(file).connectors.get(connector.id);
        for (const name of lacking) {
          const value = stored?.get(name);
          if (value !== undefined) {
            values[name] = value;
            from[name] = 'file';
          }
        }
      }
      return { values, from };
    };
    return {
      type: 'local',
      read,
      locate(connector) {
        const { from } = read(connector);
        return Object.fromEntries(Object.keys(connector.credentials.fields).map((name) => [name, from[name] ?? 'missing']));
      },
      missing(connector, fields) {
        const declared = connector.credentials.fields;
        const named = fields.map((name) => (declared[name].env ? `${declared[name].env} (${declared[name].label})` : `${name} (${declared[name].label})`));
        const variables = fields.map((name) => declared[name].env).filter((v): v is string => Boolean(v));
        const stored = [...(readCredentialsFile(file).connectors.get(connector.id)?.keys() ?? [])].filter((name) => !(name in declared));
        const typo = stored.length ? `; ${file} has ${stored.map((s) => `"${s}"`).join(', ')} under ${connector.id}, which the connector does not declare: ${suggestion(stored[0], Object.keys(declared))}` : '';
        return {
          where: `${named.join(', ')} not set (environment, or ${file})${typo}`,
          hint: `store ${fields.length > 1 ? 'them' : 'it'} privately with: intake credentials set ${connector.id}${variables.length ? ` — or set ${variables.join(', ')} in the environment of this machine, e.g. export ${variables[0]}=…` : ''}`,
        };
      },
    };
  },
};
