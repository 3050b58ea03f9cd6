/**
 * The `intake` program: global options, the help text, and the command this line runs (see
 * ./commands/index.ts). main.ts loads it for every command line but a lone `--version`.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { commandsFor } from './commands/index.js';
import { version } from './version.js';
import { guardOutput } from './guard.js';
import { exitCodes, reportError } from './output.js';

// Everything this process writes passes one gate: no credential, no terminal control from data.
guardOutput();
// Node prints an uncaught error itself, past the gate: report it through the gate instead (exit 1).
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => process.exit(reportError(error, process.argv.includes('--json'))));
}

const program = new Command('intake')
  .description('Intake: SaaS connectors in YAML, synced into asset records (People) under a preference and sync key')
  .version(version)
  .option('--db <file>', 'embedded store file (default: $INTAKE_DB, the config file\'s store:, or ./intake.db)', (value: string) => {
    if (value === '') throw new InvalidArgumentError('the store\'s file name is empty.');
    return value;
  })
  .option('--credentials <file>', 'local credentials file (default: $INTAKE_CREDENTIALS or $XDG_CONFIG_HOME/intake/credentials.yaml)', (value: string) => {
    if (value === '') throw new InvalidArgumentError('the credentials file name is empty.');
    return value;
  })
  // --credentials is INTAKE_CREDENTIALS for this process: every command and the library read it there
  .hook('preAction', (command) => {
    const file = command.opts().credentials as string | undefined;
    if (file) process.env.INTAKE_CREDENTIALS = resolve(file);
  })
  .exitOverride()
  .addHelpText('after', `
Exit codes:
  0  success
  1  internal error (a bug: run with INTAKE_DEBUG=1 and report it)
  2  invalid connector/mapping/config file, a draft integration (intake integrations says
     what it lacks: credentials not set, too short, a credentials file others may read, no
     vault key), a mapping that does not fit its target, or command-line usage
  3  the run failed (credentials, API refused, network, the store cannot be used, the
     integration is already running); it kept the batches it committed, no half-written
     record (Oomnitza: what the instance acknowledged)
  4  the run finished, but some records failed (see: intake runs show <id>)
  130, 143  the run was interrupted by SIGINT (Ctrl-C) or SIGTERM; it kept what it committed

Start with:  intake demo
A new integration:
  intake connectors                                            the connectors there are, and from where
  intake mapping suggest <connector> > mappings/<name>.yaml    a mapping to start from
  intake validate mappings/<name>.yaml                         what is wrong or still missing
  intake credentials set <connector>                           its credentials, kept private (--cloud: the vault)
  intake run mappings/<name>.yaml --test                       10 records, nothing written
  intake launch <name>                                         schedule it; intake integrations
  intake serve                                                 run launched integrations on schedule; API at /api/
  intake serve --queue redis://… and intake worker --queue …   the same, runs spread over workers (docs/service.md)
Reports:     intake report inactive [--days 90] [--app slack]   who has not logged in (docs/service.md)
Targets:     intake run <mapping> --target oomnitza | jsonl:<file> | csv:<file> (docs/targets.md)
Defaults:    intake config (the config file, and where each value comes from)
Docs:        README.md, docs/installation.md, docs/mappings.md, docs/connectors.md, docs/targets.md, docs/service.md`);

// an async function, not top-level await: the bundle is a script (see src/cli/launch.ts)
async function main(): Promise<void> {
  // only the command this line runs is loaded (src/cli/commands/index.ts lists them all)
  for (const register of await Promise.all(commandsFor(process.argv.slice(2)).map((c) => c.load()))) register(program);
  for (const command of program.commands) command.exitOverride();

  // `intake … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.invalid;
    } else {
      process.exitCode = reportError(error, process.argv.includes('--json'));
    }
  }
}

void main();
