import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { SourceError } from '../../src/errors.js';
import { readSource } from '../../src/source/read.js';
import { useServer } from '../helpers/msw.js';
import { BASE, collect, connectorFile, fixture, HOST, membersForPage, slackCursor, sourceOptions, TOKEN, usersListPage } from '../helpers/slack.js';

const { server, requests } = useServer();

/** A users.list API with `count` pages; page n's next_cursor leads to page n+1, the last is empty. */
function usersList(count: number) {
  const pages = Array.from({ length: count }, (_, i) => membersForPage(i + 1));
  const cursorOf = (page: number) => (page === count ? '' : slackCursor(`page-${page + 1}`));
  server.use(
    http.get(`${BASE}/users.list`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const page = cursor === null ? 1 : Array.from({ length: count }, (_, i) => i + 1).find((p) => cursorOf(p - 1) === cursor) ?? 0;
      if (!page) return HttpResponse.json(fixture('users.list.error.invalid_cursor.json'));
      return HttpResponse.json(usersListPage(pages[page - 1], cursorOf(page)));
    }),
  );
  return pages;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    return error as SourceError;
  }
  throw new Error('expected the read to fail');
}

describe('max_pages', () => {
  it('reads exactly max_pages pages of a longer API and warns that more data exists', async () => {
    const pages = usersList(5);
    const options = sourceOptions(connectorFile('slack-users'), { max_pages: '2' });
    const source = readSource(options);
    const { records } = await collect(source.items);

    expect(requests).toHaveLength(options.settings.max_pages as number);
    expect(records.map((r) => r.user_id)).toEqual(pages.slice(0, 2).flat().map((m) => m.id));
    expect(source.stats.pages).toBe(2);
    expect(source.stats.warnings).toHaveLength(1);
    expect(source.stats.warnings[0]).toMatch(/max_pages/);
  });

  it('gives no warning when the API ends exactly at max_pages', async () => {
    usersList(2);
    const source = readSource(sourceOptions(connectorFile('slack-users'), { max_pages: '2' }));
    await collect(source.items);
    expect(requests).toHaveLength(2);
    expect(source.stats.warnings).toEqual([]);
  });
});

describe('pagination loops', () => {
  it('stops with a pagination_loop error after 2 requests when the API returns the same next_cursor forever', async () => {
    const same = fixture<{ response_metadata: { next_cursor: string } }>('users.list.json').response_metadata.next_cursor;
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(membersForPage(1), same))));
    const error = await failure(collect(readSource(sourceOptions(connectorFile('slack-users'))).items));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('pagination_loop');
    expect(error.message).toMatch(/same next-page value/);
    expect(requests).toHaveLength(2);
  });
});

describe('credentials stay on the connector host', () => {
  /** slack.test answers with a redirect to another host, which would serve the data. */
  function redirectElsewhere(status: number) {
    const elsewhere = 'https://elsewhere.test/api/users.list';
    server.use(
      http.get(`${BASE}/users.list`, () => new HttpResponse(null, { status, headers: { location: elsewhere } })),
      http.get(elsewhere, () => HttpResponse.json(usersListPage(membersForPage(1), ''))),
    );
  }

  it.each([301, 302, 307, 308])('after an HTTP %i to another host, no request outside the connector host carries the Authorization header', async (status) => {
    redirectElsewhere(status);
    await collect(readSource(sourceOptions(connectorFile('slack-users'))).items).catch(() => undefined);

    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      if (request.url.host === HOST) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
      else expect(request.headers.authorization).toBeUndefined();
    }
  });

  // Regression: a redirect (e.g. base_url http://slack.com/api, which Slack answers with 301 to
  // https) was read as a page with a null body and reported as "no record list at members; check
  // records: in the connector", which sends the user to the wrong file.
  it('reports a redirect as a redirect and points at base_url, not at the records path', async () => {
    redirectElsewhere(301);
    const error = await failure(collect(readSource(sourceOptions(connectorFile('slack-users'))).items));

    expect(error.code).not.toBe('records_not_found');
    expect(error.message).toMatch(/\b301\b|redirect/i);
    expect(error.hint ?? '').toMatch(/base_url/);
  });
});

describe('text that is not UTF-8 (regression: it silently became U+FFFD)', () => {
  it('the record still reads, with U+FFFD where the bytes were, and the run warns with the page and the count', async () => {
    const members = membersForPage(1);
    const json = JSON.stringify(usersListPage(members.map((m, i) => (i === 0 ? { ...m, profile: { ...(m.profile as object), real_name: 'RENAME_ME' } } : m)), ''));
    // "José" written in Latin-1 (0xE9) inside an otherwise UTF-8 body, as a misconfigured API sends it
    const [before, after] = json.split('RENAME_ME');
    const body = Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from('Jos', 'utf8'), Buffer.from([0xe9]), Buffer.from(after, 'utf8')]);
    server.use(http.get(`${BASE}/users.list`, () => new HttpResponse(body, { headers: { 'content-type': 'application/json; charset=utf-8' } })));
    const source = readSource(sourceOptions(connectorFile('slack-users')));
    const { records } = await collect(source.items);
    expect(records[0].real_name).toBe('Jos\uFFFD');
    expect(source.stats.warnings).toEqual(['page 1: the response is not valid UTF-8; 1 byte sequence(s) were replaced by U+FFFD (�), so some values may show �; check the API\'s charset']);
  });

  it('valid UTF-8, U+FFFD included, gives no warning', async () => {
    const members = membersForPage(1).map((m, i) => (i === 0 ? { ...m, profile: { ...(m.profile as object), real_name: 'José \uFFFD Ünal' } } : m));
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(members, ''))));
    const source = readSource(sourceOptions(connectorFile('slack-users')));
    const { records } = await collect(source.items);
    expect(records[0].real_name).toBe('José \uFFFD Ünal');
    expect(source.stats.warnings).toEqual([]);
  });
});
