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

const root = join(import.meta.dirname, '..', '..');
const connectorFile = join(root, 'connectors', 'zoom-users.yaml');
const mappingFile = join(root, 'mappings', 'zoom-users.yaml');

/** The mock Zoom API root; every run sets base_url to it. The token endpoint is Zoom's own URL (mocked). */
const BASE = 'https://api.zoom.test/v2';
const USERS = `${BASE}/users`;
const TOKEN_URL = 'https://zoom.us/oauth/token';
/** Made-up Server-to-Server OAuth app credentials; the account id is the one in Zoom's token example. */
const CREDENTIALS = { account_id: 'Wk9PTV9BQ0NPVU5UX0lE', client_id: 'zoom-client-id-4c1e', client_secret: 'zoom-client-secret-test-7f3a9c21' };

/** A fresh copy of one of Zoom's documented samples in test/fixtures/zoom/ (see its README.md). */
function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'zoom', name), 'utf8')) as T;
}

interface ZoomUser {
  /** Zoom returns none for pending users */
  id?: string;
  [key: string]: unknown;
}

/** Zoom's documented user, twice per page, with the id varied so every page holds distinct users. */
function usersForPage(page: number): ZoomUser[] {
  const [user] = fixture<{ users: ZoomUser[] }>('users.list.json').users;
  return [0, 1].map((i) => ({ ...user, id: `${user.id!.slice(0, -2)}${page}${i}` }));
}

/**
 * Page `page` of the users with one status: the documented user with that status, its id varied
 * (the status's first letter, the page, the index). Zoom returns no id for pending users (its spec
 * says so), so a pending user has none, and an e-mail varied instead.
 */
function statusPage(status: string, page: number, count = 2): ZoomUser[] {
  const [user] = fixture<{ users: ZoomUser[] }>('users.list.json').users;
  return Array.from({ length: count }, (_, i) => {
    const varied = { ...user, status, id: `${user.id!.slice(0, -3)}${status[0]}${page}.${i}`, email: `${status}.${page}.${i}@example.com` };
    if (status !== 'pending') return varied;
    const { id: _none, ...pending } = varied;
    return pending;
  });
}

/** The documented next_page_token values, then "" on the last page (see the fixtures' README). */
const CURSORS = ['8V8HigQkzm2O5r9RUn31D9ZyJHgrmFfbLa2', 'IAfJX3jsOLW7w3dokmFl84zOa0MAVGyMEB2'];
/** The token that leads to page `index + 2`: the documented ones, then the second one numbered. */
const cursor = (index: number) => CURSORS[index] ?? `${CURSORS[1]}.${index}`;

/**
 * Zoom's List users, one status per request (`status`, default active, as Zoom's spec says), each
 * status paged on its own with next_page_token; an unknown status or token fails the run.
 */
function listUsers(byStatus: Record<string, ZoomUser[][]>, refuse?: (status: string, page: number) => boolean) {
  return http.get(USERS, ({ request }) => {
    const query = new URL(request.url).searchParams;
    const status = query.get('status') ?? 'active';
    const pages = byStatus[status];
    const token = query.get('next_page_token');
    const index = token === null ? 0 : (pages ?? []).findIndex((_, i) => i > 0 && cursor(i - 1) === token);
    if (!pages || index < 0) return new HttpResponse(null, { status: 418 });
    if (refuse?.(status, index + 1)) return HttpResponse.json(fixture('error.124.http401.json'), { status: 401 });
    return HttpResponse.json(usersPage(pages[index], index + 1 < pages.length ? cursor(index) : ''));
  });
}

/** A List users page in Zoom's envelope; next_page_token is "" on the last page. */
const usersPage = (users: ZoomUser[], next: string) => ({ ...fixture('users.list.json'), users, next_page_token: next });

interface TokenCall {
  authorization: string | null;
  contentType: string | null;
  form: URLSearchParams;
}

