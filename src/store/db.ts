import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { scrubBindings } from './scrub.js';

/** The embedded store's file: `--db`, else `INTAKE_DB`, else `./intake.db`. */
export function storePath(option?: string): string {
  return resolve(option ?? process.env.INTAKE_DB ?? 'intake.db');
}

const migrations: string[] = [
  `CREATE TABLE records (
     id INTEGER PRIMARY KEY,
     record_type TEXT NOT NULL,
     data TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX records_type ON records(record_type);
   CREATE TABLE custom_fields (
     record_type TEXT NOT NULL,
     name TEXT NOT NULL,
     label TEXT NOT NULL,
     type TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (record_type, name)
   );
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     integration TEXT NOT NULL,
     mapping_file TEXT NOT NULL,
     connector TEXT NOT NULL,
     preference TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     status TEXT NOT NULL,
     read INTEGER NOT NULL DEFAULT 0,
     added INTEGER NOT NULL DEFAULT 0,
     updated INTEGER NOT NULL DEFAULT 0,
     unchanged INTEGER NOT NULL DEFAULT 0,
     skipped INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     pages INTEGER NOT NULL DEFAULT 0,
     entries INTEGER NOT NULL DEFAULT 0,
     requests INTEGER NOT NULL DEFAULT 0,
     message TEXT,
     hint TEXT,
     warnings TEXT NOT NULL DEFAULT '[]'
   );
   CREATE TABLE run_records (
     run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     outcome TEXT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX run_records_run ON run_records(run_id);`,
  // People plus SaaS user integrations: the SaaS user outcomes of a run; launch state of integrations
  `ALTER TABLE runs ADD COLUMN saas_app TEXT;
   ALTER TABLE runs ADD COLUMN saas_counts TEXT;
   ALTER TABLE run_records ADD COLUMN record_type TEXT NOT NULL DEFAULT 'people';
   CREATE TABLE integrations (
     name TEXT PRIMARY KEY,
     mapping_file TEXT NOT NULL,
     state TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );`,
  // the retries and waits of a run (JSON: count, wait_ms, reasons)
  `ALTER TABLE runs ADD COLUMN retries TEXT;`,
];

/**
 * Opens (and creates or migrates) the embedded SQLite store: People and SaaS-user records,
 * custom field definitions and the run log. WAL mode; one transaction per written batch.
 */
export function openStore(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = scrubBindings(new Database(file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -65536');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
