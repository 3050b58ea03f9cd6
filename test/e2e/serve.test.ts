import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator, type Simulator } from '../../src/demo/simulator.js';
import { intake, root } from '../helpers/cli.js';
import { killServices, serve, type Event } from '../helpers/serve.js';

/** A user's folder: the shipped connectors, and copies of the Slack users mapping reading the simulator on `schedule`. */
function folder(simulator: Simulator, integrations: Record<string, string>, pageSize = 10): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'intake-serve-'));
  cpSync(join(root, 'connectors'), join(dir, 'connectors'), { recursive: true });
  mkdirSync(join(dir, 'mappings'));
  for (const [name, schedule] of Object.entries(integrations)) writeFileSync(join(dir, 'mappings', `${name}.yaml`), mapping(simulator, schedule, pageSize));
  return { dir, db: join(dir, 'intake.db') };
}

function mapping(simulator: Simulator, schedule: string, pageSize: number): string {
  return readFileSync(join(root, 'mappings', 'slack-users.yaml'), 'utf8')
    .replace('  max_pages: 100', `  max_pages: 100\n  base_url: "${simulator.url}"\n  page_size: ${pageSize}`)
    .replace(/^schedule: .*$/m, `schedule: ${schedule}`);
}

type Run = { id: number; integration: string; mapping_file: string; status: string; started_at: string; ended_at: string | null; read: number; counts: Record<string, number> };
type Slot = { integration: string; due_at: string; outcome: string; run_id: number | null; reason: string | null };
const nameOf = (run: Run) => run.mapping_file.replace(/^.*\//, '').replace(/\.yaml$/, '');

describe('intake serve', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSlackSimulator({ users: 30, latencyMs: 20 });
  });
  afterAll(async () => {
    killServices();
    await simulator.close();
  });

  it('runs two launched integrations on their cron slots, on time and each slot exactly once, also with a second service on the same store', async () => {
    const { dir, db } = folder(simulator, { 'team-a': '{ cron: "*/3 * * * * *", timezone: UTC }', 'team-b': '{ cron: "1-59/3 * * * * *", timezone: Europe/Berlin }' });
    const env = { SLACK_TOKEN: simulator.token };
    for (const name of ['team-a', 'team-b']) expect((await intake(['--db', db, 'launch', name], env, dir)).code).toBe(0);

    const first = await serve(['--db', db], env, dir);
    const second = await serve(['--db', db], env, dir);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // (whether a run is already going depends on when in its 3 s the service started)
    expect(first.schedule.map((s) => [s.name, s.schedule, s.running])).toEqual([
      ['team-a', 'cron */3 * * * * * (UTC)', expect.any(Boolean)],
      ['team-b', 'cron 1-59/3 * * * * * (Europe/Berlin)', expect.any(Boolean)],
    ]);
    expect(new Date(first.schedule[0].next_run!).getUTCSeconds() % 3).toBe(0);

    // three slots of each (9 s), then both services stop
    const ended = (e: Event, name: string) => e.event === 'run_ended' && e.integration === name;
    const third = (name: string) => new Promise<void>((resolve) => {
      const check = () => ([...first.events, ...second.events].filter((e) => ended(e, name)).length >= 3 ? resolve() : setTimeout(check, 100));
      check();
    });
    await Promise.all([third('team-a'), third('team-b')]);

    const { body: listed } = await first.api<{ integrations: Record<string, unknown>[] }>('/api/integrations');
    const { body: runs } = await first.api<{ runs: Run[] }>('/api/runs?limit=100');
    const { body: slots } = await second.api<{ slots: Slot[] }>('/api/slots?limit=100');
    first.signal('SIGTERM');
    second.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);

    // each slot was started by exactly one of the two services; the other saw it taken
    const started = [...first.events, ...second.events].filter((e) => e.event === 'run_started');
    const bySlot = new Map<string, number>();
    for (const e of started) bySlot.set(`${e.integration} ${e.due_at}`, (bySlot.get(`${e.integration} ${e.due_at}`) ?? 0) + 1);
    expect([...bySlot.values()].every((n) => n === 1)).toBe(true);
    expect([...first.events, ...second.events].filter((e) => e.event === 'slot_taken').length).toBeGreaterThanOrEqual(started.length - 2);

    // the run log: each run belongs to one slot of its schedule, started on time, none overlapping
    const store = new Database(db, { readonly: true });
    const logged = (store.prepare('SELECT id, mapping_file, status, started_at, ended_at FROM runs ORDER BY id').all() as Run[]);
    store.close();
    expect(logged.every((r) => r.status === 'succeeded')).toBe(true);
    for (const name of ['team-a', 'team-b']) {
      const own = logged.filter((r) => nameOf(r) === name);
      const ranSlots = slots.slots.filter((s) => s.integration === name && s.outcome === 'ran');
      expect(own.length).toBeGreaterThanOrEqual(3);
      for (const run of own.filter((r) => ranSlots.some((s) => s.run_id === r.id))) {
        const slot = ranSlots.find((s) => s.run_id === run.id)!;
        const late = Date.parse(run.started_at) - Date.parse(slot.due_at);
        expect(late).toBeGreaterThanOrEqual(0);
        expect(late).toBeLessThan(2000); // within its slot: the next one is 3 s later
        expect(new Date(slot.due_at).getUTCSeconds() % 3).toBe(name === 'team-a' ? 0 : 1);
      }
      expect(new Set(ranSlots.map((s) => s.run_id)).size).toBe(ranSlots.length);
      for (let i = 1; i < own.length; i++) expect(Date.parse(own[i].started_at)).toBeGreaterThanOrEqual(Date.parse(own[i - 1].ended_at!));
    }
    // the API said the same while it ran
    expect(runs.runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(6);
    const teamA = listed.integrations.find((i) => i.name === 'team-a')!;
    expect(teamA).toMatchObject({ state: 'launched', installation: 'local', schedule: 'cron */3 * * * * * (UTC)' });
    expect(Date.parse(teamA.next_run as string)).toBeGreaterThan(Date.now() - 10_000);
    expect((teamA.last_run as { status: string }).status).toMatch(/running|succeeded/);
  }, 40_000);

  it('skips a slot due while the run still goes (logged, in the API, 409 for run now); SIGTERM mid-run records it interrupted and leaves a consistent store', async () => {
    const slow = await startSlackSimulator({ users: 12_000, latencyMs: 300 });
    try {
      const { dir, db } = folder(slow, { slow: '{ every: 1s }' }, 1000);
      const env = { SLACK_TOKEN: slow.token };
      expect((await intake(['--db', db, 'launch', 'slow'], env, dir)).code).toBe(0);
      const service = await serve(['--db', db], env, dir);
      expect(service.schedule).toEqual([expect.objectContaining({ name: 'slow', schedule: 'every 1s' })]);
      const begun = await service.waitFor((e) => e.event === 'run_started');
      const skipped = await service.waitFor((e) => e.event === 'skipped', 3000);
      expect(skipped).toMatchObject({ integration: 'slow', reason: expect.stringMatching(/previous run \(#1\) is still running; this slot is not queued/), running_run: 1 });
      expect(Date.parse(skipped.due_at as string) - Date.parse(begun.due_at as string)).toBeGreaterThanOrEqual(1000);

      const { body: slots } = await service.api<{ slots: Slot[] }>('/api/slots?outcome=skipped');
      expect(slots.slots[0]).toMatchObject({ integration: 'slow', outcome: 'skipped', due_at: skipped.due_at });
      const { body: listed } = await service.api<{ integrations: Record<string, unknown>[] }>('/api/integrations');
      expect(listed.integrations[0]).toMatchObject({ name: 'slow', running: true, running_run: 1, last_skipped: { due_at: skipped.due_at } });
      const refused = await service.api<{ error: { code: string; message: string; hint: string } }>('/api/integrations/slow/run', { method: 'POST' });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'run_in_progress', message: expect.stringContaining('run #1'), hint: expect.any(String) });

      // SIGTERM once the run has committed a batch, while it still reads
      for (let i = 0; i < 200; i++) {
        const { body } = await service.api<{ runs: Run[] }>('/api/runs');
        if (body.runs[0].read > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      service.signal('SIGTERM');
      expect(await service.exited).toBe(0);
      const end = service.events.find((e) => e.event === 'run_ended')!;
      expect(end).toMatchObject({ integration: 'slow', run_id: 1, status: 'interrupted' });
      expect(service.events.map((e) => e.event).slice(-3)).toEqual(['stopping', 'run_ended', 'stopped']);
      expect(service.events.filter((e) => e.event === 'run_started')).toHaveLength(1);

      const store = new Database(db, { readonly: true });
      const runs = store.prepare('SELECT id, status, added, read, checkpoint, ended_at FROM runs').all() as { id: number; status: string; added: number; read: number; checkpoint: string | null; ended_at: string | null }[];
      const people = (store.prepare("SELECT COUNT(*) AS n FROM records WHERE record_type = 'people'").get() as { n: number }).n;
      const integrity = store.pragma('integrity_check', { simple: true });
      store.close();
      expect(integrity).toBe('ok');
      expect(runs).toEqual([expect.objectContaining({ id: 1, status: 'interrupted', checkpoint: expect.any(String), ended_at: expect.any(String) })]);
      // what the run log counts is what the store holds: the batches it committed, nothing half-written
      expect(runs[0].added).toBeGreaterThan(0);
      expect(people).toBe(runs[0].added);
      expect(runs[0].read).toBeLessThan(12_000);
      const shown = await intake(['--db', db, 'runs', 'show', '1'], {}, dir);
      expect(shown.stdout).toMatch(/status interrupted/);
    } finally {
      await slow.close();
    }
  }, 40_000);

  it('reloads a mapping edited on disk: a broken edit takes it off the schedule (logged), the fixed one runs on its new schedule; pause and launch through the API', async () => {
    const { dir, db } = folder(simulator, { 'team-a': '{ cron: "*/2 * * * * *" }' });
    const file = join(dir, 'mappings', 'team-a.yaml');
    const env = { SLACK_TOKEN: simulator.token };
    expect((await intake(['--db', db, 'launch', 'team-a'], env, dir)).code).toBe(0);
    const service = await serve(['--db', db], env, dir);
    try {
      await service.waitFor((e) => e.event === 'run_ended');
      writeFileSync(file, readFileSync(file, 'utf8').replace('preference: create_update', 'preference: create_updat'));
      const broken = await service.waitFor((e) => e.event === 'mapping_error');
      expect(broken.message).toMatch(/team-a\.yaml:\d+:\d+ .*create_updat.*did you mean "create_update"/);
      const { body: off } = await service.api<{ integrations: Record<string, unknown>[] }>('/api/integrations');
      expect(off.integrations[0]).toMatchObject({ name: 'team-a', state: 'invalid', next_run: null, schedule_error: expect.stringContaining('create_updat') });
      await new Promise((r) => setTimeout(r, 2500));
      const fixedAt = new Date().toISOString();
      writeFileSync(file, mapping(simulator, '{ cron: "1-59/2 * * * * *" }', 10));
      const rescheduled = await service.waitFor((e) => e.event === 'scheduled' && e.schedule === 'cron 1-59/2 * * * * * (UTC)');
      expect(service.events.filter((e) => e.event === 'run_started' && e.at! > (broken.at as string) && e.at! < fixedAt)).toEqual([]);
      const next = await service.waitFor((e) => e.event === 'run_started' && (e.at as string) > (rescheduled.at as string));
      expect(new Date(next.due_at as string).getUTCSeconds() % 2).toBe(1);

      const paused = await service.api('/api/integrations/team-a/pause', { method: 'POST' });
      expect(paused).toEqual({ status: 200, body: { name: 'team-a', state: 'paused' } });
      await service.waitFor((e) => e.event === 'unscheduled' && e.reason === 'paused');
      const launched = await service.api('/api/integrations/team-a/launch', { method: 'POST' });
      expect(launched).toEqual({ status: 200, body: { name: 'team-a', state: 'launched', schedule: 'cron 1-59/2 * * * * * (UTC)' } });
      const unknown = await service.api<{ error: { code: string; hint: string } }>('/api/integrations/team-z/run', { method: 'POST' });
      expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'integration_not_found', hint: 'integrations: team-a' } } });
      expect((await service.api('/api/runs/999')).status).toBe(404);
      const shown = await service.api<{ id: number; status: string; reasons: { outcome: string; reason: string; count: number }[] }>('/api/runs/1');
      expect(shown.body).toMatchObject({ id: 1, status: 'succeeded', reasons: expect.arrayContaining([expect.objectContaining({ outcome: 'skipped', reason: expect.stringContaining('bot user') })]) });
      // the same process serves the pages of the integration log
      const page = await fetch(`${service.url}/runs/1`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/bot user/);
      expect((await fetch(`${service.url}/nothing-here`)).status).toBe(404);
    } finally {
      service.signal('SIGTERM');
    }
    expect(await service.exited).toBe(0);
  }, 40_000);

  it('beyond loopback it needs a bearer token, from INTAKE_SERVICE_TOKEN or the config file, never the command line', async () => {
    const { dir, db } = folder(simulator, { manual: '{ every: day }' });
    const refused = await intake(['--db', db, 'serve', '--host', '0.0.0.0', '--port', '0'], {}, dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/without a token/);
    expect(refused.stderr).toMatch(/INTAKE_SERVICE_TOKEN/);
    const short = await intake(['--db', db, 'serve', '--host', '0.0.0.0', '--port', '0'], { INTAKE_SERVICE_TOKEN: 'abc123' }, dir);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/6 characters; it needs at least 16/);
    expect(short.stderr).not.toContain('abc123');
    const token = 'a-service-token-of-some-length';
    const service = await serve(['--db', db], { INTAKE_SERVICE_TOKEN: token, SLACK_TOKEN: simulator.token }, dir, ['--host', '0.0.0.0']);
    try {
      const url = service.url.replace(/^http:\/\/[^:]+/, 'http://127.0.0.1').replace('[::]', '127.0.0.1');
      const anonymous = await fetch(`${url}/api/integrations`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized', hint: expect.stringContaining('Authorization: Bearer') } });
      expect((await fetch(`${url}/api/integrations`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
      const auth = { authorization: `Bearer ${token}` };
      const allowed = await fetch(`${url}/api/integrations`, { headers: auth });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toMatchObject({ integrations: [{ name: 'manual', state: 'ready', next_run: null, last_run: null }] });
      // run now: an integration that is not launched can be run by hand, as with intake run
      const ran = await fetch(`${url}/api/integrations/manual/run`, { method: 'POST', headers: auth });
      expect([200, 202]).toContain(ran.status);
      const { run_id: runId } = (await ran.json()) as { run_id: number };
      expect(runId).toBe(1);
      await service.waitFor((e) => e.event === 'run_ended' && e.integration === 'manual');
      const run = (await (await fetch(`${url}/api/runs/${runId}`, { headers: auth })).json()) as { status: string; read: number; counts: { added: number; skipped: number } };
      expect(run.status).toBe('succeeded');
      expect(run.counts.added).toBeGreaterThanOrEqual(30); // the simulator's 30 active users, and its deactivated ones
      expect(run.counts.added + run.counts.skipped).toBe(run.read);
    } finally {
      service.signal('SIGTERM');
      await service.exited;
    }
    expect(service.stderr()).not.toContain(token);

    const config = join(dir, 'config.yaml');
    writeFileSync(config, `service: { token: ${token}-in-file }\n`, { mode: 0o600 });
    const fromFile = await serve(['--db', db], { INTAKE_CONFIG: config }, dir, ['--host', '0.0.0.0']);
    try {
      const url = fromFile.url.replace(/^http:\/\/[^:]+/, 'http://127.0.0.1');
      expect((await fetch(`${url}/api/runs`)).status).toBe(401);
      expect((await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${token}-in-file` } })).status).toBe(200);
    } finally {
      fromFile.signal('SIGTERM');
      await fromFile.exited;
    }
  });

  it('--once runs what is due (never ran, or its last slot passed without a run) and exits; a second --once finds nothing due', async () => {
    const { dir, db } = folder(simulator, { 'team-a': '{ every: day, at: "00:00" }', 'team-b': '{ every: week, on: monday }', 'team-c': '{ every: 6h }' });
    const env = { SLACK_TOKEN: simulator.token };
    for (const name of ['team-a', 'team-b']) expect((await intake(['--db', db, 'launch', name], env, dir)).code).toBe(0);
    const first = await intake(['--db', db, 'serve', '--once', '--json'], env, dir);
    expect(first.code).toBe(0);
    const events = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as Event);
    expect(events.filter((e) => e.event === 'run_ended').map((e) => [e.integration, e.status]).sort()).toEqual([['team-a', 'succeeded'], ['team-b', 'succeeded']]);
    expect(events.find((e) => e.integration === 'team-a' && e.event === 'run_started')).toMatchObject({ trigger: 'once', due_at: expect.stringMatching(/T00:00:00\.000Z$/) });
    const again = await intake(['--db', db, 'serve', '--once'], env, dir);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^nothing due/) });
  });

  it('a launched integration whose mapping broke is listed with its error in the start line, after which the events follow; the others run', async () => {
    const { dir, db } = folder(simulator, { good: '{ cron: "*/2 * * * * *" }', broken: '{ cron: "*/2 * * * * *" }' });
    const env = { SLACK_TOKEN: simulator.token };
    for (const name of ['good', 'broken']) expect((await intake(['--db', db, 'launch', name], env, dir)).code).toBe(0);
    const file = join(dir, 'mappings', 'broken.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^schedule: .*$/m, 'schedule: { cron: "0 61 * * *" }'));
    const service = await serve(['--db', db], env, dir);
    try {
      expect(service.schedule).toEqual([
        expect.objectContaining({ name: 'broken', next_run: null, error: expect.stringMatching(/broken\.yaml:\d+:\d+ .*\[invalid_cron\].*hour: 61/) }),
        expect.objectContaining({ name: 'good', schedule: 'cron */2 * * * * * (UTC)' }),
      ]);
      await service.waitFor((e) => e.event === 'mapping_error');
      expect(service.events[0]).toMatchObject({ event: 'mapping_error', integration: 'broken' });
      await service.waitFor((e) => e.event === 'run_ended' && e.integration === 'good');
      expect(service.events.filter((e) => e.integration === 'broken' && e.event === 'run_started')).toEqual([]);
    } finally {
      service.signal('SIGTERM');
    }
    expect(await service.exited).toBe(0);
  });
});
