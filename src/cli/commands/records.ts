import type { Command } from 'commander';
import { openStore, storePath } from '../../store/db.js';
import { listRecords } from '../../targets/sqlite.js';
import { IntakeError } from '../../errors.js';
import { print, table } from '../output.js';

const types: Record<string, string> = { users: 'people', people: 'people', 'saas-users': 'saas_users', saas_users: 'saas_users' };

/** `intake records users` — what the embedded store holds. */
export function recordsCommand(program: Command): void {
  program
    .command('records')
    .description('list the records in the embedded store')
    .argument('<type>', 'users (People records) or saas-users')
    .option('--json', 'print a JSON array, one object per record keyed by target field name')
    .option('-n, --limit <n>', 'list at most n records (text output)', '50')
    .action((type: string, opts: { json?: boolean; limit: string }, command: Command) => {
      const recordType = types[type];
      if (!recordType) throw new IntakeError('unknown_record_type', `unknown record type "${type}"`, { hint: 'use users or saas-users' });
      const db = openStore(storePath(command.optsWithGlobals().db));
      const records = listRecords(db, recordType);
      db.close();
      if (opts.json) return print(records);
      if (!records.length) return void process.stdout.write(`no ${type} records yet: try intake demo\n`);
      const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
      const limit = Number(opts.limit) || 50;
      process.stdout.write(`${table(columns, records.slice(0, limit).map((r) => columns.map((c) => (r as Record<string, unknown>)[c])))}\n`);
      if (records.length > limit) process.stdout.write(`… ${records.length - limit} more (--limit, or --json for all)\n`);
    });
}
