import type { Command } from 'commander';
import { resolveSettings, type Setting, type Settings } from '../../config/resolve.js';
import { targetForms } from '../../targets/index.js';
import { print, table, visible } from '../output.js';

/** `intake config` — the defaults a run starts from, each with where it came from. */
export function configCommand(program: Command): void {
  program
    .command('config')
    .description('show the defaults a run starts from (store, target, Oomnitza URL, connector folders) and where each comes from: flag, environment, config file, default')
    .option('--json', 'print the config file and every value with its source as JSON')
    .option('--target <target>', 'show the target as this flag would set it')
    .option('--oomnitza-url <url>', 'show the Oomnitza URL as this flag would set it')
    .addHelpText('after', `
The config file is $XDG_CONFIG_HOME/intake/config.yaml (~/.config/intake/config.yaml), or the
file INTAKE_CONFIG names. It is checked like a mapping (every problem at its line and column):

  store: ~/intake/intake.db                # --db and INTAKE_DB win
  target: oomnitza                         # --target and a mapping's target: win (${targetForms().join(', ')})
  oomnitza: { url: https://acme.oomnitza.com }   # --oomnitza-url and OOMNITZA_URL win
  connectors: [~/intake/connectors]        # INTAKE_CONNECTORS wins

Relative paths are relative to the file's folder. No credential belongs here: the Oomnitza token
comes from OOMNITZA_TOKEN or the credential store (intake credentials set oomnitza). See docs/targets.md.`)
    .action((opts: { json?: boolean; target?: string; oomnitzaUrl?: string }, command: Command) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      const settings = resolveSettings({ db, target: opts.target, oomnitzaUrl: opts.oomnitzaUrl });
      if (opts.json) return print(settings);
      process.stdout.write(`${formatSettings(settings)}\n`);
    });
}

export function formatSettings(settings: Settings): string {
  const { file } = settings;
  const named = file.from === 'INTAKE_CONFIG' ? ' (named by INTAKE_CONFIG)' : file.from === 'XDG_CONFIG_HOME' ? ' (in XDG_CONFIG_HOME)' : '';
  const rows: [string, Setting<unknown>, string][] = [
    ['store', settings.store, String(settings.store.value)],
    ['target', settings.target, `${String(settings.target.value)}${settings.target.source === 'flag' ? '' : ' (a mapping\'s target: wins over it)'}`],
    ['oomnitza.url', settings.oomnitza_url, settings.oomnitza_url.value ?? '(none)'],
    ['connectors', settings.connectors, settings.connectors.value.length ? settings.connectors.value.join(', ') : '(none: your connectors/ and the shipped ones)'],
  ];
  return [
    `config file: ${visible(file.path)}${named}${file.exists ? '' : ' — not there: no defaults set'}`,
    '',
    table(['setting', 'from', 'value'], rows.map(([name, setting, value]) => [name, from(setting), value])),
  ].join('\n');
}

function from(setting: Setting<unknown>): string {
  if (setting.source === 'config file') return 'config file';
  return setting.via ? `${setting.source} (${setting.via})` : setting.source;
}
