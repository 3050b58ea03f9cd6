import type { Command } from 'commander';
import { displayPath, loadConnector } from '../../definition/load.js';
import { allConnectors, connectorFolders, isDirectory, type ConnectorOrigin } from '../../definition/lookup.js';
import { DefinitionError } from '../../errors.js';
import { cloudOnlyReason } from '../../source/auth/index.js';
import { print, table, visible } from '../output.js';

/** One connector file as `intake connectors` lists it. */
export interface ConnectorEntry {
  id: string;
  name: string | null;
  record_type: string | null;
  auth: string | null;
  /** the installation type its credentials need: `cloud` for OAuth 2 grants, else `local` */
  installation: 'local' | 'cloud' | null;
  origin: ConnectorOrigin;
  folder: string;
  file: string;
  /** the file that wins for this id, when an earlier folder has one too */
  shadowed_by: string | null;
  /** why the file does not load, when it does not */
  invalid: string | null;
}

/** `intake connectors` — every connector a mapping or `intake preview <id>` can name, and where it comes from. */
export function connectorsCommand(program: Command): void {
  program
    .command('connectors')
    .description('list the connectors an id can name: id, name, record type, auth, installation type, and where each comes from')
    .option('--json', 'print the folders searched and one object per connector file')
    .addHelpText('after', `
A connector id is looked up as <id>.yaml in these folders, in this order; the first one wins:
  user               ./connectors (for a mapping: connectors/ beside the mapping's folder)
  shipped            the connectors that come with Intake
  INTAKE_CONNECTORS  each folder of this path list, in order (like PATH); when it is not set,
  config             the folders of the config file's connectors: (intake config shows it)
A file with the id of an earlier one is listed as shadowed: nothing uses it.

Examples:
  intake connectors
  INTAKE_CONNECTORS=/srv/intake/connectors intake connectors --json`)
    .action((opts: { json?: boolean }) => {
      const folders = connectorFolders('connectors');
      const entries = allConnectors(folders).map((found): ConnectorEntry => ({
        id: found.id,
        ...describe(found.file, found.id),
        origin: found.origin,
        folder: displayPath(found.dir),
        file: displayPath(found.file),
        shadowed_by: found.shadowedBy ? displayPath(found.shadowedBy) : null,
      }));
      entries.sort((a, b) => a.id.localeCompare(b.id)); // stable: within an id, the lookup order stays
      const searched = folders.map((f) => ({ origin: f.origin, folder: displayPath(f.dir), exists: isDirectory(f.dir) }));
      const warnings = searched.filter((f) => (f.origin === 'INTAKE_CONNECTORS' || f.origin === 'config') && !f.exists).map((f) => `${f.origin === 'config' ? 'the config file\'s connectors:' : 'INTAKE_CONNECTORS'} names ${f.folder}, which is not a folder`);
      if (opts.json) return print({ folders: searched, connectors: entries, warnings });
      const rows = entries.map((e) => [e.id, e.name ?? '?', e.record_type ?? '?', e.auth ?? '?', e.installation ?? '?', from(e)]);
      process.stdout.write(entries.length ? `${table(['id', 'name', 'record type', 'auth', 'installation', 'from'], rows)}\n` : 'no connector files found\n');
      const width = Math.max(...searched.map((f) => f.origin.length));
      const lines = searched.map((f, i) => `  ${i + 1}. ${f.origin.padEnd(width)}  ${visible(f.folder)}${f.exists ? '' : ' (no such folder)'}`);
      process.stdout.write(`\nsearched in this order (the first <id>.yaml wins):\n${lines.join('\n')}\n`);
      for (const w of warnings) process.stderr.write(`warning: ${visible(w)}\n`);
    });
}

function describe(file: string, id: string): Pick<ConnectorEntry, 'name' | 'record_type' | 'auth' | 'installation' | 'invalid'> {
  try {
    const connector = loadConnector(file);
    return {
      name: connector.name,
      record_type: connector.record_type,
      auth: connector.credentials.type,
      installation: cloudOnlyReason(connector.credentials) ? 'cloud' : 'local',
      invalid: connector.id === id ? null : `the file declares id "${connector.id}": a mapping that names "${id}" is refused (id_mismatch)`,
    };
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    const [first] = error.issues;
    return { name: null, record_type: null, auth: null, installation: null, invalid: `${error.issues.length} problem(s), first ${first.line}:${first.col} ${first.message} (intake validate ${displayPath(file)})` };
  }
}

function from(entry: ConnectorEntry): string {
  const parts = [entry.origin === 'INTAKE_CONNECTORS' ? `INTAKE_CONNECTORS ${entry.folder}` : entry.origin === 'config' ? `config file ${entry.folder}` : entry.origin];
  if (entry.shadowed_by) parts.push(`shadowed by ${entry.shadowed_by}`);
  if (entry.invalid) parts.push(`invalid: ${entry.invalid}`);
  return parts.join(', ');
}
