import type Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { resolveSettings as configSettings } from '../config/resolve.js';
import { resolveFrom, storeFor } from '../credentials/stores/index.js';
import { displayPath, loadIntegration, type Integration } from '../definition/load.js';
import type { MappingSpec } from '../definition/model.js';
import { resolveSettings, SettingsError } from '../definition/settings.js';
import { CredentialError, DefinitionError, UsageError, type DefinitionIssue } from '../errors.js';
import { packageRoot } from '../paths.js';
import { RunLog } from '../runlog/runlog.js';
import type { Counts } from '../sync/outcomes.js';
import { chooseTarget } from '../targets/choose.js';
import { scheduleOf } from '../schedule/schedule.js';
import { launchState } from './state.js';

/**
 * The life of an integration: `invalid` (a file does not load), `draft` (it loads but lacks a sync
 * key, a required field, a required setting or credentials), `ready` (complete, never launched), `launched`
 * (scheduled), `paused` (launched once, not scheduled now).
 */
export type IntegrationState = 'invalid' | 'draft' | 'ready' | 'launched' | 'paused';

export interface IntegrationStatus {
  /** the mapping file's base name: how commands and the service name the integration */
  name: string;
  file: string;
  title: string;
  state: IntegrationState;
  /** what a draft lacks, or why a file is invalid */
  missing: string[];
  installation: 'local' | 'cloud';
  record_type: string;
  preference: string;
  schedule: string;
  last_run: { id: number; status: string; started_at: string; counts: Counts; saas_users?: { app: string; counts: Counts } } | null;
}

/** Where integrations live: `--mappings`, else ./mappings, else the shipped mappings. */
export function mappingsDir(option?: string): string {
  if (option) return resolve(option);
  return existsSync(resolve('mappings')) ? resolve('mappings') : join(packageRoot(), 'mappings');
}

/** The mapping files of a folder, by name. */
export function mappingFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError('mappings_not_found', `no mappings folder at ${displayPath(dir)}`, { hint: 'pass --mappings <folder>, or run from the folder that holds mappings/' });
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
}

/** `slack-users` or a path → the mapping file; an unknown name suggests the known ones. */
export function findMapping(arg: string, dir: string): string {
  if (/\.ya?ml$/.test(arg) || arg.includes('/')) {
    if (existsSync(arg)) return resolve(arg);
  } else {
    for (const ext of ['.yaml', '.yml']) if (existsSync(join(dir, `${arg}${ext}`))) return join(dir, `${arg}${ext}`);
  }
  const known = existsSync(dir) ? mappingFiles(dir).map(nameOf) : [];
  throw new UsageError('integration_not_found', `no integration "${arg}" in ${displayPath(dir)}`, { hint: known.length ? `integrations: ${known.join(', ')}` : 'pass a mapping file, or --mappings <folder>' });
}

export const nameOf = (file: string) => basename(file).replace(/\.ya?ml$/, '');

/**
 * Loads an integration as a draft may be, and says what it still lacks, credentials included: a
 * local integration's from this machine (environment, credentials file), a cloud integration's
 * from the vault of the embedded store `db`.
 */
export function completeness(file: string, db: string, env: NodeJS.ProcessEnv = process.env): { integration?: Integration; missing: string[]; invalid?: DefinitionIssue[] } {
  let integration: Integration;
  try {
    integration = loadIntegration(file, { draft: true });
  } catch (error) {
    if (error instanceof DefinitionError) return { missing: [], invalid: error.issues };
    throw error;
  }
  const missing = integration.missing.map((i) => i.message);
  try {
    resolveSettings(integration.connector, integration.mapping.settings);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    missing.push(`settings: ${error.message}`);
  }
  const credentials = credentialProblem(integration, db, env);
  if (credentials) missing.push(credentials);
  const target = targetProblem(integration, db, env);
  if (target) missing.push(target);
  return { integration, missing };
}

/** What the target a scheduled run would write into (the mapping's, else the config file's) lacks: the Oomnitza URL or token. */
function targetProblem({ mapping, mappingFile }: Integration, db: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    const config = configSettings({}, env);
    const chosen = chooseTarget({ defaultTarget: config.target.source === 'config file' ? config.target.value : undefined }, mapping, mappingFile);
    chosen.definition.check?.(chosen.config, { env, oomnitzaUrl: config.oomnitza_url.value, storePath: db, installation: mapping.installation });
    return undefined;
  } catch (error) {
    if (error instanceof CredentialError || error instanceof UsageError) return `target: ${error.message.replace(/; nothing was run$/, '')}${error.hint ? ` (${error.hint})` : ''}`;
    throw error;
  }
}

function credentialProblem({ connector, mapping }: Integration, db: string, env: NodeJS.ProcessEnv): string | undefined {
  try {
    resolveFrom(storeFor(mapping.installation, { env, db }), connector);
    return undefined;
  } catch (error) {
    if (error instanceof CredentialError) return `credentials: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
    throw error;
  }
}

/** One integration as `intake integrations` lists it. */
export function integrationStatus(file: string, db: Database.Database, storeFile: string = db.name, env?: NodeJS.ProcessEnv): IntegrationStatus {
  const name = nameOf(file);
  const { integration, missing, invalid } = completeness(file, storeFile, env);
  const mapping = integration?.mapping;
  const stored = launchState(db, name);
  const state: IntegrationState = invalid ? 'invalid' : missing.length ? 'draft' : stored ?? 'ready';
  const last = new RunLog(db).last(name);
  return {
    name,
    file: displayPath(file),
    title: mapping?.name ?? integration?.connector.name ?? name,
    state,
    missing: invalid ? invalid.map((i) => `${i.file}:${i.line}:${i.col} ${i.message}`) : missing,
    installation: mapping?.installation ?? 'local',
    record_type: mapping?.record_type ?? '',
    preference: mapping?.preference ?? '',
    schedule: mapping ? describeSchedule(mapping.schedule) : '',
    last_run: last ? { id: last.id, status: last.status, started_at: last.started_at, counts: last.counts, ...(last.saas_users ? { saas_users: last.saas_users } : {}) } : null,
  };
}

/** `{ every: day, at: "02:00", timezone: UTC }` → "daily at 02:00 UTC" (the default when absent); see src/schedule/schedule.ts. */
export function describeSchedule(schedule: MappingSpec['schedule']): string {
  return scheduleOf(schedule).describe();
}
