import { startSlackSimulator, slackDataset } from '../../src/demo/simulator.js';
import { startOfUtcDay } from '../../src/demo/people.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { openStore } from '../../src/store/db.js';
import { sqliteTarget } from '../../src/targets/sqlite.js';
import { mappingFile } from './slack.js';

const day = 86_400_000;

/** One user of one app as the test seeded it: the expected side of the last-login insights. */
export interface SeededUser {
  app: string;
  email: string;
  name: string;
  /** epoch ms, or null: never logged in */
  last: number | null;
}

export interface Seeded {
  users: SeededUser[];
  runs: RunResult[];
  /** the apps' users by bucket at `now`, and the inactive list for `days`: computed here from the seeded dates */
  expected(now: Date, days: number, app?: string): { apps: Record<string, { users: number; active: number; days_30: number; days_60: number; days_90: number; never: number }>; inactive: { email: string; app: string; days: number | null }[] };
}

const seed = 42;
const slackUsers = 30;

/**
 * A store as a user's would be: the real Slack users and Slack last login integrations run
 * against the local Slack simulator (its day anchored `slackDaysAgo` days before `now`, so the
 * logins spread across the buckets), then People with a Zoom last-login field and GitHub SaaS
 * user records written through the store target, some of them with no last login at all.
 */
export async function seedInsights(file: string, now: Date, slackDaysAgo = 20): Promise<Seeded> {
  const anchor = startOfUtcDay(new Date(now.getTime() - slackDaysAgo * day));
  const simulator = await startSlackSimulator({ users: slackUsers, seed, now: anchor });
  const runs: RunResult[] = [];
  try {
    for (const name of ['slack-users', 'slack-last-login']) {
      runs.push(await runIntegration({ mappingFile: mappingFile(name), db: file, overrides: { base_url: simulator.url, page_size: '10' }, credentials: { token: simulator.token } }));
    }
  } finally {
    await simulator.close();
  }
  const users: SeededUser[] = [];
  // Slack: every human member, with the max date_last of their access-log entries
  const data = slackDataset({ users: slackUsers, seed, now: anchor });
  for (const m of data.members) {
    if (m.is_bot || m.is_app_user || m.id === 'USLACKBOT') continue;
    const dates = data.logins.filter((l) => l.user_id === m.id).map((l) => l.date_last * 1000);
    users.push({ app: 'Slack', email: String(m.profile.email ?? '').toLowerCase(), name: m.real_name ?? m.name, last: dates.length ? Math.max(...dates) : null });
  }
  // Zoom: a People datetime field zoom_last_login; GitHub: SaaS user records with last_login
  const db = openStore(file);
  const target = sqliteTarget(db);
  const iso = (daysAgo: number) => new Date(now.getTime() - daysAgo * day - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const zoom = [
    { name: 'Zed Old', email: 'zed.old@example.org', ago: 120 },
    { name: 'Zoe Mid', email: 'zoe.mid@example.org', ago: 65 },
    { name: 'Zia Recent', email: 'zia.recent@example.org', ago: 3 },
    { name: '<b>Eve & "Co"</b>', email: 'eve@example.org', ago: null },
    // on and beside each bucket's boundary
    ...[29, 30, 59, 60, 89, 90].map((ago) => ({ name: `Zack ${ago}`, email: `zack.${ago}@example.org`, ago })),
  ];
  await target.createCustomField('people', 'zoom_user_id', { label: 'Zoom User Id', type: 'string' });
  await target.createCustomField('people', 'zoom_last_login', { label: 'Zoom Last Login', type: 'datetime' });
  const created = await target.write('people', {
    create: zoom.map((z, i) => ({ username: z.email, email: z.email, role: 'Employee', full_name: z.name, zoom_user_id: `z-${i}`, ...(z.ago === null ? {} : { zoom_last_login: iso(z.ago) }) })),
    update: [],
  });
  for (const z of zoom) users.push({ app: 'Zoom', email: z.email, name: z.name, last: z.ago === null ? null : Date.parse(iso(z.ago)) });
  const ids = created.created.map((w) => (w && 'id' in w ? w.id : ''));
  const github = [
    { person: ids[0], email: 'zed.old@example.org', name: 'Zed Old', ago: 200 },
    { person: ids[2], email: 'zia.recent@example.org', name: 'Zia Recent', ago: null },
  ];
  await target.write('saas_users', {
    create: github.map((g) => ({ saas_name: 'GitHub', external_id: g.email, person_id: g.person, username: g.email, ...(g.ago === null ? {} : { last_login: iso(g.ago) }) })),
    update: [],
  });
  for (const g of github) users.push({ app: 'GitHub', email: g.email, name: g.name, last: g.ago === null ? null : Date.parse(iso(g.ago)) });
  db.close();

  return {
    users,
    runs,
    expected(at, days, app) {
      const apps: ReturnType<Seeded['expected']>['apps'] = {};
      const inactive: { email: string; app: string; days: number | null }[] = [];
      for (const u of users.filter((x) => !app || x.app.toLowerCase() === app.toLowerCase())) {
        const a = (apps[u.app] ??= { users: 0, active: 0, days_30: 0, days_60: 0, days_90: 0, never: 0 });
        a.users++;
        const age = u.last === null ? null : Math.floor((at.getTime() - u.last) / day);
        if (age === null) a.never++;
        else if (age < 30) a.active++;
        else if (age < 60) a.days_30++;
        else if (age < 90) a.days_60++;
        else a.days_90++;
        if (age === null || age >= days) inactive.push({ email: u.email, app: u.app, days: age });
      }
      return { apps, inactive };
    },
  };
}
