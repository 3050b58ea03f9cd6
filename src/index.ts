/**
 * Intake as a library: the same engine the CLI runs.
 *
 * ```ts
 * import { runIntegration } from 'intake';
 * const result = await runIntegration({ mappingFile: 'mappings/slack-last-login.yaml', db: 'intake.db' });
 * ```
 */
export { runIntegration, RunConfigError, type RunOptions, type RunResult } from './runner.js';
export { loadConnector, loadIntegration, validateFiles, type Integration } from './definition/load.js';
export { resolveSettings, parseAssignments, SettingsError } from './definition/settings.js';
export type { ConnectorSpec, MappingSpec } from './definition/model.js';
export { readSource, type SourceOptions } from './source/read.js';
export type { SourceItem, SourceRecord, SourceStats } from './source/types.js';
export { compileMapping, type CompiledMapping } from './mapping/compile.js';
export { sync, type SyncOptions } from './sync/engine.js';
export { Tally, type Counts, type Outcome } from './sync/outcomes.js';
export type { Target, TargetTraits, WriteBatch, WriteResult, RecordWrite, StoredRecord, Fields } from './targets/target.js';
export { TargetUnavailable } from './targets/target.js';
export { sqliteTarget, listRecords } from './targets/sqlite.js';
export { targets, parseTarget, type TargetDefinition, type TargetConfig, type TargetContext } from './targets/index.js';
export { openStore, storePath } from './store/db.js';
export { registerSecret, scrub, scrubDeep } from './credentials/scrub.js';
export { RunLog, type RunSummary } from './runlog/runlog.js';
export { auths } from './source/auth/index.js';
export { paginations } from './source/pagination/index.js';
export { converters } from './mapping/converters/index.js';
export { IntakeError, DefinitionError, SourceError, CredentialError, TargetError, UsageError, formatIssue, type DefinitionIssue } from './errors.js';
