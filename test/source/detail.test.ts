import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { readSource } from '../../src/source/read.js';
import { optionsFor, read, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';
import { accessLogEntries, accessLogsCursorPage, BASE, fixture, isoFromEpochSeconds, TOKEN, type AccessLogEntry, type SlackMember } from '../helpers/slack.js';

const { server, requests } = useServer();
const connectors = useConnectors();

/**
 * Slack's last login per user (team.accessLogs, aggregated by user) enriched by users.info —
 * the guide's detail example: GET /users.info?user=<id> → {"ok":true,"user":{…}}.
 * `fieldsFirst` lets a test declare other fields before user_id.
 */
function lastLoginWithProfile(concurrency: number, fieldsFirst = '') {
  return connectors.load(`
    id: slack-last-login-profile
    name: Slack last login with profile
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: User token, secret: true, env: SLACK_TOKEN }
    settings:
      base_url: { label: API base URL, type: string, default: https://slack.com/api }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /team.accessLogs, query: { limit: 1000 } }
    pagination:
      type: cursor
      token: { from: body, path: response_metadata.next_cursor }
      send: { in: query, name: cursor }
    records: logins
    fields:
      ${fieldsFirst}
      user_id:   { label: User Id, path: user_id, type: string }
      count:     { label: Count, path: count, type: integer }
      last_used: { label: Last Used Timestamp, path: date_last, type: datetime, format: unix_seconds }
    aggregate:
      by: user_id
      latest_by: last_used
      take: { last_used: max, count: sum }
    detail:
      request: { method: GET, path: /users.info, query: { user: "{{ record.user_id }}" } }
      records: user
      concurrency: ${concurrency}
      fields:
        time_zone: { label: Time Zone, path: tz, type: string }
        is_admin:  { label: Is Admin, path: is_admin, type: boolean }
        updated:   { label: Profile Updated, path: updated, type: datetime, format: unix_seconds }
    sync_key: user_id
  `);
}

const options = (connector: ReturnType<typeof lastLoginWithProfile>) => optionsFor(connector, { token: TOKEN }, { base_url: BASE });

/** Access-log entries of the real sample, re-keyed to `users` (several entries per user when users repeat). */
function entriesFor(users: string[]): AccessLogEntry[] {
  const [sample] = accessLogEntries();
  return users.map((user_id, i) => ({ ...sample, user_id, username: user_id.toLowerCase(), date_last: sample.date_last + i * 3600, count: 1, ip: `10.0.0.${i + 1}` }));
}

/** team.accessLogs in cursor mode over the given pages of entries. */
function accessLogs(pages: AccessLogEntry[][]) {
  server.use(
    http.get(`${BASE}/team.accessLogs`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const index = cursor === null ? 0 : Number(cursor.replace('page:', ''));
      return HttpResponse.json(accessLogsCursorPage(pages[index], index + 1 < pages.length ? `page:${index + 1}` : ''));
    }),
  );
}

/** The real users.list member, as users.info returns it, for `id`; `patch` changes any of its values. */
function member(id: string, patch: Partial<SlackMember> = {}): SlackMember {
  const [sample] = fixture<{ members: SlackMember[] }>('users.list.json').members;
  return { ...sample, id, name: id.toLowerCase(), ...patch };
}

/** users.info: answers each user with `member(id)` (after `wait` ms), counting requests in flight. */
function usersInfo(patch: (id: string) => Partial<SlackMember> = () => ({}), wait = 0) {
  const seen = { asked: [] as string[], inFlight: 0, maxInFlight: 0 };
  server.use(
    http.get(`${BASE}/users.info`, async ({ request }) => {
      const id = new URL(request.url).searchParams.get('user')!;
      seen.asked.push(id);
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      await delay(wait);
      seen.inFlight--;
      return HttpResponse.json({ ok: true, user: member(id, patch(id)) });
    }),
  );
  return seen;
}

