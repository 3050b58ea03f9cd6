import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that runs a run, as the run log keeps it while the run is `running`: its host, its
 * pid and (on Linux) the pid's start time, so that a recycled pid is not taken for the run.
 */
export interface Owner {
  host: string;
  pid: number;
  /** the process's start time in clock ticks since boot (/proc/<pid>/stat), when the system says */
  started?: number;
}

/** A running run that shows no sign of life for this long, on another host, is taken for dead. */
export const staleAfterMs = 3 * 60_000;
/** How often a running run writes its heartbeat (besides every committed batch). */
export const heartbeatMs = 30_000;

export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid, started: startTime(process.pid) };
}

/**
 * Whether the process that owns a running run is alive. On this host: its pid exists and started
 * when the run's owner did. On another host (a store on a shared drive) only the heartbeat can
 * tell: fresher than `staleAfterMs`. A run without an owner (older stores) is dead.
 */
export function isAlive(owner: Owner | null, heartbeatAt: string | null, now = Date.now()): boolean {
  if (!owner) return false;
  if (owner.host !== hostname()) return heartbeatAt !== null && now - Date.parse(heartbeatAt) < staleAfterMs;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const started = startTime(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

export function parseOwner(text: string | null): Owner | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as Owner;
  } catch {
    return null;
  }
}

/**
 * Finds the runs left `running` by a process that died (kill -9, a crash, a power cut, a COMMIT
 * it could not recover from) and marks them `interrupted`: their counts are already those of the
 * batches they committed, and their checkpoint says where the next run continues. Every command
 * that opens the store for writing does this; it changes nothing while their processes live.
 */
export function markDeadRuns(db: Database.Database): number {
  type Row = { id: number; owner: string | null; heartbeat_at: string | null };
  const dead = (rows: Row[]) => rows.filter((r) => !isAlive(parseOwner(r.owner), r.heartbeat_at));
  const select = "SELECT id, owner, heartbeat_at FROM runs WHERE status = 'running'";
  if (!dead(db.prepare(select).all() as Row[]).length) return 0;
  return db.transaction(() => {
    const update = db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = COALESCE(heartbeat_at, started_at), owner = NULL,
      message = 'the process running it stopped without recording how the run ended (killed, crashed, or the machine stopped)',
      hint = 'the records of the batches it committed are kept and counted here (intake runs show ' || id || ')'
      WHERE id = ? AND status = 'running'`);
    let marked = 0;
    for (const row of dead(db.prepare(select).all() as Row[])) marked += update.run(row.id).changes;
    return marked;
  }).immediate();
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), where there is a /proc. */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]); // field 22 overall; fields[0] is field 3 (state)
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
