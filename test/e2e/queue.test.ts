import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator, type Simulator } from '../../src/demo/simulator.js';
import { setLaunchState } from '../../src/integrations/state.js';
import { RunLog, type RunSummary } from '../../src/runlog/runlog.js';
import { openStore, openStoreForReading } from '../../src/store/db.js';
import { cli, intake } from '../helpers/cli.js';
import { freePort } from '../helpers/redis.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { queueFolder } from '../queue/workspace.js';

const configHome = mkdtempSync(join(tmpdir(), 'intake-queue-e2e-'));

let redis: TestRedis;
let fast: Simulator;
let slow: Simulator;
beforeAll(async () => {
  redis = await startRedis();
  fast = await startSlackSimulator({ users: 30, latencyMs: 60 });
  slow = await startSlackSimulator({ users: 30, latencyMs: 600 });
});
afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close()]);
  await redis?.stop();
});

/** The built CLI as a long-running process (the service, a worker), with its output kept. */
interface Running {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}
const running: Running[] = [];
function start(args: string[], cwd: string, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { PATH: process.env.PATH, TZ: 'UTC', XDG_CONFIG_HOME: configHome, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc = { child, out: () => text, exited };
  running.push(proc);
  return proc;
}
afterEach(async () => {
  for (const proc of running.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  }
});

function runs(db: string): RunSummary[] {
  const store = openStoreForReading(db);
  try {
    return new RunLog(store).list(500).reverse();
  } finally {
    store.close();
  }
}

async function until<T>(what: () => T, ok: (value: T) => boolean, ms: number, context: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms; output:\n${context()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function launch(db: string, names: string[]): void {
  const store = openStore(db);
  for (const name of names) setLaunchState(store, name, `mappings/${name}.yaml`, 'launched');
  store.close();
}

const slotOf = (job: string) => Number(job.split(':').pop());

describe('the queue commands at the edge', () => {
  it('an unreachable Redis or a password in the URL stops the command with what to do, no stack trace and no password', async () => {
    const port = await freePort();
    const down = await intake(['worker', '--queue', `redis://127.0.0.1:${port}`]);
    expect(down.code).toBe(3);
    expect(down.stderr).toBe(`intake: cannot reach Redis at redis://127.0.0.1:${port}/0: nothing listens there (connection refused)\n  hint: start Redis there (e.g. systemctl start redis-server), or check the host and port in --queue and that this machine may connect to it\n`);
    const inUrl = await intake(['serve', '--queue', 'redis://:s3cret-redis-pass@127.0.0.1:6379', '--json']);
    expect(inUrl.code).toBe(2);
    expect(JSON.parse(inUrl.stdout)).toMatchObject({ status: 'error', code: 'queue_password_in_url', hint: expect.stringMatching(/INTAKE_REDIS_PASSWORD/) });
    expect(inUrl.stdout + inUrl.stderr).not.toMatch(/s3cret/);
  });
});

describe('intake serve --queue with two intake worker processes on a real Redis', () => {
  it('runs 20 scheduled runs of three integrations: each slot exactly once, on either worker, never two of one integration at once, all in the service\'s run log', async () => {
    const folder = queueFolder(fast.url, {
      alpha: { schedule: '{ cron: "*/3 * * * * *", timezone: UTC }', pageSize: 5 },
      beta: { schedule: '{ every: 4s }', pageSize: 5 },
      gamma: { schedule: '{ cron: "*/5 * * * * *", timezone: Europe/Berlin }', pageSize: 5 },
    });
    launch(folder.db, ['alpha', 'beta', 'gamma']);
    const queue = `${redis.url}/3`;
    // the service runs nothing, but says whether an integration is complete (credentials included), as intake integrations does
    const service = start(['--db', folder.db, 'serve', '--queue', queue, '--port', '0', '--mappings', folder.mappings, '--json'], folder.dir, { SLACK_TOKEN: fast.token });
    const workers = ['w1', 'w2'].map((name) => start(['--db', join(folder.dir, `${name}.db`), 'worker', '--queue', queue, '--mappings', folder.mappings, '--name', name, '--concurrency', '2', '--json'], folder.dir, { SLACK_TOKEN: fast.token }));

    const all = await until(() => runs(folder.db), (r) => r.filter((x) => x.status !== 'skipped').length >= 20, 50_000, () => [service, ...workers].map((p) => p.out()).join('\n---\n'));
    const started = JSON.parse(service.out().split('\n')[0]);
    expect(started).toMatchObject({ queue, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(started.schedule).toMatchObject([
      { name: 'alpha', schedule: expect.stringMatching(/cron/), next_run: expect.any(String) },
      { name: 'beta', schedule: 'every 4s', next_run: expect.any(String) },
      { name: 'gamma', schedule: expect.stringMatching(/Europe\/Berlin/), next_run: expect.any(String) },
    ]);

    const done = all.filter((r) => r.status !== 'skipped');
    expect(done.map((r) => r.status)).toEqual(done.map(() => 'succeeded'));
    for (const name of ['alpha', 'beta', 'gamma']) {
      const mine = all.filter((r) => r.remote!.job.startsWith(`repeat:${name}:`));
      expect(mine.length).toBeGreaterThanOrEqual(3);
      // each slot once: consecutive slots of its schedule, none twice, none missing
      const slots = mine.map((r) => slotOf(r.remote!.job)).sort((a, b) => a - b);
      const step = { alpha: 3000, beta: 4000, gamma: 5000 }[name]!;
      expect(slots.slice(1).map((s, i) => s - slots[i])).toEqual(slots.slice(1).map(() => step));
      // never two runs of one integration at once
      const ran = mine.filter((r) => r.status !== 'skipped').sort((a, b) => a.started_at.localeCompare(b.started_at));
      for (let i = 1; i < ran.length; i++) expect(ran[i].started_at >= ran[i - 1].ended_at!).toBe(true);
      // a run starts at its slot (within the time a worker takes to pick it up, on a busy machine)
      for (const r of ran) expect(Date.parse(r.started_at) - slotOf(r.remote!.job)).toBeLessThan(3000);
    }
    // both workers took runs, and each run the service recorded ran on exactly one worker
    const byWorker = (name: string) => done.filter((r) => r.remote!.worker!.name === name).length;
    expect(byWorker('w1')).toBeGreaterThan(0);
    expect(byWorker('w2')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    const recordedJobs = new Set(runs(folder.db).filter((r) => r.status !== 'skipped').map((r) => r.remote!.job));
    const workerRuns = ['w1', 'w2'].flatMap((name) => runs(join(folder.dir, `${name}.db`)));
    expect(workerRuns.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(done.length);
    expect(recordedJobs.size).toBe(runs(folder.db).filter((r) => r.status !== 'skipped').length);
    // the run log has what a run's page shows: counts of both record kinds, reasons, the worker
    expect(done[0]).toMatchObject({ read: expect.any(Number), saas_users: { app: 'Slack' }, remote: { reasons: expect.arrayContaining([expect.objectContaining({ reason: 'filter: bot user' })]) } });
    expect(done[0].counts.added + done[0].counts.unchanged + done[0].counts.updated).toBeGreaterThan(20);

    // the service's API shows the runs the workers ran, with their reasons; its log says where each ran
    const api = async (path: string) => (await fetch(`${started.url}${path}`)).json() as Promise<Record<string, unknown>>;
    const shownRun = await api(`/api/runs/${done[0].id}`);
    expect(shownRun).toMatchObject({ id: done[0].id, status: 'succeeded', remote: { worker: { name: done[0].remote!.worker!.name } }, reasons: expect.arrayContaining([expect.objectContaining({ reason: 'filter: bot user' })]) });
    const listed = (await api('/api/integrations')).integrations as { name: string; state: string; next_run: string | null; last_run: { status: string } | null }[];
    expect(listed.map((i) => [i.name, i.state, i.last_run?.status])).toEqual([['alpha', 'launched', 'succeeded'], ['beta', 'launched', 'succeeded'], ['gamma', 'launched', 'succeeded']]);
    const ended = service.out().split('\n').filter((l) => l.includes('"run_ended"')).map((l) => JSON.parse(l));
    expect(ended.length).toBeGreaterThanOrEqual(20);
    expect(ended[0]).toMatchObject({ event: 'run_ended', status: 'succeeded', run_id: expect.any(Number), message: expect.stringMatching(/^on worker w[12]$/) });

    // SIGTERM: the workers and the service stop by themselves
    for (const proc of [...workers, service]) proc.child.kill('SIGTERM');
    expect(await Promise.all([...workers, service].map((p) => p.exited))).toEqual([0, 0, 0]);

    // intake runs show: where it ran, and its reasons grouped
    const shown = await intake(['--db', folder.db, 'runs', 'show', String(done[0].id)], {}, folder.dir);
    expect(shown.stdout).toMatch(new RegExp(`ran on worker ${done[0].remote!.worker!.name} \\(process \\d+ on .+\\), queue job repeat:`));
    expect(shown.stdout).toMatch(/\n\d+ +person +skipped +filter: bot user +U/);
  }, 60_000);

  it('a worker killed mid-run (SIGKILL) leaves its run interrupted in the service\'s run log, and the next run is normal on the other worker', async () => {
    const folder = queueFolder(slow.url, { slowpoke: { schedule: '{ every: 8s }', pageSize: 5 } });
    launch(folder.db, ['slowpoke']);
    const queue = `${redis.url}/4`;
    const service = start(['--db', folder.db, 'serve', '--queue', queue, '--port', '0', '--mappings', folder.mappings, '--json'], folder.dir);
    const workers = Object.fromEntries(['w1', 'w2'].map((name) => [name, start(['--db', join(folder.dir, `${name}.db`), 'worker', '--queue', queue, '--mappings', folder.mappings, '--name', name, '--stall-after', '2', '--json'], folder.dir, { SLACK_TOKEN: slow.token })]));
    const output = () => [service, ...Object.values(workers)].map((p) => p.out()).join('\n---\n');

    // the run in progress shows in the store of the worker that runs it: kill that worker
    const busy = await until(() => ['w1', 'w2'].find((name) => runs(join(folder.dir, `${name}.db`)).some((r) => r.status === 'running')), (name) => name !== undefined, 20_000, output);
    workers[busy!].child.kill('SIGKILL');
    const other = busy === 'w1' ? 'w2' : 'w1';

    const log = await until(() => runs(folder.db), (r) => r.some((x) => x.status === 'succeeded'), 40_000, output);
    const [first, ...rest] = log;
    expect(first).toMatchObject({ status: 'interrupted', remote: { worker: { name: busy } } });
    expect(first.message).toMatch(new RegExp(`^worker ${busy} \\(process \\d+ on .+\\) stopped during the run without recording how it ended`));
    expect(rest.filter((r) => r.status !== 'skipped')).toMatchObject([{ status: 'succeeded', remote: { worker: { name: other } } }]);
    expect(slotOf(rest.at(-1)!.remote!.job) - slotOf(first.remote!.job)).toBeGreaterThanOrEqual(8000);
    // the killed worker's own store: its run is marked interrupted when the store is next opened (its process is gone)
    expect(runs(join(folder.dir, `${busy}.db`))).toMatchObject([{ status: 'interrupted' }]);
  }, 60_000);
});
