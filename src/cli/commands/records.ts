import type { Command } from 'commander';
import { openStoreForReading, storePath } from '../../store/db.js';
import { listRecords } from '../../targets/sqlite.js';
import { IntakeError } from '../../errors.js';
import { print, table } from '../output.js';

const types: Record<string, string> = { users: 'people', people: 'people', 'saas-users': 'saas_users', saas_users: 'saas_users' };

/** `intake records users` / `intake records saas_users --app Slack` — what the embedded store holds. */
export function recordsCommand(program: Command): void {
  program
    .command('records')
    .description('list the records in the embedded store: People (users) or SaaS users')
    .argument('<type>', 'users (People records) or saas_users (one per user per SaaS app)')
    .option('--app <name>', 'SaaS users of this app only, e.g. --app Slack')
    .option('--json', 'print a JSON array, one object per record keyed by target field name')
    .option('-n, --limit <n>', 'list at most n records (text output)', '50')
    .addHelpText('after', `
Examples:
  intake records users
  intake records saas_users --app Slack --json`)
    .action((type: string, opts: { app?: string; json?: boolean; limit: string }, command: Command) => {
      const recordType = types[type];
      if (!recordType) throw new IntakeError('unknown_record_type', `unknown record type "${type}"`, { hint: 'use users (People) or saas_users' });
      if (opts.app && recordType !== 'saas_users') throw new IntakeError('usage', '--app only applies to saas_users', { hint: `intake records saas_users --app ${opts.app}` });
      const db = openStoreForReading(storePath(command.optsWithGlobals().db));
      const all = listRecords(db, recordType);
      db.close();
      const records = opts.app ? all.filter((r) => String(r.saas_name).toLowerCase() === opts.app!.toLowerCase()) : all;
      if (opts.json) return print(records);
      if (!records.length) {
        const apps = [...new Set(all.map((r) => String(r.saas_name)))];
        return void process.stdout.write(opts.app && apps.length ? `no SaaS users of ${opts.app}; apps in the store: ${apps.join(', ')}\n` : `no ${type} records yet: try intake demo\n`);
      }
      const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
      const limit = Number(opts.limit) || 50;
      process.stdout.write(`${table(columns, records.slice(0, limit).map((r) => columns.map((c) => (r as Record<string, unknown>)[c])))}\n`);
      if (records.length > limit) process.stdout.write(`… ${records.length - limit} more (--limit, or --json for all)\n`);
    });
}
