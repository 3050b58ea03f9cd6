import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConnector, validateFiles } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { listRecords } from '../../src/targets/sqlite.js';
import { useServer } from '../helpers/msw.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * PagerDuty users (connectors/pagerduty-users.yaml, mappings/pagerduty-users.yaml) against a mock
 * PagerDuty that serves the documented List users response, error body and rate-limited response
 * (test/fixtures/pagerduty/README.md says where each comes from and what the tests vary).
 */
const root = join(import.meta.dirname, '..', '..');
const connectorFile = join(root, 'connectors', 'pagerduty-users.yaml');
const mappingFile = join(root, 'mappings', 'pagerduty-users.yaml');

const BASE = 'https://api.pagerduty.test';
const USERS = `${BASE}/users`;

const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'pagerduty', name), 'utf8')) as T;

/** PagerDuty's documented token and the header it must be sent in, exactly. */
const { token: KEY, authorization: AUTHORIZATION } = fixture<{ token: string; authorization: string }>('auth.token.json');

interface PagerDutyUser {
  id: string;
  email: string;
  role: string;
  [key: string]: unknown;
}

const documented = () => fixture<{ users: PagerDutyUser[] }>('users.list.json').users;

/** The two documented users on every page, their ids varied per page; page 2's second user a limited_user with another address. */
function usersForPage(page: number): PagerDutyUser[] {
  return documented().map((u, i) => ({
    ...u,
    id: `${u.id}-${page}`,
    ...(page === 2 && i === 1 ? { email: 'Kyler.Kuhn@Beahan.name', role: 'limited_user', invitation_sent: true } : {}),
  }));
}

/** GET /users: classic pagination over `pages`, the envelope as documented (limit and offset echoed, more, total null). */
function serve(pages: PagerDutyUser[][]): void {
  const starts = pages.map((_, i) => pages.slice(0, i).reduce((n, p) => n + p.length, 0));
  server.use(
    http.get(USERS, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const offset = Number(query.get('offset'));
      const index = starts.indexOf(offset);
      if (index < 0) return HttpResponse.json(fixture('error.json'), { status: 400 });
      return HttpResponse.json({ users: pages[index], limit: Number(query.get('limit')), offset, more: index < pages.length - 1, total: null });
    }),
  );
}

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (onWait?: (ms: number) => void): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, credentials: { key: KEY }, overrides: { base_url: BASE }, onWait });

function saasUsers(): Record<string, unknown>[] {
  const db = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return listRecords(db, 'saas_users');
  } finally {
    db.close();
  }
}

/** Nothing the run returned or stored holds the key, or the header composed from it. */
function expectNoSecret(result: RunResult): void {
  for (const secret of [KEY, AUTHORIZATION]) {
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(store.rawBytes()).not.toContain(secret);
  }
}

