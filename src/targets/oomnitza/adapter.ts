import type { CustomFieldSpec } from '../../definition/model.js';
import { TargetError } from '../../errors.js';
import type { TargetField } from '../fields.js';
import { foldCase, TargetUnavailable, type Fields, type RecordWrite, type StoredRecord, type Target, type WriteBatch } from '../target.js';
import { oomnitzaApi, type ApiOptions } from './api.js';
import { dataTypeOf, fieldsOf, normalized } from './fields.js';
import { inFilter, lookups } from './filter.js';

export interface OomnitzaOptions extends ApiOptions {
  /** writes in flight at once (default 8) */
  concurrency?: number;
  /** sync-key values per lookup request (default 50) */
  keysPerLookup?: number;
  /** records asked for per lookup page (default 100) */
  pageLimit?: number;
  /** the longest URL-encoded filter of one lookup (default 6,000 characters: long keys make smaller lookups) */
  maxFilterLength?: number;
}

const users = '/api/v3/users';

/**
 * The People records of an Oomnitza instance through its REST API v3 (see docs/targets.md and
 * test/fixtures/oomnitza/README.md for the documented shapes and what is assumed):
 *
 * - describe: the instance's People fields, from `GET /api/v3/users/meta`;
 * - createCustomField (only with --create-fields): `POST /api/v3/users/meta`;
 * - findByKey: `GET /api/v3/users?filter=<field> IN ['a','b',…]&limit=&skip=`, at most 50 keys a request;
 * - write: `POST /api/v3/users` per new record, `PATCH /api/v3/users/{uid}` with only the changed
 *   fields, at most `concurrency` at once. Each record is acknowledged or refused on its own (a
 *   refusal is that record's failure, in the instance's words); a POST whose answer was lost is
 *   looked up by the batch's sync key before it is ever sent again.
 *
 * SaaS user records are refused: the documented v3 API offers SaaS assignments and roles, not
 * records with fields (docs/targets.md).
 */
