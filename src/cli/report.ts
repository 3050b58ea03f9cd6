import type { RunResult } from '../runner.js';
import { exitCodes } from './output.js';

const labels: Record<string, string> = { create_only: 'create only', update_only: 'update only', create_update: 'create and update' };

/** The integration log of one run, as text. */
export function formatRun(result: RunResult): string {
  const c = result.counts;
  const lines = [
    `${result.integration} (${result.mapping}, ${labels[result.preference] ?? result.preference})${result.dry_run ? ' — dry run, nothing written' : ''}`,
    `  read ${result.read} record(s) from ${result.pages} page(s) (${result.entries} entries, ${result.requests} request(s)) in ${(result.duration_ms / 1000).toFixed(1)} s`,
    `  ${result.dry_run ? 'would be: ' : ''}added ${c.added} · updated ${c.updated} · unchanged ${c.unchanged} · skipped ${c.skipped} · failed ${c.failed}`,
  ];
  for (const group of result.reasons.slice(0, 8)) {
    lines.push(`  ${group.outcome} ${group.count}: ${group.reason} (e.g. ${group.keys.join(', ')})`);
  }
  if (result.reasons.length > 8) lines.push(`  … ${result.reasons.length - 8} more reasons${result.run_id ? `: intake runs show ${result.run_id}` : ''}`);
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  if (result.message) lines.push(`  error: ${result.message}`);
  if (result.hint) lines.push(`  hint: ${result.hint}`);
  lines.push(`  status: ${result.status.replace(/_/g, ' ')}${result.run_id ? ` — run #${result.run_id} (details: intake runs show ${result.run_id})` : ''}`);
  return lines.join('\n');
}

export function exitCodeOf(result: RunResult): number {
  if (result.status === 'failed') return exitCodes.runFailed;
  if (result.status === 'completed_with_failures') return exitCodes.recordsFailed;
  return exitCodes.ok;
}
