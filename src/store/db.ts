import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { scrubBindings } from './scrub.js';
import { loadConfig } from '../config/file.js';
import { StoreError, UsageError } from '../errors.js';
import { markDeadRuns } from '../runlog/owner.js';
import { asStoreError, busyTimeoutMs } from './errors.js';

/** The embedded store's file: `--db`, else `INTAKE_DB` (empty counts as unset), else the config file's `store:`, else `./intake.db`. */
export function storePath(option?: string): string {
  if (option === '') throw new StoreError('store_path_empty', 'the store\'s file name is empty (--db \'\')', { hint: 'give a file, e.g. --db ./intake.db, or leave --db out for $INTAKE_DB, the config file\'s store: or ./intake.db' });
  return resolve(option ?? (process.env.INTAKE_DB || loadConfig().values.store || 'intake.db'));
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
  // Trust: who runs a run (to tell a live run from a dead one), the integration it claims, and
  // where the next run continues after a failed or interrupted one
  `ALTER TABLE runs ADD COLUMN integration_key TEXT;
   ALTER TABLE runs ADD COLUMN owner TEXT;
   ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
   ALTER TABLE runs ADD COLUMN checkpoint TEXT;
   ALTER TABLE runs ADD COLUMN resumed_from INTEGER;
   CREATE INDEX runs_running ON runs(status) WHERE status = 'running';
   CREATE INDEX runs_key ON runs(integration_key, id);`,
  // the vault: credentials of cloud integrations, AES-256-GCM per value (src/credentials/vault.ts);
  // the key is never stored here
  `CREATE TABLE vault (
     connector TEXT NOT NULL,
     field TEXT NOT NULL,
     key_id TEXT NOT NULL,
     nonce BLOB NOT NULL,
     ciphertext BLOB NOT NULL,
     tag BLOB NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (connector, field)
   );`,
  // where a run wrote its records (JSON: the target's name, where it is, whether its batches are atomic); NULL: the embedded store
  `ALTER TABLE runs ADD COLUMN target TEXT;`,
  // the service (intake serve): one row per scheduled slot of an integration, claimed by exactly one
  // service process (the primary key decides), with what became of it: ran (the run), skipped (why)
  `CREATE TABLE schedule_slots (
     integration_key TEXT NOT NULL,
     due_at TEXT NOT NULL,
     owner TEXT NOT NULL,
     claimed_at TEXT NOT NULL,
     outcome TEXT NOT NULL DEFAULT 'claimed',
     run_id INTEGER,
     reason TEXT,
     PRIMARY KEY (integration_key, due_at)
   );
   CREATE INDEX schedule_slots_claimed ON schedule_slots(claimed_at);`,
  // runs finished elsewhere (a worker taking runs from the Redis queue): the job they ran as, once
  // per job; where they ran and their grouped reasons (JSON: worker, reasons, saas_reasons)
  `ALTER TABLE runs ADD COLUMN job_id TEXT;
   ALTER TABLE runs ADD COLUMN remote TEXT;
   CREATE UNIQUE INDEX runs_job ON runs(job_id) WHERE job_id IS NOT NULL;`,
];

/**
 * Opens (and creates or migrates) the embedded SQLite store for writing: People and SaaS-user
 * records, custom field definitions and the run log. Creates the file and its folders when
 * missing. WAL mode, so readers never wait; writers wait for each other up to the busy timeout,
 * and each run writes in short transactions (one per batch). Runs whose process died are marked
 * `interrupted` (see `markDeadRuns`). Store problems throw a `StoreError` that names the path.
 */
export function openStore(file: string): Database.Database {
  if (file === '') throw new StoreError('store_path_empty', 'the store\'s file name is empty', { hint: 'give the store\'s file, e.g. ./intake.db' });
  if (file === ':memory:') return prepare(new Database(file), file);
  try {
    mkdirSync(dirname(file), { recursive: true });
    return prepare(new Database(file, { timeout: busyTimeoutMs }), file);
  } catch (error) {
    throw asStoreError(error, file);
  }
}

/**
 * The store for a command that only reads (`runs`, `records`, `integrations`): an existing store
 * (read-only when it cannot be written), or an empty one in memory when there is none yet, so
 * that reading never creates a file or a folder.
 */
export function openStoreForReading(file: string): Database.Database {
  let exists = false;
  try {
    exists = statSync(file).isFile() || statSync(file).isDirectory();
  } catch {
    exists = false;
  }
  if (!exists) return openStore(':memory:');
  try {
    return prepare(new Database(file, { timeout: busyTimeoutMs, fileMustExist: true }), file);
  } catch (error) {
    const failure = asStoreError(error, file);
    if (!(failure instanceof StoreError) || failure.code !== 'store_read_only') throw failure;
  }
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    db.pragma('user_version'); // a file that is not a database fails here
    return db;
  } catch (error) {
    throw asStoreError(error, file);
  }
}

/**
 * The store for a report that only reads (`intake report`, the web pages): opened read-only, so
 * reading changes nothing; a store from an older Intake is brought up to date first (that writes
 * its schema once). A missing store is an error that says how to make one, not an empty report.
 */
export function openStoreReadOnly(file: string): Database.Database {
  if (file !== ':memory:' && !existsSync(file)) {
    throw new UsageError('store_not_found', `there is no store at ${file}`, { hint: 'run an integration first (intake run <mapping>, or intake demo), or name the store with --db FILE or INTAKE_DB' });
  }
  if (file === ':memory:') return openStore(file);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const version = db.pragma('user_version', { simple: true }) as number; // a file that is not a database fails here
    if (version >= migrations.length) return scrubBindings(db);
    db.close();
  } catch (error) {
    throw asStoreError(error, file);
  }
  return openStoreForReading(file);
}

/**
 * Runs `work` in a write transaction (`BEGIN IMMEDIATE`: the write lock is taken first, so what
 * `work` reads stays true until it commits). All or nothing: a failure, or a COMMIT the disk
 * refuses, rolls everything back. Store failures become a `StoreError` naming the path.
 */
export async function writeTransaction<T>(db: Database.Database, work: () => Promise<T>): Promise<T> {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw asStoreError(error, db.name);
  }
  try {
    const result = await work();
    if (!db.inTransaction) throw new StoreError('store_rolled_back', `the store ${db.name} rolled the batch back (SQLite ended the transaction after an error)`, { hint: 'run again; if it persists, check the disk that holds the store' });
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // SQLite may have rolled back already
      }
    }
    throw asStoreError(error, db.name);
  }
}

function prepare(db: Database.Database, file: string): Database.Database {
  scrubBindings(db);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -8192'); // 8 MB: a run's page cache; 64 MB (all of a 300,000-record store's pages) added about 35 MB to the peak RSS of the large bench for no measurable time
    migrate(db);
    markDeadRuns(db);
    return db;
  } catch (error) {
    db.close();
    throw asStoreError(error, file);
  }
}

/** Brings the schema up to date inside one `BEGIN IMMEDIATE`, so two processes opening a new store never race. */
function migrate(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= migrations.length) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number; // again, under the write lock
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v]);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
