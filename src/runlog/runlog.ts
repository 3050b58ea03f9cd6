import type Database from 'better-sqlite3';
import { IntakeError } from '../errors.js';
import type { Counts, Detail, ReasonGroup, Tally } from '../sync/outcomes.js';
import { noRetries, type RetryStats } from '../source/types.js';
import { currentOwner, isAlive, parseOwner, type Owner } from './owner.js';

/** `skipped`: a scheduled run that did not start because the integration's previous run was still going */
export type RunStatus = 'running' | 'succeeded' | 'completed_with_failures' | 'failed' | 'interrupted' | 'skipped';

/**
 * Where a failed or interrupted run stopped, committed with its last batch: the next run of the
 * same integration (same connector, mapping and settings: `fingerprint`) reads on from `page`,
 * skipping the `skip` entries of that page that were already synced; a partitioned read names the
 * partition, whose `page` it is (see `PartitionPoint`). `resumable: false` when the
 * read cannot be continued (an aggregated connector, a next-page link that carries a credential).
 */
export type Checkpoint =
  | { resumable: true; fingerprint: string; page: number; request: unknown; skip: number; partition?: { index: number; key: string; label: string; before: string } }
  | { resumable: false; reason: string };

/** Where a run wrote its records: the target's name (`store`, `oomnitza`, `jsonl`, `csv`), where it is, and whether it writes batches whole. */
export interface RunTarget {
  name: string;
  where: string;
  atomic: boolean;
}

/** One integration run as the run log keeps it. */
export interface RunSummary {
  id: number;
  integration: string;
  mapping_file: string;
  connector: string;
  preference: string;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  read: number;
  counts: Counts;
  pages: number;
  entries: number;
  requests: number;
  message: string | null;
  hint: string | null;
  warnings: string[];
  /** requests sent again and waits: how many, why, how long */
  retries: RetryStats;
  /** a People plus SaaS user integration: the SaaS user records' outcomes */
  saas_users?: { app: string; counts: Counts };
  /** a running run: the process that runs it, and its last sign of life */
  owner?: { host: string; pid: number; heartbeat_at: string | null };
  /** a failed or interrupted run: where the next run continues (null: from the first page), and why not when it cannot */
  resume?: { page: number; skip: number; partition?: string } | { from_start: string } | null;
  /** the run whose checkpoint this run continued from */
  resumed_from: number | null;
  /** where the run wrote its records (runs from before targets were chosen wrote to the embedded store) */
  target: RunTarget;
  /** a run a worker ran from the queue: its job, the worker, and the reasons grouped (the worker's own store keeps each record's) */
  remote?: RemoteRun;
}

/** Where a run finished elsewhere ran, and its grouped reasons. */
export interface RemoteRun {
  job: string;
  worker: { name: string; host: string; pid: number } | null;
  reasons: ReasonGroup[];
  saas_reasons?: ReasonGroup[];
}

/** A run that ran elsewhere (a worker of the queue), as the service records it once it has ended. */
export interface FinishedRun extends RemoteRun {
  key: string;
  integration: string;
  mappingFile: string;
  connector: string;
  preference: string;
  started_at: string;
  ended_at: string;
  status: RunStatus;
  counts: Counts;
  saas?: { app: string; counts: Counts };
  pages: number;
  entries: number;
  requests: number;
  message?: string;
  hint?: string;
  warnings: string[];
  retries?: RetryStats;
  target?: RunTarget;
}

/** A skipped or failed record in the run log, with the kind of record it is about. */
export interface LoggedRecord extends Detail {
  record_type: 'people' | 'saas_users';
}

interface RunRow extends Omit<RunSummary, 'counts' | 'warnings' | 'saas_users' | 'owner' | 'resume' | 'retries' | 'target' | 'remote'>, Counts {
  target?: string | null;
  warnings: string;
  retries: string | null;
  saas_app: string | null;
  saas_counts: string | null;
  integration_key?: string | null;
  owner?: string | null;
  heartbeat_at?: string | null;
  checkpoint?: string | null;
  job_id?: string | null;
  remote?: string | null;
}

