import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { secretsOf } from './credentials/local.js';
import { resolveFrom, storeFor, vaultKeeper } from './credentials/stores/index.js';
import { scrubDeep } from './credentials/scrub.js';
import { displayPath, loadIntegration, type Integration } from './definition/load.js';
import type { MappingSpec } from './definition/model.js';
import { resolveSettings } from './definition/settings.js';
import { suggestion } from './definition/suggest.js';
import { DefinitionError, IntakeError } from './errors.js';
import { nameOf } from './integrations/catalog.js';
import { compileMapping, saasLinkFields, type MappingTargets, type Meta } from './mapping/compile.js';
import { heartbeatMs } from './runlog/owner.js';
import { RunLog, type Checkpoint, type RunStatus, type RunSummary } from './runlog/runlog.js';
import { openStore, openStoreForReading, writeTransaction } from './store/db.js';
import { storeError } from './store/errors.js';
import type { CredentialValues } from './source/auth/types.js';
import { countRetry, readSource, scrubber, type SourcePosition } from './source/read.js';
import { noRetries, type RetryStats, type SourceStats } from './source/types.js';
import { resolveKeyPairs, sync, SyncInterrupted, type RecordEvent } from './sync/engine.js';
import { lookupsAhead } from './sync/ahead.js';
import { addCounts, groupReasons, Tally, type Counts } from './sync/outcomes.js';
import type { RecordType } from './targets/fields.js';
import { chooseTarget, type ChosenTarget } from './targets/choose.js';
import type { Target, TargetField } from './targets/target.js';

export interface RunOptions {
  mappingFile: string;
  /** the embedded store's file */
  db: string;
  /** `--set key=value` overrides of connector settings */
  overrides?: Record<string, string>;
  dryRun?: boolean;
  /** a test run: at most `testRecords` records, each shown with its outcome, nothing written; a draft may be tested */
  test?: boolean;
  env?: NodeJS.ProcessEnv;
  /** credentials given in-process (the demo, tests); otherwise the installation type's credential store: this machine's (environment, credentials file), or the vault in `db` */
  credentials?: CredentialValues;
  onProgress?: (stats: SourceStats, tally: Tally) => void;
  onWait?: (ms: number, reason: string) => void;
  /** stops the run between records (SIGINT, SIGTERM): the batch in progress is not written, the run ends `interrupted` */
  signal?: AbortSignal;
  /** read from the first page even when the last run left a checkpoint to continue from */
  fromStart?: boolean;
  /** `--target`: where the records go (`store`, `oomnitza`, `jsonl:<file>`, `csv:<file>`); wins over the mapping's `target:` */
  target?: string;
  /** the target when neither `target` nor the mapping names one (the config file's `target:`); else `store` */
  defaultTarget?: string;
  /** the Oomnitza instance's URL (--oomnitza-url, else OOMNITZA_URL, else the config file's) */
  oomnitzaUrl?: string;
  /** create the custom fields the mapping declares and a target with a fixed data model (Oomnitza) lacks */
  createFields?: boolean;
}

/** The records a test run reads at most. */
export const testRecords = 10;

export interface RunResult {
  run_id: number | null;
  integration: string;
  mapping: string;
  connector: string;
  preference: string;
  record_type: string;
  dry_run: boolean;
  test: boolean;
  status: RunStatus;
  read: number;
  counts: Counts;
  /** a People plus SaaS user integration: the SaaS user records' outcomes */
  saas_users?: { app: string; counts: Counts; reasons: ReturnType<typeof groupReasons> };
  pages: number;
  entries: number;
  requests: number;
  /** requests sent again and waits: how many, why, how long */
  retries: RetryStats;
  duration_ms: number;
  /** a failed run: the error's code (`internal_error` for a bug in Intake), message and hint */
  code?: string;
  message?: string;
  hint?: string;
  warnings: string[];
  reasons: ReturnType<typeof groupReasons>;
  /** a test run: each record's outcome and values */
  records?: RecordEvent[];
  /** a test run of a draft: what is missing before it can run */
  missing?: string[];
  /** an interrupted run: the signal that stopped it */
  signal?: string;
  /** this run continued where an earlier failed or interrupted run stopped */
  resumed_from?: { run: number; page: number; partition?: string };
  /** a failed or interrupted run: where the next run continues (null: from the first page) */
  resume?: RunSummary['resume'];
  /** where the records went, and where that choice came from */
  target: RunSummary['target'] & { from: ChosenTarget['from'] };
}

