import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedInsights, type Seeded } from '../helpers/insights.js';
import { intake } from '../helpers/cli.js';
import { tempStore, type TempStore } from '../helpers/store.js';

let store: TempStore;
let seeded: Seeded;

beforeAll(async () => {
  store = tempStore();
  seeded = await seedInsights(store.file, new Date());
}, 60_000);
afterAll(() => store.remove());

const report = (...args: string[]) => intake(['--db', store.file, 'report', 'inactive', ...args]);

describe('intake report inactive', () => {
  it('--json: per app, the users by days since their last login, and the inactive users (computed from the seeded logins)', async () => {
    const result = await report('--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { now: string; days: number; apps: { app: string }[]; users: { email: string; app: string; days: number | null; last_login: string | null }[] };
    const expected = seeded.expected(new Date(json.now), 90);
    expect(Math.abs(Date.parse(json.now) - Date.now())).toBeLessThan(60_000);
    expect(json.days).toBe(90);
    expect(Object.fromEntries(json.apps.map(({ app, ...counts }) => [app, counts]))).toEqual(expected.apps);
    expect(json.users.map((u) => ({ email: u.email, app: u.app, days: u.days })).sort(byKey)).toEqual([...expected.inactive].sort(byKey));
  });

  it('text: a table per app and the list of inactive users, with --days and --app (any case)', async () => {
    const result = await report('--days', '60', '--app', 'ZOOM');
    expect(result.code).toBe(0);
    const json = JSON.parse((await report('--days', '60', '--app', 'ZOOM', '--json')).stdout) as { now: string };
    const zoom = seeded.expected(new Date(json.now), 60, 'zoom');
    const z = zoom.apps.Zoom;
    expect(result.stdout).toMatch(new RegExp(`\\nZoom +${z.users} +${z.active} +${z.days_30} +${z.days_60} +${z.days_90} +${z.never}\\n`));
    expect(result.stdout).not.toMatch(/Slack|GitHub/);
    const inactive = zoom.inactive.filter((u) => u.days !== null).length;
    expect(result.stdout).toContain(`${inactive} user(s) inactive for 60+ days, ${zoom.inactive.length - inactive} never logged in:`);
    expect(result.stdout).toMatch(/Zed Old +zed\.old@example\.org +Zoom +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +120\n/);
    expect(result.stdout).toMatch(/<b>Eve & "Co"<\/b> +eve@example\.org +Zoom +never\n/);
  });

  it('--csv: the inactive users, a header row first', async () => {
    const result = await report('--csv', '--app', 'github', '--days', '30');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'name,email,app,last_login,days',
      expect.stringMatching(/^Zed Old,zed\.old@example\.org,GitHub,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ,200$/),
      'Zia Recent,zia.recent@example.org,GitHub,,',
      '',
    ]);
  });

  it('an app the store holds no last logins of, a missing store and --json with --csv are clear errors (exit 2)', async () => {
    const unknown = await report('--app', 'Jira');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no last logins of an app named "Jira"\n {2}hint: apps with last logins: GitHub, Slack, Zoom/);
    const missing = await intake(['--db', `${store.dir}/none.db`, 'report', 'inactive']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/there is no store at .*none\.db\n {2}hint: run an integration first/);
    const both = await report('--json', '--csv');
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout)).toMatchObject({ status: 'error', code: 'usage', message: '--json and --csv cannot be used together' });
    const days = await report('--days', '0');
    expect(days.code).toBe(2);
    expect(days.stderr).toMatch(/--days.*expected a whole number of 1 or more/);
  });

  it('--help teaches the rule and shows examples', async () => {
    const help = await intake(['report', 'inactive', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/<app>_last_login/);
    expect(help.stdout).toMatch(/Examples:\n {2}intake report inactive\n/);
  });
});

const byKey = (a: { app: string; email: string }, b: { app: string; email: string }) => a.app.localeCompare(b.app) || a.email.localeCompare(b.email);
