import type { Command } from 'commander';
import { openStoreForReading, storePath } from '../../store/db.js';
import { listRecords } from '../../targets/sqlite.js';
import { UsageError } from '../../errors.js';
import type { RecordType } from '../../targets/fields.js';
import { print, table, visible } from '../output.js';
import { count, oneOf } from '../usage.js';

const types = oneOf<RecordType>({ users: 'people', people: 'people', saas_users: 'saas_users', 'saas-users': 'saas_users' });

/** `intake records users` / `intake records saas_users --app Slack` — what the embedded store holds. */
export function recordsCommand(program: Command): void {
  program
    .command('records')
    .description('list the records in the embedded store: People (users) or SaaS users')
    .argument('<type>', 'users (People records) or saas_users (one per user per SaaS app)', types)
    .option('--app <name>', 'SaaS users of this app only, e.g. --app Slack')
    .option('--json', 'print a JSON array, one object per record keyed by target field name')
    .option('-n, --limit <n>', 'list at most n records (text output)', count, 50)
    .addHelpText('after', `
Examples:
  intake records users
  intake records saas_users --app Slack --json`)
    .action((recordType: RecordType, opts: { app?: string; json?: boolean; limit: number }, command: Command) => {
      const type = command.args[0];
      if (opts.app && recordType !== 'saas_users') throw new UsageError('usage', '--app only applies to saas_users', { hint: `intake records saas_users --app ${opts.app}` });
      const db = openStoreForReading(storePath(command.optsWithGlobals().db));
      const all = listRecords(db, recordType);
      db.close();
      const records = opts.app ? all.filter((r) => String(r.saas_name).toLowerCase() === opts.app!.toLowerCase()) : all;
      if (opts.json) return print(records);
      if (!records.length) {
        const apps = [...new Set(all.map((r) => r.saas_name))];
        return void process.stdout.write(opts.app && apps.length ? `no SaaS users of ${opts.app}; apps in the store: ${apps.map(visible).join(', ')}\n` : `no ${type} records yet: try intake demo\n`);
      }
      const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
      const limit = opts.limit;
      process.stdout.write(`${table(columns, records.slice(0, limit).map((r) => columns.map((c) => (r as Record<string, unknown>)[c])))}\n`);
      if (records.length > limit) process.stdout.write(`… ${records.length - limit} more (--limit, or --json for all)\n`);
    });
}
