import { Queue } from 'bullmq';
import { displayPath, loadIntegration } from '../definition/load.js';
import { IntakeError } from '../errors.js';
import { mappingFiles, nameOf } from '../integrations/catalog.js';
import { launchState } from '../integrations/state.js';
import { RunLog, type FinishedRun } from '../runlog/runlog.js';
import { scheduleOf, type Schedule } from '../schedule/schedule.js';
import { signatureOf } from '../service/scheduler.js';
import { openStore } from '../store/db.js';
import { checkQueue, openRedis, queueName, redisOptions, type QueueTarget } from './connection.js';
import type { QueueRunResult, RunJobData } from './job.js';
import { jobRetention, startRecorder } from './recorder.js';
import { hashOf } from './worker.js';

export interface QueueServiceOptions {
  queue: QueueTarget;
  /** the service's embedded store: launch states, and the run log the results flow back to */
  db: string;
  mappingsDir: string;
  /** how often launch/pause and edited mappings are picked up, and finished jobs caught up (default 2 s) */
  refreshMs?: number;
  onEvent?: (event: QueueServiceEvent) => void;
}

/** One launched integration as the queue schedules it. */
export interface QueuedIntegration {
  name: string;
  file: string;
  schedule: string;
  /** BullMQ's job scheduler: a cron pattern (seconds first) in a time zone, or an interval */
  repeat: { pattern: string; tz: string } | { every: number };
  /** the next slot (ISO-8601 UTC) */
  next: string | null;
  /** a worker runs it now */
  running: boolean;
}

export type QueueServiceEvent =
  | { event: 'scheduled'; integration: QueuedIntegration }
  | { event: 'unscheduled'; integration: string }
  | { event: 'recorded'; run: FinishedRun; id: number }
  | { event: 'problem'; integration: string; file: string; message: string };

export interface QueueService {
  queue: QueueTarget;
  /** the launched integrations on the queue now */
  scheduled(): QueuedIntegration[];
  /** launched integrations whose mapping does not load (not on the queue until fixed) */
  problems(): { name: string; file: string; message: string }[];
  /** the job a worker runs for `name` now, if any (from the queue's events) */
  running(name: string): string | undefined;
  /** puts a run of `file` on the queue now; resolves with the run's result and its id in the service's run log once it has been recorded */
  runNow(file: string): Promise<{ id: number; result: QueueRunResult } | undefined>;
  /** picks up launch, pause and mapping edits now, and records the finished jobs the run log lacks */
  refresh(): Promise<void>;
  /** stops scheduling changes and recording; the job schedulers stay in Redis (workers keep running them; results are caught up on the next start) */
  close(): Promise<void>;
}

interface Entry {
  entry: Omit<QueuedIntegration, 'next' | 'running'>;
  schedule: Schedule;
  signature: string;
}

/** How often the service reads the finished jobs again, besides the queue's events: at the start, then every minute. */
const catchUpMs = 60_000;

/** A job's integration: job ids are `repeat:<name>:<slot ms>` (a job scheduler's) or `now:<name>:<ms>` (run now). */
const integrationOf = (jobId: string) => jobId.split(':')[1];

/**
 * `intake serve --queue`: instead of running integrations itself, the service keeps one BullMQ
 * job scheduler per launched integration (its schedule: a cron pattern in its time zone, or an
 * interval), removes it when the integration is paused, and records each finished job's result
 * in its run log. Workers (`intake worker`) take the jobs.
 */
