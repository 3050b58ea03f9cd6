import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { performance } from 'node:perf_hooks';
import { SourceError } from '../../src/errors.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

const TOKEN = { token: 'ya29.directory-access-token-3f2a' };

describe('error rules by status and body (Google Admin SDK Directory API)', () => {
  // Google answers HTTP 403 both for a rate limit (reason userRateLimitExceeded: "retry using
  // exponential backoff") and for a missing permission (reason forbidden):
  // {"error":{"code":403,"message":"…","errors":[{"domain":"…","reason":"…","message":"…"}]}}
  const directory = (retry: string) => connectors.load(`
    id: google-directory-users
    name: Google Workspace users
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Access token, secret: true, env: GOOGLE_ACCESS_TOKEN }
    settings:
      base_url: { label: API root, type: string, default: https://admin.googleapis.test/admin/directory/v1 }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users, query: { customer: my_customer } }
    pagination: { type: none }
    records: users
    errors:
      - when: { status: 403, path: error.errors.0.reason, equals: userRateLimitExceeded }
        class: transient
        code: error.errors.0.reason
      - when: { status: 403 }
        class: configuration
        code: error.errors.0.reason
        message: "Google refused users.list: {{ code }}"
        hint: "Check the service account's domain-wide delegation."
        codes:
          forbidden: { hint: "The admin the service account acts as needs the Users read privilege (scope admin.directory.user.readonly)." }
    retry: ${retry}
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
  const googleError = (reason: string, message: string) => HttpResponse.json({ error: { code: 403, message, errors: [{ domain: 'usageLimits', reason, message }] } }, { status: 403 });
  const rateLimited = () => googleError('userRateLimitExceeded', 'User Rate Limit Exceeded');

  /** Answers /users with `failures` errors from `fail`, then with one user. */
  function failingThenOk(failures: number, fail: () => Response) {
    let calls = 0;
    server.use(
      http.get('https://admin.googleapis.test/admin/directory/v1/users', () => {
        calls++;
        return calls <= failures ? fail() : HttpResponse.json({ kind: 'admin#directory#users', users: [{ id: '1001', primaryEmail: 'ada@acme.test' }] });
      }),
    );
  }

  it('retries a response the rule classes transient, backing off exponentially, then reads the page', async () => {
    failingThenOk(2, rateLimited);
    const waits: number[] = [];
    const { records, stats, error } = await read(optionsFor(directory('{ base_delay_ms: 40 }'), TOKEN, {}, { onWait: (ms) => waits.push(ms) }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: '1001' }]);
    expect(requests).toHaveLength(3);
    expect(stats.requests).toBe(3);
    // base 40 ms, then doubled, each within ±50 % jitter
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(20);
    expect(waits[0]).toBeLessThanOrEqual(60);
    expect(waits[1]).toBeGreaterThanOrEqual(40);
    expect(waits[1]).toBeLessThanOrEqual(120);
  });

  it('fails at once, without retrying, on a response the rule classes configuration, with the hint for its code', async () => {
    failingThenOk(Infinity, () => googleError('forbidden', 'Not Authorized to access this resource/api'));
    const waits: number[] = [];
    const error = await readError(optionsFor(directory('{ base_delay_ms: 1 }'), TOKEN, {}, { onWait: (ms) => waits.push(ms) }));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('api_configuration');
    expect(error.message).toContain('Google refused users.list: forbidden');
    expect(error.hint).toBe('The admin the service account acts as needs the Users read privilege (scope admin.directory.user.readonly).');
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('uses the rule\'s own hint for a code the rule does not list', async () => {
    failingThenOk(Infinity, () => googleError('domainCannotUseApis', 'Domain cannot use apis.'));
    const error = await readError(optionsFor(directory('{ base_delay_ms: 1 }'), TOKEN));

    expect(error.message).toContain('Google refused users.list: domainCannotUseApis');
    expect(error.hint).toBe("Check the service account's domain-wide delegation.");
    expect(requests).toHaveLength(1);
  });

  // retry.max_wait_seconds is "the longest single wait honoured from Retry-After"; Intake's own
  // backoff is not the API asking to wait, and must not end the run before the attempts run out.
  it('retries transient errors until the attempts run out even when its own backoff grows past max_wait_seconds', async () => {
    failingThenOk(Infinity, rateLimited);
    const error = await readError(optionsFor(directory('{ attempts: 4, base_delay_ms: 40, max_wait_seconds: 0.05 }'), TOKEN));

    expect(error.message).toMatch(/gave up after 4 attempts/);
    expect(error.message).not.toMatch(/asks to wait/);
    expect(requests).toHaveLength(4);
  });

  it('gives up after retry.attempts attempts and says so', async () => {
    failingThenOk(Infinity, rateLimited);
    const error = await readError(optionsFor(directory('{ attempts: 3, base_delay_ms: 1 }'), TOKEN));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('api_transient');
    expect(error.message).toMatch(/gave up after 3 attempts/);
    expect(error.message).toContain('userRateLimitExceeded');
    expect(requests).toHaveLength(3);
  });
});

describe('rate limits', () => {
  // Okta answers HTTP 429 {"errorCode":"E0000047",…} and gives X-Rate-Limit-Reset (UTC epoch seconds)
  // on every response (https://developer.okta.com/docs/reference/rl-best-practices/); Microsoft Graph throttles with HTTP 429 or 503 and a Retry-After header.
  const API = 'https://acme.okta.test/api/v1';
  const okta = (retry = '{ base_delay_ms: 1 }') => connectors.load(`
    id: okta-users
    name: Okta users
    record_type: users
    credentials:
      type: api_key
      in: header
      name: Authorization
      scheme: SSWS
      fields:
        token: { label: API token, secret: true, env: OKTA_API_TOKEN }
    settings:
      base_url: { label: Okta org URL, type: string, default: "${API}" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users }
    pagination: { type: page_number, send: { in: query, name: page } }
    records: "."
    errors:
      - when: { status: [429, 503] }
        class: rate_limit
    retry: ${retry}
    rate_limit: { reset_header: X-Rate-Limit-Reset, reset_unit: epoch_seconds }
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
  const tooMany = { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.', errorLink: 'E0000047', errorId: 'oaeXyz', errorCauses: [] };

  /** /users: the first request is throttled with `throttle()`; then one page of users and an empty page. */
  function throttledOnce(throttle: () => Response) {
    const at: number[] = [];
    server.use(
      http.get(`${API}/users`, ({ request }) => {
        at.push(Date.now());
        if (at.length === 1) return throttle();
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json(page === 1 ? [{ id: '00u1' }] : []);
      }),
    );
    return at;
  }
  /** The next whole second, at least one second from now (HTTP dates and epoch resets have second precision). */
  const nextSecond = () => (Math.floor(Date.now() / 1000) + 2) * 1000;

  it.each([
    ['Retry-After in seconds, on an HTTP 503 the rule classes rate_limit', () => {
      const resumeAt = Date.now() + 1000;
      return { resumeAt, response: HttpResponse.json({ error: { code: 'serviceNotAvailable', message: 'Service unavailable' } }, { status: 503, headers: { 'Retry-After': '1' } }) };
    }],
    ['Retry-After as an HTTP date', () => {
      const resumeAt = nextSecond();
      return { resumeAt, response: HttpResponse.json(tooMany, { status: 429, headers: { 'Retry-After': new Date(resumeAt).toUTCString() } }) };
    }],
    ['an epoch-seconds reset header (X-Rate-Limit-Reset)', () => {
      const resumeAt = nextSecond();
      return { resumeAt, response: HttpResponse.json(tooMany, { status: 429, headers: { 'X-Rate-Limit-Limit': '600', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(resumeAt / 1000) } }) };
    }],
  ])('waits as %s, then reads on', async (_, throttle) => {
    let resumeAt = 0;
    const at = throttledOnce(() => {
      const t = throttle();
      resumeAt = t.resumeAt;
      return t.response;
    });
    const waits: number[] = [];
    const { records, error } = await read(optionsFor(okta(), { token: '00okta-token' }, {}, { onWait: (ms) => waits.push(ms) }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: '00u1' }]);
    expect(at).toHaveLength(3);
    expect(waits).toHaveLength(1);
    // It waited until the time the API named (not a short backoff), and not much longer.
    expect(waits[0]).toBeGreaterThan(resumeAt - at[0] - 300);
    expect(waits[0]).toBeLessThanOrEqual(resumeAt - at[0] + 50);
    expect(at[1]).toBeGreaterThanOrEqual(resumeAt - 50);
  });

  it('fails at once when the reset header asks for a longer wait than retry.max_wait_seconds', async () => {
    const reset = Math.floor(Date.now() / 1000) + 600;
    server.use(http.get(`${API}/users`, () => HttpResponse.json(tooMany, { status: 429, headers: { 'X-Rate-Limit-Reset': String(reset) } })));
    const started = performance.now();
    const error = await readError(optionsFor(okta('{ max_wait_seconds: 60 }'), { token: '00okta-token' }));

    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('api_rate_limit');
    expect(error.message).toMatch(/wait (599|600|601) s \(X-Rate-Limit-Reset: \d+, read as epoch seconds\), more than the 60 s allowed/);
    expect(error.hint).toMatch(/max_wait_seconds/);
    expect(requests).toHaveLength(1);
  });

  it('gives up after retry.attempts when the API keeps rate limiting', async () => {
    server.use(http.get(`${API}/users`, () => HttpResponse.json(tooMany, { status: 429, headers: { 'Retry-After': '0' } })));
    const error = await readError(optionsFor(okta('{ attempts: 4, base_delay_ms: 1 }'), { token: '00okta-token' }));

    expect(error.code).toBe('api_rate_limit');
    expect(error.message).toMatch(/gave up after 4 attempts/);
    expect(requests).toHaveLength(4);
  });
});

describe('request budget', () => {
  it('rate_limit { requests: 2, per_seconds: 1 } spaces 4 requests over at least a second', async () => {
    const connector = connectors.load(`
      id: budgeted-users
      name: Budgeted users
      record_type: users
      credentials: { type: bearer, fields: { token: { label: API token, secret: true, env: ACME_TOKEN } } }
      settings:
        base_url: { label: API URL, type: string, default: https://api.acme.test/v1 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users }
      pagination: { type: page_number, send: { in: query, name: page } }
      records: users
      rate_limit: { requests: 2, per_seconds: 1 }
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    const at: number[] = [];
    server.use(
      http.get('https://api.acme.test/v1/users', ({ request }) => {
        at.push(performance.now());
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ users: page < 4 ? [{ id: `u${page}` }] : [] });
      }),
    );
    const started = performance.now();
    const { records, error } = await read(optionsFor(connector, { token: 'acme-test-token' }));
    const elapsed = performance.now() - started;

    expect(error).toBeUndefined();
    expect(records).toHaveLength(3);
    expect(at).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
    // no window of one second holds more than 2 requests
    expect(at[2] - at[0]).toBeGreaterThanOrEqual(900);
    expect(at[3] - at[1]).toBeGreaterThanOrEqual(900);
  });
});
