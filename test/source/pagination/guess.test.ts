import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { PaginationSpec } from '../../../src/definition/model.js';
import { paginations } from '../../../src/source/pagination/index.js';
import { readSource } from '../../../src/source/read.js';
import { useServer } from '../../helpers/msw.js';
import { BASE, collect, connectorFile, fixture, membersForPage, slackCursor, sourceOptions, usersListPage } from '../../helpers/slack.js';

const { server, requests } = useServer();

const cursorPagination = (spec: Partial<PaginationSpec> & Record<string, unknown> = {}) =>
  paginations.get('cursor').create({ type: 'cursor', token: { from: 'body', path: 'response_metadata.next_cursor' }, send: { in: 'query', name: 'cursor' }, ...spec } as PaginationSpec);

/** What `next` asks for after this body: the request a guess must match exactly. */
const nextOf = (body: unknown, headers = {}) => {
  const next = cursorPagination().next({ body, headers, records: 1, page: 1 });
  return 'request' in next ? next.request : undefined;
};

describe('the next page guessed from a response\'s text, before it is parsed (Paginator.guess)', () => {
  it('a cursor at the end of a real users.list page: the same request `next` makes from the parsed body', () => {
    const body = usersListPage(membersForPage(1), 'dXNlcjpVMEc5V0ZYTlo=');
    const text = JSON.stringify(body);
    expect(cursorPagination().guess!(text, {})).toEqual(nextOf(body));
    expect(nextOf(body)).toEqual({ query: { cursor: 'dXNlcjpVMEc5V0ZYTlo=' }, state: { cursor: 'dXNlcjpVMEc5V0ZYTlo=' } });
  });

  it('reads a cursor as JSON does: escapes undone, a number as its digits, none when it is empty or absent', () => {
    const paginator = cursorPagination();
    expect(paginator.guess!('{"ok":true,"response_metadata":{"next_cursor":"a\\/b\\u003d=\\"c"}}', {})).toEqual(nextOf({ response_metadata: { next_cursor: 'a/b==' + '"c' } }));
    expect(paginator.guess!('{"response_metadata":{"next_cursor": 42 }}', {})).toEqual(nextOf({ response_metadata: { next_cursor: 42 } }));
    expect(paginator.guess!('{"response_metadata":{"next_cursor":""}}', {})).toBeUndefined();
    expect(paginator.guess!('{"ok":true,"members":[]}', {})).toBeUndefined();
    expect(paginator.guess!('{"response_metadata":{"next_cursor":"cut off', {})).toBeUndefined();
  });

  it('a cursor from a header is guessed from the headers; none with stop: conditions (the body may end the read)', () => {
    const fromHeader = cursorPagination({ token: { from: 'header', path: 'X-Next-Cursor' } });
    expect(fromHeader.guess!('[]', { 'x-next-cursor': 'abc' })).toEqual({ query: { cursor: 'abc' }, state: { cursor: 'abc' } });
    expect(cursorPagination({ stop: [{ path: 'has_more', equals: false }] }).guess).toBeUndefined();
  });
});

describe('a read that guesses the next page', () => {
  it('asks for the next page before the page is parsed: a page cut short is asked for again, and the early answer is used', async () => {
    const pages = [membersForPage(1), membersForPage(2)];
    const cursor = slackCursor(pages[0][pages[0].length - 1].id);
    let firstAnswers = 0;
    server.use(
      http.get(`${BASE}/users.list`, ({ request }) => {
        if (new URL(request.url).searchParams.get('cursor') === cursor) return HttpResponse.json(usersListPage(pages[1], ''));
        const text = JSON.stringify({ ...usersListPage(pages[0], cursor) });
        // the first answer is cut off after its cursor (a dropped connection): not JSON, so it is asked for again
        return firstAnswers++ === 0 ? new HttpResponse(`${text.slice(0, text.indexOf(cursor) + cursor.length + 3)}, "members": [`, { headers: { 'content-type': 'application/json' } }) : new HttpResponse(text, { headers: { 'content-type': 'application/json' } });
      }),
    );
    const options = sourceOptions(connectorFile('slack-users'));
    options.connector = { ...options.connector, retry: { attempts: 3, base_delay_ms: 10, max_wait_seconds: 1 } };
    const source = readSource(options);
    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    expect(records.map((r) => r.user_id)).toEqual(pages.flat().map((m) => m.id));
    // page 1 (cut), page 2 (asked on the cut page's text), page 1 again; page 2 is not asked for twice
    expect(requests.map((r) => r.url.searchParams.get('cursor'))).toEqual([null, cursor, null]);
    expect(source.stats).toMatchObject({ pages: 2, requests: 3 });
  });

  it('a wrong guess (the key\'s last occurrence is a record\'s field) costs one request; the read follows the parsed cursor', async () => {
    const pages = [membersForPage(1), membersForPage(2)];
    const cursor = slackCursor(pages[0][pages[0].length - 1].id);
    server.use(
      http.get(`${BASE}/users.list`, ({ request }) => {
        const asked = new URL(request.url).searchParams.get('cursor');
        if (asked === 'decoy') return HttpResponse.json(fixture('users.list.error.invalid_cursor.json'));
        if (asked === cursor) return HttpResponse.json(usersListPage(pages[1], ''));
        // the envelope first, then members of which the last carries a field named like the cursor
        const members = pages[0].map((m, i) => (i === pages[0].length - 1 ? { ...m, next_cursor: 'decoy' } : m));
        return new HttpResponse(`{"ok":true,"response_metadata":{"next_cursor":"${cursor}"},"members":${JSON.stringify(members)}}`, { headers: { 'content-type': 'application/json' } });
      }),
    );
    const source = readSource(sourceOptions(connectorFile('slack-users')));
    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    expect(records.map((r) => r.user_id)).toEqual(pages.flat().map((m) => m.id));
    expect(requests.map((r) => r.url.searchParams.get('cursor')).sort()).toEqual([cursor, 'decoy', null].sort());
    expect(source.stats.warnings).toEqual([]);
  });
});
