import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root: the CLI runs here unless a test gives another folder. */
export const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user does, asynchronously (a simulator in the test's process must keep
 * serving), with only PATH, TZ and the given variables in its environment: no credential unless passed.
 */
export function intake(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliResult> {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run the tests with npm test, which builds first');
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env.PATH, TZ: 'UTC', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
