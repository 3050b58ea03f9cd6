import { describe, expect, it } from '@jest/globals';
import { startSlackSimulator } from '../../src/demo/simulator.js';
import { intake } from '../helpers/cli.js';

describe('intake preview', () => {
  it('shows each request without the credential, the raw page, source records and mapped records', async () => {
    const simulator = await startSlackSimulator({ users: 20 });
    try {
      const result = await intake(['preview', 'slack-last-login', '--pages', '2', '--records', '2', '--json', '--set', `base_url=${simulator.url}`, '--set', 'page_size=5'], { SLACK_TOKEN: simulator.token });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(simulator.token);
      const report = JSON.parse(result.stdout);
      expect(report.pages).toHaveLength(2);
      expect(report.pages[0].request.url).toBe(`${simulator.url}/team.accessLogs?limit=5`);
      expect(report.pages[1].request.url).toMatch(/[?&]cursor=/);
      expect(report.pages[0].request.auth).toBe('added by credentials: bearer');
      expect(report.pages[0].response).toMatchObject({ status: 200, records: 5 });
      expect(report.pages[0].source_records[0].record.last_used).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(report.mapped).toHaveLength(2);
      expect(Object.keys(report.mapped[0]).sort()).toEqual(['slack_last_login', 'slack_user_id']);
      expect(report.warnings[0]).toMatch(/stopped after 2 page/);
      expect(simulator.requests).toBe(2);
    } finally {
      await simulator.close();
    }
  });
});
