import type Database from 'better-sqlite3';
import type { Counts, Detail } from '../sync/outcomes.js';
import { noRetries, type RetryStats } from '../source/types.js';

export type RunStatus = 'running' | 'succeeded' | 'completed_with_failures' | 'failed';

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
}

/** A skipped or failed record in the run log, with the kind of record it is about. */
export interface LoggedRecord extends Detail {
  record_type: 'people' | 'saas_users';
}

interface RunRow extends Omit<RunSummary, 'counts' | 'warnings' | 'saas_users' | 'retries'>, Counts {
  warnings: string;
  retries: string | null;
  saas_app: string | null;
  saas_counts: string | null;
}

/** The integration log in the embedded store: one row per run, one row per skipped/failed record. */
export class RunLog {
  constructor(private readonly db: Database.Database) {}

  start(run: { integration: string; mappingFile: string; connector: string; preference: string }): number {
    const result = this.db
      .prepare("INSERT INTO runs (integration, mapping_file, connector, preference, started_at, status) VALUES (?, ?, ?, ?, ?, 'running')")
      .run(run.integration, run.mappingFile, run.connector, run.preference, new Date().toISOString());
    return Number(result.lastInsertRowid);
  }

  finish(id: number, end: {
    status: RunStatus; counts: Counts; details: Detail[]; saas?: { app: string; counts: Counts; details: Detail[] };
    pages: number; entries: number; requests: number; message?: string; hint?: string; warnings: string[]; retries?: RetryStats;
  }): void {
    const { counts } = end;
    const read = counts.added + counts.updated + counts.unchanged + counts.skipped + counts.failed;
    const insert = this.db.prepare('INSERT INTO run_records (run_id, key, outcome, reason, record_type) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE runs SET ended_at = ?, status = ?, read = ?, added = ?, updated = ?, unchanged = ?, skipped = ?, failed = ?,
                  pages = ?, entries = ?, requests = ?, message = ?, hint = ?, warnings = ?, saas_app = ?, saas_counts = ?, retries = ? WHERE id = ?`)
        .run(new Date().toISOString(), end.status, read, counts.added, counts.updated, counts.unchanged, counts.skipped, counts.failed,
          end.pages, end.entries, end.requests, end.message ?? null, end.hint ?? null, JSON.stringify(end.warnings),
          end.saas?.app ?? null, end.saas ? JSON.stringify(end.saas.counts) : null, JSON.stringify(end.retries ?? noRetries()), id);
      for (const d of end.details) insert.run(id, d.key, d.outcome, d.reason, 'people');
      for (const d of end.saas?.details ?? []) insert.run(id, d.key, d.outcome, d.reason, 'saas_users');
    })();
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

  get(id: number): (RunSummary & { records: LoggedRecord[] }) | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) return undefined;
    const records = this.db.prepare('SELECT key, outcome, reason, record_type FROM run_records WHERE run_id = ? ORDER BY rowid').all(id) as LoggedRecord[];
    return { ...toSummary(row), records };
  }
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toSummary(row: RunRow): RunSummary {
  const { added, updated, unchanged, skipped, failed, warnings, saas_app, saas_counts, retries, ...rest } = row;
  const summary: RunSummary = {
    ...rest, counts: { added, updated, unchanged, skipped, failed }, warnings: JSON.parse(warnings) as string[],
    retries: retries ? (JSON.parse(retries) as RetryStats) : noRetries(),
  };
  if (saas_app && saas_counts) summary.saas_users = { app: saas_app, counts: JSON.parse(saas_counts) as Counts };
  return summary;
}
