import type { Command } from 'commander';

/**
 * The commands of `intake`, each loaded only when it runs (a lone `--version` loads none: see
 * ../main.ts): `intake run …` imports the run
 * command (and the engine) and nothing else, so start-up stays quick. `intake --help`, an
 * unknown command, and `intake help` load them all, so the help lists every command as it is.
 *
 * A new command is one line here, its module exporting `(program: Command) => void` that adds
 * it (`program.command('serve')…`):
 *
 *   { names: ['serve'], load: async () => (await import('./serve.js')).serveCommand },
 *
 * The order is the order `intake --help` lists them in.
 */
export interface CommandEntry {
  /** the names of the commands the module adds, as typed after `intake` (most modules add one) */
  names: string[];
  /** imports the command's module and returns the function that registers it on the program */
  load: () => Promise<(program: Command) => void>;
}

export const commands: CommandEntry[] = [
  { names: ['validate'], load: async () => (await import('./validate.js')).validateCommand },
  { names: ['preview'], load: async () => (await import('./preview.js')).previewCommand },
  { names: ['run'], load: async () => (await import('./run.js')).runCommand },
  { names: ['runs'], load: async () => (await import('./runs.js')).runsCommand },
  { names: ['records'], load: async () => (await import('./records.js')).recordsCommand },
  { names: ['report'], load: async () => (await import('./report.js')).reportCommand },
  { names: ['integrations', 'launch', 'pause'], load: async () => (await import('./integrations.js')).integrationsCommand },
  { names: ['connectors'], load: async () => (await import('./connectors.js')).connectorsCommand },
  { names: ['credentials'], load: async () => (await import('./credentials.js')).credentialsCommand },
  { names: ['mapping'], load: async () => (await import('./mapping.js')).mappingCommand },
  { names: ['config'], load: async () => (await import('./config.js')).configCommand },
  { names: ['serve'], load: async () => (await import('./serve.js')).serveCommand },
  { names: ['worker'], load: async () => (await import('./worker.js')).workerCommand },
  { names: ['demo'], load: async () => (await import('./demo.js')).demoCommand },
];

/** Global options that take a value: the word after them is not a command's name. */
const valued = new Set(['--db', '--credentials']);

/**
 * The commands a command line needs: the one it names (`help <name>` too); none for `--version`
 * alone; every command otherwise (`--help`, no command, an unknown one: the help and commander's
 * "did you mean" need them all).
 */
export function commandsFor(args: string[]): CommandEntry[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    if (valued.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
    if (words.length === 2) break;
  }
  const named = (word: string | undefined) => commands.find((c) => word !== undefined && c.names.includes(word));
  if (words[0] === 'help' && named(words[1])) return [named(words[1])!];
  if (named(words[0])) return [named(words[0])!];
  if (!words.length && args.some((a) => a === '-V' || a === '--version') && !args.some((a) => a === '-h' || a === '--help')) return [];
  return commands;
}
