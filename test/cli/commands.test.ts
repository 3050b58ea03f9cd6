import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands, commandsFor } from '../../src/cli/commands/index.js';
import { version } from '../../src/cli/version.js';

describe('commands loaded only when they run (src/cli/commands/index.ts)', () => {
  it('each entry registers the commands it names, and nothing else', async () => {
    for (const entry of commands) {
      const program = new Command('intake');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual(entry.names);
    }
  });

  it('a command line loads the command it names; help, no command or an unknown one load them all; --version none', () => {
    const names = (args: string[]) => commandsFor(args).map((c) => c.names[0]);
    expect(names(['run', 'mappings/slack-users.yaml', '--json'])).toEqual(['run']);
    expect(names(['--db', 'run', 'validate', 'x.yaml'])).toEqual(['validate']); // --db takes a value, even one named like a command
    expect(names(['--credentials', 'c.yaml', 'credentials', 'list'])).toEqual(['credentials']);
    expect(names(['help', 'preview'])).toEqual(['preview']);
    expect(names(['launch', 'slack-users'])).toEqual(['integrations']); // one module adds integrations, launch and pause
    expect(names(['--version'])).toEqual([]);
    expect(names(['-V'])).toEqual([]);
    const all = commands.map((c) => c.names[0]);
    expect(names([])).toEqual(all);
    expect(names(['--help'])).toEqual(all);
    expect(names(['--version', '--help'])).toEqual(all);
    expect(names(['valdate', 'x.yaml'])).toEqual(all); // commander's "did you mean validate?" needs them
    expect(names(['help'])).toEqual(all);
  });

  it('intake --version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(version).toBe(pkg.version);
  });
});
