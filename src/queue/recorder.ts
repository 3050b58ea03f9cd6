import { Job, QueueEvents, type Queue } from 'bullmq';
import type Database from 'better-sqlite3';
import { RunLog, type FinishedRun } from '../runlog/runlog.js';
import { redisOptions, queueName, type QueueTarget } from './connection.js';
import type { QueueRunResult, RunJobData, RunStart } from './job.js';
import { releaseFor } from './lock.js';
import type { Redis } from 'ioredis';

type RunJob = Job<RunJobData, QueueRunResult>;

/** How many finished jobs the catch-up reads (the queue keeps the newest; see `jobRetention`). */
const catchUpJobs = 1000;

/** How long finished jobs stay in Redis: long enough for a stopped service to catch up when it starts again. */
export const jobRetention = { age: 7 * 24 * 3600, count: catchUpJobs };

/**
 * The end of a job as a run of the service's run log: the worker's result when it returned one;
 * a job BullMQ failed (an error in the worker, a stall it gave up on) as failed, or interrupted
 * when its worker died.
 */
export function finishedRun(job: RunJob, returned?: QueueRunResult, failedReason?: string): FinishedRun {
  const data = job.data;
  const result = returned ?? (job.returnvalue as QueueRunResult | null) ?? undefined;
  const start = job.progress as Partial<RunStart> | undefined;
  const base = {
    key: data.integration, integration: data.title, mappingFile: data.mappingFile, connector: data.connector, preference: data.preference, job: job.id!,
    counts: { added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 }, pages: 0, entries: 0, requests: 0, warnings: [] as string[], reasons: [],
  };
  if (!result) {
    const reason = failedReason ?? job.failedReason ?? 'the job failed without a reason';
    const stalled = /stalled/i.test(reason);
    return {
      ...base, status: stalled ? 'interrupted' : 'failed',
      started_at: start?.started_at ?? iso(job.processedOn ?? job.timestamp), ended_at: iso(job.finishedOn ?? Date.now()),
      worker: start?.worker ?? null,
      message: stalled ? 'the worker running it stopped during the run (killed, crashed or cut off from Redis)' : `the worker could not run it: ${reason}`,
      hint: stalled ? 'the next scheduled run is a normal run' : 'see the output of the worker that took it',
    };
  }
  const run = result.run;
  return {
    ...base, status: result.status, started_at: result.started_at, ended_at: result.ended_at, worker: result.worker,
    message: result.message, hint: result.hint,
    ...(run ? {
      integration: run.integration, connector: run.connector, preference: run.preference,
      counts: run.counts, pages: run.pages, entries: run.entries, requests: run.requests, warnings: run.warnings, retries: run.retries, target: run.target,
      reasons: run.reasons, ...(run.saas_users ? { saas: { app: run.saas_users.app, counts: run.saas_users.counts }, saas_reasons: run.saas_users.reasons } : {}),
    } : {}),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface Recorder {
  events: QueueEvents;
  /** records the finished jobs the queue still holds that the run log lacks (after a restart, a lost event) */
  catchUp(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The results flowing back: every job that ends (BullMQ's queue events `completed` and `failed`)
 * becomes one run in the service's run log, keyed by its job id, so an event seen twice, or a job
 * found again by the catch-up, is written once. A job BullMQ failed because its worker stalled
 * frees its integration's lock at once.
 */
export async function startRecorder(options: {
  queue: Queue; target: QueueTarget; redis: Redis; db: Database.Database;
  onRecorded?: (run: FinishedRun, id: number) => void;
  /** a worker took a job (`active`) or a job ended (`ended`) */
  onJob?: (event: 'active' | 'ended', jobId: string) => void;
}): Promise<Recorder> {
  const log = new RunLog(options.db);
  const events = new QueueEvents(queueName, { connection: redisOptions(options.target) });
  events.on('error', () => undefined);
  const record = (job: RunJob | undefined, returned?: QueueRunResult, failedReason?: string) => {
    if (!job?.id) return false;
    const run = finishedRun(job, returned, failedReason);
    const id = log.recordFinished(run);
    if (id !== undefined) options.onRecorded?.(run, id);
    return id !== undefined;
  };
  events.on('active', ({ jobId }) => options.onJob?.('active', jobId));
  events.on('completed', ({ jobId, returnvalue }) => {
    options.onJob?.('ended', jobId);
    void Job.fromId<RunJobData, QueueRunResult>(options.queue, jobId).then((job) => record(job, returnvalue as unknown as QueueRunResult)).catch(() => undefined);
  });
  events.on('failed', ({ jobId, failedReason }) => {
    options.onJob?.('ended', jobId);
    void Job.fromId<RunJobData, QueueRunResult>(options.queue, jobId).then(async (job) => {
      if (job && /stalled/i.test(failedReason)) await releaseFor(options.redis, job.data.integration, jobId);
      record(job, undefined, failedReason);
    }).catch(() => undefined);
  });
  await events.waitUntilReady();
  return {
    events,
    async catchUp() {
      const jobs = (await options.queue.getJobs(['completed', 'failed'], 0, catchUpJobs - 1)) as RunJob[];
      return jobs.filter((job) => job && record(job)).length;
    },
    close: () => events.close(),
  };
}
