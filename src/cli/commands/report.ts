import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { inactiveCsv, inactiveReport, knownApps, type InactiveReport } from '../../report/inactive.js';
import { openStoreReadOnly, storePath } from '../../store/db.js';
import { print, table } from '../output.js';
import { count } from '../usage.js';

/** `intake report inactive` — last-login insights in the terminal (the same report as the /insights page). */
export function reportCommand(program: Command): void {
  const report = program
    .command('report')
    .description('reports over the embedded store: inactive users per SaaS app (last-login insights)');
  report
    .command('inactive')
    .description('users who have not logged in to a SaaS app for --days days (or never), to reclaim licences from')
    .option('--days <n>', 'list users whose last login is at least n days old', count, 90)
    .option('--app <name>', 'one SaaS app only, e.g. --app slack (any case)')
    .option('--json', 'print the report as JSON: the per-app counts and the users')
    .option('--csv', 'print the inactive users as CSV (name, email, app, last_login, days; one line each, LF)')
    .addHelpText('after', `
Where a last login comes from: a People custom field of type datetime named <app>_last_login
(slack_last_login, filled by the Slack last login integration), and the last_login of SaaS user
records. Per app, users are counted by the age of their last login: under 30 days, 30-59, 60-89,
90 or more, and never (no last login at all). The list holds the users inactive for --days days
or more, then those who never logged in. See docs/service.md, "Last-login insights".

Examples:
  intake report inactive
  intake report inactive --days 30 --app slack
  intake report inactive --csv > inactive.csv
  intake report inactive --json | jq '.apps'`)
    .action((opts: { days: number; app?: string; json?: boolean; csv?: boolean }, command: Command) => {
      if (opts.json && opts.csv) throw new UsageError('usage', '--json and --csv cannot be used together', { hint: 'pick one: --json for scripts, --csv for a spreadsheet' });
      const db = openStoreReadOnly(storePath(command.optsWithGlobals().db));
      let result: InactiveReport;
      let apps: string[];
      try {
        result = inactiveReport(db, { days: opts.days, app: opts.app });
        apps = opts.app && !result.apps.length ? knownApps(db) : [];
      } finally {
        db.close();
      }
      if (opts.app && !result.apps.length) {
        throw new UsageError('app_not_found', `the store holds no last logins of an app named "${opts.app}"`, { hint: apps.length ? `apps with last logins: ${apps.join(', ')}` : 'no app has last logins yet: run a last-login integration (intake run mappings/slack-last-login.yaml)' });
      }
      if (opts.json) return print(result);
      if (opts.csv) return void process.stdout.write(inactiveCsv(result, '\n')); // a terminal shows a carriage return as \r: lines end in LF here
      process.stdout.write(`${formatReport(result)}\n`);
    });
}

/** The report as text: the per-app table, then the inactive users. */
export function formatReport(report: InactiveReport): string {
  if (!report.apps.length) return 'no last logins in the store yet: run a last-login integration (intake run mappings/slack-last-login.yaml), or try intake demo';
  const lines = [
    `Last logins as of ${report.now.slice(0, 10)}: users per app by days since their last login`,
    table(['app', 'users', '<30 days', '30-59', '60-89', '90+', 'never'], report.apps.map((a) => [a.app, a.users, a.active, a.days_30, a.days_60, a.days_90, a.never])),
    '',
  ];
  const inactive = report.users.filter((u) => u.days !== null).length;
  const never = report.users.length - inactive;
  lines.push(`${inactive} user(s) inactive for ${report.days}+ days, ${never} never logged in${report.users.length ? ':' : ''}`);
  if (report.users.length) {
    lines.push(table(['name', 'email', 'app', 'last login (UTC)', 'days'], report.users.map((u) => [u.name, u.email, u.app, u.last_login ? u.last_login.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : 'never', u.days ?? ''])));
  }
  return lines.join('\n');
}
