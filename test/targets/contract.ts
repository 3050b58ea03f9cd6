import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { foldCase, type Fields, type Target, type WriteResult } from '../../src/targets/target.js';

/** The ids of a write where every record was written (a refusal here is a failure of the test). */
function ids(result: WriteResult): string[] {
  const all = [...result.created, ...result.updated];
  const refused = all.filter((r) => r && 'refused' in r);
  if (refused.length || all.some((r) => r === undefined)) throw new Error(`the target did not write every record: ${JSON.stringify(all)}`);
  return result.created.map((r) => (r as { id: string }).id);
}

/**
 * The contract every target adapter passes: the embedded store, Oomnitza's REST API, the export
 * files. Each adapter's test calls it with a factory for a fresh, empty target. What an adapter
 * may do differently is declared in its `traits` (atomic or record by record, the record types
 * it keeps), and the contract checks each adapter against what it declares.
 */
export function targetContract(name: string, fresh: () => Promise<Target>): void {
  describe(`${name} target contract`, () => {
    let target: Target;
    beforeEach(async () => {
      target = await fresh();
    });
    afterEach(async () => {
      await target.close();
    });
    /** a custom string field `k` to write keys into */
    const withKey = () => target.createCustomField('people', 'k', { label: 'K', type: 'string' });
    /** a People record with the fields every target needs to create one (username, e-mail, role) */
    const person = (fields: Fields): Fields => ({ email: `${String(fields.username)}@example.com`, role: 'Employee', ...fields });
    const write = async (fields: Fields[]) => ids(await target.write('people', { create: fields.map(person), update: [] }));

    it('describes the built-in People fields, with username, email and role required and the roles listed', async () => {
      const fields = await target.describe('people');
      expect(fields.filter((f) => f.required).map((f) => f.name).sort()).toEqual(['email', 'role', 'username']);
      expect(fields.find((f) => f.name === 'role')?.values?.length).toBeGreaterThan(0);
      expect(fields.some((f) => f.custom)).toBe(false);
    });

    it('creates a custom field once and then describes it', async () => {
      await target.createCustomField('people', 'slack_last_login', { label: 'Slack Last Login', type: 'datetime' });
      await target.createCustomField('people', 'slack_last_login', { label: 'Slack Last Login', type: 'datetime' });
      const custom = (await target.describe('people')).filter((f) => f.custom);
      expect(custom).toEqual([{ name: 'slack_last_login', label: 'Slack Last Login', type: 'datetime', required: false, custom: true }]);
    });

    it('finds created records by a key field, in batches, and only the ones asked for', async () => {
      await withKey();
      const created = await write([{ username: 'a', k: 'U1' }, { username: 'b', k: 'U2' }, { username: 'c', k: 'U3' }]);
      expect(created).toHaveLength(3);
      const found = await target.findByKey('people', 'k', ['U1', 'U3', 'U9']);
      expect([...found.keys()].sort()).toEqual(['U1', 'U3']);
      expect(found.get('U3')).toEqual({ id: created[2], fields: expect.objectContaining({ username: 'c', k: 'U3' }) });
    });

    it('finds keys with quotes, backslashes, commas and brackets in them exactly', async () => {
      await withKey();
      const odd = ["O'Brien", 'back\\slash', "both\\'", '"double"', 'a,b', '[x]', "it's ']"];
      await write(odd.map((k, i) => ({ username: `u${i}`, k })));
      const found = await target.findByKey('people', 'k', [...odd, 'OBrien', 'backslash']);
      expect([...found.keys()].sort()).toEqual([...odd].sort());
      for (const [i, k] of odd.entries()) expect(found.get(k)?.fields).toMatchObject({ username: `u${i}`, k });
    });

    it('finds case-insensitively when asked, keyed by the folded value, and exactly otherwise', async () => {
      const [id] = await write([{ username: 'a', email: 'Ravi.Patel@Example.com' }]);
      expect((await target.findByKey('people', 'email', ['ravi.patel@example.com'])).size).toBe(0);
      const found = await target.findByKey('people', 'email', [foldCase('RAVI.patel@example.COM')], { caseInsensitive: true });
      expect(found.get('ravi.patel@example.com')).toEqual({ id, fields: expect.objectContaining({ username: 'a', email: 'Ravi.Patel@Example.com' }) });
    });

    it('finds a key the target holds as a number (an integer custom field, an employee number) by its text, as the engine asks', async () => {
      await target.createCustomField('people', 'employee_number', { label: 'Employee Number', type: 'integer' });
      const [a, b] = await write([{ username: 'a', employee_number: 1042 }, { username: 'b', employee_number: 7 }]);
      const found = await target.findByKey('people', 'employee_number', ['1042', '7', '0007', '99']);
      expect([...found.keys()].sort()).toEqual(['1042', '7']); // '0007' is not how the number is written
      expect(found.get('1042')).toEqual({ id: a, fields: expect.objectContaining({ username: 'a', employee_number: 1042 }) });
      expect(found.get('7')?.id).toBe(b);
      if (target.storageOrder) expect([...(await target.storageOrder('people', 'employee_number', ['1042', '7', '99'])).keys()].sort()).toEqual(['1042', '7']);
    });

    it('reads back the values it was given, in the form they were given (ISO-8601 UTC datetimes, booleans, numbers)', async () => {
      await withKey();
      await target.createCustomField('people', 'seen', { label: 'Seen', type: 'datetime' });
      await target.createCustomField('people', 'active', { label: 'Active', type: 'boolean' });
      await target.createCustomField('people', 'logins', { label: 'Logins', type: 'integer' });
      const given = { username: 'a', k: 'U1', seen: '2015-02-03T00:21:04Z', active: false, logins: 42 };
      await write([given]);
      expect((await target.findByKey('people', 'k', ['U1'])).get('U1')?.fields).toMatchObject(given);
    });

    it('updates only the fields it is given and keeps the others', async () => {
      await withKey();
      const [id] = await write([{ username: 'a', k: 'U1', email: 'a@example.com', full_name: 'A' }]);
      expect(ids(await target.write('people', { create: [], update: [{ id, changes: { email: 'b@example.com' } }] }))).toEqual([]);
      const found = await target.findByKey('people', 'k', ['U1']);
      expect(found.get('U1')?.fields).toMatchObject({ username: 'a', k: 'U1', email: 'b@example.com', full_name: 'A' });
    });

    it('keeps what it says it wrote when a record is refused: all or nothing when atomic, else the others', async () => {
      await withKey();
      const batch = { create: [person({ username: 'new', k: 'U5' })], update: [{ id: '999999', changes: { email: 'x@example.com' } }] };
      if (target.traits.atomic) {
        await expect(target.write('people', batch)).rejects.toThrow();
        expect((await target.findByKey('people', 'k', ['U5'])).size).toBe(0);
      } else {
        const result = await target.write('people', batch);
        expect(result.updated[0]).toEqual({ refused: expect.stringMatching(/\w/) });
        expect(result.created[0]).toEqual({ id: expect.any(String) });
        expect((await target.findByKey('people', 'k', ['U5'])).size).toBe(1);
      }
    });

    it('keeps SaaS user records apart from People and narrows their lookup by app, or refuses them in words', async () => {
      const saas = { create: [{ saas_name: 'Slack', external_id: 'U1' }, { saas_name: 'Zoom', external_id: 'U1' }], update: [] };
      if (target.traits.recordTypes.includes('saas_users')) {
        await target.write('saas_users', saas);
        const found = await target.findByKey('saas_users', 'external_id', ['U1'], { where: { saas_name: 'Zoom' } });
        expect(found.get('U1')?.fields).toEqual({ saas_name: 'Zoom', external_id: 'U1' });
        expect((await target.findByKey('people', 'external_id', ['U1'])).size).toBe(0);
      } else {
        await expect(target.write('saas_users', saas)).rejects.toThrow(/SaaS user/);
        await expect(target.findByKey('saas_users', 'external_id', ['U1'])).rejects.toThrow(/SaaS user/);
      }
    });

    it('looks up more keys than one query takes', async () => {
      await withKey();
      const many = Array.from({ length: 1200 }, (_, i) => ({ username: `u${i}`, k: `K${i}` }));
      await write(many);
      const found = await target.findByKey('people', 'k', many.map((m) => m.k));
      expect(found.size).toBe(1200);
    });
  });
}
