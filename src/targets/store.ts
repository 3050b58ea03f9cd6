import { sqliteTarget } from './sqlite.js';
import type { TargetDefinition } from './types.js';

/**
 * `--target store` (the default): the embedded store, the file `--db` names (INTAKE_DB, the config
 * file's `store:`, ./intake.db). Its batches commit in one transaction with their run-log entry.
 *
 * ```yaml
 * target: store            # in a mapping (or --target store, or the config file's target:)
 * ```
 */
export const store: TargetDefinition = {
  type: 'store',
  argument: 'none',
  summary: 'the embedded store (--db), the default',
  recordTypes: ['people', 'saas_users'],
  keepsRecords: true,
  create: (_config, ctx) => sqliteTarget(ctx.db),
};
