import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readSource } from '../../../src/source/read.js';
import { useServer } from '../../helpers/msw.js';
import { accessLogEntries, BASE, collect, fixture, sourceOptions, testConnectorFile } from '../../helpers/slack.js';

const { server, requests } = useServer();
const connector = testConnectorFile('slack-access-logs-classic');

/**
 * team.accessLogs in classic paging, shaped like the real sample: `paging.pages` says how many
 * pages exist; like Slack, a page past 100 is refused with ok:false over_pagination_limit.
 */
function classicAccessLogs(pages: number) {
  server.use(
    http.get(`${BASE}/team.accessLogs`, ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? '1');
      if (page > 100) return HttpResponse.json({ ok: false, error: 'over_pagination_limit' });
      const body = fixture<{ logins: { user_id: string }[]; paging: Record<string, number> }>('team.accessLogs.json');
      const logins = body.logins.map((entry) => ({ ...entry, user_id: `${entry.user_id}P${page}` }));
      return HttpResponse.json({ ...body, logins, paging: { ...body.paging, page, pages, total: pages * logins.length } });
    }),
  );
}

const pagesAsked = () => requests.map((r) => Number(r.url.searchParams.get('page')));

describe('page_number pagination (team.accessLogs, classic paging)', () => {
  it('reads the real single-page sample in one request', async () => {
    server.use(http.get(`${BASE}/team.accessLogs`, () => HttpResponse.json(fixture('team.accessLogs.json'))));
    const source = readSource(sourceOptions(connector));
    const { records } = await collect(source.items);
    expect(records.map((r) => r.user_id)).toEqual(accessLogEntries().map((e) => e.user_id));
    expect(requests).toHaveLength(1);
    expect(requests[0].url.searchParams.get('page')).toBe('1');
    expect(requests[0].url.searchParams.get('count')).toBe('100');
  });

  it('asks for pages 1, 2, 3 and stops at paging.pages', async () => {
    classicAccessLogs(3);
    const source = readSource(sourceOptions(connector));
    const { records, failed } = await collect(source.items);
    expect(failed).toEqual([]);
    expect(pagesAsked()).toEqual([1, 2, 3]);
    expect(records).toHaveLength(3 * accessLogEntries().length);
    expect(source.stats.warnings).toEqual([]);
  });

  it('never asks for page 101 when paging.pages says 150, and warns that it stopped at the page limit', async () => {
    classicAccessLogs(150);
    const source = readSource(sourceOptions(connector));
    const { records } = await collect(source.items);

    const asked = pagesAsked();
    expect(Math.max(...asked)).toBe(100);
    expect(asked).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(records).toHaveLength(100 * accessLogEntries().length);
    expect(source.stats.warnings).toHaveLength(1);
    expect(source.stats.warnings[0]).toMatch(/\b100\b/);
    expect(source.stats.warnings[0]).toMatch(/cursor/);
  });
});
