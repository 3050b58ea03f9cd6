import { exportTarget, type ExportRow } from './export.js';
import type { TargetDefinition } from './types.js';

/**
 * `--target jsonl:<file>` — the records a run writes, one JSON object per line, appended as each
 * batch is written:
 *
 * ```yaml
 * target: jsonl:../exports/slack-users.jsonl    # in a mapping: relative to its folder
 * ```
 *
 * ```json
 * {"record_type":"people","id":"1","outcome":"added","fields":{"username":"ana","email":"ana@example.com","role":"Employee","slack_user_id":"U1"}}
 * ```
 */
export const jsonl: TargetDefinition = {
  type: 'jsonl',
  argument: 'file',
  summary: 'a JSON Lines file, one line per written record',
  recordTypes: ['people', 'saas_users'],
  keepsRecords: false,
  create: (config, ctx) => exportTarget(config.file!, { name: 'JSONL', batch: lines, finish: () => undefined }, ctx),
};

function lines(rows: ExportRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
