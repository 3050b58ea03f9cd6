import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateFiles } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { listRecords } from '../../src/targets/sqlite.js';
import { useServer } from '../helpers/msw.js';
import { tempStore, type TempStore } from '../helpers/store.js';

const root = join(import.meta.dirname, '..', '..');
const connectorFile = join(root, 'connectors', 'gitlab-users.yaml');
const mappingFile = join(root, 'mappings', 'gitlab-users.yaml');

/** The mock GitLab instance; every run sets base_url to it. */
const BASE = 'https://gitlab.acme.test';
const USERS = `${BASE}/api/v4/users`;
/** A made-up personal access token; it must never appear in a message, the run log or the store. */
const TOKEN = 'glpat-test-4f7c1a9e2b6d8e0f';

/** A fresh copy of one of GitLab's documented samples in test/fixtures/gitlab/ (see its README.md). */
function fixture<T = Record<string, unknown>>(name: string): T {
  const text = readFileSync(join(root, 'test', 'fixtures', 'gitlab', name), 'utf8');
  return (name.endsWith('.json') ? JSON.parse(text) : text) as T;
}

type GitLabUser = Record<string, unknown> & { id: number; username: string };

/**
 * The two users of GitLab's "List users" example for administrators (john_smith active,
 * jack_smith blocked), with the entity's `bot` and `public_email` as GitLab's "Get the current
 * user" example shows them, and ids and names varied per page so every page holds distinct users.
 */
function usersForPage(page: number): GitLabUser[] {
  const { bot, public_email: publicEmail } = fixture<{ bot: boolean; public_email: string }>('user.current.json');
  return fixture<GitLabUser[]>('users.list.admin.json').map((u, i) => ({
    ...u,
    public_email: i === 0 ? publicEmail : '',
    bot,
    id: page * 10 + i,
    username: `${u.username}${page}`,
    email: String(u.email).replace('@', `${page}@`),
  }));
}

/** GitLab's documented keyset Link header, pointed at the mock instance's users and the page's last id. */
function nextLink(lastId: number): string {
  const { Link } = fixture<{ Link: string }>('keyset.link.json');
  return Link.replace('https://gitlab.example.com/api/v4/projects', USERS).replace('per_page=50', 'per_page=100').replace('id_after=42', `id_after=${lastId}`);
}

/** A keyset-paged /users: the first page without id_after, then each page after the Link's id_after; no Link on the last. */
function keysetApi(pages: GitLabUser[][]) {
  return http.get(USERS, ({ request }) => {
    const after = new URL(request.url).searchParams.get('id_after');
    const index = after === null ? 0 : pages.findIndex((p, i) => i > 0 && pages[i - 1].at(-1)!.id === Number(after));
    if (index < 0) return new HttpResponse(null, { status: 418 }); // an id_after the API never gave: fails the run
    const last = index === pages.length - 1;
    return HttpResponse.json(pages[index], { headers: last ? {} : { Link: nextLink(pages[index].at(-1)!.id) } });
  });
}

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

