import { beforeEach, describe, expect, it } from '@jest/globals';
import type Database from 'better-sqlite3';
import type { MappingSpec, Preference } from '../../src/definition/model.js';
import { compileMapping } from '../../src/mapping/compile.js';
import { connectorOf } from '../helpers/mapping.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import { openStore } from '../../src/store/db.js';
import { sync } from '../../src/sync/engine.js';
import { Tally } from '../../src/sync/outcomes.js';
import { builtinFields } from '../../src/targets/fields.js';
import { listRecords, sqliteTarget } from '../../src/targets/sqlite.js';
import type { Target, TargetField } from '../../src/targets/target.js';

const connector = connectorOf('chat', { user_id: 'string', username: 'string', email: 'string', deleted: 'boolean', is_admin: 'boolean', last_used: 'datetime' });

const mapping: MappingSpec = {
  connector: 'chat',
  record_type: 'people_and_saas_users',
  preference: 'create_update',
  sync_key: [{ source: 'user_id', target: 'chat_user_id' }],
  fields: { username: 'username', email: 'email', role: { value: 'Employee' } },
  saas_user: {
    app: 'Chat',
    fields: { role: { expr: 'is_admin ? "Admin" : "Member"' }, status: { expr: 'deleted ? "Deactivated" : "Active"' }, last_login: 'last_used' },
  },
};

const fieldMap = (fields: TargetField[]) => new Map(fields.map((f) => [f.name, f]));
const people = fieldMap([...builtinFields('people'), { name: 'chat_user_id', label: 'Chat User Id', type: 'string', required: false, custom: true }]);
const saasUsers = fieldMap(builtinFields('saas_users'));

const user = (id: string, extra: Partial<SourceRecord> = {}): SourceItem => ({
  record: { user_id: id, username: `u.${id.toLowerCase()}`, email: `${id.toLowerCase()}@example.com`, deleted: false, is_admin: false, last_used: '2026-11-01T08:00:00Z', ...extra },
});

async function* stream(items: SourceItem[]): AsyncGenerator<SourceItem> {
  yield* items;
}

describe('People plus SaaS user records', () => {
  let db: Database.Database;
  let target: Target;
  beforeEach(() => {
    db = openStore(':memory:');
    target = sqliteTarget(db);
  });

  async function run(items: SourceItem[], preference: Preference = 'create_update', spec: MappingSpec = mapping) {
    const tally = new Tally();
    const saas = new Tally();
    const compiled = compileMapping(spec, connector, { people, saas_users: saasUsers }, { sync_time: '', credential_name: '', settings: {} }, (at, _c, message) => {
      throw new Error(`test mapping: ${at.join('.')}: ${message}`);
    });
    await sync(stream(items), { target, preference, tally, batchSize: 2, mapping: compiled, syncKey: spec.sync_key!, required: ['username', 'email', 'role'], saas: { required: [], tally: saas } });
    return { people: tally, saas };
  }

  it('creates a person and a SaaS user record linked to it, keyed by app and user id', async () => {
    const first = await run([user('U1'), user('U2', { is_admin: true, deleted: true })]);
    expect(first.people.counts).toMatchObject({ added: 2 });
    expect(first.saas.counts).toMatchObject({ added: 2 });
    const persons = listRecords(db, 'people');
    const accounts = listRecords(db, 'saas_users');
    expect(accounts).toEqual([
      expect.objectContaining({ saas_name: 'Chat', external_id: 'U1', person_id: String(persons[0].id), role: 'Member', status: 'Active', last_login: '2026-11-01T08:00:00Z' }),
      expect.objectContaining({ saas_name: 'Chat', external_id: 'U2', person_id: String(persons[1].id), role: 'Admin', status: 'Deactivated' }),
    ]);
  });

  it('a second run reports both kinds unchanged, and a change in the app updates only the SaaS user', async () => {
    await run([user('U1'), user('U2')]);
    const again = await run([user('U1'), user('U2')]);
    expect(again.people.counts).toEqual({ added: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    expect(again.saas.counts).toEqual({ added: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    const changed = await run([user('U1', { last_used: '2026-11-20T09:30:00Z' }), user('U2')]);
    expect(changed.people.counts.unchanged).toBe(2);
    expect(changed.saas.counts).toMatchObject({ updated: 1, unchanged: 1 });
    expect(listRecords(db, 'saas_users').find((a) => a.external_id === 'U1')?.last_login).toBe('2026-11-20T09:30:00Z');
  });

  it('SaaS users of another app are other records', async () => {
    await run([user('U1')]);
    const other = { ...mapping, saas_user: { ...mapping.saas_user!, app: 'Chat Enterprise' } };
    const second = await run([user('U1')], 'create_update', other);
    expect(second.saas.counts.added).toBe(1);
    expect(listRecords(db, 'saas_users').map((a) => a.saas_name)).toEqual(['Chat', 'Chat Enterprise']);
  });

  it('update only: no person is created, and an existing person gets no new SaaS user record', async () => {
    await run([user('U1')], 'create_update', { ...mapping, record_type: 'people', saas_user: undefined });
    const result = await run([user('U1'), user('U2')], 'update_only');
    expect(result.people.counts).toMatchObject({ unchanged: 1, skipped: 1 });
    expect(result.saas.counts).toMatchObject({ added: 0, skipped: 1 });
    expect(result.saas.details[0].reason).toMatch(/not in Chat SaaS users.*update only/);
    expect(listRecords(db, 'saas_users')).toEqual([]);
  });

  it('create only: an existing person is left alone, and its missing SaaS user record is created', async () => {
    await run([user('U1')], 'create_update', { ...mapping, record_type: 'people', saas_user: undefined });
    const result = await run([user('U1', { email: 'changed@example.com' })], 'create_only');
    expect(result.people.counts).toMatchObject({ skipped: 1 });
    expect(result.saas.counts).toMatchObject({ added: 1 });
    expect(listRecords(db, 'people')[0].email).toBe('u1@example.com');
  });

  it('a SaaS user value that cannot be mapped fails that record alone; the person is still written', async () => {
    const result = await run([user('U1', { is_admin: null })]);
    expect(result.people.counts).toMatchObject({ added: 1 });
    expect(result.saas.counts).toMatchObject({ failed: 1 });
    expect(result.saas.details[0]).toMatchObject({ key: 'U1', outcome: 'failed', reason: expect.stringMatching(/field role: .*is_admin is empty/) });
  });

  it('no SaaS user record for a person that was skipped or failed', async () => {
    const result = await run([user('U1', { email: null })]);
    expect(result.people.counts).toMatchObject({ failed: 1 });
    expect(result.saas.read).toBe(0);
  });
});
