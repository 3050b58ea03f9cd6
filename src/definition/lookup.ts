import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { loadConfig } from '../config/file.js';
import { UsageError } from '../errors.js';
import { packageRoot } from '../paths.js';
import { suggestion } from './suggest.js';

/**
 * Where a connector id is looked up, in this order; the first folder that holds `<id>.yaml` wins:
 *
 * 1. `user` — the user's own connectors: `connectors/` beside the mapping's folder (for a mapping
 *    at `work/mappings/x.yaml`, `work/connectors/`), or `./connectors` for a command given a
 *    connector id (`intake preview <id>`, `intake mapping suggest <id>`, `intake connectors`).
 *    What the user is editing comes first, so a copy of a shipped connector overrides it.
 * 2. `shipped` — the connectors that come with Intake (reviewed and tested with it).
 * 3. `INTAKE_CONNECTORS` — each folder of that path list (`:`-separated, like PATH), in order;
 *    when it is not set, the config file's `connectors:` list (`config`).
 *    It adds connectors; it cannot replace a shipped one behind the user's back (a variable set
 *    by a profile or a CI job is easy to forget), so a shipped id always means the shipped file
 *    unless the user's own folder says otherwise.
 *
 * A folder listed twice (the working folder is the Intake checkout) is searched once, under its
 * first role, except that the shipped folder is always called `shipped`.
 */
export type ConnectorOrigin = 'user' | 'shipped' | 'INTAKE_CONNECTORS' | 'config';

export interface ConnectorFolder {
  origin: ConnectorOrigin;
  dir: string;
}

/** What a connector id must look like (schemas/connector.schema.json, `id`). */
export const connectorIdPattern = /^[a-z][a-z0-9_-]*$/;

/** The folders searched for a connector id, in order; `userDir` is the user's `connectors/`. */
export function connectorFolders(userDir: string, env: NodeJS.ProcessEnv = process.env): ConnectorFolder[] {
  const shipped = join(packageRoot(), 'connectors');
  const listed: ConnectorFolder[] = [
    { origin: 'user', dir: resolve(userDir) },
    { origin: 'shipped', dir: shipped },
    ...(env.INTAKE_CONNECTORS
      ? env.INTAKE_CONNECTORS.split(delimiter).filter((entry) => entry.trim() !== '').map((entry) => ({ origin: 'INTAKE_CONNECTORS' as const, dir: resolve(entry) }))
      : (loadConfig(env).values.connectors ?? []).map((dir) => ({ origin: 'config' as const, dir }))),
  ];
  const shippedKey = identity(shipped);
  const seen = new Set<string>();
  const folders: ConnectorFolder[] = [];
  for (const folder of listed) {
    const key = identity(folder.dir);
    if (seen.has(key)) continue;
    seen.add(key);
    folders.push(key === shippedKey ? { origin: 'shipped', dir: shipped } : folder);
  }
  return folders;
}

/** The user's connector folder for a mapping file: `connectors/` beside the mapping's folder. */
export function userFolderOf(mappingFile: string): string {
  return resolve(mappingFile, '..', '..', 'connectors');
}

export interface FoundConnector {
  id: string;
  file: string;
  origin: ConnectorOrigin;
  dir: string;
}

/** The file of connector `id`: the first folder that has `<id>.yaml`; undefined when none has. */
export function findConnector(id: string, folders: ConnectorFolder[]): FoundConnector | undefined {
  if (!connectorIdPattern.test(id)) return undefined;
  for (const folder of folders) {
    const file = join(folder.dir, `${id}.yaml`);
    if (isFile(file)) return { id, file, origin: folder.origin, dir: folder.dir };
  }
  return undefined;
}

/** Every connector file in the folders, in lookup order; a later one with an earlier one's id is shadowed by it. */
export function allConnectors(folders: ConnectorFolder[]): (FoundConnector & { shadowedBy?: string })[] {
  const first = new Map<string, string>();
  const found: (FoundConnector & { shadowedBy?: string })[] = [];
  for (const folder of folders) {
    for (const name of yamlFiles(folder.dir)) {
      const id = name.replace(/\.yaml$/, '');
      const file = join(folder.dir, name);
      const winner = first.get(id);
      found.push({ id, file, origin: folder.origin, dir: folder.dir, ...(winner ? { shadowedBy: winner } : {}) });
      if (!winner) first.set(id, file);
    }
  }
  return found;
}

/** "did you mean …?" over every id the folders hold, or the list of them. */
export function connectorHint(id: string, folders: ConnectorFolder[]): string {
  const ids = [...new Set(allConnectors(folders).map((c) => c.id))].sort();
  if (!ids.length) return 'no connector files were found in these folders';
  return `${suggestion(id, ids)} (intake connectors lists every connector and where it comes from)`;
}

/** The folders in words, for a message: `connectors/ (user), …/connectors (shipped)`. */
export function describeFolders(folders: ConnectorFolder[], show: (dir: string) => string): string {
  return folders.map((f) => `${show(f.dir)} (${f.origin === 'config' ? 'config file' : f.origin})`).join(', ');
}

function yamlFiles(dir: string): string[] {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.yaml') && connectorIdPattern.test(name.slice(0, -5)) && isFile(join(dir, name))).sort();
}

function identity(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function isDirectory(dir: string): boolean {
  try {
    return existsSync(dir) && statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The file a command's `<connector>` argument names: a path to a YAML file as given, else an id
 * looked up from the working folder (`./connectors`, shipped, INTAKE_CONNECTORS). An unknown id is
 * a usage error naming the folders searched and the nearest id.
 */
export function connectorArgument(arg: string, show: (dir: string) => string = (dir) => dir): FoundConnector {
  if (/\.ya?ml$/.test(arg) || arg.includes('/')) {
    const file = resolve(arg);
    if (!isFile(file)) throw new UsageError('connector_not_found', `no connector file at ${show(file)}`, { hint: 'give a path to a connector YAML file, or a connector id (intake connectors lists them)' });
    return { id: arg, file, origin: 'user', dir: resolve(file, '..') };
  }
  const folders = connectorFolders('connectors');
  const found = findConnector(arg, folders);
  if (found) return found;
  const what = connectorIdPattern.test(arg) ? `no connector "${arg}"` : `"${arg}" is not a connector id (lower-case letters, digits, "-" and "_"), and no connector`;
  throw new UsageError('connector_not_found', `${what} in ${describeFolders(folders, show)}`, { hint: connectorHint(arg, folders) });
}
