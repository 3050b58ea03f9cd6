import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '../../src/errors.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/**
 * Error rules that read response headers, on documented vendor shapes (sources in
 * test/fixtures/github/README.md and test/fixtures/bamboohr/README.md).
 */
const { server, requests } = useServer();
const connectors = useConnectors();

const fixture = <T = Record<string, unknown>>(vendor: string, name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', vendor, name), 'utf8')) as T;

describe('GitHub: a 403 is a rate limit only when x-ratelimit-remaining is 0', () => {
  // "If you exceed your primary rate limit, you will receive a 403 Forbidden or 429 Too Many
  // Requests response, and the x-ratelimit-remaining header will be 0." Any other 403 is a refusal.
  const API = 'https://api.github.test';
  const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
  const github = () => connectors.load(`
    id: github-members
    name: GitHub organization members
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Personal access token, secret: true, env: GITHUB_TOKEN }
    settings:
      base_url: { label: API URL, type: string, default: "${API}" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /orgs/acme/members, query: { per_page: 100 } }
    pagination: { type: next_url, from: link_header }
    records: "."
    errors:
      - when: { status: [403, 429], headers: { x-ratelimit-remaining: 0 } }
        class: rate_limit
        summary: message
        message: "GitHub rate limit: {{ summary }}"
      - when: { status: [401, 403] }
        class: configuration
        summary: message
        message: "GitHub refused the request: {{ summary }}"
        hint: Check GITHUB_TOKEN and that it may read the organization's members.
    retry: { attempts: 3, base_delay_ms: 1 }
    fields:
      login: { label: Login, path: login, type: string }
    sync_key: login
  `);
  const rateLimited = () => HttpResponse.json(fixture('github', 'ratelimit.http403.json'), { status: 403, headers: fixture('github', 'ratelimit.http403.headers.json') });
  const members = (headers: Record<string, string> = {}) => HttpResponse.json([{ login: 'octocat', id: 1 }], { headers });

  it('retries the documented rate-limited 403 (x-ratelimit-remaining: 0), then reads the page', async () => {
    let calls = 0;
    server.use(http.get(`${API}/orgs/acme/members`, () => (++calls === 1 ? rateLimited() : members())));

    const { records, stats, error } = await read(optionsFor(github(), { token: TOKEN }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ login: 'octocat' }]);
    expect(requests).toHaveLength(2);
    expect(stats.retries.count).toBe(1);
    expect(stats.retries.reasons[0].reason).toMatch(/^GitHub rate limit: API rate limit exceeded for xxx\.xxx\.xxx\.xxx/);
  });

  it('fails at once on a 403 without x-ratelimit-remaining: 0 (too many login attempts), with the body\'s message and the hint', async () => {
    server.use(http.get(`${API}/orgs/acme/members`, () => HttpResponse.json(fixture('github', 'login-attempts.http403.json'), { status: 403, headers: { 'x-ratelimit-remaining': '4999' } })));

    const error = await readError(optionsFor(github(), { token: TOKEN }));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe('api_configuration');
    expect(error.message).toContain('GitHub refused the request: Maximum number of login attempts exceeded. Please try again later.');
    expect(error.hint).toMatch(/GITHUB_TOKEN/);
    expect(requests).toHaveLength(1);
    expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
  });

  it('a successful page that uses up the limit (200 with x-ratelimit-remaining: 0) is read, not retried: the rule names its statuses', async () => {
    server.use(http.get(`${API}/orgs/acme/members`, () => members({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1377013266' })));

    const { records, error } = await read(optionsFor(github(), { token: TOKEN }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ login: 'octocat' }]);
    expect(requests).toHaveLength(1);
  });

  it('{ present: true } matches a header whatever its value, { present: false } only its absence; several headers must all match', async () => {
    const connector = connectors.load(`
      id: github-secondary
      name: GitHub secondary rate limit
      record_type: users
      credentials: { type: bearer, fields: { token: { label: Token, secret: true, env: GITHUB_TOKEN } } }
      base_url: ${API}
      request: { method: GET, path: /orgs/acme/members }
      pagination: { type: none }
      records: "."
      errors:
        - when: { status: 403, headers: { retry-after: { present: true }, x-ratelimit-remaining: { present: false } } }
          class: transient
          message: secondary rate limit
      retry: { attempts: 2, base_delay_ms: 1 }
      fields:
        login: { label: Login, type: string }
      sync_key: login
    `);
    const secondary = (headers: Record<string, string>) => HttpResponse.json({ message: 'You have exceeded a secondary rate limit.' }, { status: 403, headers });
    let calls = 0;
    server.use(http.get(`${API}/orgs/acme/members`, () => (++calls === 1 ? secondary({ 'retry-after': '0' }) : members())));
    expect((await read(optionsFor(connector, { token: TOKEN }))).records).toEqual([{ login: 'octocat' }]);
    expect(calls).toBe(2);

    server.resetHandlers();
    calls = 0;
    server.use(http.get(`${API}/orgs/acme/members`, () => (++calls === 1 ? secondary({ 'retry-after': '0', 'x-ratelimit-remaining': '12' }) : members())));
    const error = await readError(optionsFor(connector, { token: TOKEN }));
    expect(error.code).toBe('api_configuration'); // the rule did not match: HTTP's 403, a refusal
    expect(calls).toBe(1);
  });
});

describe('BambooHR: the error text is in the X-BambooHR-Error-Message header, the body is empty', () => {
  // BambooHR's OpenAPI description: "The error message is returned in the `x-bamboohr-error-message`
  // response header; the body is empty." (example: 'Invalid status').
  const API = 'https://acme.bamboohr.test';
  const KEY = 'bhr-api-key-0f3b8c2d9e4a7165c2b3';
  const bamboo = (summary: string) => connectors.load(`
    id: bamboohr-directory
    name: BambooHR employee directory
    record_type: users
    credentials:
      type: basic
      username_field: api_key
      fields:
        api_key: { label: API key, secret: true, env: BAMBOOHR_API_KEY }
    settings:
      base_url: { label: Company URL, type: string, default: "${API}" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /api/v1/employees/directory, headers: { Accept: application/json } }
    pagination: { type: none }
    records: employees
    errors:
      - when: { status: [400, 401, 403, 404] }
        class: configuration
        summary: ${summary}
        code: { from: header, path: x-bamboohr-error-message }
        message: "BambooHR refused the employee directory (HTTP {{ status }}): {{ summary }}"
        codes:
          Invalid status: { hint: "BambooHR's own words for this error; see its API docs." }
    fields:
      employee_id: { label: Employee Id, path: id, type: string }
    sync_key: employee_id
  `);
  const refused = (status: number) => new HttpResponse(null, { status, headers: fixture('bamboohr', 'error.http400.headers.json') });

  it('takes {{ summary }} and the code from the header (any case of its name); the code\'s own hint applies', async () => {
    server.use(http.get(`${API}/api/v1/employees/directory`, () => refused(400)));

    const error = await readError(optionsFor(bamboo('{ from: header, path: X-BambooHR-Error-Message }'), { api_key: KEY }));

    expect(error.code).toBe('api_configuration');
    expect(error.message).toContain('BambooHR refused the employee directory (HTTP 400): Invalid status');
    expect(error.hint).toBe("BambooHR's own words for this error; see its API docs.");
    expect(requests).toHaveLength(1);
    expect(`${error.message} ${error.hint}`).not.toContain(KEY);
  });

  it('a body path where the API sends nothing leaves {{ summary }} empty, never "undefined"', async () => {
    server.use(http.get(`${API}/api/v1/employees/directory`, () => refused(403)));

    const error = await readError(optionsFor(bamboo('error.message'), { api_key: KEY }));

    expect(error.message).toMatch(/BambooHR refused the employee directory \(HTTP 403\):$/);
    expect(error.message).not.toContain('undefined');
  });
});
