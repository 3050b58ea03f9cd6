import { openStore } from '../../src/store/db.js';
import { sqliteTarget } from '../../src/targets/sqlite.js';
import { targetContract } from './contract.js';

targetContract('sqlite', async () => {
  const db = openStore(':memory:');
  const target = sqliteTarget(db);
  return {
    ...target,
    close: async () => {
      db.close();
    },
  };
});
