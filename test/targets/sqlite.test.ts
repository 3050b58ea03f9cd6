import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/db.js';
import { listRecords, sqliteTarget } from '../../src/targets/sqlite.js';
import { targetContract } from './contract.js';

targetContract('sqlite', async () => {
  const db = openStore(':memory:');
  const target = sqliteTarget(db);
  return {
    ...target,
    close: async () => {
      await target.close();
      db.close();
    },
  };
});

describe('sqlite target on a file', () => {
  it('keeps every batch written before close(), and a refused batch rolls back alone', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'intake-sqlite-')), 'store.db');
    const db = openStore(file);
    const target = sqliteTarget(db);
    await target.write('people', { create: [{ username: 'a', k: 'U1' }], update: [] });
    await expect(target.write('people', { create: [{ username: 'b', k: 'U2' }], update: [{ id: '999', changes: { k: 'x' } }] })).rejects.toThrow(/no longer exists/);
    await target.write('people', { create: [{ username: 'c', k: 'U3' }], update: [] });
    await target.close();
    db.close();
    const reopened = openStore(file);
    expect(listRecords(reopened, 'people').map((r) => r.username)).toEqual(['a', 'c']);
    reopened.close();
  });
});
