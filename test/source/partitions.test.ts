import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSource, type SourceOptions, type SourcePosition } from '../../src/source/read.js';
import type { SourceItem } from '../../src/source/types.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';
import { previewer, type PreviewPage } from '../../src/cli/preview/report.js';
import { previewText } from '../../src/cli/preview/text.js';

/**
 * Partitions: the list request once per parent record (Zoom groups → group members) or per value
 * of a list, each partition paged on its own, the results merged; where a resumed read continues.
 * Response shapes: Zoom's List groups and List group members (test/fixtures/zoom/README.md).
 */
const { server, requests } = useServer();
const connectors = useConnectors();
const BASE = 'https://api.zoom.test/v2';
const TOKEN = { token: 'zoom-access-token-1' };

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'zoom', name), 'utf8')) as T;
}

interface Group {
  id?: string;
  name: string;
  total_members: number;
}

/** Zoom's documented group with its id and name varied. */
function group(id: string | undefined): Group {
  const [documented] = fixture<{ groups: Group[] }>('groups.list.json').groups;
  return { ...documented, id, name: `${documented.name} ${id ?? 'without id'}` };
}

/** Page `page` of a group's members: Zoom's documented member, `count` times, ids varied per group and page. */
function members(groupId: string, page: number, count = 2): Record<string, unknown>[] {
  const [documented] = fixture<{ members: Record<string, unknown>[] }>('groups.members.json').members;
  return Array.from({ length: count }, (_, i) => ({ ...documented, id: `${groupId}.${page}.${i}`, email: `${groupId}.${page}.${i}@example.com` }));
}

/**
 * Zoom's List groups (next_page_token paging, one token per page) and List group members
 * (page_number paging with page_count), over the groups and member pages given.
 */
function zoomGroups(groupPages: Group[][], memberPages: Record<string, Record<string, unknown>[][]>) {
  const listed = fixture<Record<string, unknown>>('groups.list.json');
  const listedMembers = fixture<Record<string, unknown>>('groups.members.json');
  server.use(
    http.get(`${BASE}/groups`, ({ request }) => {
      const token = new URL(request.url).searchParams.get('next_page_token');
      const index = token === null ? 0 : Number(/^page-(\d+)$/.exec(token)?.[1] ?? -1);
      if (!groupPages[index]) return new HttpResponse(null, { status: 418 });
      return HttpResponse.json({ ...listed, groups: groupPages[index], next_page_token: index + 1 < groupPages.length ? `page-${index + 1}` : '' });
    }),
    http.get(`${BASE}/groups/:groupId/members`, ({ request, params }) => {
      const pages = memberPages[String(params.groupId)];
      const number = Number(new URL(request.url).searchParams.get('page_number'));
      if (!pages?.[number - 1]) return new HttpResponse(null, { status: 418 });
      return HttpResponse.json({ ...listedMembers, members: pages[number - 1], page_number: number, page_count: pages.length, next_page_token: '' });
    }),
  );
}

const groupMembers = () => connectors.load(`
  id: zoom-group-members
  name: Zoom group members
  record_type: users
  credentials:
    type: bearer
    fields:
      token: { label: Access token, secret: true, env: ZOOM_TOKEN }
  settings:
    page_size: { label: Records per page, type: integer, minimum: 1, maximum: 2000, default: 300 }
  base_url: ${BASE}
  partitions:
    type: parent
    request: { method: GET, path: /groups, query: { page_size: 300 } }
    pagination:
      type: cursor
      token: { from: body, path: next_page_token }
      send: { in: query, name: next_page_token }
    records: groups
    fields:
      group_id: { label: Group Id, path: id, type: string }
      group_name: { label: Group Name, path: name, type: string }
  request:
    method: GET
    path: "/groups/{{ partition.group_id }}/members"
    query: { page_size: "{{ settings.page_size }}" }
  pagination:
    type: page_number
    send: { in: query, name: page_number }
    total_pages: page_count
  records: members
  fields:
    user_id: { label: User Id, path: id, type: string }
    email: { label: Email, path: email, type: string }
  sync_key: user_id
`);

