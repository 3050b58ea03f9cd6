import type { Command } from 'commander';
import { join } from 'node:path';
import { startSlackSimulator } from '../../demo/simulator.js';
import { packageRoot } from '../../paths.js';
import { runIntegration, type RunResult } from '../../runner.js';
import { openStore, storePath } from '../../store/db.js';
import { listRecords } from '../../targets/sqlite.js';
import { print, progressLine, table } from '../output.js';
import { exitCodeOf, formatRun } from '../report.js';
import { count } from '../usage.js';

/**
 * `intake demo` — the two Slack integrations end to end against a local Slack API simulator
 * (a demo aid on 127.0.0.1 with generated users and access logs), into the embedded store.
 * The same connectors run against the real Slack with SLACK_TOKEN set.
 */
export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('run Slack users + Slack last login against a local Slack API simulator into the embedded store')
    .option('--users <n>', 'number of simulated Slack users', count, 300)
    .option('--json', 'print both run summaries as a JSON array')
    .addHelpText('after', `
The simulator serves users.list and team.accessLogs on 127.0.0.1 with generated data (deleted
users, bots, several access-log entries per user). Run it twice: the second run reports the
users as unchanged. Against the real Slack:
  SLACK_TOKEN=xoxp-… intake run mappings/slack-users.yaml
  SLACK_TOKEN=xoxp-… intake run mappings/slack-last-login.yaml`)
    .action(async (opts: { users: number; json?: boolean }, command: Command) => {
      const db = storePath(command.optsWithGlobals().db);
      const simulator = await startSlackSimulator({ users: opts.users });
      const results: RunResult[] = [];
      try {
        if (!opts.json) process.stdout.write(`Local Slack API simulator on ${simulator.url} (demo data); store: ${db}\n\n`);
        for (const mapping of ['slack-users.yaml', 'slack-last-login.yaml']) {
          const progress = progressLine();
          const result = await runIntegration({
            mappingFile: join(packageRoot(), 'mappings', mapping),
            db,
            overrides: { base_url: simulator.url, page_size: '100' },
            credentials: { token: simulator.token },
            onProgress: (stats, tally) => progress.update(`  page ${stats.pages} · ${stats.entries} entries · ${tally.read} records done`),
          });
          progress.done();
          results.push(result);
          if (!opts.json) process.stdout.write(`${formatRun(result)}\n\n`);
          if (result.status === 'failed') break;
        }
      } finally {
        await simulator.close();
      }
      if (opts.json) print(results);
      else process.stdout.write(`${lastLogins(db)}\n`);
      process.exitCode = Math.max(...results.map(exitCodeOf));
    });
}

function lastLogins(file: string): string {
  const store = openStore(file);
  const people = listRecords(store, 'people');
  store.close();
  const withLogin = people.filter((p) => p.slack_last_login).sort((a, b) => String(b.slack_last_login).localeCompare(String(a.slack_last_login)));
  const rows = withLogin.slice(0, 10).map((p) => [p.full_name ?? p.username, p.email, p.slack_user_id, p.slack_last_login]);
  return [
    `Most recent Slack logins (${withLogin.length} of ${people.length} people have one):`,
    table(['name', 'email', 'Slack User Id', 'Slack Last Login'], rows),
    '',
    'See everything with: intake records users · intake runs · intake runs show <id>',
    'Who has not logged in: intake report inactive --days 30 · in a browser: intake serve, then http://127.0.0.1:8080/',
  ].join('\n');
}
