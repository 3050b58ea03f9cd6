import { Worker, type Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolveSettings } from '../config/resolve.js';
import { scrub, scrubDeep } from '../credentials/scrub.js';
import { IntakeError } from '../errors.js';
import { findMapping } from '../integrations/catalog.js';
import { runIntegration } from '../runner.js';
import { checkQueue, openRedis, queueName, redisOptions, type QueueTarget } from './connection.js';
import type { QueueRunResult, RunJobData, RunStart, WorkerIdentity } from './job.js';
import { IntegrationLock, lockHolder, releaseFor } from './lock.js';

export interface QueueWorkerOptions {
  queue: QueueTarget;
  /** the worker's embedded store: its own run log, and the records when the target is the store */
  db: string;
  /** the folder the worker finds integrations in, by the name the service gives */
  mappingsDir: string;
  /** runs at once (of different integrations) */
  concurrency?: number;
  name?: string;
  /**
   * a worker silent this long is taken for dead: its job's lock in BullMQ and its integration's
   * lock expire, and another worker records its run as interrupted (default 30 s)
   */
  stallAfterMs?: number;
  env?: NodeJS.ProcessEnv;
  /** each job this worker ends, with its result */
  onResult?: (result: QueueRunResult, job: string) => void;
}

export interface QueueWorker {
  identity: WorkerIdentity;
  /** stops taking jobs, interrupts the runs in progress (they record what they committed), and closes */
  close(): Promise<void>;
}

/**
 * `intake worker --queue`: takes scheduled runs from the queue and runs each with the engine
 * against this worker's store, one run per integration across all workers (a Redis lock per
 * integration). The job's return value is the run's result, scrubbed; the service records it.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  await checkQueue(options.queue);
  const stallAfterMs = options.stallAfterMs ?? 30_000;
  const identity: WorkerIdentity = { name: options.name ?? `${hostname()}:${process.pid}`, host: hostname(), pid: process.pid };
  const redis = openRedis(options.queue);
  const stop = new AbortController();
  const worker = new Worker<RunJobData, QueueRunResult>(queueName, (job) => runJob(job, { ...options, identity, redis, stallAfterMs, signal: stop.signal }), {
    connection: redisOptions(options.queue),
    concurrency: options.concurrency ?? 1,
    name: identity.name,
    lockDuration: stallAfterMs,
    stalledInterval: stallAfterMs,
    autorun: false,
  });
  worker.on('error', () => undefined); // a lost connection: BullMQ reconnects; the jobs' locks say whether a run survived
  worker.on('completed', (job, result) => options.onResult?.(result, job.id ?? ''));
  void worker.run();
  await worker.waitUntilReady();
  return {
    identity,
    async close() {
      stop.abort('SIGTERM');
      await worker.close();
      redis.disconnect();
    },
  };
}

interface JobContext extends QueueWorkerOptions {
  identity: WorkerIdentity;
  redis: ReturnType<typeof openRedis>;
  stallAfterMs: number;
  signal: AbortSignal;
}

async function runJob(job: Job<RunJobData, QueueRunResult>, context: JobContext): Promise<QueueRunResult> {
  const { integration } = job.data;
  const jobId = job.id!;
  const ended = (status: QueueRunResult['status'], started: string, why: { code?: string; message: string; hint?: string }): QueueRunResult =>
    scrubDeep({ status, integration, started_at: started, ended_at: new Date().toISOString(), worker: context.identity, ...why });
  const now = new Date().toISOString();
  if (job.stalledCounter > 0) {
    // the worker that took it stopped showing signs of life (killed, crashed, cut off): its run is over, and is not run twice
    const start = job.progress as Partial<RunStart> | undefined;
    await releaseFor(context.redis, integration, jobId);
    const who = start?.worker ? `worker ${start.worker.name} (process ${start.worker.pid} on ${start.worker.host})` : 'the worker that took it';
    return { ...ended('interrupted', start?.started_at ?? now, {
      code: 'worker_lost',
      message: `${who} stopped during the run without recording how it ended (killed, crashed, or cut off from Redis for ${Math.round(context.stallAfterMs / 1000)} s)`,
      hint: 'the records of the batches it committed are kept in its store; the next scheduled run is a normal run',
    }), ...(start?.worker ? { worker: start.worker } : {}) };
  }
  // the run stops when the worker stops, or when it lost the integration's lock (another run may start: never two at once)
  const stop = new AbortController();
  const onStop = () => stop.abort(context.signal.reason);
  context.signal.addEventListener('abort', onStop, { once: true });
  const lock = new IntegrationLock(context.redis, integration, { job: jobId, worker: context.identity.name }, context.stallAfterMs, () => stop.abort('losing its lock in Redis (this worker was cut off from it too long)'));
  if (!(await lock.acquire())) {
    const holder = await lockHolder(context.redis, integration);
    return ended('skipped', now, {
      code: 'run_in_progress',
      message: `the previous run of ${integration} is still going${holder ? ` (job ${holder.job} on worker ${holder.worker})` : ''}: this run was skipped`,
      hint: 'runs of one integration never overlap; if runs are skipped often, schedule it less often',
    });
  }
  try {
    await job.updateProgress({ worker: context.identity, started_at: now } satisfies RunStart);
    const mappingFile = findMapping(integration, context.mappingsDir);
    const settings = resolveSettings({ db: context.db }, context.env);
    const result = await runIntegration({
      mappingFile, db: settings.store.value, env: context.env, signal: stop.signal,
      defaultTarget: settings.target.source === 'config file' ? settings.target.value : undefined,
      oomnitzaUrl: settings.oomnitza_url.value,
    });
    const { records: _records, ...run } = result;
    void _records;
    if (hashOf(mappingFile) !== job.data.mappingHash) run.warnings = [...run.warnings, `the mapping ${run.mapping} on worker ${context.identity.name} differs from the service's ${job.data.mappingFile}: this run used the worker's copy`];
    return scrubDeep({ status: run.status, integration, started_at: now, ended_at: new Date().toISOString(), worker: context.identity, run, code: run.code, message: run.message, hint: run.hint });
  } catch (error) {
    // nothing ran: a definition error, a draft, a missing mapping on this worker, a store it cannot open
    if (error instanceof IntakeError) return ended('failed', now, { code: error.code, message: scrub(definitionText(error)), hint: error.hint && scrub(error.hint) });
    return ended('failed', now, { code: 'internal_error', message: `internal error: ${scrub(error instanceof Error ? error.message : String(error))}`, hint: 'this is a bug in Intake: report it with the worker\'s output' });
  } finally {
    context.signal.removeEventListener('abort', onStop);
    await lock.release();
  }
}

/** A definition error's message with its issues (file:line:col and message), as one text. */
function definitionText(error: IntakeError): string {
  const issues = (error as { issues?: { file: string; line: number; col: number; message: string }[] }).issues;
  return issues?.length ? `${error.message}: ${issues.map((i) => `${i.file}:${i.line}:${i.col} ${i.message}`).join('; ')}` : error.message;
}

/** sha256 of a mapping file's text (empty when it cannot be read). */
export function hashOf(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}
