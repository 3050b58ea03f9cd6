import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { optionsFor, read, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

// An API with a maximum page size: it serves at most 100 records whatever limit is asked for
// (most list APIs do, often without saying so), and gives a total only when `withTotal`.
const BASE = 'https://api.capped.test/v1';
const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i}` }));
function cappedApi(count: number, options: { cap?: number; withTotal?: boolean } = {}) {
  const all = ids(count);
  server.use(
    http.get(`${BASE}/users`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      const offset = Number(q.get('offset') ?? q.get('page') ?? 0);
      const limit = Math.min(Number(q.get('limit')), options.cap ?? 100);
      const start = q.has('page') ? (offset - 1) * limit : offset;
      const users = all.slice(start, start + limit);
      return HttpResponse.json(options.withTotal ? { users, total: count } : { users });
    }),
  );
}
const connector = (pagination: string) => connectors.load(`
  id: capped-users
  name: Capped users
  record_type: users
  credentials:
    type: bearer
    fields:
      token: { label: Token, secret: true, env: CAPPED_TOKEN }
  base_url: ${BASE}
  request: { method: GET, path: /users, query: { limit: 150 } }   # the limit offset paging sends replaces this one
  pagination: ${pagination}
  records: users
  fields:
    user_id: { label: User Id, path: id, type: string }
  sync_key: user_id
`);
const offsets = () => requests.map((r) => Number(r.url.searchParams.get('offset')));
const readAll = (pagination: string) => read(optionsFor(connector(pagination), { token: 'capped-token-1' }));

describe('offset pagination against an API that caps the page size', () => {
  // Regression: page_size 150 against an API capped at 100 read 180 of 230 records and reported
  // success: the offset moved on by 150 after pages of 100, skipping 50 records each time.
  it('moves the offset by the records received: all 230 records, none skipped, none twice', async () => {
    cappedApi(230);
    const { records, error, stats } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150 }');

    expect(error).toBeUndefined();
    expect(offsets()).toEqual([0, 100, 200, 230]);
    expect(records.map((r) => r.user_id)).toEqual(ids(230).map((u) => u.id));
    expect(stats.warnings).toEqual([]);
  });

  it('with stop: short_page, a short first page is checked against the next one: the cap is found, the read goes on, a warning says to lower page_size', async () => {
    cappedApi(230);
    const { records, error, stats } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150, stop: [empty_page, short_page] }');

    expect(error).toBeUndefined();
    expect(records).toHaveLength(230);
    expect(offsets()).toEqual([0, 100, 200]); // the page of 30 is shorter than the 100 the API serves: the last
    expect(stats.warnings).toEqual([expect.stringMatching(/the API served 100 records per page where page_size asks for 150, .* set page_size: 100/)]);
  });

  it('with stop: short_page, a data set smaller than one page costs one extra request and no warning', async () => {
    cappedApi(40);
    const { records, stats } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150, stop: [short_page] }');

    expect(records).toHaveLength(40);
    expect(offsets()).toEqual([0, 40]);
    expect(stats.warnings).toEqual([]);
  });

  it('with stop: short_page, a full page first means the API does not cap: the next short page is the last', async () => {
    cappedApi(230);
    const { records } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 100, stop: [short_page] }');

    expect(records).toHaveLength(230);
    expect(offsets()).toEqual([0, 100, 200]);
  });

  it('with a total in the body, a short page while the total says more remain never ends the read', async () => {
    cappedApi(230, { withTotal: true });
    const { records, stats } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150, total: total, stop: [short_page] }');

    expect(records).toHaveLength(230);
    expect(offsets()).toEqual([0, 100, 200]);
    expect(stats.warnings).toEqual([expect.stringMatching(/its total says more remain: it caps the page size/)]);
  });

  // For APIs that filter a page after cutting it (Jira), step: page_size is right; against a cap
  // it skips records, and the run says so instead of succeeding silently.
  it('step: page_size (the connector says so) warns that records may have been skipped, and that the total was not reached', async () => {
    cappedApi(230, { withTotal: true });
    const { records, stats } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150, step: page_size, total: total }');

    expect(offsets()).toEqual([0, 150, 300]);
    expect(records).toHaveLength(180);
    expect(stats.warnings).toEqual([
      expect.stringMatching(/^page 1 held 100 records where page_size asks for 150, and more pages followed: with step: page_size the offset moved on by 150, so records may have been skipped/),
      'the read ended (empty page) after 180 records, but the API\'s total says 230',
    ]);
  });
});

describe('page_number pagination against an API that caps the page size', () => {
  it('with stop: short_page, pages of 100 where 150 were asked do not end the read', async () => {
    cappedApi(230);
    const { records, stats } = await readAll('{ type: page_number, send: { in: query, name: page }, page_size: 150, stop: [short_page] }');

    expect(records).toHaveLength(230);
    expect(requests.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    expect(stats.warnings).toEqual([expect.stringMatching(/caps the page size, so the read went on — set page_size: 100/)]);
  });
});

describe('offset pagination with pages in flight (concurrency)', () => {
  it('with a total: the next pages are requested ahead, each once, and the records come in order', async () => {
    cappedApi(430, { withTotal: true });
    const { records, error } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 100, total: total, concurrency: 3 }');
    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(ids(430).map((u) => u.id));
    expect([...offsets()].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400]);
  });

  it('an API that serves shorter pages than asked: the offsets requested ahead go unused, and no record is skipped or read twice', async () => {
    cappedApi(430, { withTotal: true });
    const { records, error } = await readAll('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 150, total: total, concurrency: 3 }');
    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(ids(430).map((u) => u.id));
    // read at 0, 100, 200, 300, 400 (each page held 100); 150, 450 … were asked ahead on the full-page assumption and dropped
    for (const at of [0, 100, 200, 300, 400]) expect(offsets()).toContain(at);
  });
});