/** A problem found after loading but before reading (settings, credentials, target fields). */
export class RunConfigError extends IntakeError {}

/**
 * Runs one integration: load and check its files, resolve settings and credentials, check the
 * target's fields, stream the source through the mapping into the sync engine, write the run log.
 * Definition problems throw (nothing has run), and so does a draft; run-time problems end in a
 * failed run result. A test run (`test: true`) reads at most 10 records and writes nothing.
 */
export async function runIntegration(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const test = Boolean(options.test);
  const dryRun = Boolean(options.dryRun) || test;
  const integration = loadIntegration(options.mappingFile, { draft: test });
  const { connector, mapping } = integration;
  if (!mapping.sync_key) {
    // even a test run matches records by the sync key: without it there is nothing to show
    const issue = integration.missing.find((i) => i.code === 'sync_key_missing')!;
    throw new DefinitionError([{ ...issue, draft: false, hint: `${issue.hint}; a test run matches records by it too` }]);
  }
  const chosen = chooseTarget(options, mapping, integration.mappingFile);
  const settings = resolveSettings(connector, mapping.settings, options.overrides);
  const credentials = options.credentials ?? storedCredentials(integration, options);
  const secrets = secretsOf(connector, credentials);
  const scrub = scrubber(secrets);
  const env = options.env ?? process.env;
  const oomnitzaUrl = options.oomnitzaUrl ?? env.OOMNITZA_URL;
  // a target's missing settings stop the run before it opens (or creates) anything
  chosen.definition.check?.(chosen.config, { env, oomnitzaUrl, storePath: options.db, installation: mapping.installation });
  // a dry or test run writes nothing, so it never creates a store either
  const db = dryRun ? openStoreForReading(options.db) : openStore(options.db);
  // a refresh token the provider rotates goes back into the vault it came from, even in a dry or test run
  const keeper = !options.credentials && mapping.installation === 'cloud' ? vaultKeeper(db, connector.id, options.env ?? process.env) : undefined;
  const targetRetries = noRetries();
  let target: Target;
  try {
    target = chosen.definition.create(chosen.config, {
      db, dryRun, env, oomnitzaUrl, scrub, storePath: options.db, installation: mapping.installation,
      onRetry: (event) => countRetry(targetRetries, event), onWait: options.onWait,
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const runTarget = { name: chosen.config.type, where: target.traits.description, atomic: target.traits.atomic };
  const log = new RunLog(db, scrub);
  const tally = new Tally();
  const saasTally = mapping.saas_user ? new Tally() : undefined;
  const events: RecordEvent[] = [];
  let stats: SourceStats = { pages: 0, entries: 0, requests: 0, warnings: [], retries: noRetries() };
  const warnings: string[] = [];
  const name = mapping.name ?? connector.name;
  const key = nameOf(integration.mappingFile);
  let runId: number | null = null;
  try {
    runId = dryRun ? null : log.start({ key, integration: name, mappingFile: displayPath(integration.mappingFile), connector: connector.id, preference: mapping.preference, target: runTarget });
  } catch (error) {
    await target.close().catch(() => undefined);
    db.close();
    throw storeError(error, options.db) ?? error;
  }
  // a checkpoint is only good for the same target: records written elsewhere are not in this one
  const fingerprint = createHash('sha256').update(JSON.stringify({ connector, mapping, settings, target: runTarget })).digest('hex');
  // an export is written afresh by each run, so it holds what this run reads: from the first page
  const resume = runId === null || options.fromStart || !target.traits.keepsRecords ? undefined : resumeFrom(log, key, runId, fingerprint, warnings);
  const beat = runId === null ? undefined : setInterval(() => heartbeat(log, runId!), heartbeatMs).unref();
  let failure: IntakeError | undefined;
  let position: () => SourcePosition | 'done' | undefined = () => undefined;
  let resumed = () => false;
  try {
    const targets = await targetFields(target, integration, warnings, { createFields: Boolean(options.createFields), dryRun });
    // a target with a fixed data model gets the fields first: lookups by a new sync-key field need it
    if (target.traits.fixedFields && !dryRun) await createCustomFields(target, integration);
    const meta = { sync_time: new Date().toISOString(), credential_name: mapping.credential ?? connector.id, settings };
    const compiled = compileChecked(integration, targets, meta);
    // an aggregated read hands on its groups only once it has read everything: written in the store's order, taken a list at a time
    const storageOrder = Boolean(connector.aggregate) && !connector.detail && !test;
    const syncKey = resolveKeyPairs(mapping.sync_key);
    // and its People looked up while the read goes on, where the store can tell whether another process wrote since
    const ahead = storageOrder && !dryRun ? lookupsAhead(target, syncKey, Object.keys(mapping.fields ?? {})) : undefined;
    const source = readSource({
      connector, settings, credentials, secrets, fields: compiled.reads, resume: resume?.position,
      onPage: (s) => options.onProgress?.(s, tally),
      onWait: options.onWait,
      onCredentialChange: keeper?.change,
      onGroup: ahead?.add,
      signal: options.signal,
    });
    stats = source.stats;
    position = source.position;
    resumed = source.resumed;
    const checkpoint = (): Checkpoint | null => checkpointOf(position(), Boolean(connector.aggregate), fingerprint, scrub);
    await sync(test ? take(source.items, testRecords) : storageOrder ? { lists: source.lists } : source.items, {
      target: ahead?.target ?? target,
      preference: mapping.preference,
      mapping: compiled,
      syncKey,
      required: requiredOf(targets.people),
      tally,
      saas: saasTally && { required: requiredOf(targets.saas_users!).filter((f) => !(saasLinkFields as readonly string[]).includes(f)), tally: saasTally },
      dryRun,
      beforeFirstWrite: () => createCustomFields(target, integration),
      onRecord: test ? (event) => events.push(event) : undefined,
      // in the store, each batch, its run-log counts, reasons and checkpoint commit together, or not at all;
      // elsewhere (a remote API, a file) the batch's run-log entry commits once the target has acknowledged its writes
      unit: dryRun || !target.traits.inStore ? undefined : (work) => writeTransaction(db, work).finally(() => keeper?.flush()),
      commit: runId === null ? undefined : (batch, partial) => {
        const progress = () => log.progress(runId!, batch, {
          counts: addCounts(tally.counts, batch.people.counts),
          saas: saasTally && batch.saas && { app: mapping.saas_user!.app, counts: addCounts(saasTally.counts, batch.saas.counts) },
          // a batch the target kept only part of: the next run reads it again, finding what was kept
          checkpoint: partial ? 'keep' : checkpoint(), pages: stats.pages, entries: stats.entries, requests: stats.requests,
        });
        if (target.traits.inStore) progress();
        else {
          db.transaction(progress).immediate();
          keeper?.flush();
        }
      },
      atBoundary: () => {
        const at = position();
        return at === undefined || at === 'done' || at.skip === 0;
      },
      signal: options.signal,
      storageOrder,
    });
  } catch (error) {
    failure = asFailure(error, options.db);
  }
  clearInterval(beat);
  try {
    await target.close();
  } catch (error) {
    failure ??= asFailure(error, options.db);
  }
  warnings.push(...stats.warnings);
  const unkept = keeper?.flush();
  if (unkept) warnings.push(unkept);
  const retries = mergeRetries(stats.retries, targetRetries);
  const failed = tally.counts.failed + (saasTally?.counts.failed ?? 0);
  let status: RunStatus = failure instanceof SyncInterrupted ? 'interrupted' : failure ? 'failed' : failed > 0 ? 'completed_with_failures' : 'succeeded';
  let message = failure ? scrub(failure.message) : undefined;
  let hint = failure?.hint ? scrub(failure.hint) : undefined;
  const saasUsers = saasTally && { app: mapping.saas_user!.app, counts: saasTally.counts, reasons: groupReasons(saasTally.details) };
  let logged: RunSummary | undefined;
  if (runId !== null) {
    try {
      log.finish(runId, { status, counts: tally.counts, saas: saasTally && { app: mapping.saas_user!.app, counts: saasTally.counts }, pages: stats.pages, entries: stats.entries, requests: stats.requests, message, hint, warnings, retries });
      logged = log.summary(runId);
    } catch (error) {
      // the store refused even the run's end (a full disk): say so; the next command marks the run interrupted
      const unrecorded = asFailure(error, options.db);
      if (!failure) {
        status = 'failed';
        message = scrub(unrecorded.message);
        hint = unrecorded.hint && scrub(unrecorded.hint);
      } else warnings.push(`the run log could not record how this run ended: ${scrub(unrecorded.message)}`);
    }
  }
  db.close();
  // what the library returns is shown by its caller: it passes the scrubber like every output
  return scrubDeep({
    run_id: runId, integration: name, mapping: displayPath(integration.mappingFile), connector: connector.id, preference: mapping.preference,
    record_type: mapping.record_type, dry_run: dryRun, test, status, read: tally.read, counts: tally.counts, saas_users: saasUsers,
    pages: stats.pages, entries: stats.entries, requests: stats.requests, retries, duration_ms: Math.round(performance.now() - started),
    code: failure?.code, message, hint, warnings, reasons: groupReasons(tally.details),
    ...(test ? { records: events, missing: integration.missing.map((i) => i.message) } : {}),
    ...(failure instanceof SyncInterrupted ? { signal: failure.signal } : {}),
    ...(resume && resumed() ? { resumed_from: { run: resume.run, page: resume.position.page, ...(resume.position.partition ? { partition: resume.position.partition.label } : {}) } } : {}),
    ...(logged?.resume !== undefined ? { resume: logged.resume } : {}),
    target: { ...runTarget, from: chosen.from },
  });
}

/** The source's retries and waits with the target's (a remote target waits on rate limits too). */
function mergeRetries(source: RetryStats, target: RetryStats): RetryStats {
  const merged = { count: source.count + target.count, wait_ms: source.wait_ms + target.wait_ms, reasons: [...source.reasons, ...target.reasons] };
  merged.reasons.sort((a, b) => b.retries - a.retries || b.wait_ms - a.wait_ms);
  return merged;
}

/** The failure a run ends with: its own error, a store error naming the store, or an internal error (a bug). */
function asFailure(error: unknown, file: string): IntakeError {
  if (error instanceof IntakeError) return error;
  const store = storeError(error, file);
  if (store) return store;
  return new IntakeError('internal_error', `internal error: ${error instanceof Error ? error.message : String(error)}`, { hint: 'this is a bug in Intake: report it with the run log (intake runs show <id>)', cause: error });
}

function heartbeat(log: RunLog, runId: number): void {
  try {
    log.heartbeat(runId);
  } catch {
    // a busy or full store: the next batch's commit is the next sign of life
  }
}

/**
 * Where this run continues: the checkpoint of the integration's last run when it failed or was
 * interrupted and the connector, mapping and settings are the same; otherwise from the start.
 */
function resumeFrom(log: RunLog, key: string, runId: number, fingerprint: string, warnings: string[]): { run: number; position: SourcePosition } | undefined {
  const point = log.resumePoint(key, runId);
  if (!point?.checkpoint.resumable) return undefined;
  const { checkpoint } = point;
  if (checkpoint.fingerprint !== fingerprint) {
    warnings.push(`run #${point.run} stopped at page ${checkpoint.page}, but the connector, mapping or settings have changed since: this run reads from the first page`);
    return undefined;
  }
  log.resumed(runId, point.run, checkpoint);
  return { run: point.run, position: { page: checkpoint.page, request: checkpoint.request as SourcePosition['request'], skip: checkpoint.skip, ...(checkpoint.partition ? { partition: checkpoint.partition } : {}) } };
}

/** The checkpoint a committed batch leaves: where the next run continues if this one stops. */
function checkpointOf(position: SourcePosition | 'done' | undefined, aggregated: boolean, fingerprint: string, scrub: (text: string) => string): Checkpoint | null {
  if (aggregated) return { resumable: false, reason: 'the connector aggregates entries (aggregate:), so it reads everything before it writes' };
  if (position === undefined || position === 'done') return null;
  const request = JSON.stringify(position.request);
  if (scrub(request) !== request) return { resumable: false, reason: 'the next page\'s request carries a credential, which is never stored' };
  return { resumable: true, fingerprint, page: position.page, request: position.request, skip: position.skip, ...(position.partition ? { partition: position.partition } : {}) };
}

/** The first `limit` items of a stream; the source stops reading when the consumer stops. */
async function* take<T>(items: AsyncGenerator<T>, limit: number): AsyncGenerator<T> {
  let count = 0;
  for await (const item of items) {
    yield item;
    if (++count >= limit) return;
  }
}

function requiredOf(fields: Map<string, TargetField>): string[] {
  return [...fields.values()].filter((f) => f.required).map((f) => f.name);
}

/**
 * The target's fields for the mapping: every field the mapping writes must exist in the target or
 * be declared under custom_fields. A target with a fixed data model (Oomnitza) must already have
 * the declared ones too, unless the user asked to create them (`--create-fields`): the error lists
 * what to create. A sync-key field that no record has yet (the integration that fills it has not
 * run) only warns in the store and an export: nothing can match, so every record is skipped or
 * added; a target with a fixed data model that lacks it cannot be searched by it, which is an error.
 */
async function targetFields(target: Target, { mapping, mappingFile }: Integration, warnings: string[], { createFields, dryRun }: { createFields: boolean; dryRun: boolean }): Promise<MappingTargets> {
  const fixed = target.traits.fixedFields;
  const where = target.traits.description;
  const known = async (recordType: RecordType, custom: MappingSpec['custom_fields'], written: string[]) => {
    const fields = new Map<string, TargetField>((await target.describe(recordType)).map((f) => [f.name, f]));
    const records = recordType === 'people' ? 'People' : 'SaaS user';
    const absent = Object.entries(custom ?? {}).filter(([name]) => !fields.has(name));
    if (fixed && absent.length && !createFields) {
      const names = absent.map(([name]) => `"${name}"`).join(', ');
      const hint = `run again with --create-fields to create them, or create them in the ${records} data model yourself: ${absent.map(([name, spec]) => `${spec.label} (${spec.type}, external id ${name})`).join('; ')}${sameLabel(absent, fields)}`;
      // a dry run writes nothing anyway: it shows what the run would do once the fields exist
      if (dryRun) warnings.push(`${where} does not have the custom field(s) ${names} yet; the run needs them: ${hint}`);
      else throw new RunConfigError('target_fields_absent', `${displayPath(mappingFile)} declares custom field(s) that ${where} does not have: ${names}; nothing was read or written`, { hint });
    }
    for (const [name, spec] of absent) fields.set(name, { name, label: spec.label, type: spec.type, required: false, custom: true });
    const missing = written.filter((name) => !fields.has(name));
    if (missing.length) {
      throw new RunConfigError('target_field_missing', `${displayPath(mappingFile)}: the ${records} records ${fixed ? `of ${where} ` : ''}have no field ${missing.map((m) => `"${m}"`).join(', ')}`, {
        hint: `${suggestion(missing[0], [...fields.keys()])}; declare a new field under custom_fields to have it created${fixed ? ' (with --create-fields)' : ''}`,
      });
    }
    return fields;
  };
  const people = await known('people', mapping.custom_fields, Object.keys(mapping.fields));
  for (const { target: field } of (mapping.sync_key ?? []).filter((k) => !people.has(k.target))) {
    if (fixed) {
      throw new RunConfigError('target_field_missing', `${displayPath(mappingFile)}: the sync key field "${field}" is not a field of the People records of ${where}, so no record can be found by it`, {
        hint: `${suggestion(field, [...people.keys()])}; or declare it under custom_fields and run with --create-fields`,
      });
    }
    warnings.push(`no People record has the sync key field "${field}" yet, so none can match; run the integration that fills it first`);
    people.set(field, { name: field, label: field, type: 'string', required: false, custom: true });
  }
  // a field a fixed data model requires to create a record (a mandatory field of the instance) must be mapped;
  // the store's and the exports' required fields are known when the mapping loads, and a mapping without them is a draft
  const written = new Set([...Object.keys(mapping.fields), ...(mapping.sync_key ?? []).map((k) => k.target)]);
  const unmapped = !fixed || mapping.preference === 'update_only' ? [] : [...people.values()].filter((f) => f.required && !written.has(f.name));
  if (unmapped.length) {
    const needs = `${where} needs ${unmapped.map((f) => `"${f.name}" (${f.label})`).join(', ')} to create a People record, and the mapping maps nothing to it`;
    const hint = `map it under fields:, e.g. ${unmapped[0].name}: ${unmapped[0].values ? `{ value: ${unmapped[0].values[0]} }` : '<connector field>'}, or use preference: update_only`;
    // a dry or test run (of a draft, too) shows what it would do: each such record fails, with the reason
    if (dryRun) warnings.push(`${needs}: ${hint}`);
    else throw new RunConfigError('required_unmapped', `${displayPath(mappingFile)}: ${needs}; nothing was read or written`, { hint });
  }
  const saas = mapping.saas_user && (await known('saas_users', mapping.saas_user.custom_fields, Object.keys(mapping.saas_user.fields ?? {})));
  return { people, saas_users: saas };
}

/** A declared field the target has under another name (its label matches): "… has a field labelled X: E62…". */
function sameLabel(absent: [string, { label: string }][], fields: Map<string, TargetField>): string {
  const found = absent.flatMap(([name, spec]) => {
    const match = [...fields.values()].find((f) => f.label.toLowerCase() === spec.label.toLowerCase());
    return match ? [`"${name}" may be the field labelled "${match.label}", whose name is "${match.name}": use that name in the mapping`] : [];
  });
  return found.length ? `; ${found.join('; ')}` : '';
}

/** Compiles the mapping against the target's fields; what the target adds to the load-time checks fails the run before it reads. */
function compileChecked({ mapping, connector, mappingFile }: Integration, targets: MappingTargets, meta: Meta) {
  const problems: string[] = [];
  const compiled = compileMapping(mapping, connector, targets, meta, (segments, _code, message, hint) => problems.push(`${segments.join('.')}: ${message}${hint ? ` (${hint})` : ''}`));
  if (problems.length) throw new RunConfigError('mapping_target_mismatch', `${displayPath(mappingFile)} does not fit the target: ${problems.join('; ')}`, { hint: 'change the mapping, or the target field' });
  return compiled;
}

/** Credentials from the store of the installation type: this machine's (environment, then the credentials file), or the vault in the embedded store. */
function storedCredentials({ connector, mapping }: Integration, options: RunOptions) {
  return resolveFrom(storeFor(mapping.installation, { env: options.env ?? process.env, db: options.db }), connector).values;
}

async function createCustomFields(target: Target, { mapping }: Integration): Promise<void> {
  const create = async (recordType: RecordType, custom: MappingSpec['custom_fields']) => {
    const existing = new Set((await target.describe(recordType)).map((f) => f.name));
    for (const [name, spec] of Object.entries(custom ?? {})) {
      if (!existing.has(name)) await target.createCustomField(recordType, name, spec);
    }
  };
  await create('people', mapping.custom_fields);
  if (mapping.saas_user) await create('saas_users', mapping.saas_user.custom_fields);
}
