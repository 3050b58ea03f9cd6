import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { askedWait, readWait } from '../../src/source/waits.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/**
 * Rate-limit waits in the unit the connector states (`rate_limit.reset_unit`), on documented
 * vendor shapes (sources in test/fixtures/hubspot/README.md and test/fixtures/github/README.md).
 */
const { server, requests } = useServer();
const connectors = useConnectors();

const fixture = <T = Record<string, unknown>>(vendor: string, name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', vendor, name), 'utf8')) as T;

describe('HubSpot: X-HubSpot-RateLimit-Interval-Milliseconds: 1000 is one second', () => {
  const API = 'https://api.hubapi.test';
  const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
  const hubspot = (unit: string) => connectors.load(`
    id: hubspot-users
    name: HubSpot users
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Private app access token, secret: true, env: HUBSPOT_TOKEN }
    base_url: ${API}
    request: { method: GET, path: /settings/v3/users }
    pagination: { type: none }
    records: results
    errors:
      - when: { status: 429, path: policyName, equals: DAILY }
        class: configuration
        summary: message
        message: "HubSpot: {{ summary }}"
        hint: The daily limit resets at midnight in the account's time zone; run again then.
      - when: { status: 429 }
        class: rate_limit
        summary: message
        message: "HubSpot: {{ summary }}"
    rate_limit:
      reset_header: X-HubSpot-RateLimit-Interval-Milliseconds
      reset_unit: ${unit}
    retry: { attempts: 3, base_delay_ms: 10, max_wait_seconds: 300 }
    fields:
      user_id: { label: User Id, path: id, type: string }
      email:   { label: Email, type: string }
    sync_key: user_id
  `);
  const documented = () => fixture('hubspot', 'ratelimit.http429.json');
  const rolling = () => ({ ...documented(), message: 'You have reached your ten_secondly_rolling limit.', policyName: 'TEN_SECONDLY_ROLLING' });
  const tooMany = (body: Record<string, unknown>) => HttpResponse.json(body, { status: 429, headers: fixture('hubspot', 'ratelimit.http429.headers.json') });
  const users = () => HttpResponse.json({ results: [{ id: '1', email: 'ada@acme.test' }] });

  it('with reset_unit: milliseconds, waits one second (not 1000 s), then reads the page', async () => {
    const at: number[] = [];
    server.use(http.get(`${API}/settings/v3/users`, () => (at.push(performance.now()), at.length === 1 ? tooMany(rolling()) : users())));
    const waits: number[] = [];

    const { records, stats, error } = await read(optionsFor(hubspot('milliseconds'), { token: TOKEN }, {}, { onWait: (ms) => waits.push(ms) }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: '1', email: 'ada@acme.test' }]);
    expect(waits).toEqual([1000]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(995);
    expect(at[1] - at[0]).toBeLessThan(1500);
    expect(stats.retries).toMatchObject({ count: 1, wait_ms: 1000 });
    expect(stats.retries.reasons[0].reason).toBe('HubSpot: You have reached your ten_secondly_rolling limit.');
  });

  it('the same header read as seconds is a 1000 s wait: more than max_wait_seconds, so the run fails at once and names the header and the unit', async () => {
    server.use(http.get(`${API}/settings/v3/users`, () => tooMany(rolling())));
    const started = performance.now();

    const error = await readError(optionsFor(hubspot('seconds'), { token: TOKEN }));

    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('api_rate_limit');
    expect(error.message).toContain('the API asks to wait 1000 s (X-HubSpot-RateLimit-Interval-Milliseconds: 1000, read as seconds to wait), more than the 300 s allowed');
    expect(error.hint).toMatch(/reset_unit/);
    expect(requests).toHaveLength(1);
  });

  it('the documented daily-limit 429 fails at once with the rule\'s hint: waiting a window would not help', async () => {
    server.use(http.get(`${API}/settings/v3/users`, () => tooMany(documented())));

    const error = await readError(optionsFor(hubspot('milliseconds'), { token: TOKEN }));

    expect(error.code).toBe('api_configuration');
    expect(error.message).toContain('HubSpot: You have reached your daily limit.');
    expect(error.hint).toMatch(/midnight/);
    expect(requests).toHaveLength(1);
    expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
  });

  it('without Retry-After or the wait header (or with a value that does not read in its unit), backs off from base_delay_ms', async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/settings/v3/users`, () => {
        calls++;
        if (calls === 1) return HttpResponse.json(rolling(), { status: 429 });
        if (calls === 2) return HttpResponse.json(rolling(), { status: 429, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': 'soon' } });
        return users();
      }),
    );
    const waits: number[] = [];

    const { error } = await read(optionsFor(hubspot('milliseconds'), { token: TOKEN }, {}, { onWait: (ms) => waits.push(ms) }));

    expect(error).toBeUndefined();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(10); // base_delay_ms, plus up to half of it
    expect(waits[0]).toBeLessThanOrEqual(15);
    expect(waits[1]).toBeGreaterThanOrEqual(20); // doubled
    expect(waits[1]).toBeLessThanOrEqual(30);
  });

  it('Retry-After, when sent, wins over the wait header', async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/settings/v3/users`, () =>
        ++calls === 1 ? HttpResponse.json(rolling(), { status: 429, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'Retry-After': '0' } }) : users(),
      ),
    );
    const waits: number[] = [];

    await read(optionsFor(hubspot('milliseconds'), { token: TOKEN }, {}, { onWait: (ms) => waits.push(ms) }));

    expect(waits).toEqual([10]); // Retry-After: 0, raised to base_delay_ms; not 10 s
  });
});

