import { performance } from 'node:perf_hooks';
import { resolveLocalCredentials, secretsOf } from './credentials/local.js';
import { displayPath, loadIntegration, type Integration } from './definition/load.js';
import type { FieldType } from './definition/model.js';
import { resolveSettings } from './definition/settings.js';
import { suggestion } from './definition/suggest.js';
import { CredentialError, IntakeError } from './errors.js';
import { compileMapping } from './mapping/compile.js';
import { RunLog, type RunStatus } from './runlog/runlog.js';
import { openStore } from './store/db.js';
import type { CredentialValues } from './source/auth/types.js';
import { readSource, scrubber } from './source/read.js';
import type { SourceStats } from './source/types.js';
import { sync } from './sync/engine.js';
import { groupReasons, Tally, type Counts } from './sync/outcomes.js';
import { sqliteTarget } from './targets/sqlite.js';
import type { Target } from './targets/target.js';

export interface RunOptions {
  mappingFile: string;
  /** the embedded store's file */
  db: string;
  /** `--set key=value` overrides of connector settings */
  overrides?: Record<string, string>;
  dryRun?: boolean;
  env?: NodeJS.ProcessEnv;
  /** credentials given in-process (the demo, the instance's vault); otherwise the local credential store */
  credentials?: CredentialValues;
  onProgress?: (stats: SourceStats, tally: Tally) => void;
  onWait?: (ms: number, reason: string) => void;
}

export interface RunResult {
  run_id: number | null;
  integration: string;
  mapping: string;
  connector: string;
  preference: string;
  dry_run: boolean;
  status: RunStatus;
  read: number;
  counts: Counts;
  pages: number;
  entries: number;
  requests: number;
  duration_ms: number;
  message?: string;
  hint?: string;
  warnings: string[];
  reasons: ReturnType<typeof groupReasons>;
}

/** A problem found after loading but before reading (settings, credentials, target fields). */
export class RunConfigError extends IntakeError {}

/**
 * Runs one integration: load and check its files, resolve settings and credentials, check the
 * target's fields, stream the source through the mapping into the sync engine, write the run log.
 * Definition problems throw (nothing has run); run-time problems end in a failed run result.
 */
export async function runIntegration(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const integration = loadIntegration(options.mappingFile);
  const { connector, mapping } = integration;
  const settings = resolveSettings(connector, mapping.settings, options.overrides);
  const db = openStore(options.db);
  const target = sqliteTarget(db);
  const log = new RunLog(db);
  const tally = new Tally();
  let stats: SourceStats = { pages: 0, entries: 0, requests: 0, warnings: [] };
  const warnings: string[] = [];
  const name = mapping.name ?? connector.name;
  const runId = options.dryRun ? null : log.start({ integration: name, mappingFile: displayPath(integration.mappingFile), connector: connector.id, preference: mapping.preference });
  let failure: IntakeError | undefined;
  let scrub = (text: string) => text;
  try {
    const credentials = options.credentials ?? localCredentials(integration, options.env);
    const secrets = secretsOf(connector, credentials);
    scrub = scrubber(secrets);
    const types = await targetTypes(target, integration, warnings);
    const source = readSource({
      connector, settings, credentials, secrets, fields: usedFields(mapping),
      onPage: (s) => options.onProgress?.(s, tally),
      onWait: options.onWait,
    });
    stats = source.stats;
    await sync(source.items, {
      target,
      recordType: mapping.record_type,
      preference: mapping.preference,
      mapping: compileMapping(mapping, types, { sync_time: new Date().toISOString(), credential_name: mapping.credential ?? connector.id, settings }),
      syncKey: mapping.sync_key,
      required: (await target.describe(mapping.record_type)).filter((f) => f.required).map((f) => f.name),
      tally,
      dryRun: options.dryRun,
      beforeFirstWrite: () => createCustomFields(target, integration),
    });
  } catch (error) {
    failure = error instanceof IntakeError
      ? error
      : new IntakeError('internal_error', `internal error: ${error instanceof Error ? error.message : String(error)}`, { hint: 'this is a bug in Intake: report it with the run log (intake runs show <id>)', cause: error });
  }
  await target.close();
  warnings.push(...stats.warnings);
  const status: RunStatus = failure ? 'failed' : tally.counts.failed > 0 ? 'completed_with_failures' : 'succeeded';
  const message = failure ? scrub(failure.message) : undefined;
  const hint = failure?.hint ? scrub(failure.hint) : undefined;
  if (runId !== null) log.finish(runId, { status, counts: tally.counts, details: tally.details, pages: stats.pages, entries: stats.entries, requests: stats.requests, message, hint, warnings });
  db.close();
  return {
    run_id: runId, integration: name, mapping: displayPath(integration.mappingFile), connector: connector.id, preference: mapping.preference,
    dry_run: Boolean(options.dryRun), status, read: tally.read, counts: tally.counts, pages: stats.pages, entries: stats.entries,
    requests: stats.requests, duration_ms: Math.round(performance.now() - started), message, hint, warnings,
    reasons: groupReasons(tally.details),
  };
}

