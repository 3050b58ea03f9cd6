import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { performance } from 'node:perf_hooks';
import { runIntegration } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { BASE, fixture, mappingFile, membersForPage, TOKEN, usersListPage } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

describe('a rate-limited run', () => {
  it('waits for Retry-After after an HTTP 429, then succeeds and syncs every user', async () => {
    const retryAfterSeconds = 1;
    const members = membersForPage(1);
    let calls = 0;
    server.use(
      http.get(`${BASE}/users.list`, () =>
        ++calls === 1
          ? HttpResponse.json(fixture('ratelimited.http429.json'), { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } })
          : HttpResponse.json(usersListPage(members, ''))),
    );
    const waits: number[] = [];
    const started = performance.now();
    const result = await runIntegration({
      mappingFile: mappingFile('slack-users'), db: store.file, overrides: { base_url: BASE }, credentials: { token: TOKEN },
      onWait: (ms) => waits.push(ms),
    });
    const elapsed = performance.now() - started;

    expect(result.status).toBe('succeeded');
    expect(elapsed).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - 50);
    expect(waits).toEqual([retryAfterSeconds * 1000]);
    expect(requests).toHaveLength(2);
    expect(result.requests).toBe(2);
    expect(result.counts.added).toBe(members.length);
    expect(store.people().map((p) => p.slack_user_id)).toEqual(members.map((m) => m.id));
    expect(store.runs()[0]).toMatchObject({ status: 'succeeded', requests: 2 });
  });
});

describe('max_pages in a run', () => {
  it('reads max_pages pages, succeeds, and the run result and run log carry the warning', async () => {
    const maxPages = 2;
    server.use(
      http.get(`${BASE}/users.list`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('cursor') ?? '1');
        return HttpResponse.json(usersListPage(membersForPage(page), page < 5 ? String(page + 1) : ''));
      }),
    );
    const result = await runIntegration({
      mappingFile: mappingFile('slack-users'), db: store.file, overrides: { base_url: BASE, max_pages: String(maxPages) }, credentials: { token: TOKEN },
    });

    expect(result.status).toBe('succeeded');
    expect(requests).toHaveLength(maxPages);
    expect(result.counts.added).toBe(membersForPage(1).length * maxPages);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/max_pages/);
    expect(store.runs()[0].warnings).toEqual(result.warnings);
  });
});