/** The outcomes of one committed batch: People, and SaaS users for a People plus SaaS user integration. */
export interface BatchOutcomes {
  people: Tally;
  saas?: Tally;
}

/** A second run of an integration that is running: refused, with who runs it and since when. */
export class RunInProgressError extends IntakeError {}

/**
 * The integration log in the embedded store: one row per run, one row per skipped/failed record.
 * A run's row is written as it goes: claimed at the start (by one live process per integration),
 * its counts, reasons and checkpoint committed with each batch, its status at the end; a run
 * whose process died is marked `interrupted` by the next command that opens the store.
 */
export class RunLog {
  /** `scrub` masks credentials in the keys and reasons it stores */
  constructor(private readonly db: Database.Database, private readonly scrub: (text: string) => string = (text) => text) {}

  /**
   * Claims the integration and starts its run. A run of the same integration (`key`: the mapping
   * file's name) that is alive refuses this one; one whose process died is marked interrupted.
   */
  start(run: { key: string; integration: string; mappingFile: string; connector: string; preference: string; target?: RunTarget }): number {
    return this.db.transaction(() => {
      for (const row of this.db.prepare("SELECT * FROM runs WHERE status = 'running' AND integration_key = ?").all(run.key) as RunRow[]) {
        const owner = parseOwner(row.owner ?? null);
        if (isAlive(owner, row.heartbeat_at ?? null)) throw inProgress(row, owner!);
      }
      const now = new Date().toISOString();
      const result = this.db
        .prepare("INSERT INTO runs (integration, integration_key, mapping_file, connector, preference, started_at, status, owner, heartbeat_at, target) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)")
        .run(run.integration, run.key, run.mappingFile, run.connector, run.preference, now, JSON.stringify(currentOwner()), now, run.target ? JSON.stringify(run.target) : null);
      return Number(result.lastInsertRowid);
    }).immediate();
  }

  /**
   * The live run of an integration (`key`: the mapping file's name), if one holds it: the lease
   * `start` takes. A run left `running` by a process that died holds nothing (see `isAlive`).
   */
  running(key: string): RunSummary | undefined {
    for (const row of this.db.prepare("SELECT * FROM runs WHERE status = 'running' AND integration_key = ? ORDER BY id DESC").all(key) as RunRow[]) {
      if (isAlive(parseOwner(row.owner ?? null), row.heartbeat_at ?? null)) return toSummary(row);
    }
    return undefined;
  }

  /**
   * The checkpoint the newest earlier run of the integration left, when it failed or was
   * interrupted after committing some batches: `{ run, checkpoint }`, else undefined.
   */
  resumePoint(key: string, before: number): { run: number; checkpoint: Checkpoint } | undefined {
    const row = this.db.prepare('SELECT id, status, checkpoint FROM runs WHERE integration_key = ? AND id < ? ORDER BY id DESC LIMIT 1').get(key, before) as
      | { id: number; status: RunStatus; checkpoint: string | null }
      | undefined;
    if (!row || (row.status !== 'failed' && row.status !== 'interrupted') || !row.checkpoint) return undefined;
    return { run: row.id, checkpoint: JSON.parse(row.checkpoint) as Checkpoint };
  }

  /** Marks where this run continues another's (the checkpoint is kept until this run commits its own). */
  resumed(id: number, from: number, checkpoint: Checkpoint): void {
    this.db.prepare('UPDATE runs SET resumed_from = ?, checkpoint = ? WHERE id = ?').run(from, JSON.stringify(checkpoint), id);
  }

