import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { currentOwner, isAlive, markDeadRuns, staleAfterMs } from '../../src/runlog/owner.js';
import { RunLog } from '../../src/runlog/runlog.js';
import { openStore } from '../../src/store/db.js';

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('who runs a run', () => {
  it('this process is alive; an ended process is not, nor a recycled pid that started at another time', () => {
    expect(isAlive(currentOwner(), null)).toBe(true);
    expect(isAlive({ host: hostname(), pid: deadPid() }, new Date().toISOString())).toBe(false);
    const parent = { host: hostname(), pid: process.ppid };
    expect(isAlive(parent, null)).toBe(true);
    expect(isAlive({ ...parent, started: 1 }, null)).toBe(false); // the pid exists, but not since then
  });

  it('on another host only a fresh heartbeat tells: fresh is alive, stale is dead, no owner is dead', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const other = { host: `${hostname()}-elsewhere`, pid: 1 };
    expect(isAlive(other, new Date(now - 10_000).toISOString(), now)).toBe(true);
    expect(isAlive(other, new Date(now - staleAfterMs - 1).toISOString(), now)).toBe(false);
    expect(isAlive(null, new Date(now).toISOString(), now)).toBe(false);
  });

  it('opening the store marks the runs of dead processes interrupted, keeping their counts, and leaves live ones', () => {
    const db = openStore(':memory:');
    const log = new RunLog(db);
    const run = { integration: 'Users', mappingFile: 'mappings/users.yaml', connector: 'users', preference: 'create_update' };
    const live = log.start({ ...run, key: 'users' });
    const dead = log.start({ ...run, key: 'other' });
    db.prepare("UPDATE runs SET owner = ?, added = 5000, read = 5000 WHERE id = ?").run(JSON.stringify({ host: hostname(), pid: deadPid() }), dead);
    const legacy = Number(db.prepare("INSERT INTO runs (integration, mapping_file, connector, preference, started_at, status) VALUES ('Old', 'old.yaml', 'old', 'create_update', '2025-01-01T00:00:00Z', 'running')").run().lastInsertRowid);
    expect(markDeadRuns(db)).toBe(2);
    expect(log.get(live)).toMatchObject({ status: 'running' });
    expect(log.get(dead)).toMatchObject({ status: 'interrupted', read: 5000, counts: { added: 5000 }, message: expect.stringMatching(/stopped without recording how the run ended/) });
    expect(log.get(legacy)).toMatchObject({ status: 'interrupted', ended_at: '2025-01-01T00:00:00Z' });
    expect(markDeadRuns(db)).toBe(0);
    db.close();
  });

  it('a second run of a live integration is refused with its run, process and start; another integration may start', () => {
    const db = openStore(':memory:');
    const log = new RunLog(db);
    const run = { integration: 'Users', mappingFile: 'mappings/users.yaml', connector: 'users', preference: 'create_update' };
    const first = log.start({ ...run, key: 'users' });
    expect(() => log.start({ ...run, key: 'users' })).toThrow(new RegExp(`Users is already running in this store: run #${first}, started \\S+ by process ${process.pid}`));
    expect(log.start({ ...run, key: 'users-copy' })).toBe(first + 1);
    db.close();
  });
});
