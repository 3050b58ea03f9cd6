import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readSource } from '../../src/source/read.js';
import type { SourceItem, SourceRecord } from '../../src/source/types.js';
import { useServer } from '../helpers/msw.js';
import { accessLogEntries, accessLogsCursorPage, BASE, collect, connectorFile, isoFromEpochSeconds, sourceOptions, type AccessLogEntry } from '../helpers/slack.js';

const { server, requests } = useServer();

/** Serves team.accessLogs in cursor mode, one response per given page, in order. */
function accessLogs(pages: AccessLogEntry[][]) {
  const cursorOf = (i: number) => (i === pages.length - 1 ? '' : `next-${i + 1}`);
  server.use(
    http.get(`${BASE}/team.accessLogs`, ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor');
      const index = cursor === null ? 0 : Number(cursor.replace('next-', ''));
      return HttpResponse.json(accessLogsCursorPage(pages[index], cursorOf(index)));
    }),
  );
}

async function readUsers(pages: AccessLogEntry[][]): Promise<Map<string, SourceRecord>> {
  accessLogs(pages);
  const { records, failed } = await collect(readSource(sourceOptions(connectorFile('slack-last-login'))).items);
  expect(failed).toEqual([]);
  expect(requests).toHaveLength(pages.length);
  requests.length = 0;
  return new Map(records.map((r) => [String(r.user_id), r]));
}

/** Three entries of the real sample's first user (one per IP/user agent), built from the real one. */
function threeEntriesOfOneUser(): AccessLogEntry[] {
  const [real] = accessLogEntries();
  const t = real.date_first;
  return [
    { ...real, date_first: t - 86_400, date_last: t + 600, count: 4, ip: '10.0.0.1' },
    { ...real, date_first: t, date_last: t + 90_000, count: 1, ip: '10.0.0.2', user_agent: 'com.tinyspeck.chatlyio/21.02.10 (iPhone; iOS 14.4)', region: 'NY' },
    { ...real, date_first: t + 100, date_last: t + 7_200, count: 7, ip: '10.0.0.3', region: 'WA' },
  ];
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** What a user expects for one Slack user, computed from its raw entries. */
function expectedFor(entries: AccessLogEntry[]) {
  const latest = entries.reduce((a, b) => (b.date_last > a.date_last ? b : a));
  return {
    user_id: latest.user_id,
    last_used: isoFromEpochSeconds(Math.max(...entries.map((e) => e.date_last))),
    first_used: isoFromEpochSeconds(Math.min(...entries.map((e) => e.date_first))),
    count: entries.reduce((sum, e) => sum + e.count, 0),
    ip: latest.ip,
    user_agent: latest.user_agent,
    region: latest.region,
  };
}

const entries = threeEntriesOfOneUser();
const other = accessLogEntries()[1];
const orders = permutations(entries);

describe('aggregation by user (team.accessLogs)', () => {
  it('the test data puts the latest login on an entry that has neither the first login nor the largest count', () => {
    const latest = entries.reduce((a, b) => (b.date_last > a.date_last ? b : a));
    expect(latest.date_first).not.toBe(Math.min(...entries.map((e) => e.date_first)));
    expect(latest.count).not.toBe(Math.max(...entries.map((e) => e.count)));
  });

  it.each(orders.map((order, i) => [i + 1, order] as const))('order %i: one record per user, last_used = max, first_used = min, count = sum, the rest from the latest entry', async (_, order) => {
    const users = await readUsers([[order[0], other, order[1]], [order[2]]]);

    expect([...users.keys()].sort()).toEqual([entries[0].user_id, other.user_id].sort());
    expect(users.get(entries[0].user_id)).toMatchObject(expectedFor(entries));
    expect(users.get(other.user_id)).toMatchObject(expectedFor([other]));
  });

  it('gives the same records for every order and every split of the entries across pages', async () => {
    const results: SourceRecord[][] = [];
    for (const order of orders) {
      results.push([...(await readUsers([[order[0]], [other, order[1], order[2]]])).values()]);
      results.push([...(await readUsers([[order[0], order[1], order[2], other]])).values()]);
    }
    const sorted = results.map((records) => [...records].sort((a, b) => String(a.user_id).localeCompare(String(b.user_id))));
    for (const result of sorted) expect(result).toEqual(sorted[0]);
  });

  // The aggregate promises that "the order in which entries arrive never changes the result".
  // Two entries of one user can share the latest date_last (epoch seconds: e.g. desktop and
  // mobile in the same second); then ip/user_agent must not depend on which arrived first.
  it('gives the same ip and user agent whatever the order when two entries share the latest date_last', async () => {
    const [a, b] = entries;
    const tied = [{ ...a, date_last: b.date_last }, b];
    const forward = (await readUsers([[tied[0]], [tied[1]]])).get(a.user_id)!;
    const backward = (await readUsers([[tied[1]], [tied[0]]])).get(a.user_id)!;
    expect(backward).toEqual(forward);
  });
});

describe('aggregation with an entry that cannot be read', () => {
  it('fails that user as a whole (a partial group could hold a stale last login) and keeps the others', async () => {
    const [first, second, third] = entries;
    accessLogs([[first, { ...second, date_last: 'yesterday' } as unknown as AccessLogEntry, other], [third]]);
    const { records, failed } = await collect(readSource(sourceOptions(connectorFile('slack-last-login'))).items);
    expect(records.map((r) => r.user_id)).toEqual([other.user_id]);
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed[0])).toContain(first.user_id);
    expect(JSON.stringify(failed[0])).toMatch(/last_used/);
  });
});

describe('an aggregated read a list at a time (readSource().lists, what a run takes)', () => {
  it('hands on the same groups and failures as item by item, and counts every entry read', async () => {
    const [first, second, third] = entries;
    const pages = [[first, { ...second, date_last: 'yesterday' } as unknown as AccessLogEntry, other], [third, { ...other, date_last: other.date_last + 60 }]];
    accessLogs(pages);
    const one = readSource(sourceOptions(connectorFile('slack-last-login')));
    const byItem = await collect(one.items);
    requests.length = 0;
    accessLogs(pages);
    const listed = readSource(sourceOptions(connectorFile('slack-last-login')));
    const lists: (readonly SourceItem[])[] = [];
    for await (const list of listed.lists) lists.push(list);

    expect(lists.length).toBeGreaterThan(0);
    const items = lists.flat();
    expect(items.filter((i) => 'record' in i).map((i) => (i as { record: SourceRecord }).record)).toEqual(byItem.records);
    expect(items.filter((i) => 'failed' in i)).toEqual(byItem.failed);
    expect(items.find((i) => 'record' in i && i.record.user_id === other.user_id)).toMatchObject({ record: { last_used: isoFromEpochSeconds(other.date_last + 60) } });
    expect(listed.stats).toMatchObject({ pages: 2, entries: 5 });
    expect(listed.stats.entries).toBe(one.stats.entries);
  });
});
