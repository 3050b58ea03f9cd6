import type { Command } from 'commander';
import { parseAssignments } from '../../definition/settings.js';
import { runIntegration, testRecords } from '../../runner.js';
import { storePath } from '../../store/db.js';
import { print, progressLine } from '../output.js';
import { exitCodeOf, formatRun, formatTestRecords } from '../report.js';
import { stopOnSignals } from '../signals.js';

/** `intake run <mapping>` — one integration run into the embedded store. */
export function runCommand(program: Command): void {
  program
    .command('run')
    .description('run an integration: read the SaaS API, map each record, write it under the mapping\'s preference')
    .argument('<mapping>', 'mapping YAML file, e.g. mappings/slack-last-login.yaml')
    .option('--dry-run', 'plan only: report what would be added/updated/skipped, write nothing')
    .option('--test', `test run: read at most ${testRecords} records, show each with its outcome and values, write nothing (works on a draft)`)
    .option('--json', 'print the run summary as one JSON object')
    .option('--from-start', 'read from the first page, even when the last run failed or was interrupted and left a checkpoint to continue from')
    .option('--set <key=value>', 'override a connector setting for this run (repeatable), e.g. --set max_pages=5', collect, [])
    .addHelpText('after', `
A local integration reads its credentials from the environment variables the connector declares
(SLACK_TOKEN for Slack), else from the private credentials file (intake credentials set); a cloud
integration from the vault of the store (intake credentials set <connector> --cloud). They are
never accepted on the command line.

A draft (no sync key, a required field unmapped, credentials not set) does not run (exit 2);
--test runs it anyway on ${testRecords} records, so you can see what it would write.

Writes are atomic per batch. A run that fails or is interrupted (Ctrl-C, SIGTERM: exit 130/143)
keeps the batches it committed, and says so; the next run continues from its checkpoint where
the pagination allows. A second run of an integration that is running is refused.

Examples:
  SLACK_TOKEN=xoxp-… intake run mappings/slack-users.yaml
  SLACK_TOKEN=xoxp-… intake run mappings/slack-users.yaml --test
  SLACK_TOKEN=xoxp-… intake run mappings/slack-last-login.yaml --dry-run
  intake run mappings/slack-last-login.yaml --set base_url=https://slack-gov.com/api --json`)
    .action(async (mapping: string, opts: { dryRun?: boolean; test?: boolean; json?: boolean; set: string[]; fromStart?: boolean }, command: Command) => {
      const progress = progressLine();
      const stop = stopOnSignals();
      const result = await runIntegration({
        mappingFile: mapping,
        db: storePath(command.optsWithGlobals().db),
        overrides: parseAssignments(opts.set),
        dryRun: opts.dryRun,
        test: opts.test,
        fromStart: opts.fromStart,
        signal: stop.signal,
        onProgress: (stats, tally) => progress.update(`  page ${stats.pages} · ${stats.entries} entries read · ${tally.read} records done`),
        onWait: (ms, reason) => progress.update(`  waiting ${Math.ceil(ms / 1000)} s: ${reason}`),
      }).finally(() => stop.dispose());
      progress.done();
      if (opts.json) print(result);
      else process.stdout.write(`${formatRun(result)}${opts.test ? formatTestRecords(result) : ''}\n`);
      process.exitCode = exitCodeOf(result);
      // an abandoned request (a stalled page) would keep the process alive: the run is recorded, so end here
      if (result.status === 'interrupted') process.exit(process.exitCode);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
