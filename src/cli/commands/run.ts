import type { Command } from 'commander';
import { resolveSettings } from '../../config/resolve.js';
import { parseAssignments } from '../../definition/settings.js';
import { runIntegration, testRecords } from '../../runner.js';
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
    .option('--target <target>', 'where the records go: store (the embedded store, the default), oomnitza, jsonl:<file> or csv:<file>; wins over the mapping\'s target: and the config file')
    .option('--oomnitza-url <url>', 'the Oomnitza instance for --target oomnitza (else OOMNITZA_URL, else the config file), e.g. https://acme.oomnitza.com')
    .option('--create-fields', 'create the custom fields the mapping declares and the Oomnitza instance lacks (otherwise the run stops and lists them)')
    .addHelpText('after', `
A local integration reads its credentials from the environment variables the connector declares
(SLACK_TOKEN for Slack), else from the private credentials file (intake credentials set); a cloud
integration from the vault of the store (intake credentials set <connector> --cloud). They are
never accepted on the command line.

A draft (no sync key, a required field unmapped, credentials not set) does not run (exit 2);
--test runs it anyway on ${testRecords} records, so you can see what it would write.

Writes to the embedded store are atomic per batch. A run that fails or is interrupted (Ctrl-C,
SIGTERM: exit 130/143) keeps the batches it committed, and says so; the next run continues from
its checkpoint where the pagination allows. Oomnitza takes records one by one: a failed run keeps
what the instance acknowledged. A second run of an integration that is running is refused.

Targets (docs/targets.md): --target oomnitza needs the instance's URL (--oomnitza-url,
OOMNITZA_URL or the config file) and its API token (OOMNITZA_TOKEN, or intake credentials set
oomnitza; the vault for a cloud installation); jsonl:<file> and csv:<file> write the
records of this run to a file, afresh each run.

Examples:
  SLACK_TOKEN=xoxp-… intake run mappings/slack-users.yaml
  SLACK_TOKEN=xoxp-… intake run mappings/slack-users.yaml --test
  SLACK_TOKEN=xoxp-… intake run mappings/slack-last-login.yaml --dry-run
  intake run mappings/slack-last-login.yaml --set base_url=https://slack-gov.com/api --json
  OOMNITZA_TOKEN=… intake run mappings/slack-last-login.yaml --target oomnitza --oomnitza-url https://acme.oomnitza.com
  intake run mappings/slack-users.yaml --target csv:slack-users.csv`)
    .action(async (mapping: string, opts: RunFlags, command: Command) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      // flags, then the environment, then the config file (intake config shows the result)
      const settings = resolveSettings({ db, target: opts.target, oomnitzaUrl: opts.oomnitzaUrl });
      const progress = progressLine();
      const stop = stopOnSignals();
      const result = await runIntegration({
        mappingFile: mapping,
        db: settings.store.value,
        overrides: parseAssignments(opts.set),
        dryRun: opts.dryRun,
        test: opts.test,
        fromStart: opts.fromStart,
        target: opts.target,
        defaultTarget: settings.target.source === 'config file' ? settings.target.value : undefined,
        oomnitzaUrl: settings.oomnitza_url.value,
        createFields: opts.createFields,
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

interface RunFlags {
  dryRun?: boolean;
  test?: boolean;
  json?: boolean;
  set: string[];
  fromStart?: boolean;
  target?: string;
  oomnitzaUrl?: string;
  createFields?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
