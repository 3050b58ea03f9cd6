import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { inactiveCsv, inactiveReport, knownApps, lastLoginFields } from '../../src/report/inactive.js';
import { openStoreReadOnly } from '../../src/store/db.js';
import { seedInsights, type Seeded } from '../helpers/insights.js';
import { tempStore, type TempStore } from '../helpers/store.js';

const now = new Date('2026-06-20T12:00:00Z');
let store: TempStore;
let seeded: Seeded;
let db: Database.Database;

beforeAll(async () => {
  store = tempStore();
  seeded = await seedInsights(store.file, now);
  db = openStoreReadOnly(store.file);
}, 60_000);
afterAll(() => {
  db.close();
  store.remove();
});

describe('last-login insights over a store the Slack integrations filled', () => {
  it('finds the apps from the People datetime fields named *_last_login (app from the label) and from SaaS user records', () => {
    expect(seeded.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(lastLoginFields(db)).toEqual([
      { field: 'slack_last_login', prefix: 'slack_', app: 'Slack' },
      { field: 'zoom_last_login', prefix: 'zoom_', app: 'Zoom' },
    ]);
    expect(knownApps(db)).toEqual(['GitHub', 'Slack', 'Zoom']);
  });

  it('counts each app\'s users by days since their last login, never-logged-in apart, each person once per app', () => {
    const report = inactiveReport(db, { now });
    const expected = seeded.expected(now, 90).apps;
    expect(Object.fromEntries(report.apps.map(({ app, ...counts }) => [app, counts]))).toEqual(expected);
    // the Slack users integration also wrote a Slack SaaS user record per person: still one user each
    expect(report.apps.find((a) => a.app === 'Slack')!.users).toBe(seeded.users.filter((u) => u.app === 'Slack').length);
    // the seeded logins spread over every bucket, so a wrong bucket boundary shows
    const slack = expected.Slack;
    expect(slack.active * slack.days_30 * slack.days_60 * slack.days_90).toBeGreaterThan(0);
    expect(expected.Zoom.never + expected.GitHub.never).toBe(2);
  });

  it('lists the users inactive for --days or more, longest first, then those who never logged in', () => {
    for (const days of [30, 60, 90]) {
      const report = inactiveReport(db, { now, days });
      const expected = seeded.expected(now, days).inactive;
      expect(report.users.map((u) => ({ email: u.email, app: u.app, days: u.days }))).toEqual(
        [...expected].sort((a, b) => (b.days ?? -1) - (a.days ?? -1) || a.app.localeCompare(b.app) || a.email.localeCompare(b.email)),
      );
      expect(report.users.every((u) => u.days === null || u.days >= days)).toBe(true);
    }
  });

  it('limits the report to one app, named in any case', () => {
    const report = inactiveReport(db, { now, days: 60, app: 'zoom' });
    expect(report.apps.map((a) => a.app)).toEqual(['Zoom']);
    expect(report.users).toEqual([
      { name: 'Zed Old', email: 'zed.old@example.org', app: 'Zoom', last_login: expect.stringMatching(/^2026-02-20T/), days: 120 },
      { name: 'Zack 90', email: 'zack.90@example.org', app: 'Zoom', last_login: expect.stringMatching(/^2026-03-22T/), days: 90 },
      { name: 'Zack 89', email: 'zack.89@example.org', app: 'Zoom', last_login: expect.stringMatching(/^2026-03-23T/), days: 89 },
      { name: 'Zoe Mid', email: 'zoe.mid@example.org', app: 'Zoom', last_login: expect.stringMatching(/^2026-04-16T/), days: 65 },
      { name: 'Zack 60', email: 'zack.60@example.org', app: 'Zoom', last_login: expect.stringMatching(/^2026-04-21T/), days: 60 },
      { name: '<b>Eve & "Co"</b>', email: 'eve@example.org', app: 'Zoom', last_login: null, days: null },
    ]);
    expect(report.apps[0]).toEqual({ app: 'Zoom', users: 10, active: 2, days_30: 2, days_60: 3, days_90: 2, never: 1 });
    expect(inactiveReport(db, { now, app: 'nothing' }).apps).toEqual([]);
  });

  it('the CSV has a header and one row per inactive user, quoting what needs it', () => {
    const report = inactiveReport(db, { now, days: 60, app: 'Zoom' });
    const lines = inactiveCsv(report).split('\r\n');
    expect(lines[0]).toBe('name,email,app,last_login,days');
    expect(lines[1]).toMatch(/^Zed Old,zed\.old@example\.org,Zoom,2026-02-20T\d\d:\d\d:\d\dZ,120$/);
    expect(lines[6]).toBe('"<b>Eve & ""Co""</b>",eve@example.org,Zoom,,');
    expect(lines.length).toBe(report.users.length + 2); // header, rows, and the final CRLF
  });
});

describe('the store a report reads', () => {
  it('is opened read-only: the report writes nothing to it', () => {
    expect(() => db.prepare("UPDATE records SET data = '{}'").run()).toThrow(/readonly/);
  });

  it('a missing store is a clear error, not an empty report', () => {
    expect(() => openStoreReadOnly(`${store.dir}/missing.db`)).toThrow(/there is no store at .*missing\.db/);
  });
});
