import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLog, type RunSummary } from '../../src/runlog/runlog.js';
import { listRecords } from '../../src/targets/sqlite.js';

/** A fresh folder for one test's SQLite store; `file` does not exist until a run creates it. */
export interface TempStore {
  dir: string;
  file: string;
  /** People records in the store, oldest first */
  people(): Record<string, unknown>[];
  /** custom field names of People records */
  customFields(): string[];
  /** the run log, newest first, with each run's skipped/failed records */
  runs(): (RunSummary & { records: { key: string; outcome: string; reason: string }[] })[];
  /** every byte the store keeps on disk (database and any WAL/journal files), as text */
  rawBytes(): string;
  remove(): void;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'intake-test-'));
  const file = join(dir, 'intake.db');
  const read = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  return {
    dir,
    file,
    people: () => read((db) => listRecords(db, 'people')),
    customFields: () => read((db) => (db.prepare("SELECT name FROM custom_fields WHERE record_type = 'people' ORDER BY name").all() as { name: string }[]).map((r) => r.name)),
    runs: () => read((db) => {
      const log = new RunLog(db);
      return log.list().map((run) => log.get(run.id)!);
    }),
    rawBytes: () => readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1')).join('\n'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
