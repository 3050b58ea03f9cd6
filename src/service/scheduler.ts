import type Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { scrub } from '../credentials/scrub.js';
import { displayPath, loadIntegration } from '../definition/load.js';
import { DefinitionError, formatIssue, IntakeError } from '../errors.js';
import { mappingFiles, nameOf } from '../integrations/catalog.js';
import { markDeadRuns } from '../runlog/owner.js';
import { RunInProgressError, RunLog } from '../runlog/runlog.js';
import type { RunResult } from '../runner.js';
import { scheduleOf, type Schedule } from '../schedule/schedule.js';
import type { ServiceLog } from './events.js';
import { claimSlot, pruneSlots, settleSlot } from './slots.js';

/** A launched integration as the service schedules it. */
export interface ScheduledIntegration {
  /** the mapping file's base name */
  name: string;
  mappingFile: string;
  /** "daily at 02:00 UTC", "every 6h", … */
  schedule: string;
  /** ISO-8601 UTC; null when its mapping does not load (see `error`) */
  next_run: string | null;
  /** a run of it is going on in this service process */
  running: boolean;
  /** why it is not scheduled now: its mapping does not load since the last edit */
  error?: string;
}

/** Runs an integration's mapping file until it ends (or `signal` stops it): the service's default is `runIntegration` with the config file's defaults. */
export type RunFn = (mappingFile: string, signal: AbortSignal) => Promise<RunResult>;

export interface SchedulerOptions {
  /** the service's connection to the embedded store (slots, launch state, run log) */
  db: Database.Database;
  mappingsDir: string;
  run: RunFn;
  log: ServiceLog;
  /** how often mapping files and launch states are looked at again (ms) */
  reloadMs?: number;
}

/** A second run of an integration this service (or another process) is running. */
export class AlreadyRunningError extends IntakeError {}

interface Entry {
  name: string;
  file: string;
  signature: string;
  schedule?: Schedule;
  next?: Date;
  error?: string;
}

