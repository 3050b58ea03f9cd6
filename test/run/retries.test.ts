import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { formatRun } from '../../src/cli/report.js';
import { runIntegration } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { BASE, fixture, mappingFile, membersForPage, TOKEN, usersListPage } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

const { server } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

// Regression: retries and waits left no trace; a run that waited out rate limits and server
// errors looked exactly like one that did not.
describe('retries and waits in the run result and the run log', () => {
  it('counts each retry and wait by reason, and keeps them in the run log', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/users.list`, () => {
        calls++;
        if (calls === 1) return HttpResponse.json(fixture('ratelimited.http429.json'), { status: 429, headers: { 'Retry-After': '0' } });
        if (calls <= 3) return new HttpResponse('upstream unavailable', { status: 503 });
        return HttpResponse.json(usersListPage(membersForPage(1), ''));
      }),
    );
    const result = await runIntegration({ mappingFile: mappingFile('slack-users'), db: store.file, overrides: { base_url: BASE }, credentials: { token: TOKEN } });

    expect(result.status).toBe('succeeded');
    expect(result.requests).toBe(4);
    expect(result.retries.count).toBe(3);
    expect(result.retries.reasons).toEqual([
      { reason: 'the API answered HTTP 503, a temporary error', retries: 2, wait_ms: expect.any(Number) },
      { reason: 'the API answered HTTP 429, a rate limit', retries: 1, wait_ms: 500 },
    ]);
    expect(result.retries.wait_ms).toBe(result.retries.reasons[0].wait_ms + 500);
    expect(result.retries.reasons[0].wait_ms).toBeGreaterThanOrEqual(500 + 1000); // base_delay_ms 500, doubled
    expect(store.runs()[0].retries).toEqual(result.retries);
    expect(formatRun(result)).toMatch(/retried 3 request\(s\), waited \d+\.\d s:\n {4}2× the API answered HTTP 503, a temporary error \(\d+\.\d s of waits\)\n {4}1× the API answered HTTP 429, a rate limit \(0\.5 s of waits\)/);
  });

  it('a run without retries records none', async () => {
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(membersForPage(1), ''))));
    const result = await runIntegration({ mappingFile: mappingFile('slack-users'), db: store.file, overrides: { base_url: BASE }, credentials: { token: TOKEN } });

    expect(result.retries).toEqual({ count: 0, wait_ms: 0, reasons: [] });
    expect(store.runs()[0].retries).toEqual(result.retries);
    expect(formatRun(result)).not.toMatch(/retried/);
  });
});
