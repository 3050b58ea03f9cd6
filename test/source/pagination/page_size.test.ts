import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsError } from '../../../src/definition/settings.js';
import { optionsFor, read, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';

/**
 * `page_size: "{{ settings.page_size }}"` (issue 8, item 5): `--set page_size=…` changes the page
 * size of offset and page_number paging as it does a cursor API's query parameter — what is sent,
 * and what counts as a short page.
 */
const { server, requests } = useServer();
const connectors = useConnectors();
const TOKEN = { token: 'page-size-token-1' };

describe('offset paging with page_size from a setting (a SCIM 2.0 /Users list)', () => {
  // RFC 7644, section 3.4.2.4 (Pagination): `GET /Users?startIndex=1&count=10`, answered with a
  // ListResponse { totalResults, itemsPerPage, startIndex, schemas, Resources }; startIndex is
  // 1-based, and "the service provider MUST NOT return more results than specified" by count.
  const BASE = 'https://scim.example.test/v2';
  const users = Array.from({ length: 60 }, (_, i) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: `user-${i + 1}`, userName: `user${i + 1}@example.com` }));
  function scimUsers() {
    server.use(http.get(`${BASE}/Users`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const startIndex = Number(query.get('startIndex') ?? 1);
      const count = Number(query.get('count') ?? 100);
      const Resources = users.slice(startIndex - 1, startIndex - 1 + count);
      return HttpResponse.json({ totalResults: users.length, itemsPerPage: Resources.length, startIndex, schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources });
    }));
  }
  const connector = () => connectors.load(`
    id: scim-users-offset
    name: SCIM users
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Token, secret: true, env: SCIM_TOKEN }
    settings:
      page_size: { label: Records per page, type: integer, minimum: 1, maximum: 1000, default: 100 }
    base_url: ${BASE}
    request: { method: GET, path: /Users }
    pagination:
      type: offset
      offset: { in: query, name: startIndex }
      limit: { in: query, name: count }
      start: 1
      page_size: "{{ settings.page_size }}"
      total: totalResults
    records: Resources
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
  const asked = () => requests.map((r) => [r.url.searchParams.get('startIndex'), r.url.searchParams.get('count')]);

  it('the default page size is the setting\'s default: one page of 100 holds all 60', async () => {
    scimUsers();
    const { records } = await read(optionsFor(connector(), TOKEN));
    expect(records).toHaveLength(60);
    expect(asked()).toEqual([['1', '100']]);
  });

  it('--set page_size=25 asks for 25 at a time and moves startIndex by 25', async () => {
    scimUsers();
    const { records, stats } = await read(optionsFor(connector(), TOKEN, { page_size: '25' }));
    expect(records.map((r) => r.user_id)).toEqual(users.map((u) => u.id));
    expect(asked()).toEqual([['1', '25'], ['26', '25'], ['51', '25']]);
    expect(stats.warnings).toEqual([]);
  });

  it('--set page_size=0 is refused before anything is sent (the setting\'s minimum is 1)', () => {
    expect(() => optionsFor(connector(), TOKEN, { page_size: '0' })).toThrow(SettingsError);
  });
});

describe('page_number paging with page_size from a setting (Zoom List group members)', () => {
  // Zoom's List group members takes page_size and page_number; its documented body is in
  // test/fixtures/zoom/groups.members.json (source in that folder's README.md).
  const BASE = 'https://api.zoom.test/v2';
  const documented = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'zoom', 'groups.members.json'), 'utf8')) as { members: Record<string, unknown>[] };
  const members = Array.from({ length: 5 }, (_, i) => ({ ...documented.members[0], id: `member-${i + 1}`, email: `member${i + 1}@example.com` }));
  function groupMembers() {
    server.use(http.get(`${BASE}/groups/:groupId/members`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const size = Number(query.get('page_size'));
      const number = Number(query.get('page_number'));
      return HttpResponse.json({ ...documented, members: members.slice((number - 1) * size, number * size), page_number: number, page_size: size, next_page_token: '' });
    }));
  }
  const connector = () => connectors.load(`
    id: zoom-group-members-pages
    name: Zoom group members
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Token, secret: true, env: ZOOM_TOKEN }
    settings:
      page_size: { label: Records per page, type: integer, minimum: 1, maximum: 2000, default: 30 }
    base_url: ${BASE}
    request: { method: GET, path: /groups/SobVexyrQjqCkcxjpBWi6w/members, query: { page_size: "{{ settings.page_size }}" } }
    pagination:
      type: page_number
      send: { in: query, name: page_number }
      page_size: "{{ settings.page_size }}"
      stop: [empty_page, short_page]
    records: members
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
  const asked = () => requests.map((r) => [r.url.searchParams.get('page_number'), r.url.searchParams.get('page_size')]);

  it('--set page_size=2 sends 2 and ends on the first page shorter than 2: pages 1, 2, 3 and no more', async () => {
    groupMembers();
    const { records, stats } = await read(optionsFor(connector(), TOKEN, { page_size: '2' }));
    expect(records.map((r) => r.user_id)).toEqual(members.map((m) => m.id));
    expect(asked()).toEqual([['1', '2'], ['2', '2'], ['3', '2']]);
    expect(stats.warnings).toEqual([]);
  });

  it('with the default (30), the first page of 5 is short: one more request shows it was the last', async () => {
    groupMembers();
    const { records } = await read(optionsFor(connector(), TOKEN));
    expect(records).toHaveLength(5);
    expect(asked()).toEqual([['1', '30'], ['2', '30']]);
  });
});