export async function startQueueService(options: QueueServiceOptions): Promise<QueueService> {
  await checkQueue(options.queue);
  const db = openStore(options.db);
  const redis = openRedis(options.queue);
  const queue = new Queue<RunJobData>(queueName, { connection: redisOptions(options.queue) });
  queue.on('error', () => undefined);
  const emit = options.onEvent ?? (() => undefined);
  const active = new Map<string, string>();
  const recorder = await startRecorder({
    queue, target: options.queue, redis, db,
    onRecorded: (run, id) => emit({ event: 'recorded', run, id }),
    onJob: (event, jobId) => {
      const name = integrationOf(jobId);
      if (event === 'active') active.set(name, jobId);
      else if (active.get(name) === jobId) active.delete(name);
    },
  });
  for (const job of await queue.getActive()) if (job?.id) active.set(integrationOf(job.id), job.id);
  let caughtUp = 0;
  const scheduled = new Map<string, Entry>();
  const problems = new Map<string, { name: string; file: string; message: string }>();
  // a launched integration's job, loaded again only when its mapping file changed on disk (as the in-process scheduler does)
  const loaded = new Map<string, { signature: string; job: ReturnType<typeof jobFor> }>();
  const jobOf = (file: string) => {
    const signature = signatureOf(file);
    const known = loaded.get(file);
    if (known?.signature === signature) return known.job;
    const job = jobFor(file, problems, emit);
    loaded.set(file, { signature, job });
    return job;
  };

  const refresh = async () => {
    const wanted = new Set<string>();
    for (const file of mappingFiles(options.mappingsDir)) {
      const name = nameOf(file);
      if (launchState(db, name) !== 'launched') {
        problems.delete(name);
        loaded.delete(file);
        continue;
      }
      const job = jobOf(file);
      if (!job) continue;
      wanted.add(name);
      const signature = JSON.stringify({ repeat: job.repeat, data: job.data });
      if (scheduled.get(name)?.signature === signature) continue;
      await queue.upsertJobScheduler(name, job.repeat, { name: 'run', data: job.data, opts: { removeOnComplete: jobRetention, removeOnFail: jobRetention, attempts: 1 } });
      const entry = { name, file: job.data.mappingFile, schedule: job.schedule.describe(), repeat: job.repeat };
      scheduled.set(name, { entry, schedule: job.schedule, signature });
      emit({ event: 'scheduled', integration: view(scheduled.get(name)!) });
    }
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      if (wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      emit({ event: 'unscheduled', integration: id });
    }
    for (const name of [...scheduled.keys()].filter((n) => !wanted.has(n))) scheduled.delete(name);
    // the queue's events record each run as it ends; the catch-up (up to 1000 finished jobs) is for what they missed
    if (Date.now() - caughtUp >= catchUpMs) {
      await recorder.catchUp();
      caughtUp = Date.now();
    }
  };
  const view = ({ entry, schedule }: Entry): QueuedIntegration => ({ ...entry, next: schedule.next(new Date())?.toISOString() ?? null, running: active.has(entry.name) });

  try {
    await refresh();
  } catch (error) {
    await Promise.allSettled([recorder.close(), queue.close()]);
    redis.disconnect();
    db.close();
    throw error;
  }
  let refreshing: Promise<void> | undefined;
  const timer = setInterval(() => {
    // a refresh that fails (Redis away for a moment) is tried again at the next tick
    refreshing ??= refresh().catch(() => undefined).finally(() => (refreshing = undefined));
  }, options.refreshMs ?? 2000);
  return {
    queue: options.queue,
    scheduled: () => [...scheduled.values()].map(view).sort((a, b) => a.name.localeCompare(b.name)),
    problems: () => [...problems.values()],
    running: (name) => active.get(name),
    async runNow(file) {
      const job = jobFor(file, problems, emit);
      if (!job) return undefined;
      const added = await queue.add('run', job.data, { jobId: `now:${job.data.integration}:${Date.now()}`, removeOnComplete: jobRetention, removeOnFail: jobRetention, attempts: 1 });
      const result = (await added.waitUntilFinished(recorder.events).catch(() => undefined)) as QueueRunResult | undefined;
      await recorder.catchUp();
      const run = new RunLog(db).byJob(added.id!);
      return run && result ? { id: run.id, result } : undefined;
    },
    refresh: async () => {
      await refreshing;
      caughtUp = 0;
      await refresh();
    },
    async close() {
      clearInterval(timer);
      await refreshing;
      await recorder.close();
      await queue.close();
      redis.disconnect();
      db.close();
    },
  };
}

/** The job of a launched integration, or undefined (reported once per change) when its files do not load. */
function jobFor(file: string, problems: Map<string, { name: string; file: string; message: string }>, emit: (event: QueueServiceEvent) => void): { repeat: QueuedIntegration['repeat']; schedule: Schedule; data: RunJobData } | undefined {
  const name = nameOf(file);
  try {
    const { mapping, connector, mappingFile } = loadIntegration(file, { draft: true });
    const schedule = scheduleOf(mapping.schedule);
    const repeat = schedule.cron ? { pattern: schedule.cron.pattern, tz: schedule.cron.timezone } : schedule.everyMs ? { every: schedule.everyMs } : undefined;
    if (!repeat) throw new IntakeError('schedule_unsupported', `the schedule ${schedule.describe()} cannot be put on the queue`);
    problems.delete(name);
    return {
      repeat, schedule,
      data: { integration: name, mappingFile: displayPath(mappingFile), title: mapping.name ?? connector.name, connector: connector.id, preference: mapping.preference, mappingHash: hashOf(mappingFile) },
    };
  } catch (error) {
    if (!(error instanceof IntakeError)) throw error;
    const problem = { name, file: displayPath(file), message: error.message };
    if (problems.get(name)?.message !== problem.message) emit({ event: 'problem', integration: name, file: problem.file, message: problem.message });
    problems.set(name, problem);
    return undefined;
  }
}