export function oomnitzaTarget(options: OomnitzaOptions): Target {
  const api = oomnitzaApi(options);
  const concurrency = options.concurrency ?? 8;
  const origin = options.base.origin;
  let described: TargetField[] | undefined;

  const describe = async (): Promise<TargetField[]> => {
    if (described) return described;
    const answer = await api.call('GET', `${users}/meta`);
    if (!answer.ok) {
      throw new TargetUnavailable('oomnitza_fields_unreadable', options.scrub(`Oomnitza at ${origin} did not describe its People fields (GET ${users}/meta: ${'refused' in answer ? `HTTP ${answer.status}: ${answer.refused}` : answer.unsure})`), {
        hint: 'check the Oomnitza URL; Intake reads the People fields from the instance\'s field metadata before it writes anything',
      });
    }
    const fields = fieldsOf(answer.body);
    if (!fields.length) throw new TargetUnavailable('oomnitza_fields_unreadable', `Oomnitza at ${origin} answered GET ${users}/meta with no People fields`, { hint: 'check the Oomnitza URL and that the token\'s user may read the People data model' });
    return (described = fields);
  };
  const types = async () => new Map((await describe()).map((f) => [f.name, f.type]));

  /** the records whose `field` is one of `values`, as the API answers them, page by page */
  async function* search(field: string, values: string[]): AsyncGenerator<Record<string, unknown>> {
    const limit = options.pageLimit ?? 100;
    for (const chunk of lookups(field, values, options.keysPerLookup ?? 50, options.maxFilterLength ?? 6000)) {
      for (let skip = 0; ;) {
        const answer = await api.call('GET', `${users}?filter=${encodeURIComponent(inFilter(field, chunk))}&limit=${limit}&skip=${skip}`);
        if (!answer.ok) {
          throw new TargetUnavailable('oomnitza_lookup_refused', options.scrub(`Oomnitza refused the lookup of People by ${field} (GET ${users}: ${'refused' in answer ? `HTTP ${answer.status}: ${answer.refused}` : answer.unsure})`), {
            hint: `${field} must be a People field Oomnitza can filter on; check the mapping's sync_key`,
          });
        }
        if (!Array.isArray(answer.body)) throw new TargetUnavailable('oomnitza_unexpected', `Oomnitza answered GET ${users} with ${typeof answer.body}, not a list of People records`, { hint: 'check the Oomnitza URL' });
        for (const record of answer.body) if (record && typeof record === 'object') yield record as Record<string, unknown>;
        if (answer.body.length < limit) break;
        skip += answer.body.length;
      }
    }
  }

  const findByKey: Target['findByKey'] = async (recordType, field, values, { where = {}, caseInsensitive = false } = {}) => {
    peopleOnly(recordType);
    const known = await types();
    const found = new Map<string, StoredRecord>();
    // a field the instance does not have holds no values: nothing can be found by it (a dry run before --create-fields)
    if (!known.has(field) || !values.length) return found;
    const asked = new Set(values);
    for await (const record of search(field, [...asked])) {
      const fields = normalized(record, known);
      const value = fields[field];
      if (value === null || value === undefined) continue;
      const key = caseInsensitive ? foldCase(String(value)) : String(value);
      if (!asked.has(key) || found.has(key) || !Object.entries(where).every(([name, v]) => fields[name] === v)) continue;
      found.set(key, { id: String(record.uid), fields });
    }
    return found;
  };

  async function create(fields: Fields, key: WriteBatch['key']): Promise<RecordWrite> {
    for (let attempt = 1; ; attempt++) {
      const answer = await api.call('POST', users, fields);
      if (answer.ok) {
        const uid = uidOf(answer.body);
        if (uid) return { id: uid };
        const found = key && (await lookupOne(key, fields));
        return found ? { id: found } : { refused: 'Oomnitza answered the create without the new record\'s uid, and it could not be looked up: check Oomnitza for it' };
      }
      if ('refused' in answer) return { refused: `Oomnitza refused it (HTTP ${answer.status}): ${answer.refused}` };
      const value = key && fields[key.field];
      if (!key || value === null || value === undefined || value === '') {
        return { refused: options.scrub(`Oomnitza did not confirm the create (${answer.unsure}), and with no sync-key value it cannot be looked up: check Oomnitza for it before the next run`) };
      }
      // the POST may have arrived: look the record up before sending it again, never create it twice
      const found = await lookupOne(key, fields);
      if (found) {
        options.onRetry?.({ reason: options.scrub(`POST ${origin}${users}: ${answer.unsure}; the record was found by ${key.field}, so it was not sent again`), waitMs: 0, retry: false });
        return { id: found };
      }
      if (attempt >= api.policy.attempts) {
        throw new TargetUnavailable('oomnitza_failing', options.scrub(`POST ${origin}${users}: ${answer.unsure} — gave up after ${attempt} attempts`), { hint: 'Oomnitza kept failing: run again later' });
      }
      await api.pause(attempt, options.scrub(`POST ${origin}${users}: ${answer.unsure}; not found by ${key.field}, so sent again`));
    }
  }

  async function lookupOne(key: NonNullable<WriteBatch['key']>, fields: Fields): Promise<string | undefined> {
    const value = String(fields[key.field]);
    const asked = key.caseInsensitive ? foldCase(value) : value;
    return (await findByKey('people', key.field, [asked], { caseInsensitive: key.caseInsensitive })).get(asked)?.id;
  }

  async function update(id: string, changes: Fields): Promise<RecordWrite> {
    const answer = await api.call('PATCH', `${users}/${encodeURIComponent(id)}`, changes);
    if (answer.ok) return { id };
    if ('refused' in answer && answer.status === 404) return { refused: `Oomnitza has no People record with uid ${id} any more (HTTP 404): ${answer.refused}` };
    return { refused: `Oomnitza refused the update (HTTP ${'refused' in answer ? `${answer.status}): ${answer.refused}` : `?): ${answer.unsure}`}` };
  }

  return {
    traits: { description: `Oomnitza at ${origin}`, atomic: false, inStore: false, fixedFields: true, recordTypes: ['people'], keepsRecords: true },
    async describe(recordType) {
      peopleOnly(recordType);
      return describe();
    },
    async createCustomField(recordType, name, spec: CustomFieldSpec) {
      peopleOnly(recordType);
      if ((await describe()).some((f) => f.name === name)) return;
      const answer = await api.call('POST', `${users}/meta`, { external_id: name, label: spec.label, data_type: dataTypeOf(spec.type) });
      described = undefined;
      if ((await describe()).some((f) => f.name === name)) return;
      const said = answer.ok ? 'it answered, but the field is not among the People fields' : 'refused' in answer ? `HTTP ${answer.status}: ${answer.refused}` : answer.unsure;
      throw new TargetError('oomnitza_field_not_created', options.scrub(`Oomnitza at ${origin} did not create the People field "${name}" (POST ${users}/meta: ${said})`), {
        hint: `create it in Oomnitza's data model for People — ${spec.label}, type ${spec.type}, external id ${name} — then run again`,
      });
    },
    findByKey,
    async write(recordType, batch) {
      peopleOnly(recordType);
      await describe();
      const created: RecordWrite[] = batch.create.map(() => undefined);
      const updated: RecordWrite[] = batch.update.map(() => undefined);
      const tasks = [
        ...batch.create.map((fields, i) => async () => void (created[i] = await create(fields, batch.key))),
        ...batch.update.map(({ id, changes }, i) => async () => void (updated[i] = await update(id, changes))),
      ];
      const stopped = await pool(tasks, concurrency);
      if (stopped) throw new TargetUnavailable(stopped.code, stopped.message, { hint: stopped.hint, cause: stopped, acknowledged: { created, updated } });
      return { created, updated };
    },
    async close() {
      // every write was answered (or the run stopped): nothing is held open
    },
  };

  function peopleOnly(recordType: string): void {
    if (recordType !== 'people') {
      throw new TargetError('record_type_unsupported', `Oomnitza at ${origin} takes People records only, not ${recordType === 'saas_users' ? 'SaaS user' : recordType} records (docs/targets.md)`, { hint: 'write a People plus SaaS users mapping to another target, or use record_type: people' });
    }
  }
}

/**
 * Runs the tasks, at most `limit` at once. A task that throws `TargetUnavailable` stops the pool:
 * no further task starts, the running ones finish, and that error is returned. Any other error is
 * thrown once the running tasks have finished.
 */
async function pool(tasks: (() => Promise<void>)[], limit: number): Promise<TargetUnavailable | undefined> {
  let next = 0;
  let stopped: TargetUnavailable | undefined;
  let failure: unknown;
  const worker = async () => {
    while (next < tasks.length && !stopped && failure === undefined) {
      const task = tasks[next++];
      try {
        await task();
      } catch (error) {
        if (error instanceof TargetUnavailable) stopped ??= error;
        else failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure;
  return stopped;
}

/** The uid of the record a create answered with (the record, or a list holding it). */
function uidOf(body: unknown): string | undefined {
  const record = Array.isArray(body) ? body[0] : body;
  const uid = record && typeof record === 'object' ? (record as Record<string, unknown>).uid : undefined;
  return uid === undefined || uid === null || uid === '' ? undefined : String(uid);
}