  /**
   * Records a batch inside the transaction that writes it (after a remote target acknowledged it):
   * the run's counts so far (this batch included), the reasons of its skipped and failed records,
   * and where a next run would continue (`keep`: where it was — a batch a target kept only part of).
   */
  progress(id: number, batch: BatchOutcomes, at: { counts: Counts; saas?: { app: string; counts: Counts }; checkpoint: Checkpoint | null | 'keep'; pages: number; entries: number; requests: number }): void {
    const { counts } = at;
    const read = counts.added + counts.updated + counts.unchanged + counts.skipped + counts.failed;
    const keep = at.checkpoint === 'keep';
    this.db
      .prepare(`UPDATE runs SET read = ?, added = ?, updated = ?, unchanged = ?, skipped = ?, failed = ?, saas_app = ?, saas_counts = ?,
                pages = ?, entries = ?, requests = ?, checkpoint = CASE WHEN ? THEN checkpoint ELSE ? END, heartbeat_at = ? WHERE id = ?`)
      .run(read, counts.added, counts.updated, counts.unchanged, counts.skipped, counts.failed, at.saas?.app ?? null, at.saas ? JSON.stringify(at.saas.counts) : null,
        at.pages, at.entries, at.requests, keep ? 1 : 0, !keep && at.checkpoint ? JSON.stringify(at.checkpoint) : null, new Date().toISOString(), id);
    const insert = this.db.prepare('INSERT INTO run_records (run_id, key, outcome, reason, record_type) VALUES (?, ?, ?, ?, ?)');
    for (const d of batch.people.details) insert.run(id, this.scrub(d.key), d.outcome, this.scrub(d.reason), 'people');
    for (const d of batch.saas?.details ?? []) insert.run(id, this.scrub(d.key), d.outcome, this.scrub(d.reason), 'saas_users');
  }

  /** A sign of life of a running run. */
  heartbeat(id: number): void {
    this.db.prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'").run(new Date().toISOString(), id);
  }

  /**
   * Ends a run: its status, message and the final counts (those of its committed batches). A run
   * that succeeded drops its checkpoint; a failed or interrupted one keeps it for the next run.
   */
  finish(id: number, end: {
    status: RunStatus; counts: Counts; saas?: { app: string; counts: Counts };
    pages: number; entries: number; requests: number; message?: string; hint?: string; warnings: string[]; retries?: RetryStats;
  }): void {
    const { counts } = end;
    const read = counts.added + counts.updated + counts.unchanged + counts.skipped + counts.failed;
    const keep = end.status === 'failed' || end.status === 'interrupted';
    this.db
      .prepare(`UPDATE runs SET ended_at = ?, status = ?, read = ?, added = ?, updated = ?, unchanged = ?, skipped = ?, failed = ?,
                pages = ?, entries = ?, requests = ?, message = ?, hint = ?, warnings = ?, saas_app = ?, saas_counts = ?, retries = ?, owner = NULL,
                checkpoint = CASE WHEN ? THEN checkpoint ELSE NULL END WHERE id = ?`)
      .run(new Date().toISOString(), end.status, read, counts.added, counts.updated, counts.unchanged, counts.skipped, counts.failed,
        end.pages, end.entries, end.requests, end.message ?? null, end.hint ?? null, JSON.stringify(end.warnings),
        end.saas?.app ?? null, end.saas ? JSON.stringify(end.saas.counts) : null, JSON.stringify(end.retries ?? noRetries()), keep ? 1 : 0, id);
  }

