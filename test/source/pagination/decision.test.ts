import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readSource, type Page } from '../../../src/source/read.js';
import { optionsFor, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';

/**
 * Every paginator reports its decision after each page (what `intake preview` shows the
 * connector author): the next page and where its value came from, or why the read stops. The
 * paging itself is what the other pagination tests check; here, the words and the requests agree.
 */
const { server, requests } = useServer();
const connectors = useConnectors();
const BEARER = { token: 'test-api-token-7c9e' };

/** A connector for https://api.acme.test/v1/users with the given pagination (and records path). */
function acme(pagination: string, records = 'users', query = '{}') {
  return connectors.load(`
    id: acme-users
    name: Acme users
    record_type: users
    credentials: { type: bearer, fields: { token: { label: API token, secret: true, env: ACME_TOKEN } } }
    settings:
      base_url: { label: API URL, type: string, default: https://api.acme.test/v1 }
      max_pages: { label: Maximum pages, type: integer, minimum: 1, maximum: 999, default: 100 }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users, query: ${query} }
    pagination: ${pagination}
    records: "${records}"
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
}

/** Reads to the end and returns each page's decision, in words as preview prints them. */
async function decisions(connector: ReturnType<typeof acme>, maxPages?: number): Promise<string[]> {
  const pages: Page[] = [];
  const source = readSource({ ...optionsFor(connector, BEARER), maxPages, onRaw: (p) => pages.push(p) });
  for await (const item of source.items) void item;
  return pages.map((p) => `${p.decision!.next ? 'next' : 'stop'}: ${p.decision!.why}`);
}

const users = (...ids: string[]) => ids.map((id) => ({ id }));
const USERS = 'https://api.acme.test/v1/users';

describe('the paginator says what it decided, and why', () => {
  it('cursor in the body: the cursor (cut after 12 characters) and its body path; the empty cursor that ends the read', async () => {
    const cursor = 'dXNlcjpVMEc5V0ZYTlo=';
    server.use(http.get(USERS, ({ request }) => {
      const next = new URL(request.url).searchParams.get('cursor');
      return HttpResponse.json(next ? { users: users('b'), response_metadata: { next_cursor: '' } } : { users: users('a'), response_metadata: { next_cursor: cursor } });
    }));
    const said = await decisions(acme('{ type: cursor, token: { from: body, path: response_metadata.next_cursor }, send: { in: query, name: cursor } }'));
    expect(said).toEqual([
      'next: cursor "dXNlcjpVMEc5…" from body path response_metadata.next_cursor, sent as query parameter cursor',
      'stop: empty cursor at body path response_metadata.next_cursor',
    ]);
    expect(requests[1].url.searchParams.get('cursor')).toBe(cursor);
  });

  it('cursor in a header: no header ends the read; a stop condition says which one held', async () => {
    server.use(http.get(USERS, ({ request }) => {
      const asked = request.headers.get('x-cursor');
      if (!asked) return HttpResponse.json({ users: users('a'), has_more: true }, { headers: { 'X-Next-Cursor': 'c2' } });
      if (asked === 'c2') return HttpResponse.json({ users: users('b'), has_more: true });
      return HttpResponse.json({ users: [], has_more: false });
    }));
    expect(await decisions(acme('{ type: cursor, token: { from: header, path: X-Next-Cursor }, send: { in: header, name: X-Cursor } }'))).toEqual([
      'next: cursor "c2" from header X-Next-Cursor, sent as header X-Cursor',
      'stop: no cursor at header X-Next-Cursor',
    ]);
    server.use(http.get(USERS, () => HttpResponse.json({ users: users('a'), has_more: false, cursor: 'c3' })));
    expect(await decisions(acme('{ type: cursor, token: { from: body, path: cursor }, send: { in: query, name: cursor }, stop: [{ path: has_more, equals: false }] }'))).toEqual([
      'stop: has_more is false',
    ]);
  });

  it('next URL from a Link header, then no rel="next"; from a body path', async () => {
    server.use(http.get(USERS, ({ request }) => {
      const after = new URL(request.url).searchParams.get('after');
      return after
        ? HttpResponse.json(users('b'), { headers: { Link: `<${USERS}?after=2>; rel="self"` } })
        : HttpResponse.json(users('a'), { headers: { Link: `<${USERS}>; rel="self", <${USERS}?after=2>; rel="next"` } });
    }));
    expect(await decisions(acme('{ type: next_url, from: link_header }', '.'))).toEqual([
      `next: URL in a Link header with rel="next": ${USERS}?after=2`,
      'stop: no next URL in a Link header with rel="next"',
    ]);
    server.use(http.get(USERS, () => HttpResponse.json({ value: users('a') })));
    expect(await decisions(acme('{ type: next_url, from: body, path: "@odata.nextLink" }', 'value'))).toEqual([
      'stop: no next URL at body path @odata.nextLink',
    ]);
  });

  it('offset: the next offset and what moved it; the total that ends the read', async () => {
    server.use(http.get(USERS, ({ request }) => {
      const offset = Number(new URL(request.url).searchParams.get('offset'));
      return HttpResponse.json({ data: offset === 0 ? users('a', 'b') : users('c'), meta: { total: 3 } });
    }));
    expect(await decisions(acme('{ type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 2, total: meta.total }', 'data'))).toEqual([
      'next: offset 2 (moved by the 2 record(s) of this page; 2 record(s) read, total 3 at body path meta.total), sent as query parameter offset',
      'stop: total reached (1 record(s) on this page; 3 record(s) read, total 3 at body path meta.total)',
    ]);
  });

  it('page numbers: the next page of the total; the last page by the body\'s page count; page_limit', async () => {
    server.use(http.get(USERS, ({ request }) => HttpResponse.json({ users: users(`p${new URL(request.url).searchParams.get('page')}`), paging: { pages: 2 } })));
    expect(await decisions(acme('{ type: page_number, send: { in: query, name: page }, total_pages: paging.pages }'))).toEqual([
      'next: page 2 of 2, sent as query parameter page',
      'stop: page 2 is the last: 2 page(s) in all at body path paging.pages',
    ]);
    expect(await decisions(acme('{ type: page_number, send: { in: query, name: page }, page_limit: 1 }'))).toEqual([
      'stop: page_limit 1 reached: the API serves no page after 1; switch to cursor pagination to read the rest',
    ]);
  });

  it('max_pages: the read stops although the paginator had a next page, and says both', async () => {
    server.use(http.get(USERS, () => HttpResponse.json({ users: users('a'), next: 'n1' })));
    expect(await decisions(acme('{ type: cursor, token: { from: body, path: next }, send: { in: query, name: after } }'), 1)).toEqual([
      'stop: max_pages 1 reached (the paginator had a next page: cursor "n1" from body path next, sent as query parameter after)',
    ]);
    expect(requests).toHaveLength(1);
  });

  it('none: one request', async () => {
    server.use(http.get(USERS, () => HttpResponse.json({ users: users('a') })));
    expect(await decisions(acme('{ type: none }'))).toEqual(['stop: pagination type none: one request']);
  });
});
