import type { Command } from 'commander';
import { checkValues, listing, refuseLocal, removeValues, storeValues, type ConnectorListing } from '../../credentials/manage.js';
import { displayPath, loadConnector } from '../../definition/load.js';
import { allConnectors, connectorArgument, connectorFolders } from '../../definition/lookup.js';
import type { ConnectorSpec, CredentialOwner } from '../../definition/model.js';
import { suggestion } from '../../definition/suggest.js';
import { DefinitionError, UsageError } from '../../errors.js';
import { storePath } from '../../store/db.js';
import { oomnitzaCredentials } from '../../targets/oomnitza/token.js';
import { print, table } from '../output.js';
import { parseInput, promptHidden, readAll, type FieldToSet } from '../secret-input.js';
import { rotateKeyCommand } from './credentials-key.js';
import { testCommand } from './credentials-test.js';

/** `intake credentials set | list | remove | test | rotate-key` — the local credentials file and the vault. */
export function credentialsCommand(program: Command): void {
  const credentials = program
    .command('credentials')
    .description('store, list, remove and test credentials: the local credentials file (0600) and the vault of cloud integrations')
    .addHelpText('after', `
Local installation: a run reads each credential field from its environment variable (SLACK_TOKEN),
else from the credentials file: --credentials <file>, $INTAKE_CREDENTIALS, or
$XDG_CONFIG_HOME/intake/credentials.yaml (default ~/.config/intake/credentials.yaml), which must be
private (chmod 600). Cloud installation: the vault, a table of the embedded store (--db) encrypted
with AES-256-GCM; its key is INTAKE_VAULT_KEY or vault.key beside the credentials file.
Values are never taken from the command line. The Oomnitza target's API token is kept the same
way under the id oomnitza (intake credentials set oomnitza). See docs/installation.md.`);

  credentials
    .command('set')
    .description('store a connector\'s credentials: from a hidden prompt on a terminal, or NAME=value lines on standard input')
    .argument('<connector>', 'connector id (or a connector file)')
    .option('--field <name>', 'set only this credential field')
    .option('--cloud', 'store them in the vault of the embedded store (--db), for a cloud installation')
    .option('--json', 'print what was stored (never a value) as JSON')
    .addHelpText('after', `
On a terminal, each field is asked for and nothing you type is shown; an empty answer leaves
the field as it is. From a pipe, give NAME=value lines; with --field, the whole input may be the
value (a JSON key file, a PEM key). The file is created 0600 (its folder 0700) when missing; the
vault's key file likewise, the first time the vault needs one: back it up.

Examples:
  intake credentials set slack-last-login
  printf 'token=%s\\n' "$SLACK_TOKEN" | intake credentials set slack-users
  intake credentials set ms-graph-users --cloud < graph.env
  intake credentials set google-workspace-users-service-account --field service_account_key --cloud < key.json
  intake credentials set oomnitza            # the API token of --target oomnitza`)
    .action(async (arg: string, opts: { field?: string; cloud?: boolean; json?: boolean }, command: Command) => {
      const connector = connectorOf(arg);
      const fields = fieldsToSet(connector, opts.field);
      if (!opts.cloud) refuseLocal(connector);
      const values = process.stdin.isTTY ? await prompt(connector, fields) : parseInput(await readAll(process.stdin), fields, opts.field);
      if (!Object.keys(values).length) throw new UsageError('nothing_given', `no value was given for ${connector.id}; nothing was stored`, { hint: process.stdin.isTTY ? 'type each value at its prompt' : `pipe NAME=value lines, e.g. printf '${fields[0].name}=%s\\n' "$VALUE" | intake credentials set ${connector.id}` });
      for (const [name, value] of Object.entries(values)) if (!value) throw new UsageError('value_empty', `the value given for ${name} is empty; nothing was stored`, { hint: `give ${name}=<value>` });
      checkValues(connector, values);
      const stored = storeValues(connector, values, Boolean(opts.cloud), where(command));
      if (opts.json) return print(stored);
      const into = stored.store === 'vault' ? `the vault in ${stored.path}` : stored.path;
      process.stdout.write(`stored ${stored.fields.join(', ')} of ${stored.connector} in ${into}\n`);
      if (stored.key?.created) process.stdout.write(`created the vault key ${stored.key.source} (0600): back it up now — without it the vault cannot be read\n`);
      for (const name of stored.overridden) process.stdout.write(`note: ${connector.credentials.fields[name].env} is set in this environment and wins over the file for ${name}\n`);
    });

  credentials
    .command('list')
    .description('show every connector\'s credential fields and where each comes from (environment, file, vault, missing); never a value')
    .option('--json', 'print the credentials file, the vault and one object per connector')
    .addHelpText('after', `
from: where a run takes the field from. A connector only a cloud installation runs (OAuth 2)
reads the vault; any other reads the environment, then the file (a cloud integration of it
reads the vault). held in: every place that has a value for it.

Examples:
  intake credentials list
  intake credentials list --json`)
    .action((opts: { json?: boolean }, command: Command) => {
      const listed = listing(knownConnectors(), where(command));
      if (opts.json) return print(listed);
      process.stdout.write(`credentials file: ${listed.file.path}${listed.file.exists ? '' : ' (not created yet)'}\n`);
      process.stdout.write(`vault: ${listed.vault.path}, ${listed.vault.values} value(s); key: ${listed.vault.key ?? 'none yet'}\n\n`);
      process.stdout.write(`${table(['connector', 'field', 'from', 'env', 'held in'], rows(listed.connectors))}\n`);
    });

  credentials
    .command('remove')
    .description('remove a connector\'s credentials from the credentials file, or from the vault with --cloud')
    .argument('<connector>', 'connector id')
    .option('--cloud', 'remove them from the vault of the embedded store (--db)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  intake credentials remove slack-users\n  intake credentials remove zoom-users --cloud')
    .action((id: string, opts: { cloud?: boolean; json?: boolean }, command: Command) => {
      const result = removeValues(id, Boolean(opts.cloud), where(command));
      if (opts.json) return print({ connector: id, ...result });
      const from = result.store === 'vault' ? `the vault in ${result.path}` : result.path;
      process.stdout.write(result.removed ? `removed the credentials of ${id} from ${from}\n` : `${from} holds no credentials of ${id}; nothing to remove\n`);
    });

  testCommand(credentials, connectorOf, where);
  rotateKeyCommand(credentials, where);
}

