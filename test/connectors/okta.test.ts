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
const connectorFile = join(root, 'connectors', 'okta-users.yaml');
const mappingFile = join(root, 'mappings', 'okta-users.yaml');

/** The mock Okta org; every run sets base_url to it. */
const BASE = 'https://acme.okta.test';
const USERS = `${BASE}/api/v1/users`;
/** A made-up API token; it must never appear in a message, hint, run log or the store. */
const TOKEN = '00QCjAl4MlV-WPXM-test-okta-api-token-0HmjFx-vbGua';

/** A fresh copy of one of Okta's documented samples in test/fixtures/okta/ (see its README.md). */
function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'okta', name), 'utf8')) as T;
}

interface OktaUser {
  id: string;
  profile: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The two users of Okta's "List all Users" example, with their ids varied per page (Okta's sample
 * gives both the same id) so every page holds distinct users.
 */
function usersForPage(page: number): OktaUser[] {
  return fixture<OktaUser[]>('users.list.json').map((u, i) => ({ ...u, id: `${u.id.slice(0, -2)}${page}${i}` }));
}

/** Okta's documented Link headers, pointed at the mock org: two separate headers, self and next. */
function linkHeaders(next: string | undefined, self: string): Headers {
  const documented = fixture<{ 'Content-Type': string; Link: string[] }>('users.list.headers.json');
  const headers = new Headers({ 'Content-Type': documented['Content-Type'] });
  const [selfLink, nextLink] = documented.Link.map((l) => l.replace('https://${yourOktaDomain}', BASE));
  headers.append('Link', selfLink.replace(/<[^>]*>/, `<${self}>`));
  if (next) headers.append('Link', nextLink.replace(/after=[^&>]*/, `after=${next}`));
  return headers;
}

/** `2013-06-24T16:39:19.000Z` → `2013-06-24T16:39:19Z`, computed with the platform's Date. */
const isoUtc = (text: string) => new Date(text).toISOString().replace(/\.000Z$/, 'Z');

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (options: { onWait?: (ms: number) => void } = {}): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, credentials: { token: TOKEN }, overrides: { base_url: BASE }, onWait: options.onWait });

/** People records as the store keeps them, read with the target's own listRecords. */
function people(): Record<string, unknown>[] {
  const db = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return listRecords(db, 'people');
  } finally {
    db.close();
  }
}

describe('Okta users connector and mapping', () => {
  it('validate: both files pass', () => {
    expect(validateFiles([connectorFile, mappingFile]).flatMap((r) => r.issues)).toEqual([]);
  });

  it('reads every page by following the rel="next" Link header, sends SSWS <token>, and maps users to People', async () => {
    // The documented cursor of page 2, then one more page, then a last page with only rel="self".
    const cursors = ['00ud4tVDDXYVKPXKVLCO', '00ud4tVDDXYVKPXKVLCP'];
    const pages = [usersForPage(1), usersForPage(2), usersForPage(3)];
    // A documented default-profile property on one user (Users API, Profile object: title, department).
    Object.assign(pages[0][1].profile, { title: 'Vice President', department: 'Engineering' });
    server.use(
      http.get(USERS, ({ request }) => {
        const url = new URL(request.url);
        const index = [undefined, ...cursors].indexOf(url.searchParams.get('after') ?? undefined);
        if (index < 0) return new HttpResponse(null, { status: 418 }); // an unknown cursor: fails the run
        return HttpResponse.json(pages[index], { headers: linkHeaders(cursors[index], url.href) });
      }),
    );

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 3, requests: 3 });
    expect(result.counts).toEqual({ added: 6, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(requests.map((r) => r.url.search)).toEqual(['?limit=200', `?after=${cursors[0]}&limit=200`, `?after=${cursors[1]}&limit=200`]);
    for (const r of requests) expect(r.headers.authorization).toBe(`SSWS ${TOKEN}`);

    const stored = people();
    expect(stored.map((p) => p.okta_user_id)).toEqual(pages.flat().map((u) => u.id));
    const [isaac, eric] = fixture<OktaUser[]>('users.list.json');
    expect(stored[0]).toMatchObject({
      username: 'isaac.brock@example.com', first_name: 'Isaac', last_name: 'Brock', email: 'isaac.brock@example.com',
      status: 'STAGED', source: 'Okta', okta_created: '2013-07-02T21:36:25.344Z',
      // computed by the mapping: a template and an expression
      full_name: 'Isaac Brock', okta_active: false, role: 'Employee',
    });
    expect(stored[0].okta_last_login ?? null).toBeNull();
    expect(stored[1]).toMatchObject({
      username: 'eric.judy@example.com', first_name: 'Eric', last_name: 'Judy', email: 'eric.judy@example.com', status: 'ACTIVE',
      full_name: 'Eric Judy', okta_active: true, role: 'Employee',
      title: 'Vice President', department: 'Engineering',
      okta_last_login: isoUtc(eric.lastLogin as string), okta_created: isoUtc(eric.created as string),
    });
    expect(stored[1].okta_last_login).toBe('2013-06-24T17:39:19Z');
    expect(isaac.created).toBe('2013-07-02T21:36:25.344Z');
    expect(store.customFields()).toEqual(['okta_active', 'okta_created', 'okta_last_login', 'okta_user_id']);
  });

  it('an HTTP 429 with X-Rate-Limit-Reset waits until that second, then reads on', async () => {
    let reset = 0;
    let calls = 0;
    server.use(
      http.get(USERS, ({ request }) => {
        if (++calls === 1) {
          reset = Math.round(Date.now() / 1000) + 1;
          const headers = { ...fixture<Record<string, string>>('ratelimit.http429.headers.json'), 'X-Rate-Limit-Reset': String(reset) };
          return HttpResponse.json(fixture('error.E0000047.http429.json'), { status: 429, headers });
        }
        return HttpResponse.json(usersForPage(1), { headers: linkHeaders(undefined, request.url) });
      }),
    );
    const waits: number[] = [];
    const started = performance.now();

    const result = await run({ onWait: (ms) => waits.push(ms) });

    const elapsed = performance.now() - started;
    expect(result.status).toBe('succeeded');
    expect(result.counts.added).toBe(2);
    expect(requests).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1500);
    expect(elapsed).toBeGreaterThanOrEqual(waits[0] - 50);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000 - 50);
  });

  it('E0000011 (invalid token, HTTP 401): the run fails at once with a plain hint; nothing is written and the token is never shown', async () => {
    server.use(http.get(USERS, () => HttpResponse.json(fixture('error.E0000011.http401.json'), { status: 401 })));

    const result = await run();

    const hint = loadConnector(connectorFile).errors?.flatMap((rule) => Object.entries(rule.codes ?? {})).find(([code]) => code === 'E0000011')?.[1].hint;
    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/HTTP 401/);
    expect(result.message).toContain('E0000011');
    expect(result.message).toContain('Invalid token provided');
    expect(result.hint).toBe(hint);
    expect(result.hint).toMatch(/OKTA_API_TOKEN/);
    expect(requests).toHaveLength(1);
    expect(result.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(people()).toEqual([]);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message, hint: result.hint });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(store.rawBytes()).not.toContain(TOKEN);
  });
});
