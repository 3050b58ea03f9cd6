import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { optionsFor, read, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

// 1-based index paging as SCIM 2.0 defines it (RFC 7644 3.4.2.4): startIndex is the 1-based index
// of the first result, count the page size asked for; the provider may serve fewer (here at most
// `cap`), and gives totalResults. The offset pagination says it with start: 1 and total.
const BASE = 'https://api.onebased.test/v2';
const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `u${i + 1}` }));
function oneBasedApi(count: number, cap: number, withTotal = true) {
  const all = ids(count);
  server.use(
    http.get(`${BASE}/Users`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      const startIndex = Number(q.get('startIndex'));
      const page = all.slice(startIndex - 1, startIndex - 1 + Math.min(Number(q.get('count')), cap));
      return HttpResponse.json({ ...(withTotal ? { totalResults: count } : {}), itemsPerPage: page.length, startIndex, Resources: page });
    }),
  );
}
const readAll = (pagination: string) =>
  read(
    optionsFor(
      connectors.load(`
        id: one-based
        name: One-based
        record_type: users
        credentials:
          type: bearer
          fields:
            token: { label: Token, secret: true, env: ONE_TOKEN }
        base_url: ${BASE}
        request: { method: GET, path: /Users }
        pagination: ${pagination}
        records: Resources
        records_missing: empty
        fields:
          user_id: { label: User Id, path: id, type: string }
        sync_key: user_id
      `),
      { token: 'one-based-token' },
    ),
  );
const startIndexes = () => requests.map((r) => Number(r.url.searchParams.get('startIndex')));

describe('offset pagination from 1 (startIndex/count with a total)', () => {
  it('asks from startIndex 1, moves on by the results served, and stops at the total: every record once', async () => {
    oneBasedApi(7, 3);
    const { records, error, stats } = await readAll('{ type: offset, offset: { in: query, name: startIndex }, limit: { in: query, name: count }, start: 1, page_size: 10, total: totalResults }');

    expect(error).toBeUndefined();
    expect(startIndexes()).toEqual([1, 4, 7]);
    expect(requests.map((r) => r.url.searchParams.get('count'))).toEqual(['10', '10', '10']);
    expect(records.map((r) => r.user_id)).toEqual(ids(7).map((u) => u.id));
    expect(stats.warnings).toEqual([]);
  });

  it('without a total, the empty page after the last ends the read', async () => {
    oneBasedApi(4, 2, false);
    const { records } = await readAll('{ type: offset, offset: { in: query, name: startIndex }, limit: { in: query, name: count }, start: 1, page_size: 2 }');

    expect(startIndexes()).toEqual([1, 3, 5]);
    expect(records).toHaveLength(4);
  });

  it('a provider whose total is larger than what it serves: the read ends on the empty page and says so', async () => {
    server.use(http.get(`${BASE}/Users`, ({ request }) => {
      const startIndex = Number(new URL(request.url).searchParams.get('startIndex'));
      return HttpResponse.json({ totalResults: 5, Resources: startIndex === 1 ? ids(3) : [] });
    }));
    const { records, stats } = await readAll('{ type: offset, offset: { in: query, name: startIndex }, limit: { in: query, name: count }, start: 1, page_size: 3, total: totalResults }');

    expect(records).toHaveLength(3);
    expect(startIndexes()).toEqual([1, 4]);
    expect(stats.warnings).toEqual([expect.stringMatching(/after 3 records, but the API's total says 5/)]);
  });
});