/** The stores' places: the process environment (INTAKE_CREDENTIALS, set by --credentials) and the embedded store (--db). */
function where(command: Command): { env: NodeJS.ProcessEnv; db: string } {
  return { env: process.env, db: storePath(command.optsWithGlobals().db) };
}

/** A connector by id or file; `oomnitza` is the Oomnitza target's API token (no connector has that id). */
function connectorOf(arg: string): CredentialOwner {
  if (arg === oomnitzaCredentials.id) return oomnitzaCredentials;
  return loadConnector(connectorArgument(arg, displayPath).file);
}

function fieldsToSet(connector: CredentialOwner, only?: string): FieldToSet[] {
  const all = Object.entries(connector.credentials.fields).map(([name, f]) => ({ name, label: f.label, secret: f.secret !== false }));
  if (only === undefined) return all;
  const field = all.find((f) => f.name === only);
  if (!field) throw new UsageError('unknown_field', `connector ${connector.id} has no credential field "${only}"`, { hint: `${suggestion(only, all.map((f) => f.name))} (fields: ${all.map((f) => f.name).join(', ')})` });
  return [field];
}

/** Asks for each field on the terminal, without echo; an empty answer keeps the field as it is. */
async function prompt(connector: CredentialOwner, fields: FieldToSet[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  process.stderr.write(`${connector.id}: nothing you type is shown; Enter on an empty line leaves a field as it is\n`);
  for (const field of fields) {
    const value = await promptHidden(`${field.label} (${field.name}): `, process.stdin as unknown as Parameters<typeof promptHidden>[1], process.stderr);
    if (value) values[field.name] = value;
  }
  return values;
}

/** Every connector an id can name (the first file for each id), skipping files that do not load; then the Oomnitza target's token. */
function knownConnectors(): CredentialOwner[] {
  const found = allConnectors(connectorFolders('connectors')).filter((c) => !c.shadowedBy);
  return [...found.flatMap((c): ConnectorSpec[] => {
    try {
      return [loadConnector(c.file)];
    } catch (error) {
      if (error instanceof DefinitionError) return [];
      throw error;
    }
  }), oomnitzaCredentials];
}

function rows(connectors: ConnectorListing[]): string[][] {
  return connectors.flatMap((c) => c.fields.map((f) => [c.name === null ? `${c.connector} (no such connector)` : c.connector, f.field, f.from, f.env ?? '', f.held_in.join(', ')]));
}
