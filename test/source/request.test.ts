import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { performance } from 'node:perf_hooks';
import { SourceError } from '../../src/errors.js';
import { readSource } from '../../src/source/read.js';
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