  /**
   * Records a run that ran and ended elsewhere (a worker of the queue), once per job: a job whose
   * end was recorded already (an event delivered twice, a catch-up after a restart) is not written
   * again. Returns the new run's id, or undefined when the job was recorded already.
   */
  recordFinished(run: FinishedRun): number | undefined {
    const read = run.counts.added + run.counts.updated + run.counts.unchanged + run.counts.skipped + run.counts.failed;
    const remote: Omit<RemoteRun, 'job'> = { worker: run.worker, reasons: run.reasons, ...(run.saas_reasons ? { saas_reasons: run.saas_reasons } : {}) };
    const result = this.db
      .prepare(`INSERT OR IGNORE INTO runs (integration, integration_key, mapping_file, connector, preference, started_at, ended_at, status, read, added, updated, unchanged, skipped, failed,
                pages, entries, requests, message, hint, warnings, saas_app, saas_counts, retries, target, job_id, remote)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(run.integration, run.key, run.mappingFile, run.connector, run.preference, run.started_at, run.ended_at, run.status, read,
        run.counts.added, run.counts.updated, run.counts.unchanged, run.counts.skipped, run.counts.failed, run.pages, run.entries, run.requests,
        run.message === undefined ? null : this.scrub(run.message), run.hint === undefined ? null : this.scrub(run.hint), JSON.stringify(run.warnings.map(this.scrub)),
        run.saas?.app ?? null, run.saas ? JSON.stringify(run.saas.counts) : null, JSON.stringify(run.retries ?? noRetries()),
        run.target ? JSON.stringify(run.target) : null, run.job, this.scrub(JSON.stringify(remote)));
    return result.changes ? Number(result.lastInsertRowid) : undefined;
  }

  /** The run recorded for a job of the queue, if any. */
  byJob(job: string): RunSummary | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE job_id = ?').get(job) as RunRow | undefined;
    return row && toSummary(row);
  }

  list(limit = 50): RunSummary[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(toSummary);
  }

  /** The newest run of an integration, named by its mapping file's base name, if any. */
  last(name: string): RunSummary | undefined {
    const row = this.db
      .prepare("SELECT * FROM runs WHERE mapping_file IN (?, ?) OR mapping_file LIKE ? ESCAPE '\\' OR mapping_file LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT 1")
      .get(`${name}.yaml`, `${name}.yml`, `%/${likeEscape(name)}.yaml`, `%/${likeEscape(name)}.yml`) as RunRow | undefined;
    return row && toSummary(row);
  }

  /** One run, without its records. */
  summary(id: number): RunSummary | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && toSummary(row);
  }

  get(id: number): (RunSummary & { records: LoggedRecord[] }) | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) return undefined;
    const records = this.db.prepare('SELECT key, outcome, reason, record_type FROM run_records WHERE run_id = ? ORDER BY rowid').all(id) as LoggedRecord[];
    return { ...toSummary(row), records };
  }
}

function inProgress(row: RunRow, owner: Owner): RunInProgressError {
  const where = owner.host === currentOwner().host ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
  return new RunInProgressError('run_in_progress', `${row.integration} is already running in this store: run #${row.id}, started ${row.started_at} by ${where}; a second run of the same integration was refused`, {
    hint: `wait for run #${row.id} to end (intake runs shows it), or stop it (kill ${owner.pid}: it records what it wrote and ends as interrupted)`,
  });
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toSummary(row: RunRow): RunSummary {
  const { added, updated, unchanged, skipped, failed, warnings, saas_app, saas_counts, retries, integration_key, owner, heartbeat_at, checkpoint, resumed_from, target, job_id, remote, ...rest } = row;
  void integration_key;
  const summary: RunSummary = {
    ...rest, counts: { added, updated, unchanged, skipped, failed }, warnings: JSON.parse(warnings) as string[], resumed_from: resumed_from ?? null,
    retries: retries ? (JSON.parse(retries) as RetryStats) : noRetries(),
    target: target ? (JSON.parse(target) as RunTarget) : { name: 'store', where: 'the embedded store', atomic: true },
  };
  if (saas_app && saas_counts) summary.saas_users = { app: saas_app, counts: JSON.parse(saas_counts) as Counts };
  const running = parseOwner(owner ?? null);
  if (row.status === 'running' && running) summary.owner = { host: running.host, pid: running.pid, heartbeat_at: heartbeat_at ?? null };
  // a run finished elsewhere keeps its checkpoint in the worker's store, not here
  if ((row.status === 'failed' || row.status === 'interrupted') && !job_id) summary.resume = resumeOf(checkpoint ?? null);
  if (job_id && remote) summary.remote = { job: job_id, ...(JSON.parse(remote) as Omit<RemoteRun, 'job'>) };
  return summary;
}

function resumeOf(text: string | null): RunSummary['resume'] {
  if (!text) return null;
  const checkpoint = JSON.parse(text) as Checkpoint;
  if (!checkpoint.resumable) return { from_start: checkpoint.reason };
  return { page: checkpoint.page, skip: checkpoint.skip, ...(checkpoint.partition ? { partition: checkpoint.partition.label } : {}) };
}
