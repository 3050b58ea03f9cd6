import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { setLaunchState } from '../../src/integrations/state.js';
import type { RunResult } from '../../src/runner.js';
import { RunLog } from '../../src/runlog/runlog.js';
import type { ServiceEvent } from '../../src/service/events.js';
import { Scheduler } from '../../src/service/scheduler.js';
import { claimSlot, keepSlotsMs, listSlots, pruneSlots } from '../../src/service/slots.js';
import { openStore } from '../../src/store/db.js';
import { shipped, workspace, type Workspace } from '../definition/workspace.js';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());
let count = 0;
const freshStore = () => join(ws.dir, `store-${++count}.db`);

describe('scheduled slots', () => {
  it('two claimers of one slot on one store: exactly one wins; other slots and integrations are claimed apart', () => {
    const file = freshStore();
    const [a, b] = [openStore(file), openStore(file)];
    const due = new Date('2026-05-01T02:00:00Z');
    const wins = [claimSlot(a, 'slack-users', due), claimSlot(b, 'slack-users', due)];
    expect(wins.sort()).toEqual([false, true]);
    expect(claimSlot(b, 'slack-users', due)).toBe(false);
    expect(claimSlot(b, 'slack-users', new Date('2026-05-02T02:00:00Z'))).toBe(true);
    expect(claimSlot(a, 'okta-users', due)).toBe(true);
    expect(listSlots(a, { key: 'slack-users' }).map((s) => [s.due_at, s.outcome, s.owner.pid])).toEqual([
      ['2026-05-02T02:00:00.000Z', 'claimed', process.pid],
      ['2026-05-01T02:00:00.000Z', 'claimed', process.pid],
    ]);
    // what became of slots is kept 30 days
    expect(pruneSlots(a, Date.now() + keepSlotsMs - 60_000)).toBe(0);
    expect(pruneSlots(a, Date.now() + keepSlotsMs + 60_000)).toBe(3);
    expect(listSlots(b)).toEqual([]);
    a.close();
    b.close();
  });
});

describe('the lease of an integration: its live run', () => {
  function running(db: Database.Database, key: string, pid: number): number {
    const now = new Date().toISOString();
    return Number(db.prepare("INSERT INTO runs (integration, integration_key, mapping_file, connector, preference, started_at, status, owner, heartbeat_at) VALUES (?, ?, ?, 'slack-users', 'create_update', ?, 'running', ?, ?)")
      .run(key, key, `mappings/${key}.yaml`, now, JSON.stringify({ host: hostname(), pid }), now).lastInsertRowid);
  }

  function scheduler(db: Database.Database, ran: string[], events: ServiceEvent[]): Scheduler {
    const run = async (file: string) => {
      ran.push(file);
      return { run_id: null, status: 'succeeded', read: 0, duration_ms: 1 } as unknown as RunResult;
    };
    return new Scheduler({ db, mappingsDir: join(ws.dir, 'mappings'), run, log: (e) => events.push(e) });
  }

  it('a live holder keeps it: the due slot is skipped with why, not queued; once the holder died the next slot runs', async () => {
    ws.mapping('slack-users', shipped('mappings', 'slack-users'));
    const db = openStore(freshStore());
    setLaunchState(db, 'slack-users', 'mappings/slack-users.yaml', 'launched');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const runId = running(db, 'slack-users', holder.pid!);
    expect(new RunLog(db).running('slack-users')?.id).toBe(runId);

    const ran: string[] = [];
    const events: ServiceEvent[] = [];
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(await scheduler(db, ran, events).runDue(tomorrow)).toEqual([]);
    expect(ran).toEqual([]);
    const slot = listSlots(db, { key: 'slack-users' })[0];
    expect(slot).toMatchObject({ outcome: 'skipped', reason: `the previous run (#${runId}) is still running; this slot is not queued` });
    expect(events).toContainEqual({ event: 'skipped', integration: 'slack-users', due_at: slot.due_at, reason: slot.reason, running_run: runId });

    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(new RunLog(db).running('slack-users')).toBeUndefined();
    const later = new Date(tomorrow.getTime() + 86_400_000);
    await scheduler(db, ran, events).runDue(later);
    expect(ran).toEqual([join(ws.dir, 'mappings', 'slack-users.yaml')]);
    expect(listSlots(db, { key: 'slack-users' })[0]).toMatchObject({ outcome: 'ran' });
    // the dead holder's run is recorded as interrupted, not left running
    expect(new RunLog(db).summary(runId)?.status).toBe('interrupted');
    db.close();
  });

  it('a holder that died before anyone looked holds nothing', () => {
    const db = openStore(freshStore());
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    running(db, 'okta-users', dead);
    expect(new RunLog(db).running('okta-users')).toBeUndefined();
    db.close();
  });
});
