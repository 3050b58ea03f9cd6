import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../helpers/cli.js';

/**
 * A folder laid out like a user's: mappings/ with copies of the shipped Slack users mapping, each
 * pointed at the simulator (`base_url`), read in pages of `pageSize`, on `schedule` (YAML).
 */
export function queueFolder(simulatorUrl: string, integrations: Record<string, { schedule?: string; pageSize?: number }>): { dir: string; mappings: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'intake-queue-'));
  const mappings = join(dir, 'mappings');
  mkdirSync(mappings);
  const shipped = readFileSync(join(root, 'mappings', 'slack-users.yaml'), 'utf8');
  for (const [name, { schedule, pageSize }] of Object.entries(integrations)) {
    let text = shipped.replace('settings:\n  max_pages: 100', `settings:\n  max_pages: 100\n  base_url: ${simulatorUrl}${pageSize ? `\n  page_size: ${pageSize}` : ''}`);
    if (schedule) text = text.replace(/^schedule: .*$/m, `schedule: ${schedule}`);
    writeFileSync(join(mappings, `${name}.yaml`), text);
  }
  return { dir, mappings, db: join(dir, 'service.db') };
}

/** A private config home for in-process runs: the machine's own credentials file is never read. */
export function quietEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), 'intake-queue-home-'));
  return { PATH: process.env.PATH, TZ: 'UTC', XDG_CONFIG_HOME: home, ...extra };
}

export { cpSync };