describe('GitHub: x-ratelimit-reset in UTC epoch seconds', () => {
  const API = 'https://api.github.test';
  const github = () => connectors.load(`
    id: github-members
    name: GitHub organization members
    record_type: users
    credentials: { type: bearer, fields: { token: { label: Token, secret: true, env: GITHUB_TOKEN } } }
    base_url: ${API}
    request: { method: GET, path: /orgs/acme/members }
    pagination: { type: none }
    records: "."
    errors:
      - when: { status: [403, 429], headers: { x-ratelimit-remaining: 0 } }
        class: rate_limit
    rate_limit: { reset_header: x-ratelimit-reset, reset_unit: epoch_seconds }
    retry: { base_delay_ms: 1 }
    fields:
      login: { label: Login, type: string }
    sync_key: login
  `);

  it('the rate-limited 403 waits until the second x-ratelimit-reset names, then reads on', async () => {
    const resetAt = (Math.floor(Date.now() / 1000) + 2) * 1000;
    const at: number[] = [];
    server.use(
      http.get(`${API}/orgs/acme/members`, () => {
        at.push(Date.now());
        if (at.length > 1) return HttpResponse.json([{ login: 'octocat', id: 1 }]);
        const headers = { ...fixture<Record<string, string>>('github', 'ratelimit.http403.headers.json'), 'x-ratelimit-reset': String(resetAt / 1000) };
        return HttpResponse.json(fixture('github', 'ratelimit.http403.json'), { status: 403, headers });
      }),
    );

    const { records, error } = await read(optionsFor(github(), { token: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ login: 'octocat' }]);
    expect(at[1]).toBeGreaterThanOrEqual(resetAt - 5);
    expect(at[1] - resetAt).toBeLessThan(500);
  });
});

describe('reading a wait in each unit', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it.each([
    ['seconds', '20', 20_000],
    ['seconds', '1.5', 1_500],
    ['milliseconds', '1000', 1_000],
    ['epoch_seconds', String(now / 1000 + 30), 30_000],
    ['epoch_milliseconds', String(now + 2_500), 2_500],
    ['epoch_seconds', String(now / 1000 - 60), 0], // already past: no wait
    ['date', 'Thu, 01 Jan 2026 12:00:45 GMT', 45_000], // an HTTP date
    ['date', '2026-01-01T12:01:00Z', 60_000], // ISO 8601 (Zoom's Retry-After)
    ['date', '2026-01-01T13:01:00+01:00', 60_000],
    ['date', '2026-01-01T12:00:10', 10_000], // no offset: UTC
  ] as const)('%s %s → %i ms', (unit, value, ms) => {
    expect(readWait(value, unit, now)).toBe(ms);
  });

  it.each([
    ['seconds', 'soon'],
    ['seconds', '-5'],
    ['milliseconds', ''],
    ['epoch_seconds', '20'], // 20 s after 1970: seconds to wait sent where an epoch was declared
    ['epoch_milliseconds', '1377013266'], // epoch seconds declared as milliseconds: 1970
    ['date', '1377013266'],
    ['date', 'tomorrow'],
  ] as const)('%s %j does not read: no wait from it', (unit, value) => {
    expect(readWait(value, unit, now)).toBeUndefined();
  });

  it('Retry-After takes seconds or a date; the wait header is read only in its stated unit', () => {
    expect(askedWait({ 'retry-after': '7' }, undefined, now)).toEqual({ ms: 7000, said: 'Retry-After: 7' });
    expect(askedWait({ 'retry-after': 'Thu, 01 Jan 2026 12:00:03 GMT' }, undefined, now)?.ms).toBe(3000);
    expect(askedWait({ 'x-ratelimit-reset': String(now / 1000 + 9) }, undefined, now)).toBeUndefined(); // no header declared: not guessed
    expect(askedWait({ 'x-ratelimit-reset': String(now / 1000 + 9) }, { name: 'X-RateLimit-Reset', unit: 'epoch_seconds' }, now)).toEqual({ ms: 9000, said: `X-RateLimit-Reset: ${now / 1000 + 9}, read as epoch seconds` });
  });
});
