import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { foldCase, type Target } from '../../src/targets/target.js';

/**
 * The contract every target adapter passes (sqlite today; oomnitza REST and jsonl later).
 * Each adapter's test calls it with a factory for a fresh, empty target.
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
      const ids = await target.write('people', { create: [{ username: 'a', k: 'U1' }, { username: 'b', k: 'U2' }, { username: 'c', k: 'U3' }], update: [] });
      expect(ids).toHaveLength(3);
      const found = await target.findByKey('people', 'k', ['U1', 'U3', 'U9']);
      expect([...found.keys()].sort()).toEqual(['U1', 'U3']);
      expect(found.get('U3')).toEqual({ id: ids[2], fields: { username: 'c', k: 'U3' } });
    });

    it('finds case-insensitively when asked, keyed by the folded value, and exactly otherwise', async () => {
      const [id] = await target.write('people', { create: [{ username: 'a', email: 'Ravi.Patel@Example.com' }], update: [] });
      expect((await target.findByKey('people', 'email', ['ravi.patel@example.com'])).size).toBe(0);
      const found = await target.findByKey('people', 'email', [foldCase('RAVI.patel@example.COM')], { caseInsensitive: true });
      expect(found.get('ravi.patel@example.com')).toEqual({ id, fields: { username: 'a', email: 'Ravi.Patel@Example.com' } });
    });

    it('narrows a lookup by other fields (SaaS users of one app)', async () => {
      await target.write('saas_users', { create: [{ saas_name: 'Slack', external_id: 'U1' }, { saas_name: 'Zoom', external_id: 'U1' }], update: [] });
      const found = await target.findByKey('saas_users', 'external_id', ['U1'], { where: { saas_name: 'Zoom' } });
      expect(found.get('U1')?.fields).toEqual({ saas_name: 'Zoom', external_id: 'U1' });
    });

    it('keeps record types apart', async () => {
      await target.write('people', { create: [{ username: 'a', k: 'U1' }], update: [] });
      expect((await target.findByKey('saas_users', 'k', ['U1'])).size).toBe(0);
    });

    it('updates only the fields it is given and keeps the others', async () => {
      const [id] = await target.write('people', { create: [{ username: 'a', k: 'U1', email: 'a@x' }], update: [] });
      await target.write('people', { create: [], update: [{ id, changes: { email: 'b@x' } }] });
      const found = await target.findByKey('people', 'k', ['U1']);
      expect(found.get('U1')?.fields).toEqual({ username: 'a', k: 'U1', email: 'b@x' });
    });

    it('applies a batch all or nothing', async () => {
      await expect(target.write('people', { create: [{ username: 'new', k: 'U5' }], update: [{ id: '999999', changes: { email: 'x' } }] })).rejects.toThrow();
      expect((await target.findByKey('people', 'k', ['U5'])).size).toBe(0);
    });

    it('looks up more keys than one query takes', async () => {
      const many = Array.from({ length: 1200 }, (_, i) => ({ username: `u${i}`, k: `K${i}` }));
      await target.write('people', { create: many, update: [] });
      const found = await target.findByKey('people', 'k', many.map((m) => m.k));
      expect(found.size).toBe(1200);
    });
  });
}
