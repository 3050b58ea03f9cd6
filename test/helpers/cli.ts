import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root: the CLI runs here unless a test gives another folder. */
export const root = join(import.meta.dirname, '..', '..');
/** The built `intake` command, as package.json's `bin` names it (the bundle `npm run build` writes). */
export const cli = join(root, 'dist', 'cli', 'intake.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * An empty config home for every run: the credentials file and the vault key of the machine that
 * runs the tests (~/.config/intake/) are never read. A test passes XDG_CONFIG_HOME to use its own.
 */
const home = mkdtempSync(join(tmpdir(), 'intake-cli-'));
const configHome = join(home, 'config');
/** The compiled-code cache of these runs (src/cli/launch.ts), not the machine's ~/.cache/intake/. */
const cacheHome = join(home, 'cache');

/**
 * Runs the built CLI as a user does, asynchronously (a simulator in the test's process must keep
 * serving), with only PATH, TZ, an empty XDG_CONFIG_HOME, a cache home of the test process's own and the given variables in its
 * environment: no credential unless passed. `input` is its standard input (closed either way).
 */
export function intake(args: string[], env: Record<string, string> = {}, cwd = root, input = ''): Promise<CliResult> {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run the tests with npm test, which builds first');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env.PATH, TZ: 'UTC', XDG_CONFIG_HOME: configHome, XDG_CACHE_HOME: cacheHome, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
