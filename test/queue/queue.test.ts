import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startSlackSimulator, type Simulator } from '../../src/demo/simulator.js';
import { setLaunchState } from '../../src/integrations/state.js';
import { checkQueue, parseQueueUrl, queueName, redisOptions } from '../../src/queue/connection.js';
import type { QueueRunResult, RunJobData } from '../../src/queue/job.js';
import { startQueueService, type QueueService, type QueueServiceEvent } from '../../src/queue/service.js';
import { hashOf, startQueueWorker, type QueueWorker } from '../../src/queue/worker.js';
import { RunLog } from '../../src/runlog/runlog.js';
import { openStore, openStoreForReading } from '../../src/store/db.js';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.js';
import { queueFolder, quietEnv } from './workspace.js';
import { join } from 'node:path';

let redis: TestRedis;
let simulator: Simulator;
beforeAll(async () => {
  redis = await startRedis();
  simulator = await startSlackSimulator({ users: 30, latencyMs: 150 });
});
afterAll(async () => {
  await simulator?.close();
  await redis?.stop();
});

/** The service's run log, read as `intake runs` does. */
function runLog(db: string) {
  const store = openStoreForReading(db);
  try {
    return new RunLog(store).list(100);
  } finally {
    store.close();
  }
}

async function until<T>(what: () => T | Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Redis URL', () => {
  it('takes redis://host:port[/db], refuses a password in it, and names Redis without the password', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6380/2', {})).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, shown: 'redis://127.0.0.1:6380/2' });
    expect(parseQueueUrl('redis://redis.internal', {})).toMatchObject({ port: 6379, db: 0, shown: 'redis://redis.internal/0' });
    expect(() => parseQueueUrl('redis://:hunter2-secret@127.0.0.1:6379', {})).toThrow(/must not carry a user or password/);
    expect(() => parseQueueUrl('http://127.0.0.1:6379', {})).toThrow(/not a Redis URL/);
    expect(() => parseQueueUrl('redis://127.0.0.1:6379/x', {})).toThrow(/not a Redis database number/);
    const withPassword = parseQueueUrl('redis://127.0.0.1:6379', { INTAKE_REDIS_PASSWORD: 'correct-horse-battery' });
    expect(withPassword.password).toBe('correct-horse-battery');
    expect(withPassword.shown).not.toMatch(/correct-horse/);
  });

  it('an unreachable Redis is a clear error naming the URL and what to do', async () => {
    const port = await freePort();
    const error = await checkQueue(parseQueueUrl(`redis://127.0.0.1:${port}`, {}), 2000).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'queue_unreachable', message: `cannot reach Redis at redis://127.0.0.1:${port}/0: nothing listens there (connection refused)` });
    expect((error as { hint: string }).hint).toMatch(/start Redis there/);
  });

  it('a Redis that wants a password says so, and a wrong one is named without showing it', async () => {
    const guarded = await startRedis({ password: 'queue-password-42' });
    try {
      const none = await checkQueue(parseQueueUrl(guarded.url, {})).catch((e: unknown) => e);
      expect(none).toMatchObject({ code: 'queue_auth', message: expect.stringMatching(/refused the connection: it needs a password/) });
      const wrong = await checkQueue(parseQueueUrl(guarded.url, { INTAKE_REDIS_PASSWORD: 'not-the-password' })).catch((e: unknown) => e);
      expect(wrong).toMatchObject({ code: 'queue_auth', message: expect.stringMatching(/INTAKE_REDIS_PASSWORD is wrong/) });
      expect(JSON.stringify(wrong)).not.toMatch(/not-the-password/);
      await expect(checkQueue(parseQueueUrl(guarded.url, { INTAKE_REDIS_PASSWORD: 'queue-password-42' }))).resolves.toBeUndefined();
    } finally {
      await guarded.stop();
    }
  });
});

