import { Queue } from 'bullmq';
import { displayPath, loadIntegration } from '../definition/load.js';
import { IntakeError } from '../errors.js';
import { mappingFiles, nameOf } from '../integrations/catalog.js';
import { launchState } from '../integrations/state.js';
import type { FinishedRun } from '../runlog/runlog.js';
import { scheduleOf } from '../schedule/schedule.js';
import { openStore } from '../store/db.js';
import { checkQueue, openRedis, queueName, redisOptions, type QueueTarget } from './connection.js';
import type { RunJobData } from './job.js';
import { jobRetention, startRecorder } from './recorder.js';
import { hashOf } from './worker.js';

export interface QueueServiceOptions {
  queue: QueueTarget;
  /** the service's embedded store: launch states, and the run log the results flow back to */
  db: string;
  mappingsDir: string;
  /** how often launch/pause and edited mappings are picked up, and finished jobs caught up (default 5 s) */
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
  /** the next run, as BullMQ has it */
  next: string | null;
}

export type QueueServiceEvent =
  | { event: 'scheduled'; integration: QueuedIntegration }
  | { event: 'unscheduled'; integration: string }
  | { event: 'recorded'; run: number; integration: string; status: string; job: string; worker: string | null; started_at: string; ended_at: string }
  | { event: 'problem'; integration: string; message: string; hint?: string };

export interface QueueService {
  queue: QueueTarget;
  /** the launched integrations on the queue now */
  scheduled(): QueuedIntegration[];
  /** picks up launch, pause and mapping edits now, and records finished jobs the run log lacks */
  refresh(): Promise<void>;
  /** stops scheduling changes and recording; the job schedulers stay in Redis (workers keep running them; results are caught up on the next start) */
  close(): Promise<void>;
}

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
  const recorder = await startRecorder({
    queue, target: options.queue, redis, db,
    onRecorded: (run: FinishedRun, id: number) => emit({ event: 'recorded', run: id, integration: run.key, status: run.status, job: run.job, worker: run.worker?.name ?? null, started_at: run.started_at, ended_at: run.ended_at }),
  });
  const scheduled = new Map<string, { entry: QueuedIntegration; signature: string }>();
  const problems = new Map<string, string>();

  const refresh = async () => {
    const wanted = new Set<string>();
    for (const file of mappingFiles(options.mappingsDir)) {
      const name = nameOf(file);
      if (launchState(db, name) !== 'launched') continue;
      const job = jobFor(file, problems, emit);
      if (!job) continue;
      wanted.add(name);
      const signature = JSON.stringify(job);
      if (scheduled.get(name)?.signature === signature) continue;
      const next = await queue.upsertJobScheduler(name, job.repeat, { name: 'run', data: job.data, opts: { removeOnComplete: jobRetention, removeOnFail: jobRetention, attempts: 1 } });
      const entry: QueuedIntegration = { name, file: job.data.mappingFile, schedule: job.describe, repeat: job.repeat, next: next?.timestamp !== undefined ? new Date(next.timestamp + (next.delay ?? 0)).toISOString() : null };
      scheduled.set(name, { entry, signature });
      emit({ event: 'scheduled', integration: entry });
    }
    for (const scheduler of await queue.getJobSchedulers(0, -1)) {
      const id = scheduler.id ?? scheduler.key;
      if (wanted.has(id)) continue;
      await queue.removeJobScheduler(id);
      scheduled.delete(id);
      emit({ event: 'unscheduled', integration: id });
    }
    for (const name of [...scheduled.keys()].filter((n) => !wanted.has(n))) scheduled.delete(name);
    await recorder.catchUp();
  };

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
    refreshing ??= refresh().catch((error) => emit({ event: 'problem', integration: '*', message: error instanceof Error ? error.message : String(error) })).finally(() => (refreshing = undefined));
  }, options.refreshMs ?? 5000);
  return {
    queue: options.queue,
    scheduled: () => [...scheduled.values()].map((s) => s.entry),
    refresh: async () => {
      await refreshing;
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

/** The job scheduler of a launched integration, or undefined (reported once) when its files do not load. */
function jobFor(file: string, problems: Map<string, string>, emit: (event: QueueServiceEvent) => void): { repeat: QueuedIntegration['repeat']; describe: string; data: RunJobData } | undefined {
  const name = nameOf(file);
  try {
    const { mapping, connector, mappingFile } = loadIntegration(file, { draft: true });
    const schedule = scheduleOf(mapping.schedule);
    const repeat = schedule.cron ? { pattern: schedule.cron.pattern, tz: schedule.cron.timezone } : schedule.everyMs ? { every: schedule.everyMs } : undefined;
    if (!repeat) throw new IntakeError('schedule_unsupported', `the schedule ${schedule.describe()} cannot be put on the queue`);
    problems.delete(name);
    return {
      repeat, describe: schedule.describe(),
      data: { integration: name, mappingFile: displayPath(mappingFile), title: mapping.name ?? connector.name, connector: connector.id, preference: mapping.preference, mappingHash: hashOf(mappingFile) },
    };
  } catch (error) {
    if (!(error instanceof IntakeError)) throw error;
    const message = `${displayPath(file)} does not load, so ${name} is not scheduled: ${error.message}`;
    if (problems.get(name) !== message) emit({ event: 'problem', integration: name, message, hint: `see what is wrong with: intake validate ${displayPath(file)}` });
    problems.set(name, message);
    return undefined;
  }
}
