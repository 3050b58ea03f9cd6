import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CustomFieldSpec } from '../definition/model.js';
import { StoreError, TargetError } from '../errors.js';
import { asStoreError } from '../store/errors.js';
import { builtinFields, type RecordType, type TargetField } from './fields.js';
import { allWritten, type Fields, type FindOptions, type Snapshot, type StoredRecord, type Target, type WriteBatch } from './target.js';

const identifier = /^[a-z][a-z0-9_]*$/;
const lookupChunk = 500;

/**
 * The embedded store as a target (`--target store`, the default): records as JSON in one table,
 * an expression index per sync-key field (created on first lookup). Each `write` is atomic: its
 * own `BEGIN IMMEDIATE` transaction, or a savepoint when the caller holds a transaction (the
 * runner wraps each batch's lookups, writes and run-log entry in one), so a refused batch rolls
 * back alone. Failures of the store itself (full disk, read-only, busy) throw a `StoreError`.
 */
export function sqliteTarget(db: Database.Database): Target {
  const insert = db.prepare('INSERT INTO records (record_type, data, created_at, updated_at) VALUES (?, ?, ?, ?)');
  const patch = db.prepare('UPDATE records SET data = json_patch(data, ?), updated_at = ? WHERE id = ?');
  const indexed = new Set<string>();
  // changes when another connection commits (not with this one's own writes): Target.version
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  // statements that find records by key, one per selection and shape, prepared once each
  const statements = new Map<string, Database.Statement>();
  const statement = (select: Selection, field: string, size: number, where: string[], folded: boolean) => {
    const id = `${select}|${field}|${size}|${where.join(',')}|${folded}`;
    let prepared = statements.get(id);
    if (!prepared) {
      const also = where.map((name) => ` AND json_extract(data, '$.${name}') = ?`).join('');
      const key = keyExpression(field, folded);
      // rows as arrays: no object with named properties per row
      prepared = db.prepare(`SELECT ${select}, ${key} AS k FROM records WHERE record_type = ? AND ${key} IN (${Array(size).fill('?').join(',')})${also}`).raw(true);
      statements.set(id, prepared);
    }
    return prepared;
  };
  /** Every row (`select`, then the key) of the records of a type whose key is one of `values`, a chunk of keys at a time. */
  const byKey = (select: Selection, recordType: string, field: string, values: string[], { where = {}, caseInsensitive = false }: FindOptions, each: (row: unknown[]) => void) => {
    ensureIndex(field, caseInsensitive);
    const names = Object.keys(where);
    for (const name of names) if (!identifier.test(name)) throw new TargetError('bad_field', `"${name}" is not a valid field name`);
    for (let i = 0; i < values.length; i += lookupChunk) {
      // lower() makes text of a number: folded keys are compared as text alone
      const chunk = caseInsensitive ? values.slice(i, i + lookupChunk) : withNumbers(values.slice(i, i + lookupChunk));
      const rows = statement(select, field, chunk.length, names, caseInsensitive).all(recordType, ...chunk, ...names.map((n) => where[n])) as unknown[][];
      for (const row of rows) each(row);
    }
  };

  const ensureIndex = (field: string, folded: boolean) => {
    const name = `records_key${folded ? 'ci' : ''}_${field}`;
    if (indexed.has(name)) return;
    if (!identifier.test(field)) throw new TargetError('bad_field', `"${field}" is not a valid field name`);
    try {
      db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON records(record_type, ${keyExpression(field, folded)})`);
    } catch (error) {
      // a read-only store (a dry run) is looked up without the index; any other failure is the store's
      const failure = asStoreError(error, db.name);
      if (!(failure instanceof StoreError && failure.code === 'store_read_only')) throw failure;
    }
    indexed.add(name);
  };

  const writeBatch = db.transaction((recordType: string, batch: WriteBatch, now: string) => {
    const ids = batch.create.map((fields) => String(insert.run(recordType, JSON.stringify(fields), now, now).lastInsertRowid));
    for (const { id, changes } of batch.update) {
      // json_patch (RFC 7396) merges the changed fields; a null change removes the field, which reads back as empty
      if (patch.run(JSON.stringify(changes), now, Number(id)).changes === 0) throw new TargetError('record_gone', `record ${id} no longer exists`);
    }
    return ids;
  });

  return {
    traits: { description: db.name === ':memory:' ? 'the embedded store (in memory: none exists yet)' : `the embedded store ${db.name}`, atomic: true, inStore: true, fixedFields: false, recordTypes: ['people', 'saas_users'], keepsRecords: true },
    async describe(recordType) {
      const custom = db.prepare('SELECT name, label, type FROM custom_fields WHERE record_type = ? ORDER BY name').all(recordType) as { name: string; label: string; type: TargetField['type'] }[];
      return [...builtinFields(recordType as RecordType), ...custom.map((c) => ({ ...c, required: false, custom: true }))];
    },
    async createCustomField(recordType, name, spec: CustomFieldSpec) {
      db.prepare('INSERT OR IGNORE INTO custom_fields (record_type, name, label, type, created_at) VALUES (?, ?, ?, ?, ?)').run(recordType, name, spec.label, spec.type, new Date().toISOString());
    },
    async findByKey(recordType, field, values, options = {}) {
      const found = new Map<string, StoredRecord>();
      byKey('id, data', recordType, field, values, options, ([id, data, k]) => {
        const key = String(k);
        if (!found.has(key)) found.set(key, { id: String(id), fields: JSON.parse(data as string) as Fields });
      });
      return found;
    },
    async storageOrder(recordType, field, values, options = {}) {
      // rowid and key both come from the key's index: the records themselves are not read
      const order = new Map<string, number>();
      byKey('id', recordType, field, values, options, ([id, k]) => {
        const key = String(k);
        if (!order.has(key)) order.set(key, id as number);
      });
      return order;
    },
    version: dataVersion,
    snapshot(recordType, field, { caseInsensitive = false, limit, fields }) {
      if (db.memory || !identifier.test(field)) return undefined;
      const count = db.prepare('SELECT count(*) FROM records WHERE record_type = ?').pluck().get(recordType) as number;
      if (count > limit) return undefined;
      const version = dataVersion();
      const key = keyExpression(field, caseInsensitive);
      return readInWorker(db.name, `SELECT id, data, ${key} FROM records WHERE record_type = ? AND ${key} IS NOT NULL ORDER BY id`, recordType, fields).then((rows) => ({ version, fields, ...rows }));
    },
    async write(recordType, batch) {
      const now = new Date().toISOString();
      try {
        const ids = db.inTransaction ? writeBatch(recordType, batch, now) : writeBatch.immediate(recordType, batch, now); // nested: a savepoint
        return allWritten(ids, batch.update);
      } catch (error) {
        throw asStoreError(error, db.name);
      }
    },
    async close() {
      // every write has committed (or belongs to the caller's transaction): nothing is left open
    },
  };
}

/**
 * Runs one query (rows of id, data, key) on a read-only connection of its own in a worker thread,
 * so that the records come while the main thread goes on with the run. In WAL mode the reader
 * sees the store as committed when the query starts. Each record's JSON is parsed there too: only
 * the values of `fields` come back, a list per field (40,000 records: 3–5 ms for the main thread
 * to take them, against 30–35 ms to parse the records itself). The ids come back in a transferred
 * buffer.
 */
function readInWorker(file: string, sql: string, recordType: string, fields: string[]): Promise<Omit<Snapshot, 'version' | 'fields'>> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare(workerData.sql).raw(true).all(workerData.recordType);
      const fields = workerData.fields;
      const ids = new Float64Array(rows.length);
      const keys = new Array(rows.length);
      const values = fields.map(() => new Array(rows.length));
      for (let i = 0; i < rows.length; i++) {
        ids[i] = rows[i][0];
        keys[i] = String(rows[i][2]);
        const record = JSON.parse(rows[i][1]);
        for (let f = 0; f < fields.length; f++) values[f][i] = Object.prototype.hasOwnProperty.call(record, fields[f]) ? record[fields[f]] : undefined;
      }
      parentPort.postMessage({ ids, keys, values }, [ids.buffer]);
    } finally {
      db.close();
    }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { driver: requireFrom.resolve('better-sqlite3'), file, sql, recordType, fields } });
    worker.unref(); // a run that ends first does not wait for it
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the store's reader stopped (exit code ${code})`)));
  });
}