describe('service and workers on one queue (in process)', () => {
  let service: QueueService | undefined;
  const workers: QueueWorker[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await service?.close();
  });

  it('a job a worker runs comes back into the service\'s run log once, with counts, reasons and the worker; a second job of the same integration while the first runs is skipped', async () => {
    const queue = parseQueueUrl(`${redis.url}/1`, {});
    const folder = queueFolder(simulator.url, { 'team-a': { pageSize: 5 } });
    const events: QueueServiceEvent[] = [];
    service = await startQueueService({ queue, db: folder.db, mappingsDir: folder.mappings, refreshMs: 60_000, onEvent: (e) => events.push(e) });
    const env = quietEnv({ SLACK_TOKEN: simulator.token });
    for (const name of ['one', 'two']) workers.push(await startQueueWorker({ queue, db: join(folder.dir, `${name}.db`), mappingsDir: folder.mappings, name, env }));

    const jobs = new Queue<RunJobData, QueueRunResult>(queueName, { connection: redisOptions(queue) });
    const data: RunJobData = { integration: 'team-a', mappingFile: 'mappings/team-a.yaml', title: 'Slack users', connector: 'slack-users', preference: 'create_update', mappingHash: hashOf(join(folder.mappings, 'team-a.yaml')) };
    await jobs.add('run', data, { jobId: 'first' });
    await jobs.add('run', data, { jobId: 'second' });
    const runs = await until(() => runLog(folder.db), (r) => r.length === 2);
    // the service's copy of the mapping differs from the worker's: the run says so
    await jobs.add('run', { ...data, mappingHash: 'the-service-had-another-version' }, { jobId: 'third' });
    const [third] = await until(() => runLog(folder.db), (r) => r.length === 3);
    expect(third.warnings).toContainEqual(expect.stringMatching(/^the mapping .*team-a\.yaml on worker (one|two) differs from the service's mappings\/team-a\.yaml: this run used the worker's copy$/));
    await jobs.close();

    const byJob = Object.fromEntries(runs.map((r) => [r.remote!.job, r]));
    expect(byJob.first).toMatchObject({ status: 'succeeded', integration: 'Slack users', mapping_file: 'mappings/team-a.yaml', counts: { added: expect.any(Number) } });
    expect(byJob.first.counts.added).toBeGreaterThan(20);
    expect(byJob.first.saas_users).toMatchObject({ app: 'Slack' });
    expect(byJob.first.pages).toBeGreaterThan(5);
    expect(byJob.first.remote!.reasons.map((r) => r.reason)).toContain('filter: bot user');
    expect(['one', 'two']).toContain(byJob.first.remote!.worker!.name);
    expect(byJob.second).toMatchObject({ status: 'skipped', message: expect.stringMatching(/^the previous run of team-a is still going \(job first on worker (one|two)\): this run was skipped$/) });
    expect(byJob.second.remote!.worker!.name).not.toBe(byJob.first.remote!.worker!.name);
    // the worker's own store holds the records and each record's reason
    const workerStore = openStore(join(folder.dir, `${byJob.first.remote!.worker!.name}.db`));
    expect(new RunLog(workerStore).list()).toMatchObject([{ status: 'succeeded', counts: byJob.first.counts }]);
    workerStore.close();

    // an event seen again (a catch-up after a restart reads the same finished jobs): nothing is written twice
    await service.refresh();
    expect(runLog(folder.db)).toHaveLength(3);
    expect(events.filter((e) => e.event === 'recorded')).toHaveLength(3);
  }, 40_000);

  it('a worker stopped mid-run (SIGTERM) ends its run as interrupted with what it committed; run now puts a run on the queue and answers with the service\'s run', async () => {
    const queue = parseQueueUrl(`${redis.url}/5`, {});
    const folder = queueFolder(simulator.url, { 'team-b': { pageSize: 2 } });
    const own = await startQueueService({ queue, db: folder.db, mappingsDir: folder.mappings, refreshMs: 60_000 });
    const env = quietEnv({ SLACK_TOKEN: simulator.token });
    const workerDb = join(folder.dir, 'stopping.db');
    const stopping = await startQueueWorker({ queue, db: workerDb, mappingsDir: folder.mappings, name: 'stopping', env });
    try {
      const ended = own.runNow(join(folder.mappings, 'team-b.yaml'));
      await until(() => own.running('team-b'), (job) => job !== undefined);
      await until(() => runLog(workerDb), (r) => r.some((x) => x.status === 'running'));
      await new Promise((r) => setTimeout(r, 400)); // a few pages into the run
      await stopping.close();
      const [run] = await until(() => runLog(folder.db), (r) => r.length === 1);
      expect(run).toMatchObject({ status: 'interrupted', message: 'interrupted by SIGTERM: stopped reading', remote: { worker: { name: 'stopping' } } });
      // the batch in progress is not written: the run stopped before it read everyone
      expect(run.read).toBeLessThan(37);
      expect(runLog(workerDb)[0]).toMatchObject({ status: 'interrupted', read: run.read });
      expect(await ended).toMatchObject({ id: run.id, result: { status: 'interrupted', run: { status: 'interrupted' } } });
      expect(own.running('team-b')).toBeUndefined();

      // run now, with a worker: the run's result and its number in the service's run log
      workers.push(await startQueueWorker({ queue, db: workerDb, mappingsDir: folder.mappings, name: 'again', env }));
      const now = await own.runNow(join(folder.mappings, 'team-b.yaml'));
      expect(now).toMatchObject({ id: run.id + 1, result: { status: 'succeeded', worker: { name: 'again' } } });
      expect(runLog(folder.db)[0]).toMatchObject({ id: run.id + 1, status: 'succeeded', remote: { job: expect.stringMatching(/^now:team-b:\d+$/) } });
    } finally {
      await own.close();
    }
  }, 40_000);

  it('a worker that loses its integration lock (cut off from Redis longer than --stall-after) stops its run, so two runs never overlap', async () => {
    const queue = parseQueueUrl(`${redis.url}/6`, {});
    const folder = queueFolder(simulator.url, { 'team-c': { pageSize: 2 } });
    const own = await startQueueService({ queue, db: folder.db, mappingsDir: folder.mappings, refreshMs: 60_000 });
    const workerDb = join(folder.dir, 'cut.db');
    workers.push(await startQueueWorker({ queue, db: workerDb, mappingsDir: folder.mappings, name: 'cut', env: quietEnv({ SLACK_TOKEN: simulator.token }), stallAfterMs: 1500 }));
    const raw = new Redis(redis.port, '127.0.0.1', { db: 6 });
    try {
      const ended = own.runNow(join(folder.mappings, 'team-c.yaml'));
      await until(() => runLog(workerDb), (r) => r.some((x) => x.status === 'running'));
      // as if the lock had expired and another worker had taken it
      expect(JSON.parse((await raw.get('intake:lock:team-c'))!)).toMatchObject({ worker: 'cut', job: expect.stringMatching(/^now:team-c:/) });
      await raw.set('intake:lock:team-c', JSON.stringify({ job: 'someone-else', worker: 'other' }));
      expect(await ended).toMatchObject({ result: { status: 'interrupted', message: 'interrupted by losing its lock in Redis (this worker was cut off from it too long): stopped reading' } });
      // its lock is not released by the worker that lost it
      expect(JSON.parse((await raw.get('intake:lock:team-c'))!)).toEqual({ job: 'someone-else', worker: 'other' });
    } finally {
      raw.disconnect();
      await own.close();
    }
  }, 30_000);

  it('launching puts a job scheduler on the queue with the integration\'s schedule; pausing removes it', async () => {
    const queue = parseQueueUrl(`${redis.url}/2`, {});
    const folder = queueFolder(simulator.url, { nightly: { schedule: '{ every: day, at: "03:30", timezone: Europe/Berlin }' }, other: {} });
    const store = openStore(folder.db);
    setLaunchState(store, 'nightly', 'mappings/nightly.yaml', 'launched');
    const own = await startQueueService({ queue, db: folder.db, mappingsDir: folder.mappings, refreshMs: 60_000 });
    const jobs = new Queue(queueName, { connection: redisOptions(queue) });
    try {
      expect(own.scheduled()).toMatchObject([{ name: 'nightly', repeat: { tz: 'Europe/Berlin' } }]);
      const [scheduler] = await jobs.getJobSchedulers();
      expect(scheduler).toMatchObject({ key: 'nightly', tz: 'Europe/Berlin', template: { data: { integration: 'nightly', mappingFile: expect.stringMatching(/mappings\/nightly\.yaml$/) } } });
      expect(scheduler.pattern).toMatch(/ 30 3 \* \* /);
      // the next run is 03:30 in Berlin, in UTC
      expect(new Date(scheduler.next!).toISOString()).toMatch(/T0[12]:30:00\.000Z$/);

      setLaunchState(store, 'nightly', 'mappings/nightly.yaml', 'paused');
      await own.refresh();
      expect(await jobs.getJobSchedulers()).toEqual([]);
      expect(await jobs.getDelayedCount()).toBe(0);
      expect(own.scheduled()).toEqual([]);
    } finally {
      store.close();
      await jobs.close();
      await own.close();
    }
  });
});
