import type { Preference } from '../definition/model.js';
import type { CompiledMapping } from '../mapping/compile.js';
import type { SourceItem, SourceRecord } from '../source/types.js';
import type { Fields, StoredRecord, Target, WriteBatch } from '../targets/target.js';
import type { Tally } from './outcomes.js';

export interface SyncOptions {
  target: Target;
  recordType: string;
  preference: Preference;
  mapping: CompiledMapping;
  syncKey: { source: string; target: string }[];
  /** target fields that must have a value before a record is created */
  required: string[];
  tally: Tally;
  dryRun?: boolean;
  batchSize?: number;
  /** called once, before the first write (e.g. to create custom fields) */
  beforeFirstWrite?: () => Promise<void>;
}

interface Planned {
  key: string;
  keys: string[];
  fields: Fields;
}

/**
 * The sync engine: source items in, one outcome per record out. Lookups by sync key and writes
 * are batched; the preference decides create / update / skip; a record whose mapped values equal
 * the stored ones is `unchanged` and not written. Decisions live here, never in a target.
 */
export async function sync(items: AsyncIterable<SourceItem>, options: SyncOptions): Promise<void> {
  const size = options.batchSize ?? 5000;
  const seen = new Set<string>();
  let batch: Planned[] = [];
  let prepared = false;
  const flush = async () => {
    if (!batch.length) return;
    const plan = await decide(batch, options);
    batch = [];
    if (!options.dryRun && (plan.write.create.length || plan.write.update.length)) {
      if (!prepared) await options.beforeFirstWrite?.();
      prepared = true;
      try {
        await options.target.write(options.recordType, plan.write);
      } catch (error) {
        for (const p of plan.written) options.tally.add('failed', p.key, `the target refused the write: ${(error as Error).message}`);
        return;
      }
    }
    for (const p of plan.written) options.tally.add(p.outcome, p.key);
  };
  for await (const item of items) {
    const planned = prepare(item, options, seen);
    if (!planned) continue;
    batch.push(planned);
    if (batch.length >= size) await flush();
  }
  await flush();
}

/** Filters, maps and keys one item; records the outcome of items that go no further. */
function prepare(item: SourceItem, options: SyncOptions, seen: Set<string>): Planned | undefined {
  const { tally, syncKey } = options;
  if ('failed' in item) {
    tally.add('failed', item.ref, item.failed);
    return undefined;
  }
  const record = item.record;
  const keys = syncKey.map((pair) => keyValue(record, pair.source));
  const key = keys[0];
  if (key === '') {
    tally.add('failed', describe(record), `empty sync key: ${syncKey[0].source} has no value`);
    return undefined;
  }
  const skip = options.mapping.skipReason(record);
  if (skip) {
    tally.add('skipped', key, skip);
    return undefined;
  }
  if (seen.has(key)) {
    tally.add('skipped', key, `duplicate: another record with ${syncKey[0].source} = ${key} was already synced in this run`);
    return undefined;
  }
  seen.add(key);
  let fields: Fields;
  try {
    fields = options.mapping.map(record);
  } catch (error) {
    tally.add('failed', key, (error as Error).message);
    return undefined;
  }
  syncKey.forEach((pair, i) => {
    if (keys[i] !== '') fields[pair.target] = keys[i];
  });
  return { key, keys, fields };
}

interface Plan {
  write: WriteBatch;
  written: { key: string; outcome: 'added' | 'updated' | 'unchanged' }[];
}

/** Looks the batch up by sync key (primary first, then the others) and applies the preference. */
async function decide(batch: Planned[], options: SyncOptions): Promise<Plan> {
  const { tally, preference, syncKey } = options;
  const existing = await lookup(batch, options);
  const plan: Plan = { write: { create: [], update: [] }, written: [] };
  for (const planned of batch) {
    const found = existing.get(planned);
    if (found) {
      if (preference === 'create_only') {
        tally.add('skipped', planned.key, `already in ${options.recordType}: the create only preference does not update records`);
        continue;
      }
      const changes = changed(found.fields, planned.fields);
      if (!changes) plan.written.push({ key: planned.key, outcome: 'unchanged' });
      else {
        plan.write.update.push({ id: found.id, changes });
        plan.written.push({ key: planned.key, outcome: 'updated' });
      }
      continue;
    }
    if (preference === 'update_only') {
      tally.add('skipped', planned.key, `not in ${options.recordType} (no record with ${syncKey[0].target} = ${planned.key}): the update only preference does not create records`);
      continue;
    }
    const missing = options.required.filter((f) => planned.fields[f] === null || planned.fields[f] === undefined || planned.fields[f] === '');
    if (missing.length) {
      tally.add('failed', planned.key, `cannot create: required field ${missing.join(', ')} is empty`);
      continue;
    }
    plan.write.create.push(planned.fields);
    plan.written.push({ key: planned.key, outcome: 'added' });
  }
  return plan;
}

async function lookup(batch: Planned[], options: SyncOptions): Promise<Map<Planned, StoredRecord>> {
  const result = new Map<Planned, StoredRecord>();
  for (let i = 0; i < options.syncKey.length; i++) {
    const open = batch.filter((p) => !result.has(p) && p.keys[i] !== '');
    if (!open.length) break;
    const found = await options.target.findByKey(options.recordType, options.syncKey[i].target, [...new Set(open.map((p) => p.keys[i]))]);
    for (const p of open) {
      const record = found.get(p.keys[i]);
      if (record) result.set(p, record);
    }
  }
  return result;
}

/** The fields whose value differs from the stored record, or undefined when none does. */
function changed(stored: Fields, next: Fields): Fields | undefined {
  let changes: Fields | undefined;
  for (const [name, value] of Object.entries(next)) {
    if (!same(stored[name], value)) (changes ??= {})[name] = value;
  }
  return changes;
}

function same(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function keyValue(record: SourceRecord, field: string): string {
  const value = record[field];
  return value === null || value === undefined ? '' : String(value).trim();
}

function describe(record: SourceRecord): string {
  const name = record.username ?? record.email ?? record.name;
  return name ? `record ${String(name)}` : 'record without key';
}
