import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { performance } from 'node:perf_hooks';
import { SourceError } from '../../src/errors.js';
import { readSource } from '../../src/source/read.js';
import { backoff } from '../../src/source/request.js';
import { useServer } from '../helpers/msw.js';
import { BASE, collect, connectorFile, fixture, membersForPage, sourceOptions, usersListPage } from '../helpers/slack.js';

const { server, requests } = useServer();

/** Answers users.list with `failures` replies from `fail`, then with one page of real members. */
function failingThenOk(failures: number, fail: () => Response) {
  let calls = 0;
  server.use(
    http.get(`${BASE}/users.list`, () => {
      calls++;
      return calls <= failures ? fail() : HttpResponse.json(usersListPage(membersForPage(1), ''));
    }),
  );
}

describe('rate limits and transient errors', () => {
  it('waits for Retry-After after an HTTP 429, then reads the page', async () => {
    const retryAfter = 1;
    failingThenOk(1, () => HttpResponse.json(fixture('ratelimited.http429.json'), { status: 429, headers: { 'Retry-After': String(retryAfter) } }));
    const waits: number[] = [];
    const started = performance.now();
    const source = readSource({ ...sourceOptions(connectorFile('slack-users')), onWait: (ms) => waits.push(ms) });
    const { records } = await collect(source.items);
    const elapsed = performance.now() - started;

    expect(records.map((r) => r.user_id)).toEqual(membersForPage(1).map((m) => m.id));
    expect(waits).toEqual([retryAfter * 1000]);
    expect(elapsed).toBeGreaterThanOrEqual(retryAfter * 1000 - 50);
    expect(requests).toHaveLength(2);
    expect(source.stats.requests).toBe(2);
  });

  it('treats Slack\'s ok:false "ratelimited" in an HTTP 200 body as a rate limit too', async () => {
    failingThenOk(1, () => HttpResponse.json(fixture('ratelimited.http429.json'), { headers: { 'Retry-After': '0' } }));
    const { records } = await collect(readSource(sourceOptions(connectorFile('slack-users'))).items);
    expect(records).toHaveLength(membersForPage(1).length);
    expect(requests).toHaveLength(2);
  });

  it('backs off and retries HTTP 503, then reads the page', async () => {
    failingThenOk(2, () => new HttpResponse('upstream unavailable', { status: 503 }));
    const { records } = await collect(readSource(sourceOptions(connectorFile('slack-users'), {}, { retry: { base_delay_ms: 1 } })).items);
    expect(records).toHaveLength(membersForPage(1).length);
    expect(requests).toHaveLength(3);
  });

  it('gives up after the connector\'s attempts when the API keeps failing, and says so', async () => {
    const attempts = 3;
    failingThenOk(Infinity, () => new HttpResponse('upstream unavailable', { status: 503 }));
    const source = readSource(sourceOptions(connectorFile('slack-users'), {}, { retry: { attempts, base_delay_ms: 1 } }));
    const error = await collect(source.items).then(() => undefined, (e: unknown) => e as SourceError);

    expect(error).toBeInstanceOf(SourceError);
    expect(error!.message).toMatch(new RegExp(`gave up after ${attempts} attempts`));
    expect(error!.message).toMatch(/503/);
    expect(requests).toHaveLength(attempts);
  });

  it('fails at once, without waiting, when Retry-After is longer than the connector allows', async () => {
    const maxWait = 2;
    failingThenOk(Infinity, () => HttpResponse.json(fixture('ratelimited.http429.json'), { status: 429, headers: { 'Retry-After': String(maxWait * 100) } }));
    const started = performance.now();
    const source = readSource(sourceOptions(connectorFile('slack-users'), {}, { retry: { max_wait_seconds: maxWait } }));
    const error = await collect(source.items).then(() => undefined, (e: unknown) => e as SourceError);

    expect(performance.now() - started).toBeLessThan(maxWait * 1000);
    expect(error!.message).toMatch(new RegExp(`wait ${maxWait * 100} s`));
    expect(requests).toHaveLength(1);
  });
});

describe('waits are never shorter than asked', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  // Regression: the first backoff wait could be half of base_delay_ms (jitter below the base):
  // with Google's "start at 1 s", requests went out inside the rate-limit window.
  it('the first backoff wait is base_delay_ms at least, whatever the jitter draws', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    failingThenOk(2, () => new HttpResponse('upstream unavailable', { status: 503 }));
    const waits: number[] = [];
    const started = performance.now();
    const source = readSource({ ...sourceOptions(connectorFile('slack-users'), {}, { retry: { base_delay_ms: 100 } }), onWait: (ms) => waits.push(ms) });
    await collect(source.items);

    expect(waits).toEqual([100, 200]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('backoff: base_delay_ms doubled per attempt, jitter up to half of it above, growth stopped at max_wait_seconds', () => {
    const policy = { baseDelayMs: 1000, maxWaitMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoff(policy, n, 0))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect([1, 2, 3, 4].map((n) => backoff(policy, n, 0.9999))).toEqual([1500, 3000, 5000, 5000]);
  });

  it('a Retry-After shorter than base_delay_ms waits base_delay_ms; a longer one waits exactly what the API asked', async () => {
    failingThenOk(2, () => HttpResponse.json(fixture('ratelimited.http429.json'), { status: 429, headers: { 'Retry-After': String(calls++ === 0 ? 0 : 1) } }));
    let calls = 0;
    const waits: number[] = [];
    const source = readSource({ ...sourceOptions(connectorFile('slack-users'), {}, { retry: { base_delay_ms: 300 } }), onWait: (ms) => waits.push(ms) });
    await collect(source.items);

    expect(waits).toEqual([300, 1000]);
    expect(source.stats.retries).toMatchObject({ count: 2, wait_ms: 1300, reasons: [{ reason: 'the API answered HTTP 429, a rate limit', retries: 2, wait_ms: 1300 }] });
  });
});