describe('GitLab users connector and mapping', () => {
  it('validate: both files pass', () => {
    expect(validateFiles([connectorFile, mappingFile]).flatMap((r) => r.issues)).toEqual([]);
  });

  it('pages with keyset pagination through the Link headers to the end, sending PRIVATE-TOKEN exactly, and nothing else', async () => {
    const pages = [usersForPage(1), usersForPage(2), usersForPage(3)];
    server.use(keysetApi(pages));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 3, requests: 3 });
    expect(requests.map((r) => r.url.href)).toEqual([
      `${USERS}?pagination=keyset&order_by=id&sort=asc&per_page=100`,
      `${USERS}?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=11`,
      `${USERS}?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=21`,
    ]);
    for (const r of requests) {
      expect(r.headers['private-token']).toBe(TOKEN);
      expect(r.headers.authorization).toBeUndefined();
      expect(r.url.searchParams.has('private_token')).toBe(false);
    }
    expect(people().map((p) => p.gitlab_user_id)).toEqual(['10', '11', '20', '21', '30', '31']);
  });

  it('a next link to another host is refused: the token never leaves the GitLab host', async () => {
    const elsewhere = 'https://collector.evil.test/api/v4/users';
    server.use(
      http.get(USERS, () => HttpResponse.json(usersForPage(1), { headers: { Link: nextLink(11).replace(USERS, elsewhere) } })),
      http.get(elsewhere, () => HttpResponse.json([])),
    );

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain('https://collector.evil.test, which is not the connector\'s host https://gitlab.acme.test');
    expect(requests.map((r) => r.url.host)).toEqual(['gitlab.acme.test']);
  });

  it('maps humans to People with username, e-mail and role; skips bots; keeps blocked and deactivated users with their state', async () => {
    const users = usersForPage(1);
    const [john, jack] = users;
    const admin = { ...john, id: 12, username: 'root', email: 'Admin@Example.com', is_admin: true };
    const contractor = { ...john, id: 13, username: 'ext_contractor', email: 'ext@partner.example', external: true };
    const dormant = { ...john, id: 14, username: 'dormant', email: 'dormant@example.com', state: 'deactivated', last_sign_in_at: '2023-01-09T10:00:00.000Z' };
    const bot = { ...john, id: 15, username: 'project_7_bot_3f2a', name: 'Deploy bot', email: 'project_7_bot_3f2a@noreply.gitlab.acme.test', bot: true };
    server.use(keysetApi([[john, jack, admin, contractor, dormant, bot]]));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 6, counts: { added: 5, skipped: 1, failed: 0 } });
    expect(result.reasons).toEqual([expect.objectContaining({ outcome: 'skipped', reason: 'filter: bot user', count: 1 })]);
    const stored = Object.fromEntries(people().map((p) => [p.username, p]));
    expect(Object.keys(stored).sort()).toEqual(['dormant', 'ext_contractor', 'jack_smith1', 'john_smith1', 'root']);
    expect(stored.john_smith1).toMatchObject({
      gitlab_user_id: '10', full_name: 'John Smith', email: 'john1@example.com', role: 'Employee', status: 'active',
      gitlab_active: true, gitlab_admin: false, gitlab_last_sign_in: '2012-06-01T11:41:01Z', gitlab_created: '2012-05-23T08:00:58Z', source: 'GitLab',
    });
    expect(stored.jack_smith1).toMatchObject({ email: 'jack1@example.com', role: 'Employee', status: 'blocked', gitlab_active: false });
    expect(stored.jack_smith1.gitlab_last_sign_in ?? null).toBeNull();
    expect(stored.root).toMatchObject({ email: 'admin@example.com', role: 'Admin', gitlab_admin: true });
    expect(stored.ext_contractor).toMatchObject({ role: 'Contractor' });
    expect(stored.dormant).toMatchObject({ status: 'deactivated', gitlab_active: false, gitlab_last_sign_in: '2023-01-09T10:00:00Z' });
  });

  it('HTTP 401 with GitLab\'s documented body: the run fails at once with a plain hint; the token is never shown', async () => {
    server.use(http.get(USERS, () => HttpResponse.json(fixture('error.401.json'), { status: 401 })));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/GitLab refused the token: HTTP 401 \(401 Unauthorized\)$/);
    expect(result.hint).toMatch(/^Check GITLAB_TOKEN: .*read_api scope/);
    expect(requests).toHaveLength(1);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message, hint: result.hint });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(store.rawBytes()).not.toContain(TOKEN);
  });

  it('HTTP 403 insufficient_scope: the hint names the scope to give the token', async () => {
    server.use(http.get(USERS, () => HttpResponse.json(fixture('error.403.insufficient_scope.json'), { status: 403 })));
    const result = await run();
    expect(result.message).toMatch(/HTTP 403 \(The request requires higher privileges than provided by the access token\.\)$/);
    expect(result.hint).toMatch(/read_api scope/);
  });

  it('HTTP 429 "Retry later" with GitLab\'s rate-limit headers: waits Retry-After, then reads on', async () => {
    let calls = 0;
    server.use(
      http.get(USERS, () => {
        if (++calls > 1) return HttpResponse.json(usersForPage(1));
        // the documented headers, Retry-After lowered from 30 s to 1 s to keep the test short
        const headers = { ...fixture<Record<string, string>>('ratelimit.429.headers.json'), 'Retry-After': '1', 'Content-Type': 'text/plain' };
        return new HttpResponse(fixture<string>('ratelimit.429.body.txt'), { status: 429, headers });
      }),
    );
    const waits: number[] = [];
    const started = performance.now();

    const result = await run({ onWait: (ms) => waits.push(ms) });

    expect(result).toMatchObject({ status: 'succeeded', counts: { added: 2 } });
    expect(waits).toEqual([1000]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.retries).toMatchObject({ count: 1, reasons: [{ reason: 'the API answered HTTP 429, a rate limit', retries: 1, wait_ms: 1000 }] });
    expect(requests).toHaveLength(2);
  });
});