/** Every request as [path, its paging parameter]. */
const asked = () => requests.map((r) => [r.url.pathname.replace('/v2', ''), r.url.searchParams.get('next_page_token') ?? r.url.searchParams.get('page_number')]);

/** Reads `count` items, then returns where the read would continue (as a committed batch leaves it). */
async function positionAfter(options: SourceOptions, count: number): Promise<SourcePosition | 'done' | undefined> {
  const source = readSource(options);
  let taken = 0;
  for await (const item of source.items) {
    void item;
    if (++taken === count) break;
  }
  return source.position();
}

/** Reads every item, keeping the partition each record was listed under. */
async function items(options: SourceOptions): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of readSource(options).items) out.push(item);
  return out;
}

describe('partitions of type parent (Zoom groups → group members)', () => {
  const groups = [[group('G1'), group('G2')], [group('G3')]];
  const pages = { G1: [members('G1', 1), members('G1', 2)], G2: [members('G2', 1)], G3: [members('G3', 1), members('G3', 2), members('G3', 3)] };

  it('reads the parent list (with its own pagination) first, then each group\'s members, each paged from page 1; the results are merged', async () => {
    zoomGroups(groups, pages);

    const { records, stats, error } = await read(optionsFor(groupMembers(), TOKEN));

    expect(error).toBeUndefined();
    expect(asked()).toEqual([
      ['/groups', null], ['/groups', 'page-1'],
      ['/groups/G1/members', '1'], ['/groups/G1/members', '2'],
      ['/groups/G2/members', '1'],
      ['/groups/G3/members', '1'], ['/groups/G3/members', '2'], ['/groups/G3/members', '3'],
    ]);
    expect(requests.slice(2).map((r) => r.url.searchParams.get('page_size'))).toEqual(Array(6).fill('300'));
    expect(records.map((r) => r.user_id)).toEqual([...pages.G1, ...pages.G2, ...pages.G3].flat().map((m) => m.id));
    expect(stats).toMatchObject({ pages: 6, entries: 12, requests: 8, warnings: [] });
  });

  it('each record carries the partition it was listed under (so a duplicate across groups can name both)', async () => {
    zoomGroups([[group('G1'), group('G2')]], { G1: [members('G1', 1)], G2: [members('G2', 1)] });

    const all = await items(optionsFor(groupMembers(), TOKEN));

    expect(all.map((item) => ('record' in item ? [item.record.user_id, item.partition] : item))).toEqual([
      ['G1.1.0', 'group_id=G1'], ['G1.1.1', 'group_id=G1'], ['G2.1.0', 'group_id=G2'], ['G2.1.1', 'group_id=G2'],
    ]);
  });

  it('a group without an id is left out and a group listed twice is read once, each with a warning', async () => {
    zoomGroups([[group('G1'), group(undefined)], [group('G1'), group('G2')]], { G1: [members('G1', 1)], G2: [members('G2', 1)] });

    const { records, stats } = await read(optionsFor(groupMembers(), TOKEN));

    expect(records.map((r) => r.user_id)).toEqual(['G1.1.0', 'G1.1.1', 'G2.1.0', 'G2.1.1']);
    expect(stats.warnings).toEqual([
      'partitions: parent record 2 of page 1 has no group_id, so its records are not read',
      'partitions: the parent request listed 1 record(s) more than once; each group_id is read once',
    ]);
  });

  it('a failing member page names its group; a failing parent page names the parent request', async () => {
    zoomGroups(groups, { G1: pages.G1, G2: [] });
    const member = await readError(optionsFor(groupMembers(), TOKEN));
    expect(member.message).toMatch(/^page 1 of group_id=G2: /);

    server.resetHandlers();
    server.use(http.get(`${BASE}/groups`, () => HttpResponse.json({ ...fixture<Record<string, unknown>>('groups.list.json'), groups: undefined })));
    const parent = await readError(optionsFor(groupMembers(), TOKEN));
    expect(parent.message).toMatch(/^page 1 of the parent request: no record list at "groups"/);
    expect(parent.hint).toMatch(/check "records:" in the partitions of the connector/);
  });

  it('with a page budget (preview --pages 2), stops after 2 pages in all and names the groups not read', async () => {
    zoomGroups(groups, pages);

    const { records, stats } = await read(optionsFor(groupMembers(), TOKEN, {}, { maxPages: 2 }));

    expect(records).toHaveLength(4);
    expect(asked().slice(2)).toEqual([['/groups/G1/members', '1'], ['/groups/G1/members', '2']]);
    expect(stats.warnings).toEqual(['stopped after 2 page(s): 2 partition(s) not read (group_id=G2, group_id=G3)']);
  });

  it('preview says which partition each page belongs to, in text and JSON', async () => {
    zoomGroups(groups, pages);
    const connector = groupMembers();
    const shown: PreviewPage[] = [];
    const preview = previewer(connector, 1);
    const options = optionsFor(connector, TOKEN, {}, { maxPages: 3, onRaw: (page) => shown.push(preview.page(page, [])) });
    await read(options);
    expect(shown.map((p) => [p.partition, p.number])).toEqual([['group_id=G1', 1], ['group_id=G1', 2], ['group_id=G2', 1]]);
    const text = previewText({ connector: connector.id, file: 'connectors/zoom-group-members.yaml', origin: 'user', mapping: null, pages: shown, warnings: [] });
    expect(text).toMatch(/── page 1 of group_id=G1 ──[^]*── page 2 of group_id=G1 ──[^]*── page 1 of group_id=G2 ──/);
  });
});

