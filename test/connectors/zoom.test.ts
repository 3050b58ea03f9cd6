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
  id: string;
  [key: string]: unknown;
}

/** Zoom's documented user, twice per page, with the id varied so every page holds distinct users. */
function usersForPage(page: number): ZoomUser[] {
  const [user] = fixture<{ users: ZoomUser[] }>('users.list.json').users;
  return [0, 1].map((i) => ({ ...user, id: `${user.id.slice(0, -2)}${page}${i}` }));
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

const run = (options: { onWait?: (ms: number) => void } = {}): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, credentials: { ...CREDENTIALS }, overrides: { base_url: BASE }, onWait: options.onWait });

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

    const result = await run();

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

    const result = await run();

    expect(result.status).toBe('succeeded');
    expect(result.counts.added).toBe(2);
    expect(tokens).toHaveLength(2);
    expect(apiCalls().map((r) => r.headers.authorization)).toEqual(['Bearer zoom-access-1', 'Bearer zoom-access-2']);
  });

  it('a 401 that persists after the one refresh fails the run with Zoom\'s code 124 and a plain hint; no secret is shown', async () => {
    const tokens: TokenCall[] = [];
    server.use(tokenEndpoint(tokens), http.get(USERS, () => HttpResponse.json(fixture('error.124.http401.json'), { status: 401 })));

    const result = await run();

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

    const result = await run({ onWait: (ms) => waits.push(ms) });

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
