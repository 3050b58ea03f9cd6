import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { SourceError } from '../../src/errors.js';
import { optionsFor, read, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

const BEARER = { token: 'test-api-token-7c9e' };
const bearer = 'credentials: { type: bearer, fields: { token: { label: API token, secret: true, env: ACME_TOKEN } } }';

/** `count` records `{ id: "<prefix><n>" }` numbered from `from`. */
const people = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}${from + i}` }));
const ids = (records: Record<string, unknown>[]) => records.map((r) => r.user_id);
const query = (name: string) => requests.map((r) => r.url.searchParams.get(name));

describe('page_number', () => {
  // Freshdesk: GET /api/v2/agents?page=N&per_page=M returns a bare array; an empty array is the end.
  it('asks page after page until a page is empty', async () => {
    const connector = connectors.load(`
      id: freshdesk-agents
      name: Freshdesk agents
      record_type: users
      ${bearer}
      settings:
        base_url: { label: Helpdesk URL, type: string, default: https://acme.freshdesk.test/api/v2 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /agents, query: { per_page: 2 } }
      pagination: { type: page_number, send: { in: query, name: page } }
      records: "."
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://acme.freshdesk.test/api/v2/agents', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json(page <= 2 ? people('a', page * 10, 2) : []);
      }),
    );
    const { records, stats, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['a10', 'a11', 'a20', 'a21']);
    expect(query('page')).toEqual(['1', '2', '3']);
    expect(query('per_page')).toEqual(['2', '2', '2']);
    expect(stats).toMatchObject({ pages: 3, requests: 3, warnings: [] });
  });

  // Spring Data REST: ?page=0&size=N, `page.totalPages` in the body, pages numbered from 0.
  it('counts pages from start: 0 and stops at total_pages without asking past it', async () => {
    const connector = connectors.load(`
      id: spring-users
      name: Spring Data users
      record_type: users
      ${bearer}
      settings:
        base_url: { label: API URL, type: string, default: https://people.acme.test/api }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { size: 2 } }
      pagination: { type: page_number, send: { in: query, name: page }, start: 0, total_pages: page.totalPages }
      records: _embedded.users
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://people.acme.test/api/users', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        // Every page is full, and page 3 would still answer: only totalPages can end the read.
        return HttpResponse.json({ _embedded: { users: people('s', page * 10, 2) }, page: { size: 2, totalElements: 6, totalPages: 3, number: page } });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(query('page')).toEqual(['0', '1', '2']);
    expect(ids(records)).toEqual(['s0', 's1', 's10', 's11', 's20', 's21']);
  });

  /** Freshservice-like requesters: pages of the given sizes, then full pages forever (so only a stop can end the read). */
  function requesters(sizes: number[]) {
    server.use(
      http.get('https://acme.freshservice.test/api/v2/requesters', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ requesters: people('r', page * 10, sizes[page - 1] ?? 0) });
      }),
    );
  }
  const freshservice = (stop: string) => connectors.load(`
    id: freshservice-requesters
    name: Freshservice requesters
    record_type: users
    ${bearer}
    settings:
      base_url: { label: Service desk URL, type: string, default: https://acme.freshservice.test/api/v2 }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /requesters, query: { per_page: 3 } }
    pagination: { type: page_number, send: { in: query, name: page }, page_size: 3${stop} }
    records: requesters
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);

  it('with stop: [short_page], ends on the first page shorter than page_size', async () => {
    requesters([3, 3, 2, 3]);
    const { records, error } = await read(optionsFor(freshservice(', stop: [short_page]'), BEARER));

    expect(error).toBeUndefined();
    expect(query('page')).toEqual(['1', '2', '3']);
    expect(records).toHaveLength(8);
  });

  // Some APIs filter each page after paging it (Jira documents that user searches "usually return
  // fewer users than specified in maxResults"): a short page there is not the last.
  it('without short_page, reads on past short pages until an empty one', async () => {
    requesters([3, 1, 2, 3, 0]);
    const { records, error } = await read(optionsFor(freshservice(''), BEARER));

    expect(error).toBeUndefined();
    expect(query('page')).toEqual(['1', '2', '3', '4', '5']);
    expect(records).toHaveLength(9);
  });

  // The guide: "short_page (needs page_size)". Without page_size the condition can never hold, and
  // since a declared stop list replaces the default empty_page, nothing would end the read.
  it('refuses stop: [short_page] without page_size when the connector loads', () => {
    expect(() => connectors.load(`
      id: freshservice-requesters
      name: Freshservice requesters
      record_type: users
      ${bearer}
      settings:
        base_url: { label: Service desk URL, type: string, default: https://acme.freshservice.test/api/v2 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /requesters, query: { per_page: 3 } }
      pagination: { type: page_number, send: { in: query, name: page }, stop: [short_page] }
      records: requesters
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `)).toThrow(/page_size/);
  });
});

describe('offset', () => {
  // PagerDuty: GET /users?offset=&limit=&total=true → { users, limit, offset, more, total }.
  it('stops when the records read reach the total the body gives', async () => {
    const connector = connectors.load(`
      id: pagerduty-users
      name: PagerDuty users
      record_type: users
      ${bearer}
      settings:
        base_url: { label: API URL, type: string, default: https://api.pagerduty.test }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { total: true } }
      pagination:
        type: offset
        offset: { in: query, name: offset }
        limit: { in: query, name: limit }
        page_size: 2
        total: total
      records: users
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://api.pagerduty.test/users', ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('offset'));
        // More records exist past the total (a late addition): the read still ends at the total it was told.
        return HttpResponse.json({ users: people('P', offset, 2), limit: 2, offset, more: true, total: 6 });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(query('offset')).toEqual(['0', '2', '4']);
    expect(query('limit')).toEqual(['2', '2', '2']);
    expect(query('total')).toEqual(['true', 'true', 'true']);
    expect(ids(records)).toEqual(['P0', 'P1', 'P2', 'P3', 'P4', 'P5']);
  });

  // Jira Cloud: GET /rest/api/3/users/search?startAt=&maxResults= answers a bare JSON array.
  it('reads a bare-array body (records: ".") until an empty page, advancing startAt', async () => {
    const connector = connectors.load(`
      id: jira-users
      name: Jira users
      record_type: users
      ${bearer}
      settings:
        base_url: { label: Site URL, type: string, default: https://acme.atlassian.test }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /rest/api/3/users/search }
      pagination:
        type: offset
        offset: { in: query, name: startAt }
        limit: { in: query, name: maxResults }
        page_size: 3
      records: "."
      fields:
        user_id: { label: Account Id, path: accountId, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://acme.atlassian.test/rest/api/3/users/search', ({ request }) => {
        const startAt = Number(new URL(request.url).searchParams.get('startAt'));
        return HttpResponse.json(startAt < 6 ? people('5b10ac8d82e05b22cc7d4e', startAt, 3).map(({ id }) => ({ accountId: id, accountType: 'atlassian', active: true })) : []);
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(query('startAt')).toEqual(['0', '3', '6']);
    expect(query('maxResults')).toEqual(['3', '3', '3']);
    expect(records).toHaveLength(6);
  });
});

describe('cursor', () => {
  // Azure Cosmos DB REST: the `x-ms-continuation` response header is sent back as the request header of that name.
  const cosmos = () => connectors.load(`
    id: cosmos-users
    name: Cosmos DB users
    record_type: users
    credentials:
      type: api_key
      in: header
      name: Authorization
      fields:
        token: { label: Resource token, secret: true, env: COSMOS_TOKEN }
    settings:
      base_url: { label: Account endpoint, type: string, default: https://acme.documents.test }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /dbs/hr/colls/users/docs, headers: { x-ms-max-item-count: 2, x-ms-version: "2018-12-31" } }
    pagination:
      type: cursor
      token: { from: header, path: x-ms-continuation }
      send: { in: header, name: x-ms-continuation }
    records: Documents
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
  const continuation = (n: number) => JSON.stringify({ token: `+RID:~hvNNAJ6iSqgFAAAAAAAAAA==#RT:${n}#TRC:${2 * n}#ISV:2#IEO:65567`, range: { min: '', max: 'FF' } });

  it('reads the token from a response header and sends it back in a request header', async () => {
    server.use(
      http.get('https://acme.documents.test/dbs/hr/colls/users/docs', ({ request }) => {
        const sent = request.headers.get('x-ms-continuation');
        const page = sent === null ? 1 : Number(/#RT:(\d+)#/.exec(sent)![1]) + 1;
        const headers: Record<string, string> = page < 3 ? { 'x-ms-continuation': continuation(page) } : {};
        return HttpResponse.json({ _rid: 'hvNNAJ6iSqg=', Documents: people('c', page * 10, 2), _count: 2 }, { headers });
      }),
    );
    const { records, error } = await read(optionsFor(cosmos(), { token: 'type=resource&ver=1.0&sig=abc' }));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['c10', 'c11', 'c20', 'c21', 'c30', 'c31']);
    expect(requests.map((r) => r.headers['x-ms-continuation'])).toEqual([undefined, continuation(1), continuation(2)]);
    for (const r of requests) expect(r.headers['x-ms-max-item-count']).toBe('2');
  });

  it('stops with pagination_loop after 2 requests when the API repeats its continuation header', async () => {
    server.use(http.get('https://acme.documents.test/dbs/hr/colls/users/docs', () => HttpResponse.json({ Documents: people('c', 0, 2) }, { headers: { 'x-ms-continuation': continuation(1) } })));
    const { error } = await read(optionsFor(cosmos(), { token: 'type=resource&ver=1.0&sig=abc' }));

    expect(error).toBeInstanceOf(SourceError);
    expect(error!.code).toBe('pagination_loop');
    expect(requests).toHaveLength(2);
  });

  // Dropbox Business (MembersListV2Result: members, cursor, has_more —
  // https://dropbox.github.io/dropbox-sdk-java/api-docs/v7.1.0/com/dropbox/core/v2/team/MembersListV2Result.html):
  // POST /2/team/members/list_v2 {"limit": N} → { members, cursor, has_more };
  // later pages: POST /2/team/members/list/continue_v2 {"cursor": …}. The last page still carries a cursor.
  it('POSTs the JSON body first, then only the cursor to continue_path, until has_more is false', async () => {
    const connector = connectors.load(`
      id: dropbox-members
      name: Dropbox team members
      record_type: users
      ${bearer}
      settings:
        base_url: { label: API URL, type: string, default: https://api.dropboxapi.test }
        page_size: { label: Members per page, type: integer, minimum: 1, maximum: 1000, default: 200 }
      base_url: "{{ settings.base_url }}"
      request: { method: POST, path: /2/team/members/list_v2, body: { limit: "{{ settings.page_size }}", include_removed: false } }
      pagination:
        type: cursor
        token: { from: body, path: cursor }
        send: { in: body, name: cursor }
        continue_path: /2/team/members/list/continue_v2
        stop: [{ path: has_more, equals: false }]
      records: members
      fields:
        user_id: { label: Team member id, path: profile.team_member_id, type: string }
        email:   { label: Email, path: profile.email, type: string }
      sync_key: user_id
    `);
    const bodies: { path: string; body: unknown; type: string | null }[] = [];
    const member = (n: number) => ({ profile: { team_member_id: `dbmid:AAH${n}`, email: `m${n}@acme.test`, status: { '.tag': 'active' } }, roles: [{ role_id: 'pid_dbtmr:member', name: 'Member' }] });
    const page = (n: number) => HttpResponse.json({ members: [member(2 * n - 1), member(2 * n)], cursor: `AAGcursor${n}`, has_more: n < 3 });
    server.use(
      http.post('https://api.dropboxapi.test/2/team/members/list_v2', async ({ request }) => {
        bodies.push({ path: 'list', body: await request.json(), type: request.headers.get('content-type') });
        return page(1);
      }),
      http.post('https://api.dropboxapi.test/2/team/members/list/continue_v2', async ({ request }) => {
        const body = (await request.json()) as { cursor: string };
        bodies.push({ path: 'continue', body, type: request.headers.get('content-type') });
        return page(Number(body.cursor.replace('AAGcursor', '')) + 1);
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER, { page_size: '2' }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.email)).toEqual(['m1@acme.test', 'm2@acme.test', 'm3@acme.test', 'm4@acme.test', 'm5@acme.test', 'm6@acme.test']);
    expect(bodies).toEqual([
      { path: 'list', body: { limit: 2, include_removed: false }, type: 'application/json' },
      { path: 'continue', body: { cursor: 'AAGcursor1' }, type: 'application/json' },
      { path: 'continue', body: { cursor: 'AAGcursor2' }, type: 'application/json' },
    ]);
  });
});

describe('next_url', () => {
  // Zendesk offset pagination: `next_page` holds the absolute URL of the next page, null on the last
  // (https://developer.zendesk.com/documentation/api-basics/pagination/paginating-through-lists-using-offset-pagination).
  const zendesk = (maxPages = '') => connectors.load(`
    id: zendesk-users
    name: Zendesk users
    record_type: users
    ${bearer}
    settings:
      base_url: { label: Subdomain URL, type: string, default: https://acme.zendesk.test/api/v2 }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users.json, query: { role: agent } }
    pagination: { type: next_url, from: body, path: next_page${maxPages} }
    records: users
    fields:
      user_id: { label: User Id, path: id, type: integer }
    sync_key: user_id
  `);
  /** Zendesk users: page n links to `next(n)` while n < 3. */
  function zendeskUsers(next: (page: number) => string | null = (page) => (page < 3 ? `https://acme.zendesk.test/api/v2/users.json?page=${page + 1}&role=agent` : null)) {
    server.use(
      http.get('https://acme.zendesk.test/api/v2/users.json', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page') ?? '1');
        return HttpResponse.json({ users: [{ id: 360000 + page, role: 'agent' }], next_page: next(page), previous_page: null, count: 3 });
      }),
    );
  }

  it('follows an absolute next URL from the body, with its own query, until it is null', async () => {
    zendeskUsers();
    const { records, error } = await read(optionsFor(zendesk(), BEARER));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual([360001, 360002, 360003]);
    expect(requests.map((r) => r.url.search)).toEqual(['?role=agent', '?page=2&role=agent', '?page=3&role=agent']);
  });

  it.each([
    ['another host', 'https://attacker.test/api/v2/users.json?page=2'],
    ['the same host over plain http', 'http://acme.zendesk.test/api/v2/users.json?page=2'],
  ])('refuses a next URL on %s (foreign_host) and sends nothing there', async (_, elsewhere) => {
    zendeskUsers(() => elsewhere);
    const elsewhereHits: string[] = [];
    server.use(http.get(elsewhere.split('?')[0], ({ request }) => {
      elsewhereHits.push(request.url);
      return HttpResponse.json({ users: [], next_page: null });
    }));
    const { records, error } = await read(optionsFor(zendesk(), BEARER));

    expect(error).toBeInstanceOf(SourceError);
    expect(error!.code).toBe('foreign_host');
    expect(error!.message).toContain(new URL(elsewhere).origin);
    expect(error!.hint).toMatch(/base_url/);
    expect(elsewhereHits).toEqual([]);
    expect(requests.map((r) => r.url.origin)).toEqual(['https://acme.zendesk.test']);
    expect(records.map((r) => r.user_id)).toEqual([360001]);
  });

  // Confluence Cloud REST v2: `_links.next` is a relative URL such as "/wiki/api/v2/pages?cursor=…"
  // (https://developer.atlassian.com/cloud/confluence/change-notice-moderize-search-rest-apis/: "use the prev and next links").
  it('resolves a relative next URL against the base URL', async () => {
    const connector = connectors.load(`
      id: confluence-pages
      name: Confluence page authors
      record_type: saas_users
      ${bearer}
      settings:
        base_url: { label: Site URL, type: string, default: https://acme.atlassian.test/wiki/api/v2 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /pages, query: { limit: 1 } }
      pagination: { type: next_url, from: body, path: _links.next }
      records: results
      fields:
        user_id: { label: Author Id, path: authorId, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://acme.atlassian.test/wiki/api/v2/pages', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        return cursor
          ? HttpResponse.json({ results: [{ id: '2', authorId: '557058:b' }], _links: { base: 'https://acme.atlassian.test/wiki' } })
          : HttpResponse.json({ results: [{ id: '1', authorId: '557058:a' }], _links: { next: '/wiki/api/v2/pages?limit=1&cursor=eyJpZCI6IjEifQ', base: 'https://acme.atlassian.test/wiki' } });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['557058:a', '557058:b']);
    expect(requests.map((r) => r.url.href)).toEqual([
      'https://acme.atlassian.test/wiki/api/v2/pages?limit=1',
      'https://acme.atlassian.test/wiki/api/v2/pages?limit=1&cursor=eyJpZCI6IjEifQ',
    ]);
  });

  // Microsoft Graph: `@odata.nextLink` — the key itself contains a dot (the guide's own example).
  it('follows Microsoft Graph\'s @odata.nextLink, a body key with a dot in its name', async () => {
    const connector = connectors.load(`
      id: graph-users
      name: Microsoft Entra users
      record_type: users
      ${bearer}
      settings:
        base_url: { label: Graph root, type: string, default: https://graph.microsoft.test/v1.0 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { $top: 1 } }
      pagination: { type: next_url, from: body, path: "@odata.nextLink" }
      records: value
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.get('https://graph.microsoft.test/v1.0/users', ({ request }) => {
        const skip = new URL(request.url).searchParams.get('$skiptoken');
        return skip
          ? HttpResponse.json({ '@odata.context': 'https://graph.microsoft.test/v1.0/$metadata#users', value: [{ id: 'g2' }] })
          : HttpResponse.json({ '@odata.context': 'https://graph.microsoft.test/v1.0/$metadata#users', '@odata.nextLink': 'https://graph.microsoft.test/v1.0/users?$top=1&$skiptoken=RFNwdAIAAQAAAD8', value: [{ id: 'g1' }] });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['g1', 'g2']);
    expect(requests).toHaveLength(2);
  });

  const linkConnector = (maxPages = '') => connectors.load(`
    id: github-members
    name: GitHub organization members
    record_type: saas_users
    ${bearer}
    settings:
      base_url: { label: API URL, type: string, default: https://api.github.test }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /orgs/acme/members, query: { per_page: 1 } }
    pagination: { type: next_url, from: link_header${maxPages} }
    records: "."
    fields:
      user_id: { label: Login, path: login, type: string }
    sync_key: user_id
  `);
  const GH = 'https://api.github.test/organizations/9919/members';
  /** GitHub (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api): one `link` header, `<…>; rel="prev", <…>; rel="next", <…>; rel="last", <…>; rel="first"`. */
  const githubLinks = (page: number, last: number): [string, string][] => {
    const rels = [...(page > 1 ? [`<${GH}?per_page=1&page=${page - 1}>; rel="prev"`] : []), ...(page < last ? [`<${GH}?per_page=1&page=${page + 1}>; rel="next"`, `<${GH}?per_page=1&page=${last}>; rel="last"`] : []), `<${GH}?per_page=1&page=1>; rel="first"`];
    return [['link', rels.join(', ')]];
  };
  /** Okta: one `link` header per relation, `self` first, then `next`. */
  const oktaLinks = (page: number, last: number): [string, string][] => [
    ['link', `<${GH}?per_page=1&page=${page}>; rel="self"`],
    ...(page < last ? [['link', `<${GH}?per_page=1&page=${page + 1}>; rel="next"`] as [string, string]] : []),
  ];
  function members(last: number, links: (page: number, last: number) => [string, string][]) {
    const answer = (request: Request) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? '1');
      return new HttpResponse(JSON.stringify([{ login: `member${page}`, id: 1000 + page, type: 'User' }]), { headers: [['content-type', 'application/json'], ...links(page, last)] });
    };
    server.use(http.get('https://api.github.test/orgs/acme/members', ({ request }) => answer(request)), http.get(GH, ({ request }) => answer(request)));
  }

  it.each([
    ['one Link header with prev/next/last/first (GitHub)', githubLinks],
    ['several Link headers, self before next (Okta)', oktaLinks],
  ])('follows rel="next" from %s', async (_, links) => {
    members(3, links);
    const { records, error } = await read(optionsFor(linkConnector(), BEARER));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['member1', 'member2', 'member3']);
    expect(requests.map((r) => r.url.searchParams.get('page'))).toEqual([null, '2', '3']);
  });

  it('stops with pagination_loop after 2 requests when rel="next" points at the same URL again', async () => {
    members(99, () => [['link', `<${GH}?per_page=1&page=2>; rel="next"`]]);
    const { error } = await read(optionsFor(linkConnector(), BEARER));

    expect(error).toBeInstanceOf(SourceError);
    expect(error!.code).toBe('pagination_loop');
    expect(requests).toHaveLength(2);
  });

  it('reads no more than max_pages pages and warns that the API has more', async () => {
    members(5, githubLinks);
    const { records, stats, error } = await read(optionsFor(linkConnector(', max_pages: 2'), BEARER));

    expect(error).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(ids(records)).toEqual(['member1', 'member2']);
    expect(stats.warnings).toEqual([expect.stringMatching(/max_pages/)]);
  });
});

describe('templates in requests', () => {
  // Harvest: `Harvest-Account-Id` header (an account id, not a secret) beside the bearer token;
  // page_number with `total_pages`.
  it('fills query values from settings, a header from a non-secret credential field, and leaves out what renders empty', async () => {
    const connector = connectors.load(`
      id: harvest-users
      name: Harvest users
      record_type: users
      credentials:
        type: bearer
        token_field: token
        fields:
          account_id: { label: Account ID, secret: false, env: HARVEST_ACCOUNT_ID }
          token:      { label: Personal access token, secret: true, env: HARVEST_TOKEN }
      settings:
        base_url:      { label: API URL, type: string, default: https://api.harvestapp.test/v2 }
        per_page:      { label: Users per page, type: integer, minimum: 1, maximum: 2000, default: 100 }
        active_only:   { label: Only active users, type: boolean, default: true }
        updated_since: { label: Only users updated since (ISO date), type: string }
      base_url: "{{ settings.base_url }}"
      request:
        method: GET
        path: /users
        query: { per_page: "{{ settings.per_page }}", is_active: "{{ settings.active_only }}", updated_since: "{{ settings.updated_since }}" }
        headers: { Harvest-Account-Id: "{{ credentials.account_id }}", User-Agent: "Intake ({{ credentials.account_id }})" }
      pagination: { type: page_number, send: { in: query, name: page }, total_pages: total_pages }
      records: users
      fields:
        user_id: { label: User Id, path: id, type: integer }
      sync_key: user_id
    `);
    server.use(
      http.get('https://api.harvestapp.test/v2/users', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ users: [{ id: 3230000 + page }], per_page: 2, total_pages: 2, total_entries: 2, page });
      }),
    );
    const { records, error } = await read(optionsFor(connector, { account_id: '123456', token: 'harvest-pat-secret' }, { per_page: '2', active_only: 'false' }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual([3230001, 3230002]);
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.url.searchParams.get('per_page')).toBe('2');
      expect(r.url.searchParams.get('is_active')).toBe('false');
      expect(r.url.searchParams.has('updated_since')).toBe(false);
      expect(r.headers['harvest-account-id']).toBe('123456');
      expect(r.headers['user-agent']).toBe('Intake (123456)');
      expect(r.headers.authorization).toBe('Bearer harvest-pat-secret');
    }
  });

  // A POST search API whose paging sits inside the JSON body.
  it('renders {{ page.offset }} and {{ page.limit }} inside a nested JSON body, with their number type', async () => {
    const connector = connectors.load(`
      id: acme-search
      name: Acme directory search
      record_type: users
      ${bearer}
      settings:
        base_url: { label: API URL, type: string, default: https://directory.acme.test/api }
        status:   { label: Status to read, type: string, default: active }
      base_url: "{{ settings.base_url }}"
      request:
        method: POST
        path: /users/search
        body: { filter: { status: "{{ settings.status }}" }, page: { offset: "{{ page.offset }}", size: "{{ page.limit }}" } }
      pagination:
        type: offset
        offset: { in: body, name: offset }
        page_size: 2
      records: data
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    const bodies: unknown[] = [];
    server.use(
      http.post('https://directory.acme.test/api/users/search', async ({ request }) => {
        const body = (await request.json()) as { page: { offset: number } };
        bodies.push(body);
        return HttpResponse.json({ data: body.page.offset < 4 ? people('d', body.page.offset, 2) : [] });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(4);
    expect(bodies).toEqual([0, 2, 4].map((offset) => ({ filter: { status: 'active' }, page: { offset, size: 2 }, offset })));
  });

  // GitHub GraphQL: the cursor goes into `variables.after`; pageInfo says whether there is more.
  it('renders {{ page.cursor }} into the body, and leaves it out on the first page', async () => {
    const connector = connectors.load(`
      id: github-graphql-members
      name: GitHub members (GraphQL)
      record_type: saas_users
      ${bearer}
      settings:
        base_url: { label: API URL, type: string, default: https://api.github.test }
        org:      { label: Organization login, type: string, default: acme }
      base_url: "{{ settings.base_url }}"
      request:
        method: POST
        path: /graphql
        body:
          query: "query($org: String!, $after: String) { organization(login: $org) { membersWithRole(first: 2, after: $after) { nodes { login } pageInfo { endCursor hasNextPage } } } }"
          variables: { org: "{{ settings.org }}", after: "{{ page.cursor }}" }
      pagination:
        type: cursor
        token: { from: body, path: data.organization.membersWithRole.pageInfo.endCursor }
        send: { in: body, name: after }
        stop: [{ path: data.organization.membersWithRole.pageInfo.hasNextPage, equals: false }]
      records: data.organization.membersWithRole.nodes
      fields:
        user_id: { label: Login, path: login, type: string }
      sync_key: user_id
    `);
    const variables: unknown[] = [];
    server.use(
      http.post('https://api.github.test/graphql', async ({ request }) => {
        const body = (await request.json()) as { variables: { after?: string } };
        variables.push(body.variables);
        const page = body.variables.after ? Number(atob(body.variables.after).replace('cursor:v2:', '')) + 1 : 1;
        return HttpResponse.json({ data: { organization: { membersWithRole: { nodes: [{ login: `octo${page}` }], pageInfo: { endCursor: btoa(`cursor:v2:${page}`), hasNextPage: page < 3 } } } } });
      }),
    );
    const { records, error } = await read(optionsFor(connector, BEARER));

    expect(error).toBeUndefined();
    expect(ids(records)).toEqual(['octo1', 'octo2', 'octo3']);
    expect(variables).toEqual([{ org: 'acme' }, { org: 'acme', after: btoa('cursor:v2:1') }, { org: 'acme', after: btoa('cursor:v2:2') }]);
  });
});