describe('PagerDuty users connector and mapping', () => {
  it('validate: both files pass', () => {
    expect(validateFiles([connectorFile, mappingFile]).flatMap((r) => r.issues)).toEqual([]);
  });

  it('sends Authorization: Token token=<key> exactly and the version-2 Accept header, and pages by offset until more is false', async () => {
    const pages = [usersForPage(1), usersForPage(2), usersForPage(3)];
    serve(pages);

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 6, pages: 3, requests: 3 });
    expect(requests.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { offset: '0', limit: '100' },
      { offset: '2', limit: '100' }, // moved by the records served, not by the limit asked for
      { offset: '4', limit: '100' },
    ]);
    for (const r of requests) {
      expect(r.headers.authorization).toBe(AUTHORIZATION);
      expect(r.headers.accept).toBe('application/vnd.pagerduty+json;version=2');
    }
    expectNoSecret(result);
  });

  it('maps each user to People (username and e-mail in lower case, name, title, role Employee) with a PagerDuty SaaS user holding the PagerDuty role', async () => {
    serve([usersForPage(1), usersForPage(2)]);

    const result = await run();

    expect(result.counts).toEqual({ added: 4, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(result.saas_users).toMatchObject({ app: 'PagerDuty', counts: { added: 4 } });
    const [earline, kyler] = documented();
    const people = store.people();
    expect(people.find((p) => p.pagerduty_user_id === `${earline.id}-1`)).toMatchObject({
      username: earline.email, email: earline.email, full_name: 'Earline Greenholt', title: 'Director of Engineering',
      role: 'Employee', pagerduty_time_zone: 'America/Lima', source: 'PagerDuty',
    });
    expect(people.find((p) => p.pagerduty_user_id === `${kyler.id}-2`)).toMatchObject({ username: 'kyler.kuhn@beahan.name', email: 'kyler.kuhn@beahan.name', role: 'Employee' });
    const saas = saasUsers();
    const saasOf = (id: string) => saas.find((s) => s.external_id === id);
    expect(saasOf(`${earline.id}-1`)).toMatchObject({ saas_name: 'PagerDuty', role: 'admin', status: 'Active', email: earline.email });
    expect(saasOf(`${kyler.id}-2`)).toMatchObject({ role: 'limited_user', status: 'Invited' });
    expect(saasOf(`${kyler.id}-2`)?.person_id).toBe(String(people.find((p) => p.pagerduty_user_id === `${kyler.id}-2`)?.id));
    expect(store.customFields()).toEqual(['pagerduty_time_zone', 'pagerduty_user_id']);
  });

  it('an error body (HTTP 401, code 2006) fails the run at once with PagerDuty\'s words and the hint for its code; nothing written, no key anywhere', async () => {
    const body = fixture<{ error: Record<string, unknown> }>('error.json');
    server.use(http.get(USERS, () => HttpResponse.json({ error: { ...body.error, code: 2006, message: 'Authentication failed' } }, { status: 401 })));

    const result = await run();

    const hint = loadConnector(connectorFile).errors?.flatMap((rule) => Object.entries(rule.codes ?? {})).find(([code]) => code === '2006')?.[1].hint;
    expect(result.status).toBe('failed');
    expect(result.message).toContain('PagerDuty refused List users: HTTP 401, error 2006: Authentication failed');
    expect(result.hint).toBe(hint);
    expect(result.hint).toMatch(/PAGERDUTY_API_KEY/);
    expect(requests).toHaveLength(1);
    expect(store.people()).toEqual([]);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message });
    expectNoSecret(result);
  });

  it('the documented error body as an HTTP 400 names its code and message, with the general hint', async () => {
    server.use(http.get(USERS, () => HttpResponse.json(fixture('error.json'), { status: 400 })));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain('HTTP 400, error 2001: Error Message String');
    expect(result.hint).toMatch(/PAGERDUTY_API_KEY/);
    expect(requests).toHaveLength(1);
  });

  it('a 429 waits the seconds ratelimit-reset names, then reads on; the run log counts the wait', async () => {
    let calls = 0;
    const at: number[] = [];
    server.use(
      http.get(USERS, ({ request }) => {
        at.push(performance.now());
        if (++calls === 1) return HttpResponse.json(fixture('ratelimit.http429.json'), { status: 429, headers: { ...fixture<Record<string, string>>('ratelimit.http429.headers.json'), 'ratelimit-reset': '1' } });
        const offset = Number(new URL(request.url).searchParams.get('offset'));
        return HttpResponse.json({ users: usersForPage(1), limit: 100, offset, more: false, total: null });
      }),
    );
    const waits: number[] = [];

    const result = await run((ms) => waits.push(ms));

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(waits).toEqual([1000]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(995);
    expect(result.retries).toMatchObject({ count: 1, wait_ms: 1000 });
    expect(store.runs()[0].retries).toMatchObject({ count: 1, wait_ms: 1000, reasons: [{ reason: 'the API answered HTTP 429, a rate limit', retries: 1, wait_ms: 1000 }] });
    expect(requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '0']);
    expectNoSecret(result);
  });
});