/** Zoom's token endpoint: answers Zoom's token shape with access tokens zoom-access-1, -2, … */
function tokenEndpoint(calls: TokenCall[]) {
  return http.post(TOKEN_URL, async ({ request }) => {
    calls.push({ authorization: request.headers.get('authorization'), contentType: request.headers.get('content-type'), form: new URLSearchParams(await request.text()) });
    return HttpResponse.json({ ...fixture<Record<string, unknown>>('oauth.token.json'), access_token: `zoom-access-${calls.length}` });
  });
}

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (options: { onWait?: (ms: number) => void; set?: Record<string, string> } = {}): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, credentials: { ...CREDENTIALS }, overrides: { base_url: BASE, ...options.set }, onWait: options.onWait });

/** The tests of auth and errors read one status, as `--set statuses=active` does. */
const ACTIVE = { set: { statuses: 'active' } };

const apiCalls = () => requests.filter((r) => r.url.href.startsWith(USERS));

/** People records as the store keeps them, read with the target's own listRecords. */
function people(): Record<string, unknown>[] {
  const db = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return listRecords(db, 'people');
  } finally {
    db.close();
  }
}

/** The hint the connector file gives for a Zoom error code. */
function connectorHint(code: string): string | undefined {
  return loadConnector(connectorFile).errors?.map((rule) => rule.codes?.[code]?.hint).find(Boolean);
}

describe('Zoom users connector and mapping', () => {
  it('validate: both files pass', () => {
    expect(validateFiles([connectorFile, mappingFile]).flatMap((r) => r.issues)).toEqual([]);
  });

  it('fetches one token (Basic client auth, account_credentials), reads every page with next_page_token, sends Bearer, maps users', async () => {
    const tokens: TokenCall[] = [];
    const pages = [usersForPage(1), usersForPage(2), usersForPage(3)];
    const cursors = ['8V8HigQkzm2O5r9RUn31D9ZyJHgrmFfbLa2', 'IAfJX3jsOLW7w3dokmFl84zOa0MAVGyMEB2'];
    server.use(
      tokenEndpoint(tokens),
      http.get(USERS, ({ request }) => {
        const index = [null, ...cursors].indexOf(new URL(request.url).searchParams.get('next_page_token'));
        if (index < 0) return new HttpResponse(null, { status: 418 }); // an unknown token: fails the run
        return HttpResponse.json(usersPage(pages[index], cursors[index] ?? ''));
      }),
    );

    const result = await run(ACTIVE);

    expect(result).toMatchObject({ status: 'succeeded', pages: 3 });
    expect(result.counts).toEqual({ added: 6, updated: 0, unchanged: 0, skipped: 0, failed: 0 });

    expect(tokens).toHaveLength(1);
    expect(tokens[0].authorization).toBe(`Basic ${Buffer.from(`${CREDENTIALS.client_id}:${CREDENTIALS.client_secret}`).toString('base64')}`);
    expect(tokens[0].contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(tokens[0].form)).toEqual({ grant_type: 'account_credentials', account_id: CREDENTIALS.account_id });

    const calls = apiCalls();
    expect(calls.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { page_size: '300', status: 'active' },
      { page_size: '300', status: 'active', next_page_token: cursors[0] },
      { page_size: '300', status: 'active', next_page_token: cursors[1] },
    ]);
    for (const call of calls) expect(call.headers.authorization).toBe('Bearer zoom-access-1');

    const stored = people();
    expect(stored.map((p) => p.zoom_user_id)).toEqual(pages.flat().map((u) => u.id));
    const [documented] = fixture<{ users: Record<string, string>[] }>('users.list.json').users;
    expect(stored[0]).toMatchObject({
      username: 'jchill@example.com', email: 'jchill@example.com', full_name: 'Jill Chill', first_name: 'Jill', last_name: 'Chill',
      department: 'Developers', status: 'active', source: 'Zoom', zoom_user_type: 1,
      zoom_last_login: new Date(documented.last_login_time).toISOString().replace(/\.000Z$/, 'Z'),
      zoom_created: new Date(documented.user_created_at).toISOString().replace(/\.000Z$/, 'Z'),
    });
    expect(stored[0].zoom_last_login).toBe('2022-03-25T05:40:55Z');
    expect(store.customFields()).toEqual(['zoom_created', 'zoom_last_login', 'zoom_user_id', 'zoom_user_type']);
  });

  it('an HTTP 401 from the API makes Intake fetch a new token once and retry with it', async () => {
    const tokens: TokenCall[] = [];
    server.use(
      tokenEndpoint(tokens),
      http.get(USERS, ({ request }) =>
        request.headers.get('authorization') === 'Bearer zoom-access-1'
          ? HttpResponse.json(fixture('error.124.http401.json'), { status: 401 })
          : HttpResponse.json(usersPage(usersForPage(1), ''))),
    );

    const result = await run(ACTIVE);

    expect(result.status).toBe('succeeded');
    expect(result.counts.added).toBe(2);
    expect(tokens).toHaveLength(2);
    expect(apiCalls().map((r) => r.headers.authorization)).toEqual(['Bearer zoom-access-1', 'Bearer zoom-access-2']);
  });

  it('a 401 that persists after the one refresh fails the run with Zoom\'s code 124 and a plain hint; no secret is shown', async () => {
    const tokens: TokenCall[] = [];
    server.use(tokenEndpoint(tokens), http.get(USERS, () => HttpResponse.json(fixture('error.124.http401.json'), { status: 401 })));

    const result = await run(ACTIVE);

    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/HTTP 401, error code 124/);
    expect(result.hint).toBe(connectorHint('124'));
    expect(result.hint).toMatch(/ZOOM_CLIENT_SECRET/);
    expect(tokens).toHaveLength(2);
    expect(apiCalls()).toHaveLength(2);
    expect(result.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(people()).toEqual([]);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message, hint: result.hint });
    for (const secret of [CREDENTIALS.client_secret, 'zoom-access-1', 'zoom-access-2']) {
      expect(JSON.stringify(result)).not.toContain(secret);
      expect(store.rawBytes()).not.toContain(secret);
    }
  });

  it('an HTTP 429 with Retry-After (an ISO date, as Zoom documents it) waits until then, then succeeds', async () => {
    const tokens: TokenCall[] = [];
    let retryAt = 0;
    let calls = 0;
    server.use(
      tokenEndpoint(tokens),
      http.get(USERS, () => {
        if (++calls === 1) {
          retryAt = Math.round(Date.now() / 1000) * 1000 + 1000;
          const headers = { ...fixture<Record<string, string>>('ratelimit.http429.headers.json'), 'Retry-After': new Date(retryAt).toISOString().replace(/\.000Z$/, 'Z') };
          return HttpResponse.json(fixture('ratelimit.http429.json'), { status: 429, headers });
        }
        return HttpResponse.json(usersPage(usersForPage(1), ''));
      }),
    );
    const waits: number[] = [];
    const started = performance.now();

    const result = await run({ ...ACTIVE, onWait: (ms) => waits.push(ms) });

    const elapsed = performance.now() - started;
    expect(result.status).toBe('succeeded');
    expect(result.counts.added).toBe(2);
    expect(apiCalls()).toHaveLength(2);
    expect(tokens).toHaveLength(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1500);
    expect(elapsed).toBeGreaterThanOrEqual(waits[0] - 50);
    expect(Date.now()).toBeGreaterThanOrEqual(retryAt - 50);
  });
});

