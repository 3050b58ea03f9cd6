import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { completeness, findMapping, integrationStatus, mappingFiles, mappingsDir, nameOf, describeSchedule, type IntegrationStatus } from '../../integrations/catalog.js';
import { launchState, setLaunchState } from '../../integrations/state.js';
import { displayPath } from '../../definition/load.js';
import { openStore, openStoreForReading, storePath } from '../../store/db.js';
import { exitCodes, print, table } from '../output.js';

/** `intake integrations`, `intake launch <name>`, `intake pause <name>` — the integration's life. */
export function integrationsCommand(program: Command): void {
  program
    .command('integrations')
    .description('list every integration (mapping) with its state: draft (and what it lacks), ready, launched, paused')
    .option('--mappings <dir>', 'folder of mapping files (default: ./mappings, else the shipped ones)')
    .option('--json', 'print a JSON array, one object per integration')
    .addHelpText('after', `
States:
  invalid   a file does not load (intake validate <file> shows where)
  draft     loads, but lacks a sync key, a field People need (username, email, role), a
            required setting, or credentials
  ready     complete; intake launch <name> schedules it
  launched  scheduled (daily by default, see schedule: in the mapping)
  paused    launched once, not scheduled now; intake launch <name> resumes it

Examples:
  intake integrations
  intake integrations --json --mappings ./mappings`)
    .action((opts: { mappings?: string; json?: boolean }, command: Command) => {
      const file = storePath(command.optsWithGlobals().db);
      const db = openStoreForReading(file);
      const list = mappingFiles(mappingsDir(opts.mappings)).map((mapping) => integrationStatus(mapping, db, file));
      db.close();
      if (opts.json) return print(list);
      if (!list.length) return void process.stdout.write('no mapping files found\n');
      process.stdout.write(`${table(['integration', 'state', 'installation', 'schedule', 'last run'], list.map((i) => [i.name, i.state, i.installation, i.schedule, lastRun(i)]))}\n`);
      for (const i of list.filter((x) => x.missing.length)) {
        process.stdout.write(`\n${i.name} (${i.state}) needs:\n${i.missing.map((m) => `  - ${m}`).join('\n')}\n`);
      }
    });

  program
    .command('launch')
    .description('launch an integration: it becomes scheduled; a draft is refused with what it lacks')
    .argument('<integration>', 'the mapping file\'s name (slack-users) or its path')
    .option('--mappings <dir>', 'folder of mapping files (default: ./mappings, else the shipped ones)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  SLACK_TOKEN=xoxp-… intake launch slack-users\n  intake launch mappings/okta-users.yaml')
    .action((arg: string, opts: { mappings?: string; json?: boolean }, command: Command) => {
      const file = findMapping(arg, mappingsDir(opts.mappings));
      const { integration, missing, invalid } = completeness(file, storePath(command.optsWithGlobals().db));
      if (invalid) throw new UsageError('integration_invalid', `${displayPath(file)} does not load (${invalid.length} problem(s)), so it cannot be launched`, { hint: `see them with: intake validate ${displayPath(file)}` });
      if (missing.length) {
        if (opts.json) print({ name: nameOf(file), launched: false, state: 'draft', missing });
        else process.stderr.write(`intake: ${nameOf(file)} is a draft and cannot be launched; it needs:\n${missing.map((m) => `  - ${m}`).join('\n')}\n  hint: try it meanwhile with intake run ${displayPath(file)} --test\n`);
        process.exitCode = exitCodes.invalid;
        return;
      }
      const db = openStore(storePath(command.optsWithGlobals().db));
      setLaunchState(db, nameOf(file), displayPath(file), 'launched');
      db.close();
      const schedule = describeSchedule(integration!.mapping.schedule);
      if (opts.json) print({ name: nameOf(file), launched: true, state: 'launched', schedule });
      else process.stdout.write(`launched ${nameOf(file)}: it runs ${schedule} (intake integrations shows its state)\n`);
    });

  program
    .command('pause')
    .description('pause a launched integration: it is no longer scheduled (it can still be run by hand)')
    .argument('<integration>', 'the mapping file\'s name (slack-users) or its path')
    .option('--mappings <dir>', 'folder of mapping files (default: ./mappings, else the shipped ones)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  intake pause slack-users')
    .action((arg: string, opts: { mappings?: string; json?: boolean }, command: Command) => {
      const file = findMapping(arg, mappingsDir(opts.mappings));
      const name = nameOf(file);
      const db = openStore(storePath(command.optsWithGlobals().db));
      try {
        const state = launchState(db, name);
        if (!state) throw new UsageError('not_launched', `${name} was never launched, so there is nothing to pause`, { hint: `launch it with intake launch ${name}` });
        setLaunchState(db, name, displayPath(file), 'paused');
      } finally {
        db.close();
      }
      if (opts.json) print({ name, state: 'paused' });
      else process.stdout.write(`paused ${name}: it is not scheduled until intake launch ${name}\n`);
    });
}

function lastRun(i: IntegrationStatus): string {
  if (!i.last_run) return 'never';
  const r = i.last_run;
  const shown = Object.entries(r.counts).filter(([, n]) => n > 0).map(([outcome, n]) => `${n} ${outcome}`);
  return `#${r.id} ${r.started_at.replace('T', ' ').slice(0, 16)} ${r.status.replace(/_/g, ' ')}${shown.length ? ` (${shown.join(', ')})` : ''}`;
}
