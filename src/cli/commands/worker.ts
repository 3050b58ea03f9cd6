import type { Command } from 'commander';
import { mappingsDir } from '../../integrations/catalog.js';
import type { QueueRunResult } from '../../queue/job.js';
import { storePath } from '../../store/db.js';
import { exitCodes, visible } from '../output.js';
import { counts } from '../report.js';
import { count } from '../usage.js';

/** `intake worker --queue redis://…` — takes scheduled runs from the Redis queue that `intake serve --queue` fills. */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('take scheduled runs from a Redis queue (filled by intake serve --queue) and run them; start as many as you need, on any machine')
    .requiredOption('--queue <url>', 'the Redis of the service: redis://HOST:PORT[/DB] (password: INTAKE_REDIS_PASSWORD, never in the URL)')
    .option('--mappings <dir>', 'folder of mapping files the runs are found in, by name (default: ./mappings, else the shipped ones)')
    .option('--concurrency <n>', 'runs at once in this worker (of different integrations)', count, 1)
    .option('--name <name>', 'this worker\'s name in the run log (default: host:pid)')
    .option('--stall-after <seconds>', 'a worker silent this long is taken for dead: its run is recorded as interrupted by another worker (give all workers the same)', count, 30)
    .option('--json', 'print one JSON line when ready and one per run it ends')
    .addHelpText('after', `
A worker runs each integration the way intake run does, against its own store (--db): the
records go to the target the mapping or the config file names, its credentials come from this
machine (environment, credentials file) or the vault of its store. The result of each run
(status, counts, reasons, which worker) goes back to the service, whose run log shows it.

Runs of one integration never overlap, across all workers: a run that is due while the previous
one is still going is recorded as skipped. A worker that dies mid-run (kill -9, a crash) is found
by the other workers within --stall-after seconds and its run recorded as interrupted; the next
scheduled run is a normal one. SIGTERM or Ctrl-C: it stops taking runs, the run in progress
stops at the next record and records what it wrote (interrupted), and the worker exits.

Workers need the same mappings and connectors as the service (a shared checkout or deploy);
a worker whose copy of a mapping differs runs its own and says so in the run's warnings.

Examples:
  SLACK_TOKEN=xoxp-… intake worker --queue redis://127.0.0.1:6379
  INTAKE_REDIS_PASSWORD=… intake worker --queue redis://redis.internal:6379/2 --concurrency 4 --db /var/lib/intake/worker.db`)
    .action(async (opts: WorkerFlags, command: Command) => {
      // BullMQ and ioredis load only for the queue's commands: every other command starts without them
      const { parseQueueUrl } = await import('../../queue/connection.js');
      const { startQueueWorker } = await import('../../queue/worker.js');
      const queue = parseQueueUrl(opts.queue);
      const db = storePath(command.optsWithGlobals<{ db?: string }>().db);
      const line = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
      const worker = await startQueueWorker({
        queue, db, mappingsDir: mappingsDir(opts.mappings), concurrency: opts.concurrency, name: opts.name, stallAfterMs: opts.stallAfter * 1000,
        onResult: (result, job) => (opts.json ? line({ event: 'run', job, ...summary(result) }) : process.stdout.write(`${runLine(result, job)}\n`)),
      });
      if (opts.json) line({ event: 'ready', worker: worker.identity.name, queue: queue.shown, concurrency: opts.concurrency, db });
      else process.stdout.write(`worker ${visible(worker.identity.name)} takes runs from ${queue.shown} (${opts.concurrency} at a time; store ${db}); Ctrl-C or SIGTERM stops it\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) process.exit(signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted);
          stopping = true;
          process.stderr.write(`intake worker: ${signal}: taking no more runs; the run in progress records what it wrote and ends as interrupted (${signal} again stops at once)\n`);
          void worker.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      if (!opts.json) process.stdout.write('worker stopped\n');
      process.exit(exitCodes.ok);
    });
}

interface WorkerFlags {
  queue: string;
  mappings?: string;
  concurrency: number;
  name?: string;
  stallAfter: number;
  json?: boolean;
}

function summary(result: QueueRunResult) {
  const { run, ...rest } = result;
  return { ...rest, ...(run ? { counts: run.counts, saas_users: run.saas_users && { app: run.saas_users.app, counts: run.saas_users.counts }, pages: run.pages, requests: run.requests, run_id: run.run_id } : {}) };
}

function runLine(result: QueueRunResult, job: string): string {
  const done = result.run ? ` — ${counts(result.run.counts)}` : '';
  const why = result.message ? `: ${visible(result.message)}` : '';
  return `${result.ended_at} ${visible(result.integration)} ${result.status.replace(/_/g, ' ')} (job ${visible(job)})${done}${why}`;
}
