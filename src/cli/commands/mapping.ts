import type { Command } from 'commander';
import { resolveLocalCredentials, secretsOf } from '../../credentials/local.js';
import { displayPath, loadConnector } from '../../definition/load.js';
import { connectorArgument } from '../../definition/lookup.js';
import type { MappingRecordType, Preference } from '../../definition/model.js';
import { parseAssignments, resolveSettings } from '../../definition/settings.js';
import { UsageError } from '../../errors.js';
import { suggestMapping } from '../../mapping/smart.js';
import { readSource, scrubber } from '../../source/read.js';
import type { SourceRecord } from '../../source/types.js';
import { print } from '../output.js';

const recordTypes = ['people', 'people_and_saas_users'];
const preferences = ['create_only', 'update_only', 'create_update'];

/** `intake mapping suggest <connector>` — smart mapping: a complete mapping YAML to start from. */
export function mappingCommand(program: Command): void {
  const mapping = program.command('mapping').description('help with mapping files: intake mapping suggest <connector> writes one to start from');
  mapping
    .command('suggest')
    .description('print a mapping YAML for a connector: fields paired by name, label, type and sample values, with confidence')
    .argument('<connector>', 'connector id (looked up in ./connectors, the shipped connectors, then INTAKE_CONNECTORS) or path to a connector YAML file')
    .option('--record-type <type>', `what the integration writes: ${recordTypes.join(' | ')}`, 'people')
    .option('--preference <preference>', preferences.join(' | '), 'create_update')
    .option('--no-samples', 'do not read a sample page, even when credentials are set')
    .option('--set <key=value>', 'override a connector setting for the sample page (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print the pairs, the proposed custom fields and the YAML as JSON')
    .addHelpText('after', `
With the connector's credentials in the environment, the first page is read and its values help
(an e-mail-looking value pairs with email); nothing is written. Redirect the output to a file,
review it, then validate and test it:

Examples:
  intake mapping suggest slack-last-login > mappings/my-slack-last-login.yaml
  SLACK_TOKEN=xoxp-… intake mapping suggest slack-users --record-type people_and_saas_users
  intake validate mappings/my-slack-last-login.yaml && intake run mappings/my-slack-last-login.yaml --test`)
    .action(async (arg: string, opts: { recordType: string; preference: string; samples: boolean; set: string[]; json?: boolean }) => {
      if (!recordTypes.includes(opts.recordType)) throw new UsageError('usage', `--record-type ${opts.recordType} is not one of ${recordTypes.join(', ')}`, { hint: '--record-type people' });
      if (!preferences.includes(opts.preference)) throw new UsageError('usage', `--preference ${opts.preference} is not one of ${preferences.join(', ')}`, { hint: '--preference create_update' });
      const connector = loadConnector(connectorArgument(arg, displayPath).file);
      const { samples, note } = opts.samples ? await samplePage(connector, parseAssignments(opts.set)) : { samples: undefined, note: '--no-samples' };
      const suggestion = suggestMapping(connector, { recordType: opts.recordType as MappingRecordType, preference: opts.preference as Preference, samples, samplesNote: note });
      if (opts.json) return print(suggestion);
      process.stdout.write(suggestion.yaml);
      if (suggestion.missing_required.length) {
        process.stderr.write(`note: no connector field matches ${suggestion.missing_required.join(', ')}, which People need to be created: the mapping is a draft until you map it (or use --preference update_only)\n`);
      }
    });
}

/** Up to 25 records of the connector's first page, when its credentials are set here. */
async function samplePage(connector: ReturnType<typeof loadConnector>, overrides: Record<string, string>): Promise<{ samples?: SourceRecord[]; note: string }> {
  let credentials;
  try {
    credentials = resolveLocalCredentials(connector);
  } catch (error) {
    return { note: `credentials not set: ${(error as Error).message}` };
  }
  const secrets = secretsOf(connector, credentials);
  try {
    const source = readSource({ connector, settings: resolveSettings(connector, {}, overrides), credentials, secrets, maxPages: 1 });
    const samples: SourceRecord[] = [];
    for await (const item of source.items) {
      if ('record' in item) samples.push(item.record);
      if (samples.length >= 25) break;
    }
    return { samples, note: '' };
  } catch (error) {
    return { note: `the first page could not be read: ${scrubber(secrets)((error as Error).message)}` };
  }
}