/**
 * Target field types for the mapping. Every field the mapping writes must exist or be declared
 * under custom_fields. A sync-key field that no record has yet (the Slack users integration
 * has not run) only warns: nothing can match, so every record is skipped or added.
 */
async function targetTypes(target: Target, { mapping, mappingFile }: Integration, warnings: string[]): Promise<Map<string, FieldType>> {
  const known = new Map<string, FieldType>((await target.describe(mapping.record_type)).map((f) => [f.name, f.type]));
  for (const [name, spec] of Object.entries(mapping.custom_fields ?? {})) if (!known.has(name)) known.set(name, spec.type);
  const missing = Object.keys(mapping.fields).filter((name) => !known.has(name));
  if (missing.length) {
    throw new RunConfigError('target_field_missing', `${displayPath(mappingFile)}: the ${mapping.record_type} records have no field ${missing.map((m) => `"${m}"`).join(', ')}`, {
      hint: `${suggestion(missing[0], [...known.keys()])}; declare a new field under custom_fields to have it created`,
    });
  }
  for (const { target: field } of mapping.sync_key.filter((k) => !known.has(k.target))) {
    warnings.push(`no ${mapping.record_type} record has the sync key field "${field}" yet, so none can match; run the integration that fills it first (for slack_user_id: mappings/slack-users.yaml)`);
    known.set(field, 'string');
  }
  return known;
}

/** The connector fields a mapping reads: field sources, filters and sync keys. */
function usedFields(mapping: Integration['mapping']): string[] {
  const sources = Object.values(mapping.fields).map((spec) => (typeof spec === 'string' ? spec : 'source' in spec ? spec.source : undefined));
  return [...sources, ...(mapping.filters ?? []).map((f) => f.field), ...mapping.sync_key.map((k) => k.source)].filter((f): f is string => Boolean(f));
}

/** Credentials from this machine; a cloud integration's live in the instance's vault instead. */
function localCredentials({ connector, mapping }: Integration, env?: NodeJS.ProcessEnv) {
  if (mapping.installation === 'cloud') {
    throw new CredentialError('cloud_installation', `${mapping.name ?? connector.name} has the cloud installation type: it runs in the instance, whose vault holds its credentials, not on this machine`, {
      hint: `try the connector here with intake preview ${connector.id} (credentials from the environment); schedule the integration in the instance`,
    });
  }
  return resolveLocalCredentials(connector, env);
}

async function createCustomFields(target: Target, { mapping }: Integration): Promise<void> {
  const existing = new Set((await target.describe(mapping.record_type)).map((f) => f.name));
  for (const [name, spec] of Object.entries(mapping.custom_fields ?? {})) {
    if (!existing.has(name)) await target.createCustomField(mapping.record_type, name, spec);
  }
}

