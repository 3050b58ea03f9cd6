import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { CustomFieldSpec } from '../definition/model.js';
import { TargetError } from '../errors.js';
import { builtinFields, type RecordType, type TargetField } from './fields.js';
import { allWritten, foldCase, type Fields, type StoredRecord, type Target } from './target.js';

/** One written record, as an export file shows it. */
export interface ExportRow {
  record_type: string;
  /** the record's number in this export (SaaS user records link to People by it: person_id) */
  id: string;
  outcome: 'added' | 'updated';
  /** the whole record after the write */
  fields: Fields;
}

/** How an export file is laid out: JSONL appends each batch as it is written; CSV writes the file at the end (its header needs every field). */
export interface ExportFormat {
  name: string;
  /** the text a batch adds to the file now, or undefined to keep the rows for `finish` */
  batch(rows: ExportRow[]): string | undefined;
  /** the whole file's text at the end, from every row of the run (undefined: the batches were written as they came) */
  finish(rows: ExportRow[]): string | undefined;
}

/**
 * An export target: the records a run writes, in a file, for piping into other systems. The file
 * is written afresh by each run (created, or emptied, when the run starts) and holds one line per
 * written record: its fields and whether it was added or updated. An export keeps no records from
 * earlier runs, so nothing is ever found before the run writes it: every record is `added` (a
 * second record with the same key is skipped as a duplicate by the engine, as always), and an
 * update only mapping is refused before the run. A batch is checked before any of it is written,
 * so it lands whole or not at all; what is written passes the scrubber.
 */
export function exportTarget(file: string, format: ExportFormat, options: { dryRun: boolean; scrub: (text: string) => string }): Target {
  const records = new Map<string, { type: string; fields: Fields }>();
  const custom = new Map<string, TargetField[]>();
  const indexes = new Map<string, Map<string, string[]>>();
  const rows: ExportRow[] = [];
  if (!options.dryRun) output(file, () => writeFileSync(file, ''));

  const indexOf = (type: string, field: string, folded: boolean) => {
    const id = `${type}\u0000${field}\u0000${folded}`;
    let index = indexes.get(id);
    if (!index) {
      index = new Map();
      for (const [recordId, record] of records) if (record.type === type) addTo(index, record.fields[field], recordId, folded);
      indexes.set(id, index);
    }
    return index;
  };
  /** puts a record's new values into the lookups built so far (and takes its old ones out) */
  const reindex = (type: string, recordId: string, fields: Fields, before: Fields = {}) => {
    for (const [id, index] of indexes) {
      const [indexType, field, folded] = id.split('\u0000');
      if (indexType !== type || !(field in fields)) continue;
      if (field in before) removeFrom(index, before[field], recordId, folded === 'true');
      addTo(index, fields[field], recordId, folded === 'true');
    }
  };

  return {
    traits: { description: `the ${format.name} file ${shown(file)}`, atomic: true, inStore: false, fixedFields: false, recordTypes: ['people', 'saas_users'], keepsRecords: false },
    async describe(recordType) {
      return [...builtinFields(recordType as RecordType), ...(custom.get(recordType) ?? [])];
    },
    async createCustomField(recordType, name, spec: CustomFieldSpec) {
      const list = custom.get(recordType) ?? [];
      if (!list.some((f) => f.name === name)) list.push({ name, label: spec.label, type: spec.type, required: false, custom: true });
      custom.set(recordType, list);
    },
    async findByKey(recordType, field, values, { where = {}, caseInsensitive = false } = {}) {
      const index = indexOf(recordType, field, caseInsensitive);
      const found = new Map<string, StoredRecord>();
      for (const value of values) {
        const id = (index.get(value) ?? []).find((candidate) => Object.entries(where).every(([name, v]) => records.get(candidate)!.fields[name] === v));
        if (id !== undefined) found.set(value, { id, fields: { ...records.get(id)!.fields } });
      }
      return found;
    },
    async write(recordType, batch) {
      const gone = batch.update.find((u) => !records.has(u.id));
      if (gone) throw new TargetError('record_gone', `record ${gone.id} is not in this export`);
      const written: ExportRow[] = [];
      const ids = batch.create.map((fields) => {
        const id = String(records.size + 1);
        records.set(id, { type: recordType, fields: { ...fields } });
        reindex(recordType, id, fields);
        written.push({ record_type: recordType, id, outcome: 'added', fields: { ...fields } });
        return id;
      });
      for (const { id, changes } of batch.update) {
        const record = records.get(id)!;
        reindex(recordType, id, changes, { ...record.fields });
        Object.assign(record.fields, changes);
        written.push({ record_type: recordType, id, outcome: 'updated', fields: { ...record.fields } });
      }
      rows.push(...written);
      const text = format.batch(written);
      if (text && !options.dryRun) output(file, () => appendFileSync(file, options.scrub(text)));
      return allWritten(ids, batch.update);
    },
    async close() {
      const text = format.finish(rows);
      if (text !== undefined && !options.dryRun) output(file, () => writeFileSync(file, options.scrub(text)));
    },
  };
}

function removeFrom(index: Map<string, string[]>, value: unknown, id: string, folded: boolean): void {
  if (value === null || value === undefined) return;
  const key = folded ? foldCase(String(value)) : String(value);
  index.set(key, (index.get(key) ?? []).filter((other) => other !== id));
}

function addTo(index: Map<string, string[]>, value: unknown, id: string, folded: boolean): void {
  if (value === null || value === undefined) return;
  const key = folded ? foldCase(String(value)) : String(value);
  const ids = index.get(key) ?? [];
  if (!ids.includes(id)) ids.push(id);
  index.set(key, ids);
}

/** Writes the export file, creating its folder; a file that cannot be written stops the run with its path. */
function output(file: string, write: () => void): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TargetError('export_unwritable', `the export file ${shown(file)} cannot be written (${code})`, { hint: 'choose a file in a folder you can write to, e.g. --target jsonl:./people.jsonl', cause: error });
  }
}

/** A path as the user reads it: relative to the working folder when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith('..') || rel === '' ? resolve(file) : rel;
}
