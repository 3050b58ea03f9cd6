import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readBounded } from '../definition/limits.js';
import { validateSchema } from '../definition/schema.js';
import { locate, parseYaml, type SourceFile } from '../definition/yaml.js';
import { DefinitionError, IntakeError, UsageError, type DefinitionIssue } from '../errors.js';
import { parseTarget } from '../targets/index.js';
import { instanceUrl } from '../targets/oomnitza/url.js';

/**
 * The config file: defaults a user sets once. `INTAKE_CONFIG` names it; else
 * `$XDG_CONFIG_HOME/intake/config.yaml`; else `~/.config/intake/config.yaml`.
 *
 * ```yaml
 * # ~/.config/intake/config.yaml
 * store: ~/intake/intake.db
 * target: oomnitza
 * oomnitza: { url: https://acme.oomnitza.com }
 * connectors: [~/intake/connectors]
 * ```
 */
export interface ConfigFile {
  path: string;
  /** what named it: INTAKE_CONFIG, XDG_CONFIG_HOME, or the default place */
  from: 'INTAKE_CONFIG' | 'XDG_CONFIG_HOME' | 'default';
  exists: boolean;
  /** the file's values, paths made absolute (relative to the file's folder, ~/ the home folder) */
  values: ConfigValues;
}

export interface ConfigValues {
  store?: string;
  target?: string;
  oomnitza?: { url?: string };
  connectors?: string[];
  /** intake serve: the bearer token required off loopback (INTAKE_SERVICE_TOKEN wins) */
  service?: { token?: string };
}

/** Where the config file is, and what said so. */
export function configPath(env: NodeJS.ProcessEnv = process.env): Pick<ConfigFile, 'path' | 'from'> {
  if (env.INTAKE_CONFIG) return { path: resolve(expandHome(env.INTAKE_CONFIG, env)), from: 'INTAKE_CONFIG' };
  // XDG: a relative XDG_CONFIG_HOME is to be ignored
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  return { path: join(xdg ?? join(home(env), '.config'), 'intake', 'config.yaml'), from: xdg ? 'XDG_CONFIG_HOME' : 'default' };
}

const cache = new Map<string, { stamp: string; file: ConfigFile }>();

/**
 * The config file, read and checked like a definition file: YAML with positions, the schema
 * (schemas/config.schema.json), then the values themselves (a target Intake has, an Oomnitza URL
 * it can use). A file with a problem is a `DefinitionError` with every problem at its position
 * (exit 2); a missing file sets no default, but one that INTAKE_CONFIG names must exist.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const { path, from } = configPath(env);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    if (from === 'INTAKE_CONFIG') throw new UsageError('config_not_found', `INTAKE_CONFIG names ${path}, which does not exist`, { hint: 'create the file, or unset INTAKE_CONFIG to use ~/.config/intake/config.yaml' });
    return { path, from, exists: false, values: {} };
  }
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const cached = cache.get(path);
  if (cached?.stamp === stamp) return cached.file;
  const issues = configIssues(path);
  if (issues.problems.length) throw new DefinitionError(issues.problems);
  const file = { path, from, exists: true, values: absolute(issues.values!, dirname(path), env) };
  cache.set(path, { stamp, file });
  return file;
}

/** Every problem of a config file, with positions (empty when it is fine), and its values. */
export function configIssues(path: string): { problems: DefinitionIssue[]; values?: ConfigValues } {
  let text: string;
  try {
    text = readBounded(path).text;
  } catch (error) {
    return { problems: [{ file: path, line: 1, col: 1, code: 'file_unreadable', path: '', message: `cannot read the config file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'check the file and its permissions' }] };
  }
  const parsed = parseYaml(path, text.trim() === '' ? '{}' : text);
  if (!parsed.source) return { problems: parsed.issues };
  const schemaIssues = validateSchema('config', parsed.source);
  if (schemaIssues.length) return { problems: schemaIssues };
  const values = parsed.source.data as ConfigValues;
  return { problems: checkValues(values, parsed.source), values };
}

/** What the schema cannot say: the target is one Intake has, the Oomnitza URL one it can send a token to. */
function checkValues(values: ConfigValues, source: SourceFile): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const report = (at: string[], check: () => unknown) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      issues.push({ file: source.file, ...locate(source, at), code: error.code, path: at.join('.'), message: error.message.replace(/; nothing was run$/, ''), hint: error.hint });
    }
  };
  if (values.target !== undefined) report(['target'], () => parseTarget(values.target!, '.', 'target:'));
  if (values.oomnitza?.url !== undefined) report(['oomnitza', 'url'], () => instanceUrl(values.oomnitza!.url));
  return issues;
}

function absolute(values: ConfigValues, dir: string, env: NodeJS.ProcessEnv): ConfigValues {
  const path = (p: string) => resolve(dir, expandHome(p, env));
  const target = values.target && /^[a-z][a-z0-9_]*:/.test(values.target) ? values.target.replace(/^([a-z][a-z0-9_]*):(.*)$/, (_, type: string, file: string) => `${type}:${path(file)}`) : values.target;
  return {
    ...(values.store !== undefined ? { store: path(values.store) } : {}),
    ...(target !== undefined ? { target } : {}),
    ...(values.oomnitza ? { oomnitza: { ...values.oomnitza } } : {}),
    ...(values.connectors ? { connectors: values.connectors.map(path) } : {}),
    ...(values.service ? { service: { ...values.service } } : {}),
  };
}

function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' ? home(env) : path.startsWith('~/') ? join(home(env), path.slice(2)) : path;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}