describe('detail calls', () => {
  it('fetches each aggregated user exactly once, with {{ record.user_id }} in the query, and merges the detail fields', async () => {
    const page1 = entriesFor(['U1', 'U2', 'U1', 'U3']);
    const page2 = entriesFor(['U2', 'U1', 'U3']);
    accessLogs([page1, page2]);
    const info = usersInfo((id) => ({ tz: id === 'U2' ? 'Europe/Berlin' : 'America/Los_Angeles', is_admin: id === 'U1', updated: 1502138686 }));
    const { records, failed, stats, error } = await read(options(lastLoginWithProfile(4)));

    expect(error).toBeUndefined();
    expect(failed).toEqual([]);
    expect([...info.asked].sort()).toEqual(['U1', 'U2', 'U3']);
    const byUser = Object.fromEntries(records.map((r) => [r.user_id, r]));
    expect(Object.keys(byUser).sort()).toEqual(['U1', 'U2', 'U3']);
    const all = [...page1, ...page2];
    for (const id of ['U1', 'U2', 'U3']) {
      const entries = all.filter((e) => e.user_id === id);
      expect(byUser[id]).toEqual({
        user_id: id,
        count: entries.length,
        last_used: isoFromEpochSeconds(Math.max(...entries.map((e) => e.date_last))),
        time_zone: id === 'U2' ? 'Europe/Berlin' : 'America/Los_Angeles',
        is_admin: id === 'U1',
        updated: '2017-08-07T20:44:46Z',
      });
    }
    for (const r of requests.filter((q) => q.url.pathname.endsWith('/users.info'))) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(stats.requests).toBe(2 + 3);
  });

  it.each([1, 3])('keeps at most concurrency: %i detail requests in flight, and reaches it', async (concurrency) => {
    const users = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7'];
    accessLogs([entriesFor(users)]);
    const info = usersInfo(() => ({}), 25);
    const { records, error } = await read(options(lastLoginWithProfile(concurrency)));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(users.length);
    expect(info.asked).toHaveLength(users.length);
    expect(info.maxInFlight).toBe(concurrency);
  });

  it('fails only the record whose detail response has a bad value, naming the field', async () => {
    accessLogs([entriesFor(['U1', 'U2', 'U3'])]);
    usersInfo((id) => (id === 'U2' ? { is_admin: 'sometimes' as unknown as boolean } : {}));
    const { records, failed, error } = await read(options(lastLoginWithProfile(2)));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id).sort()).toEqual(['U1', 'U3']);
    expect(failed).toHaveLength(1);
    expect(failed[0].ref).toBe('U2');
    expect(failed[0].failed).toMatch(/is_admin/);
    expect(failed[0].failed).toContain('sometimes');
  });

  // The run log keys a failed record by its ref; the list stage and aggregation use the sync key.
  it('names the failed record by its sync key even when another field is declared first', async () => {
    accessLogs([entriesFor(['U1', 'U2'])]);
    usersInfo((id) => (id === 'U2' ? { updated: 'yesterday' as unknown as number } : {}));
    const connector = lastLoginWithProfile(2, 'username: { label: Username, path: username, type: string }');
    const { records, failed, error } = await read(options(connector));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(['U1']);
    expect(failed).toEqual([{ ref: 'U2', failed: expect.stringContaining('updated') }]);
  });

  it('stops the detail calls still in flight, retries included, when the read ends early or the run stops', async () => {
    accessLogs([entriesFor(['U1', 'U2', 'U3'])]);
    const asked: string[] = [];
    server.use(
      http.get(`${BASE}/users.info`, ({ request }) => {
        const id = new URL(request.url).searchParams.get('user')!;
        asked.push(id);
        if (id !== 'U1') return new HttpResponse('busy, try again', { status: 503 }); // retried after a backoff of about 0.5 s
        return HttpResponse.json({ ok: true, user: member(id) });
      }),
    );
    // the consumer takes the first record and stops
    for await (const item of readSource(options(lastLoginWithProfile(3))).items) {
      expect(item).toMatchObject({ record: { user_id: 'U1' } });
      break;
    }
    const atStop = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the backoffs of the two failing calls would have passed
    expect(asked.length).toBe(atStop);

    // the run stops while the first record's detail call is being retried
    asked.length = 0;
    accessLogs([entriesFor(['U2', 'U1'])]);
    const run = new AbortController();
    const items = readSource({ ...options(lastLoginWithProfile(1)), signal: run.signal }).items;
    const waiting = items.next();
    waiting.catch(() => undefined);
    while (!asked.includes('U2')) await new Promise((resolve) => setTimeout(resolve, 20));
    run.abort('SIGTERM');
    await expect(waiting).rejects.toThrow();
    const atAbort = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(asked.length).toBe(atAbort);
  });
});

describe('detail calls with the record in the path', () => {
  it('renders {{ record.user_id }} in the request path (APIs such as Okta and Graph put the id there)', async () => {
    const connector = connectors.load(`
      id: users-with-detail-path
      name: Users with a detail path
      record_type: users
      credentials:
        type: bearer
        fields:
          token: { label: Token, secret: true, env: ACME_TOKEN }
      base_url: ${BASE}
      request: { method: GET, path: /users }
      pagination: { type: none }
      records: "."
      fields:
        user_id: { label: User Id, path: id, type: string }
      detail:
        request: { method: GET, path: "/users/{{ record.user_id }}/profile" }
        fields:
          title: { label: Title, path: title, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get(`${BASE}/users`, () => HttpResponse.json([{ id: 'U1' }, { id: 'U2' }])),
      http.get(`${BASE}/users/:id/profile`, ({ params }) => HttpResponse.json({ title: `title of ${String(params.id)}` })),
    );
    const { records, error } = await read(optionsFor(connector, { token: TOKEN }, {}));
    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'U1', title: 'title of U1' }, { user_id: 'U2', title: 'title of U2' }]);
    expect(requests.map((r) => new URL(r.url).pathname).sort()).toEqual(['/api/users', '/api/users/U1/profile', '/api/users/U2/profile']);
  });
});
