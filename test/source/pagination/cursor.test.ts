import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readSource } from '../../../src/source/read.js';
import { useServer } from '../../helpers/msw.js';
import { BASE, collect, connectorFile, fixture, isoFromEpochSeconds, membersForPage, slackCursor, sourceOptions, TOKEN, usersListPage, type SlackMember } from '../../helpers/slack.js';

const { server, requests } = useServer();

/** users.list over `count` pages built from the real members; page n's cursor names its last member. */
function pagedUsersList(count: number) {
  const pages = Array.from({ length: count }, (_, i) => membersForPage(i + 1));
  const cursors = pages.map((members, i) => (i === count - 1 ? '' : slackCursor(members[members.length - 1].id)));
  server.use(
    http.get(`${BASE}/users.list`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const index = cursor === null ? 0 : cursors.indexOf(cursor) + 1;
      if (index === 0 && cursor !== null) return HttpResponse.json(fixture('users.list.error.invalid_cursor.json'));
      return HttpResponse.json(usersListPage(pages[index], cursors[index]));
    }),
  );
  return { pages, cursors };
}

describe('cursor pagination (users.list)', () => {
  it('reads every page, sending each next_cursor back as the cursor query parameter', async () => {
    const { pages, cursors } = pagedUsersList(3);
    const source = readSource(sourceOptions(connectorFile('slack-users')));
    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    expect(records.map((r) => r.user_id)).toEqual(pages.flat().map((m) => m.id));
    expect(requests.map((r) => r.url.searchParams.get('cursor'))).toEqual([null, cursors[0], cursors[1]]);
    expect(source.stats).toMatchObject({ pages: 3, requests: 3, entries: pages.flat().length, warnings: [] });
  });

  it('sends the page size as limit and the token as a bearer Authorization header on every page', async () => {
    pagedUsersList(3);
    const options = sourceOptions(connectorFile('slack-users'), { page_size: '2' });
    await collect(readSource(options).items);

    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.url.pathname).toBe(`${new URL(BASE).pathname}/users.list`);
      expect(request.url.searchParams.get('limit')).toBe(String(options.settings.page_size));
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('stops on the page whose next_cursor is empty', async () => {
    const { cursors } = pagedUsersList(2);
    const source = readSource(sourceOptions(connectorFile('slack-users')));
    await collect(source.items);
    expect(cursors[cursors.length - 1]).toBe('');
    expect(requests).toHaveLength(2);
    expect(source.stats.warnings).toEqual([]);
  });

  it('types the declared fields: epoch seconds become ISO-8601 UTC, booleans stay booleans, absent keys are null', async () => {
    const { pages } = pagedUsersList(1);
    const { records } = await collect(readSource(sourceOptions(connectorFile('slack-users'))).items);
    const raw = pages[0] as (SlackMember & { profile: Record<string, string>; is_admin: boolean; deleted: boolean; is_app_user?: boolean })[];

    expect(records).toHaveLength(raw.length);
    records.forEach((record, i) => {
      expect(record.updated).toBe(isoFromEpochSeconds(raw[i].updated));
      expect(record.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(record.is_admin).toBe(raw[i].is_admin);
      expect(record.deleted).toBe(raw[i].deleted);
      expect(record.email).toBe(raw[i].profile.email);
      expect(record.real_name).toBe(raw[i].profile.real_name);
      expect(record.is_app_user).toBe(raw[i].is_app_user ?? null);
    });
    // Slack's own example: member 1 updated 1502138686 → 2017-08-07T20:44:46Z; member 2 has no is_app_user.
    expect(raw[0].updated).toBe(1502138686);
    expect(records[0].updated).toBe('2017-08-07T20:44:46Z');
    expect(records[1].is_app_user).toBeNull();
  });
});