const requireFrom = createRequire(import.meta.url);

/** What a lookup by key reads: the records (`id, data`), or only where they lie (`id`, from the key's index alone). */
type Selection = 'id, data' | 'id';

/** The SQL of a key field's value: lower() folds ASCII letters, as `foldCase` does. */
function keyExpression(field: string, folded: boolean): string {
  return folded ? `lower(json_extract(data, '$.${field}'))` : `json_extract(data, '$.${field}')`;
}

/**
 * Keys as the engine asks for them (text), and each key that is how a number is written once more
 * as that number. A key field may hold numbers (an integer custom field: an employee number), and
 * SQLite finds no number equal to text, where the snapshot, Oomnitza and the export files compare
 * the stored value's text. A row found either way has the key's text as `String(k)`.
 */
function withNumbers(keys: string[]): (string | number)[] {
  let numbers: number[] | undefined;
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (!((first >= 48 && first <= 57) || first === 45)) continue; // a digit or '-': the cheap test first
    const number = Number(key);
    if (String(number) === key) (numbers ??= []).push(number);
  }
  return numbers ? [...keys, ...numbers] : keys;
}

/** Every record of a type, oldest first, as `{ id, ...fields }`. */
export function listRecords(db: Database.Database, recordType: string): ({ id: number } & Fields)[] {
  const rows = db.prepare('SELECT id, data FROM records WHERE record_type = ? ORDER BY id').all(recordType) as { id: number; data: string }[];
  return rows.map((row) => ({ id: row.id, ...(JSON.parse(row.data) as Fields) }));
}
