import { describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { loadConnector } from '../../../src/definition/load.js';
import { readSource } from '../../../src/source/read.js';
import { useServer } from '../../helpers/msw.js';
import { BASE, collect, sourceOptions, testConnectorFile } from '../../helpers/slack.js';

const { server, requests } = useServer();
const file = testConnectorFile('slack-access-logs-classic');
const pagination = loadConnector(file).pagination;

/**
 * Pages fetched concurrently (pagination `concurrency`): numbered pages with a total, each
 * answered after `ms`; records `P<page>-<i>`. `empty` pages hold no records (ending the read).
 * Counts the requests in flight at once.
 */
function pagedApi(pages: number, options: { ms?: number; empty?: number[] } = {}) {
  const seen = { inFlight: 0, most: 0 };
  server.use(
    http.get(`${BASE}/team.accessLogs`, async ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page'));
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      await delay(options.ms ?? 20);
      seen.inFlight--;
      const logins = options.empty?.includes(page) ? [] : Array.from({ length: 3 }, (_, i) => ({ user_id: `P${page}-${i}`, username: 'u', count: 1, date_last: 1_700_000_000 + page }));
      return HttpResponse.json({ ok: true, logins, paging: { count: 3, total: pages * 3, page, pages } });
    }),
  );
  return seen;
}

/** Page 1 of 5 answers; every later page answers 503 (a transient failure, retried after a backoff). */
function busyAfterPageOne() {
  server.use(
    http.get(`${BASE}/team.accessLogs`, ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page'));
      if (page > 1) return new HttpResponse('busy, try again', { status: 503 });
      const logins = [0, 1, 2].map((i) => ({ user_id: `P1-${i}`, username: 'u', count: 1, date_last: 1_700_000_000 }));
      return HttpResponse.json({ ok: true, logins, paging: { count: 3, total: 15, page: 1, pages: 5 } });
    }),
  );
}

const withConcurrency = (concurrency: number | undefined, overrides: Record<string, string> = {}) =>
  sourceOptions(file, overrides, { pagination: { ...pagination, ...(concurrency === undefined ? {} : { concurrency }) } });

const inOrder = (pages: number) => Array.from({ length: pages }, (_, p) => [0, 1, 2].map((i) => `P${p + 1}-${i}`)).flat();

describe('pages in flight at once (pagination concurrency)', () => {
  it('concurrency 4: up to 4 pages are requested at a time once page 1 gave the total; the records come in page order, each page asked once', async () => {
    const seen = pagedApi(12);
    const { records, failed } = await collect(readSource(withConcurrency(4)).items);
    expect(failed).toEqual([]);
    expect(records.map((r) => r.user_id)).toEqual(inOrder(12));
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(4);
    expect(requests.map((r) => Number(r.url.searchParams.get('page'))).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('without concurrency (the default) one page is in flight at a time', async () => {
    const seen = pagedApi(6);
    const { records } = await collect(readSource(withConcurrency(undefined)).items);
    expect(records.map((r) => r.user_id)).toEqual(inOrder(6));
    expect(seen.most).toBe(1);
  });

  it('an empty page ends the read as it would one page at a time: pages requested ahead past it are dropped, not read', async () => {
    const seen = pagedApi(12, { empty: [5] });
    const source = readSource(withConcurrency(4));
    const { records } = await collect(source.items);
    expect(records.map((r) => r.user_id)).toEqual(inOrder(4));
    expect(source.stats.pages).toBe(5);
    expect(source.stats.warnings).toEqual([]);
    while (seen.inFlight > 0) await delay(5); // the requests made ahead end before the next test
  });

  it('never asks past max_pages, and warns that it stopped there', async () => {
    pagedApi(12);
    const source = readSource(withConcurrency(4, { max_pages: '5' }));
    const { records } = await collect(source.items);
    expect(records.map((r) => r.user_id)).toEqual(inOrder(5));
    expect(Math.max(...requests.map((r) => Number(r.url.searchParams.get('page'))))).toBe(5);
    expect(source.stats.warnings.join('\n')).toMatch(/stopped after 5 page/);
  });

  it('the checkpoint position after each record is the one a sequential read gives', async () => {
    pagedApi(4);
    const source = readSource(withConcurrency(3));
    const positions: unknown[] = [];
    for await (const _ of source.items) positions.push(source.position());
    pagedApi(4);
    const sequential = readSource(withConcurrency(undefined));
    const expected: unknown[] = [];
    for await (const _ of sequential.items) expected.push(sequential.position());
    expect(positions).toEqual(expected);
    expect(positions[positions.length - 1]).toBe('done');
  });

  it('a read that stops (its consumer is done) stops the requests it still has in flight: no retry of a page nobody will read', async () => {
    busyAfterPageOne();
    const options = sourceOptions(file, {}, { pagination: { ...pagination, concurrency: 4 }, retry: { attempts: 5, base_delay_ms: 100, max_wait_seconds: 1 } });
    const first: string[] = [];
    for await (const item of readSource(options).items) {
      if ('record' in item) first.push(String(item.record.user_id));
      break;
    }
    expect(first).toEqual(['P1-0']);
    const askedAtStop = requests.length;
    await new Promise((resolve) => setTimeout(resolve, 800)); // several backoffs of 100-150 ms
    expect(requests.length).toBe(askedAtStop);
    const perPage = new Map<number, number>();
    for (const r of requests) perPage.set(Number(r.url.searchParams.get('page')), (perPage.get(Number(r.url.searchParams.get('page'))) ?? 0) + 1);
    expect([...perPage.values()].every((n) => n === 1)).toBe(true);
  });
  it('a run that stops while its read waits for a page (retrying it) stops that request at once, not after the retries', async () => {
    busyAfterPageOne();
    const run = new AbortController();
    const options = { ...sourceOptions(file, {}, { retry: { attempts: 8, base_delay_ms: 100, max_wait_seconds: 1 } }), signal: run.signal };
    const items = readSource(options).items;
    for (let i = 0; i < 3; i++) expect(await items.next()).toMatchObject({ done: false, value: { record: { user_id: `P1-${i}` } } });
    const waiting = items.next(); // page 2: asked for, answered 503, asked again after a backoff …
    waiting.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const retried = requests.filter((r) => r.url.searchParams.get('page') === '2').length;
    expect(retried).toBeGreaterThanOrEqual(1);

    const stoppedAt = Date.now();
    run.abort('SIGTERM');
    await expect(waiting).rejects.toThrow();
    expect(Date.now() - stoppedAt).toBeLessThan(500); // eight attempts with backoffs would take seconds
    const askedAtStop = requests.length;
    await new Promise((resolve) => setTimeout(resolve, 600)); // several backoffs of 100-150 ms
    expect(requests.length).toBe(askedAtStop);
  });
});
