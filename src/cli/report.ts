import type { RunResult } from '../runner.js';
import type { RetryStats } from '../source/types.js';
import type { Counts } from '../sync/outcomes.js';
import { exitCodes, visible } from './output.js';

const labels: Record<string, string> = { create_only: 'create only', update_only: 'update only', create_update: 'create and update' };

/** The integration log of one run, as text. */
export function formatRun(result: RunResult): string {
  const mode = result.test ? ' — test run, nothing written' : result.dry_run ? ' — dry run, nothing written' : '';
  const would = result.dry_run ? 'would be: ' : '';
  const lines = [
    `${result.integration} (${result.mapping}, ${labels[result.preference] ?? result.preference})${mode}`,
    ...(result.target.name === 'store' ? [] : [`  target: ${visible(result.target.where)} (${result.target.from === 'command line' ? '--target' : result.target.from === 'mapping' ? 'the mapping\'s target:' : result.target.from === 'config file' ? 'the config file' : 'default'})`]),
    `  read ${result.read} record(s) from ${result.pages} page(s) (${result.entries} entries, ${result.requests} request(s)) in ${(result.duration_ms / 1000).toFixed(1)} s`,
    `  ${result.saas_users ? 'People: ' : ''}${would}${counts(result.counts)}`,
  ];
  reasons(lines, result.reasons, result.run_id);
  if (result.saas_users) {
    lines.push(`  ${result.saas_users.app} SaaS users: ${would}${counts(result.saas_users.counts)}`);
    reasons(lines, result.saas_users.reasons, result.run_id);
  }
  lines.push(...retryLines(result.retries));
  for (const warning of result.warnings) lines.push(`  warning: ${visible(warning)}`);
  if (result.resumed_from) lines.push(`  continued from run #${result.resumed_from.run} at page ${result.resumed_from.page}${result.resumed_from.partition ? ` of ${result.resumed_from.partition}` : ''}: the records before it were synced by that run`);
  if (result.message) lines.push(result.status === 'interrupted' ? `  ${visible(result.message)}` : `  error: ${visible(result.message)}`);
  if (result.hint) lines.push(`  hint: ${visible(result.hint)}`);
  if (result.status === 'failed' || result.status === 'interrupted') lines.push(...kept(result));
  if (result.missing?.length) lines.push(`  draft: still missing ${result.missing.map(visible).join('; ')}`);
  lines.push(`  status: ${result.status.replace(/_/g, ' ')}${result.run_id ? ` — run #${result.run_id} (details: intake runs show ${result.run_id})` : ''}`);
  return lines.join('\n');
}

/** The retries and waits of a run: "retried 3 request(s), waited 2.5 s", then one line per reason. */
export function retryLines(retries: RetryStats | undefined): string[] {
  if (!retries || (!retries.count && !retries.wait_ms)) return [];
  const lines = [`  retried ${retries.count} request(s), waited ${(retries.wait_ms / 1000).toFixed(1)} s:`];
  for (const r of retries.reasons) lines.push(`    ${r.retries ? `${r.retries}× ` : ''}${r.reason}${r.wait_ms ? ` (${(r.wait_ms / 1000).toFixed(1)} s of waits)` : ''}`);
  return lines;
}

/**
 * What a failed or interrupted run kept, in words: the records of its committed batches (which
 * its counts are), and where the next run continues.
 */
export function kept(run: { counts: Counts; saas_users?: { counts: Counts }; resume?: RunResult['resume']; run_id?: number | null; target?: { where: string; atomic: boolean } }): string[] {
  const written = run.counts.added + run.counts.updated + (run.saas_users ? run.saas_users.counts.added + run.saas_users.counts.updated : 0);
  const some = written || run.counts.unchanged || run.counts.skipped || run.counts.failed;
  const lines = [!some ? '  kept: nothing was written'
    : run.target && !run.target.atomic
      ? `  kept: what ${visible(run.target.where)} acknowledged before the run stopped, counted above (it takes records one by one); records of the batch in progress it did not acknowledge were not sent`
      : '  kept: the batches committed before it stopped, counted above; nothing of the batch in progress was written'];
  const resume = run.resume;
  if (resume && 'page' in resume) lines.push(`  next run: continues at page ${resume.page}${resume.partition ? ` of ${resume.partition}` : ''}${resume.skip ? ` after its first ${resume.skip} entries` : ''}, counting no record twice (intake run --from-start reads everything again)`);
  else if (resume) lines.push(`  next run: reads from the first page: ${resume.from_start}`);
  else if (resume === null) lines.push('  next run: reads from the first page');
  return lines;
}

export function counts(c: Counts): string {
  return `added ${c.added} · updated ${c.updated} · unchanged ${c.unchanged} · skipped ${c.skipped} · failed ${c.failed}`;
}

function reasons(lines: string[], groups: RunResult['reasons'], runId: number | null): void {
  for (const group of groups.slice(0, 8)) lines.push(`  ${group.outcome} ${group.count}: ${visible(group.reason)} (e.g. ${group.keys.map(visible).join(', ')})`);
  if (groups.length > 8) lines.push(`  … ${groups.length - 8} more reasons${runId ? `: intake runs show ${runId}` : ''}`);
}

/** Each record of a test run with its outcome and the values that would be written. */
export function formatTestRecords(result: RunResult): string {
  const lines = ['', 'records (test run: nothing was written):'];
  for (const event of result.records ?? []) {
    const kind = event.kind === 'saas_users' ? `${result.saas_users?.app ?? 'SaaS'} user` : 'person';
    lines.push(`  ${visible(event.key)} · ${kind} · ${event.outcome === 'added' || event.outcome === 'updated' ? `would be ${event.outcome}` : event.outcome}${event.reason ? `: ${visible(event.reason)}` : ''}`);
    if (event.fields) lines.push(`    ${Object.entries(event.fields).map(([k, v]) => `${k}=${visible(JSON.stringify(v))}`).join(' ')}`);
  }
  return lines.join('\n');
}

export function exitCodeOf(result: RunResult): number {
  if (result.status === 'interrupted') return result.signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted;
  if (result.status === 'failed') return result.code === 'internal_error' ? exitCodes.internal : exitCodes.runFailed;
  if (result.status === 'completed_with_failures') return exitCodes.recordsFailed;
  return exitCodes.ok;
}