describe('where a partitioned read continues (checkpoints)', () => {
  const groups = [[group('G1'), group('G2')], [group('G3')]];
  const pages = { G1: [members('G1', 1), members('G1', 2)], G2: [members('G2', 1)], G3: [members('G3', 1), members('G3', 2), members('G3', 3)] };
  const all = [...pages.G1, ...pages.G2, ...pages.G3].flat().map((m) => m.id);

  it('after a page in the middle of a partition: that partition, the next page', async () => {
    zoomGroups(groups, pages);
    const at = await positionAfter(optionsFor(groupMembers(), TOKEN), 8);
    expect(at).toMatchObject({ page: 2, skip: 0, request: { query: { page_number: '2' } }, partition: { index: 2, key: 'G3', label: 'group_id=G3' } });
  });

  it('after the last page of a partition: the next partition\'s first page', async () => {
    zoomGroups(groups, pages);
    const at = await positionAfter(optionsFor(groupMembers(), TOKEN), 4);
    expect(at).toMatchObject({ page: 1, skip: 0, request: { query: { page_number: '1' } }, partition: { index: 1, key: 'G2' } });
  });

  it('inside a page: that page again, skipping the entries already synced', async () => {
    zoomGroups(groups, pages);
    const at = await positionAfter(optionsFor(groupMembers(), TOKEN), 7);
    expect(at).toMatchObject({ page: 1, skip: 1, partition: { key: 'G3' } });
  });

  it('a resumed read reads the parent list again, then continues in that partition at that page: no earlier group, no record twice', async () => {
    zoomGroups(groups, pages);
    const resume = (await positionAfter(optionsFor(groupMembers(), TOKEN), 7)) as SourcePosition;
    requests.length = 0;

    const source = readSource(optionsFor(groupMembers(), TOKEN, {}, { resume }));
    const rest: unknown[] = [];
    for await (const item of source.items) if ('record' in item) rest.push(item.record.user_id);

    expect(rest).toEqual(all.slice(7));
    expect(source.resumed()).toBe(true);
    expect(asked()).toEqual([['/groups', null], ['/groups', 'page-1'], ['/groups/G3/members', '1'], ['/groups/G3/members', '2'], ['/groups/G3/members', '3']]);
    expect(source.stats.warnings).toEqual([]);
  });

  it('a group added after the checkpoint\'s group does not stop the read from continuing (and is read)', async () => {
    zoomGroups(groups, pages);
    const resume = (await positionAfter(optionsFor(groupMembers(), TOKEN), 5)) as SourcePosition;
    server.resetHandlers();
    zoomGroups([[group('G1'), group('G2')], [group('G3'), group('G4')]], { ...pages, G4: [members('G4', 1)] });

    const { records, stats } = await read(optionsFor(groupMembers(), TOKEN, {}, { resume }));

    expect(records.map((r) => r.user_id)).toEqual([...all.slice(5), 'G4.1.0', 'G4.1.1']);
    expect(stats.warnings).toEqual([]);
  });

  it('when the groups before the checkpoint\'s group changed, it reads every group from the first, with a warning, rather than skip one', async () => {
    zoomGroups(groups, pages);
    const resume = (await positionAfter(optionsFor(groupMembers(), TOKEN), 8)) as SourcePosition;
    server.resetHandlers();
    // G1 is gone and G0 is new: G3 is still the third group, but G0 was never read
    zoomGroups([[group('G0'), group('G2')], [group('G3')]], { ...pages, G0: [members('G0', 1)] });

    const source = readSource(optionsFor(groupMembers(), TOKEN, {}, { resume }));
    const ids: unknown[] = [];
    for await (const item of source.items) if ('record' in item) ids.push(item.record.user_id);

    expect(ids).toEqual([members('G0', 1), ...pages.G2, ...pages.G3].flat().map((m) => m.id));
    expect(source.resumed()).toBe(false);
    expect(source.stats.warnings).toEqual(['the earlier run stopped in partition group_id=G3, but the partitions before it are not the same now: this run reads every partition from the first, so no record is skipped']);
  });
});

