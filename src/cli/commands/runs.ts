import type { Command } from 'commander';
import { RunLog } from '../../runlog/runlog.js';
import { openStoreForReading, storePath } from '../../store/db.js';
import { UsageError } from '../../errors.js';
import { print, table, visible } from '../output.js';
import { counts, kept, retryLines } from '../report.js';
import { count } from '../usage.js';

/** `intake runs` / `intake runs show <id>` — the integration log. */
export function runsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list recent integration runs (the integration log)')
    .option('--json', 'print the runs as a JSON array')
    .option('-n, --limit <n>', 'how many runs to list', count, 20)
    .action((opts: { json?: boolean; limit: number }, command: Command) => {
      const db = openStoreForReading(storePath(command.optsWithGlobals().db));
      const list = new RunLog(db).list(opts.limit);
      db.close();
      if (opts.json) return print(list);
      if (!list.length) return void process.stdout.write('no runs yet: try intake demo, or intake run <mapping>\n');
      process.stdout.write(`${table(
        ['run', 'integration', 'started (UTC)', 'status', 'read', 'added', 'updated', 'unchanged', 'skipped', 'failed'],
        list.map((r) => [r.id, r.integration, r.started_at.replace('T', ' ').slice(0, 19), r.status, r.read, r.counts.added, r.counts.updated, r.counts.unchanged, r.counts.skipped, r.counts.failed]),
      )}\n`);
    });
  runs
    .command('show')
    .description('one run in detail, with the reason of every skipped or failed record')
    .argument('<id>', 'run number, as listed by intake runs', count)
    .option('--json', 'print the run as JSON')
    .action((id: number, _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ json?: boolean; db?: string }>();
      const db = openStoreForReading(storePath(opts.db));
      const run = new RunLog(db).get(id);
      db.close();
      if (!run) throw new UsageError('run_not_found', `there is no run #${id}`, { hint: 'list the runs with intake runs' });
      if (opts.json) return print(run);
      const lines = [
        `run #${run.id}: ${visible(run.integration)} (${visible(run.mapping_file)}, ${run.preference})`,
        `  ${run.started_at} → ${run.ended_at ?? 'not finished'} · status ${run.status}`,
        `  into ${visible(run.target.where)}`,
        ...(run.remote ? [`  ran on worker ${visible(run.remote.worker?.name ?? 'unknown')}${run.remote.worker ? ` (process ${run.remote.worker.pid} on ${visible(run.remote.worker.host)})` : ''}, queue job ${visible(run.remote.job)}`] : []),
        ...(run.owner ? [`  running in process ${run.owner.pid} on ${run.owner.host}; last sign of life ${run.owner.heartbeat_at ?? 'none'}`] : []),
        ...(run.resumed_from ? [`  continued from run #${run.resumed_from}'s checkpoint`] : []),
        `  read ${run.read} from ${run.pages} page(s), ${run.entries} entries, ${run.requests} request(s)`,
        `  ${run.saas_users ? 'People: ' : ''}${counts(run.counts)}`,
        ...(run.saas_users ? [`  ${run.saas_users.app} SaaS users: ${counts(run.saas_users.counts)}`] : []),
        ...retryLines(run.retries),
        ...run.warnings.map((w) => `  warning: ${visible(w)}`),
        ...(run.message ? [`  error: ${visible(run.message)}`] : []),
        ...(run.hint ? [`  hint: ${visible(run.hint)}`] : []),
        ...(run.status === 'failed' || run.status === 'interrupted' ? kept(run) : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      // a run from the queue: its reasons grouped (each record's own reason is in the worker's store)
      const grouped = run.remote ? [...run.remote.reasons.map((r) => ['person', r] as const), ...(run.remote.saas_reasons ?? []).map((r) => [`${run.saas_users?.app ?? 'SaaS'} user`, r] as const)] : [];
      if (grouped.length) process.stdout.write(`\n${table(['records', 'record', 'outcome', 'reason', 'e.g.'], grouped.map(([kind, r]) => [r.count, kind, r.outcome, r.reason, r.keys.join(', ')]))}\n`);
      if (run.records.length) {
        const kind = (r: { record_type: string }) => (r.record_type === 'saas_users' ? `${run.saas_users?.app ?? 'SaaS'} user` : 'person');
        process.stdout.write(`\n${table(['key', 'record', 'outcome', 'reason'], run.records.map((r) => [r.key, kind(r), r.outcome, r.reason]))}\n`);
      }
    });
}