/**
 * The in-process scheduler of `intake serve`: runs each launched integration of a mappings folder
 * at the slots of its schedule. Per slot, the store decides which service process runs it
 * (`claimSlot`); a slot due while the integration still runs is skipped and logged, never queued;
 * two runs of one integration never overlap (the run log's lease refuses the second). Mapping
 * files and launch states are read again every `reloadMs`: an edit takes effect at the next slot,
 * a broken edit takes the integration off the schedule (logged) until it is fixed.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly runs = new Map<string, Promise<RunResult | undefined>>();
  private readonly controller = new AbortController();
  private readonly runLog: RunLog;
  private timer?: NodeJS.Timeout;
  private lastReload = 0;
  private lastPrune = 0;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.runLog = new RunLog(options.db);
  }

  /** Loads the launched integrations and starts the clock. */
  start(): void {
    this.reload();
    this.tick();
  }

  /** The scheduled integrations, by name. */
  list(): ScheduledIntegration[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name)).map((e) => ({
      name: e.name,
      mappingFile: displayPath(e.file),
      schedule: e.schedule?.describe() ?? '',
      next_run: e.next?.toISOString() ?? null,
      running: this.runs.has(e.name),
      ...(e.error ? { error: e.error } : {}),
    }));
  }

  /** Whether a run of `name` is going on, here or in another process on the store: its run id when known. */
  running(name: string): { runId: number | null } | undefined {
    const live = this.runLog.running(name);
    if (live) return { runId: live.id };
    return this.runs.has(name) ? { runId: null } : undefined;
  }

  /** Starts a run of `file` now (the API's run now); refused while one runs. Resolves when it ends. */
  runNow(file: string): Promise<RunResult | undefined> {
    const name = nameOf(file);
    const busy = this.running(name);
    if (busy) throw new AlreadyRunningError('run_in_progress', `${name} is running${busy.runId ? ` (run #${busy.runId})` : ''}; a second run was refused`, { hint: 'wait for it to end: GET /api/runs shows it' });
    if (this.stopped) throw new AlreadyRunningError('service_stopping', 'the service is stopping and takes no new runs', { hint: 'start it again' });
    return this.launch(name, file, null, 'api');
  }

  /**
   * `intake serve --once`: runs every launched integration that is due — it never ran, or its
   * last slot passed without a run — and resolves with the results when all have ended.
   */
  async runDue(now = new Date()): Promise<RunResult[]> {
    this.reload();
    const started: Promise<RunResult | undefined>[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.schedule) continue;
      const slot = entry.schedule.previous(now);
      const last = this.runLog.last(entry.name);
      if (last && (!slot || Date.parse(last.started_at) >= slot.getTime())) continue;
      const run = slot ? this.fire(entry, slot, 'once') : this.launch(entry.name, entry.file, null, 'once');
      if (run) started.push(run);
    }
    return (await Promise.all(started)).filter((r): r is RunResult => r !== undefined);
  }

  /** Takes no new runs, stops the running ones between records (their batch in progress commits), and resolves when they have recorded how they ended. */
  async stop(signal?: string): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller.abort(signal ?? 'stop');
    await Promise.all(this.runs.values());
  }

  /** The running runs of this process (their names). */
  active(): string[] {
    return [...this.runs.keys()];
  }

  private tick = (): void => {
    if (this.stopped) return;
    const now = Date.now();
    const reloadMs = this.options.reloadMs ?? 1000;
    if (now - this.lastReload >= reloadMs) this.reload();
    for (const entry of this.entries.values()) {
      if (!entry.schedule || !entry.next || entry.next.getTime() > now) continue;
      let due = entry.next;
      // a clock that jumped (a suspended machine) runs the last slot that passed, once
      for (let n = entry.schedule.next(due), i = 0; n && n.getTime() <= now && i < 100_000; n = entry.schedule.next(n), i++) due = n;
      entry.next = entry.schedule.next(due) ?? undefined;
      void this.fire(entry, due, 'schedule');
    }
    const nexts = [...this.entries.values()].flatMap((e) => (e.next ? [e.next.getTime() - now] : []));
    const wait = Math.max(1, Math.min(1000, reloadMs - (now - this.lastReload), ...nexts));
    this.timer = setTimeout(this.tick, wait);
  };

  /** A slot is due: claim it, skip it while the integration runs, else run it. */
  private fire(entry: Entry, due: Date, trigger: 'schedule' | 'once'): Promise<RunResult | undefined> | undefined {
    const dueAt = due.toISOString();
    try {
      if (!claimSlot(this.options.db, entry.name, due)) {
        this.options.log({ event: 'slot_taken', integration: entry.name, due_at: dueAt });
        return undefined;
      }
    } catch (error) {
      this.options.log({ event: 'run_not_started', integration: entry.name, due_at: dueAt, code: 'store_busy', message: scrub(`the slot could not be claimed in the store: ${(error as Error).message}`) });
      return undefined;
    }
    const busy = this.running(entry.name);
    if (busy) {
      const reason = `the previous run${busy.runId ? ` (#${busy.runId})` : ''} is still running; this slot is not queued`;
      this.settle(entry.name, due, 'skipped', { reason });
      this.options.log({ event: 'skipped', integration: entry.name, due_at: dueAt, reason, running_run: busy.runId });
      return undefined;
    }
    return this.launch(entry.name, entry.file, due, trigger);
  }

  private launch(name: string, file: string, due: Date | null, trigger: 'schedule' | 'api' | 'once'): Promise<RunResult | undefined> {
    const dueAt = due?.toISOString() ?? null;
    const { log } = this.options;
    log({ event: 'run_started', integration: name, due_at: dueAt, trigger });
    const run = (async () => {
      await null; // registered in this.runs before anything of the run happens
      try {
        const result = await this.options.run(file, this.controller.signal);
        if (due) this.settle(name, due, 'ran', { runId: result.run_id });
        log({ event: 'run_ended', integration: name, due_at: dueAt, run_id: result.run_id, status: result.status, read: result.read, duration_ms: result.duration_ms, ...(result.message ? { message: result.message } : {}) });
        return result;
      } catch (error) {
        const failure = error instanceof IntakeError ? error : new IntakeError('internal_error', `internal error: ${(error as Error)?.message ?? String(error)}`, { hint: 'this is a bug in Intake: report it with the service log' });
        const message = scrub(failure instanceof DefinitionError ? failure.issues.map(formatIssue).join('; ') : failure.message).replace(/\n\s*/g, ' ');
        if (error instanceof RunInProgressError) {
          if (due) this.settle(name, due, 'skipped', { reason: message });
          if (due) log({ event: 'skipped', integration: name, due_at: dueAt!, reason: message, running_run: this.runLog.running(name)?.id ?? null });
          else log({ event: 'run_not_started', integration: name, due_at: dueAt, code: failure.code, message });
        } else {
          if (due) this.settle(name, due, 'failed', { reason: message });
          log({ event: 'run_not_started', integration: name, due_at: dueAt, code: failure.code, message, ...(failure.hint ? { hint: scrub(failure.hint) } : {}) });
        }
        return undefined;
      } finally {
        this.runs.delete(name);
      }
    })();
    this.runs.set(name, run);
    return run;
  }

  private settle(name: string, due: Date, outcome: 'ran' | 'skipped' | 'failed', detail: { runId?: number | null; reason?: string }): void {
    try {
      settleSlot(this.options.db, name, due, outcome, detail);
    } catch {
      // a busy store: the run log still has the run; the slot keeps `claimed`
    }
  }

  /** Mapping files and launch states again: new, edited, broken, paused and removed integrations. */
  private reload(): void {
    this.lastReload = Date.now();
    const { db, log } = this.options;
    try {
      markDeadRuns(db);
      if (this.lastReload - this.lastPrune > 3_600_000) {
        pruneSlots(db);
        this.lastPrune = this.lastReload;
      }
    } catch {
      // busy: the next reload tries again
    }
    const states = new Map((db.prepare('SELECT name, state FROM integrations').all() as { name: string; state: string }[]).map((r) => [r.name, r.state]));
    const files = existsSync(this.options.mappingsDir) ? mappingFiles(this.options.mappingsDir) : [];
    const seen = new Set<string>();
    for (const file of files) {
      const name = nameOf(file);
      if (states.get(name) !== 'launched' || seen.has(name)) continue;
      seen.add(name);
      const signature = signatureOf(file);
      const entry = this.entries.get(name);
      if (entry && entry.signature === signature && entry.file === file) continue;
      this.entries.set(name, this.load(name, file, signature, entry));
    }
    for (const [name] of this.entries) {
      if (seen.has(name)) continue;
      this.entries.delete(name);
      log({ event: 'unscheduled', integration: name, reason: states.get(name) === 'paused' ? 'paused' : states.has(name) ? 'not launched' : 'its mapping file is gone' });
    }
  }

  private load(name: string, file: string, signature: string, before: Entry | undefined): Entry {
    try {
      const { mapping } = loadIntegration(file);
      const schedule = scheduleOf(mapping.schedule);
      const same = before?.schedule && before.schedule.describe() === schedule.describe();
      const next = same && before.next ? before.next : schedule.next(new Date()) ?? undefined;
      if (!same) this.options.log({ event: 'scheduled', integration: name, schedule: schedule.describe(), next_run: next?.toISOString() ?? null });
      return { name, file, signature, schedule, next };
    } catch (error) {
      if (!(error instanceof IntakeError)) throw error;
      const message = scrub(error instanceof DefinitionError ? error.issues.map(formatIssue).join('; ') : error.message).replace(/\n\s*/g, ' ');
      this.options.log({ event: 'mapping_error', integration: name, file: displayPath(file), message });
      return { name, file, signature, error: message };
    }
  }
}

/** What tells a mapping file changed on disk without reading it: mtime, size and inode. */
export function signatureOf(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'gone';
  }
}