describe('partitions of type values', () => {
  /** Zoom's List users shape; the request is a POST here only to show the value in a path, a query, a header and a body. */
  const users = fixture<{ users: Record<string, unknown>[] }>('users.list.json');
  const byValue = (values: string) => connectors.load(`
    id: users-by-status
    name: Users by status
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Access token, secret: true, env: ZOOM_TOKEN }
    settings:
      statuses: { label: Statuses, type: string, default: "active,inactive" }
    base_url: ${BASE}
    partitions: { type: values, name: status, values: ${values} }
    request:
      method: POST
      path: "/users/{{ partition.status }}"
      query: { status: "{{ partition.status }}" }
      headers: { X-Status: "{{ partition.status }}" }
      body: { filter: { status: "{{ partition.status }}" } }
    pagination: { type: none }
    records: users
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);

  function api() {
    const bodies: unknown[] = [];
    server.use(http.post(`${BASE}/users/:status`, async ({ request, params }) => {
      bodies.push(await request.json());
      return HttpResponse.json({ ...users, next_page_token: '', users: [{ ...users.users[0], id: `id-${String(params.status)}`, status: params.status }] });
    }));
    return bodies;
  }

  it('runs the request once per value of a list, in order, the value in path, query, header and body', async () => {
    const bodies = api();

    const { records } = await read(optionsFor(byValue('[active, inactive, pending]'), TOKEN));

    expect(records.map((r) => r.user_id)).toEqual(['id-active', 'id-inactive', 'id-pending']);
    expect(requests.map((r) => [r.url.pathname, r.url.searchParams.get('status'), r.headers['x-status']])).toEqual([
      ['/v2/users/active', 'active', 'active'], ['/v2/users/inactive', 'inactive', 'inactive'], ['/v2/users/pending', 'pending', 'pending'],
    ]);
    expect(bodies).toEqual([{ filter: { status: 'active' } }, { filter: { status: 'inactive' } }, { filter: { status: 'pending' } }]);
  });

  it('takes its values from a comma-separated string setting (--set), trimmed, each read once', async () => {
    api();

    const { records, stats } = await read(optionsFor(byValue('"{{ settings.statuses }}"'), TOKEN, { statuses: ' pending, active ,,pending' }));

    expect(records.map((r) => r.user_id)).toEqual(['id-pending', 'id-active']);
    expect(stats.warnings).toEqual(['partitions: a value is given more than once in "pending,active,pending"; each is read once']);
  });

  it('a setting that gives no value fails the read before any request, saying how to give values', async () => {
    api();

    const error = await readError(optionsFor(byValue('"{{ settings.statuses }}"'), TOKEN, { statuses: ' , ' }));

    expect(error).toMatchObject({ code: 'partitions_empty' });
    expect(error.hint).toMatch(/separated by commas/);
    expect(requests).toEqual([]);
  });
});