describe('Zoom users: one List users read per status (partitions)', () => {
  const statusOf = (call: { url: URL }) => call.url.searchParams.get('status');
  const cursorOf = (call: { url: URL }) => call.url.searchParams.get('next_page_token');

  it('reads active, inactive and pending by default, each paged with its own next_page_token, merged in one run', async () => {
    const tokens: TokenCall[] = [];
    const byStatus = {
      active: [statusPage('active', 1), statusPage('active', 2), statusPage('active', 3)],
      inactive: [statusPage('inactive', 1), statusPage('inactive', 2)],
      pending: [statusPage('pending', 1)],
    };
    server.use(tokenEndpoint(tokens), listUsers(byStatus));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 6, entries: 12, warnings: [] });
    // pending users have no id: the mapping's filter skips them, with its reason
    expect(result.counts).toEqual({ added: 10, updated: 0, unchanged: 0, skipped: 2, failed: 0 });
    expect(result.reasons).toEqual([expect.objectContaining({ outcome: 'skipped', count: 2, reason: 'filter: pending Zoom user: Zoom gives no user id until the invitation is accepted' })]);
    expect(tokens).toHaveLength(1);
    expect(apiCalls().map((call) => [statusOf(call), cursorOf(call)])).toEqual([
      ['active', null], ['active', CURSORS[0]], ['active', CURSORS[1]],
      ['inactive', null], ['inactive', CURSORS[0]],
      ['pending', null],
    ]);
    for (const call of apiCalls()) expect(call.url.searchParams.get('page_size')).toBe('300');
    const stored = people();
    expect(stored.map((p) => [p.zoom_user_id, p.status])).toEqual([...byStatus.active.flat(), ...byStatus.inactive.flat()].map((u) => [u.id, u.status]));
  });

  it('a user listed under two statuses (deactivated while the run reads) is one People record plus a duplicate skip that names both statuses', async () => {
    const [first, moved] = statusPage('active', 1);
    const byStatus = { active: [[first, moved]], inactive: [[{ ...moved, status: 'inactive' }, ...statusPage('inactive', 1).slice(1)]], pending: [[]] };
    server.use(tokenEndpoint([]), listUsers(byStatus));

    const result = await run();

    expect(result.status).toBe('succeeded');
    expect(result.counts).toEqual({ added: 3, updated: 0, unchanged: 0, skipped: 1, failed: 0 });
    expect(result.reasons).toEqual([expect.objectContaining({
      outcome: 'skipped', count: 1, keys: [moved.id],
      reason: `duplicate: another record with zoom_user_id = ${moved.id} was already synced in this run (listed under status=active, and again under status=inactive)`,
    })]);
    const stored = people();
    expect(stored.filter((p) => p.zoom_user_id === moved.id)).toHaveLength(1);
    expect(stored).toHaveLength(3);
    expect(store.runs()[0].records).toEqual([expect.objectContaining({ key: moved.id, outcome: 'skipped', reason: expect.stringContaining('status=active, and again under status=inactive') })]);
  });

  it('--set statuses=inactive,pending reads only those statuses', async () => {
    server.use(tokenEndpoint([]), listUsers({ inactive: [statusPage('inactive', 1)], pending: [statusPage('pending', 1)] }));

    const result = await run({ set: { statuses: ' inactive, pending ' } });

    expect(result.status).toBe('succeeded');
    expect(apiCalls().map(statusOf)).toEqual(['inactive', 'pending']);
    expect(result.counts).toMatchObject({ added: 2, skipped: 2 });
  });

  it('a run that fails inside a status keeps its committed batches; the next run continues in that status at the page after them, reading no earlier status and no record twice', async () => {
    const byStatus = {
      active: [1, 2].map((page) => statusPage('active', page, 300)),
      inactive: Array.from({ length: 20 }, (_, i) => statusPage('inactive', i + 1, 300)),
      pending: [statusPage('pending', 1)],
    };
    let refuse = true;
    server.use(tokenEndpoint([]), listUsers(byStatus, (status, page) => refuse && status === 'inactive' && page === 17));

    const failed = await run();

    // a batch ends at a page's end once it holds 5,000 records: 2 active pages and 15 inactive ones
    expect(failed).toMatchObject({ status: 'failed', read: 5_100, counts: { added: 5_100 }, resume: { page: 16, skip: 0, partition: 'status=inactive' } });
    expect(failed.message).toMatch(/^page 17 of status=inactive: .*HTTP 401, error code 124/);
    expect(people()).toHaveLength(5_100);

    refuse = false;
    requests.length = 0;
    const resumed = await run();

    expect(resumed).toMatchObject({ status: 'succeeded', read: 1_502, counts: { added: 1_500, skipped: 2, updated: 0, unchanged: 0, failed: 0 } });
    expect(resumed.resumed_from).toEqual({ run: failed.run_id, page: 16, partition: 'status=inactive' });
    expect(apiCalls().map((call) => [statusOf(call), cursorOf(call)])).toEqual([
      ...[15, 16, 17, 18, 19].map((index) => ['inactive', cursor(index - 1)]),
      ['pending', null],
    ]);
    const stored = people();
    expect(stored).toHaveLength(6_600);
    expect(new Set(stored.map((p) => p.zoom_user_id)).size).toBe(6_600);
  }, 30_000);
});
