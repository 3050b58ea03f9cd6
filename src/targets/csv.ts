import { exportTarget, type ExportRow } from './export.js';
import type { TargetDefinition } from './types.js';

/**
 * `--target csv:<file>` — the records a run writes as CSV (RFC 4180: CRLF line ends, a value with
 * a comma, a double quote or a line break in double quotes, its quotes doubled). The header is
 * `record_type,id,outcome` and then every field any written record has, in the order they first
 * appear, so the file is written when the run ends.
 *
 * ```yaml
 * target: csv:../exports/slack-users.csv        # in a mapping: relative to its folder
 * ```
 */
export const csv: TargetDefinition = {
  type: 'csv',
  argument: 'file',
  summary: 'a CSV file (RFC 4180) with a header of every written field',
  recordTypes: ['people', 'saas_users'],
  keepsRecords: false,
  create: (config, ctx) => exportTarget(config.file!, { name: 'CSV', batch: () => undefined, finish: table }, ctx),
};

/** The whole CSV text of the rows. */
export function table(rows: ExportRow[]): string {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.fields)) names.add(name);
  const fields = [...names];
  const lines = [['record_type', 'id', 'outcome', ...fields].map(cell).join(',')];
  for (const row of rows) lines.push([row.record_type, row.id, row.outcome, ...fields.map((f) => row.fields[f])].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One CSV value: empty for null, JSON for a list or object, quoted when RFC 4180 asks for it. */
export function cell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
