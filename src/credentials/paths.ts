import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * Where this machine's credential files are:
 *
 * - the credentials file: `--credentials <file>` (the CLI sets `INTAKE_CREDENTIALS` from it), else
 *   `INTAKE_CREDENTIALS`, else `$XDG_CONFIG_HOME/intake/credentials.yaml`, else
 *   `~/.config/intake/credentials.yaml` (an empty or relative `XDG_CONFIG_HOME` is ignored, as the
 *   XDG Base Directory specification says);
 * - the vault key file: `vault.key` beside the credentials file (used when `INTAKE_VAULT_KEY` is not set).
 */
export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.INTAKE_CREDENTIALS) return resolve(env.INTAKE_CREDENTIALS);
  return join(configHome(env), 'intake', 'credentials.yaml');
}

export function vaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(credentialsFile(env)), 'vault.key');
}

function configHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return xdg;
  return join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), '.config');
}
