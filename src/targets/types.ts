import type Database from 'better-sqlite3';
import type { ComponentDefinition } from '../registry.js';
import type { RetryEvent } from '../source/request.js';
import type { RecordType } from './fields.js';
import type { Target } from './target.js';

/** A target as chosen (`--target`, a mapping's `target:`, the config file): its type and, for an export, its file. */
export interface TargetConfig {
  type: string;
  /** an export's file, absolute */
  file?: string;
}

/** What a target is built with: the embedded store, the run's settings, and where its retries and waits are reported. */
export interface TargetContext {
  /** the embedded store (the `store` target writes into it; the run log is there whatever the target) */
  db: Database.Database;
  /** a dry or test run: nothing is written, no file is created */
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  /** the embedded store's file (the vault's home) and the integration's installation type: where a target's own credentials come from */
  storePath: string;
  installation?: 'local' | 'cloud';
  /** the Oomnitza instance's URL: --oomnitza-url, else OOMNITZA_URL, else the config file's */
  oomnitzaUrl?: string;
  /** masks every registered credential in what the target stores or says */
  scrub: (text: string) => string;
  onRetry?: (event: RetryEvent) => void;
  onWait?: (ms: number, reason: string) => void;
}

/**
 * A target type (`--target <type>[:<file>]`): what it takes after the colon, and what it can keep,
 * so that a mapping that cannot fit it is refused before anything is read.
 *
 * ```yaml
 * target: oomnitza            # or store (the default), jsonl:exports/people.jsonl, csv:people.csv
 * ```
 */
export interface TargetDefinition extends ComponentDefinition<TargetConfig, TargetContext, Target> {
  /** `file`: `--target <type>:<file>`; `none`: `--target <type>` */
  argument: 'file' | 'none';
  /** one line for `intake config` and messages */
  summary: string;
  recordTypes: readonly RecordType[];
  /** it has records from before the run to match (false: an export) */
  keepsRecords: boolean;
  /** why it keeps no SaaS user records, and what to do instead (when `recordTypes` lacks them) */
  noSaasUsers?: string;
  /** checks its settings (a URL, a token) before the run opens or creates anything; throws what is missing */
  check?(config: TargetConfig, ctx: Pick<TargetContext, 'env' | 'oomnitzaUrl' | 'storePath' | 'installation'>): void;
}
