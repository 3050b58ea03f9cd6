import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator } from '../../src/demo/simulator.js';
import { apiServer, type ApiServer, type Reply } from '../helpers/api-server.js';
import { intake, root, type CliResult } from '../helpers/cli.js';

describe('intake preview', () => {
  it('shows each request without the credential, the raw page, source records and mapped records', async () => {
    const simulator = await startSlackSimulator({ users: 20 });
    try {
      const result = await intake(['preview', 'slack-last-login', '--pages', '2', '--records', '2', '--json', '--set', `base_url=${simulator.url}`, '--set', 'page_size=5'], { SLACK_TOKEN: simulator.token });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(simulator.token);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ status: 'ok', connector: 'slack-last-login', origin: 'shipped', file: 'connectors/slack-last-login.yaml' });
      expect(report.pages).toHaveLength(2);
      expect(report.pages[0].request.url).toBe(`${simulator.url}/team.accessLogs?limit=5`);
      expect(report.pages[1].request.url).toMatch(/[?&]cursor=/);
      expect(report.pages[0].request.auth).toEqual(['Authorization: Bearer ***']);
      expect(report.pages[0].response).toMatchObject({ status: 200, records: 5, envelope: { ok: true, logins: '[… 5 records]', response_metadata: { next_cursor: expect.any(String) } } });
      expect(report.pages[0].response.raw_records).toHaveLength(2);
      expect(report.pages[0].source_records[0].record.last_used).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(report.pages[0].pager).toEqual({ decision: 'next', reason: expect.stringMatching(/^cursor ".*" from body path response_metadata\.next_cursor, sent as query parameter cursor$/) });
      expect(report.pages[1].pager).toEqual({ decision: 'stop', reason: expect.stringMatching(/^max_pages 2 reached \(the paginator had a next page: cursor /) });
      expect(report.mapped).toHaveLength(2);
      expect(Object.keys(report.mapped[0]).sort()).toEqual(['slack_last_login', 'slack_user_id']);
      expect(report.warnings[0]).toMatch(/stopped after 2 page/);
      expect(simulator.requests).toBe(2);
    } finally {
      await simulator.close();
    }
  });
});

/**
 * The connector author's loop against an API that echoes the credential back everywhere it can:
 * in a response header, in the body around the records, in a record, in an error body. Preview
 * shows the request as sent (the credential's shape, never its value), the response headers, the
 * envelope around the records, the pager's decision and, when a request fails, the failing
 * request and response — in text and JSON, with the planted token masked in all of them.
 */
const TOKEN = 'PLANTED/pr3view+t0ken=9';

/** Every readable form of the planted token: as is, URL-encoded (both cases), form-encoded, base64. */
function expectNoToken(output: CliResult): void {
  const forms = ['PLANTED', 'planted', TOKEN, encodeURIComponent(TOKEN), encodeURIComponent(TOKEN).toLowerCase(), new URLSearchParams({ s: TOKEN }).toString().slice(2), Buffer.from(TOKEN).toString('base64'), TOKEN.slice(8)];
  for (const text of [output.stdout, output.stderr]) {
    for (const form of forms) if (text.includes(form)) throw new Error(`the output holds the planted token as ${JSON.stringify(form)}:\n${text}`);
  }
}

const connector = `
id: echo_users
name: Echo users
record_type: users
credentials:
  type: api_key
  in: header
  name: PRIVATE-TOKEN
  fields:
    token: { label: API token, secret: true, env: ECHO_TOKEN }
settings:
  base_url: { label: API base URL, type: string, required: true }
base_url: "{{ settings.base_url }}"
request: { method: GET, path: /users, query: { limit: 2 }, headers: { X-Api-Version: "2" } }
pagination:
  type: offset
  offset: { in: query, name: offset }
  limit: { in: query, name: limit }
  page_size: 2
  stop: [{ path: more, equals: false }]
records: users
fields:
  user_id: { label: User Id, path: id, type: string }
  name: { label: Name, type: string }
sync_key: user_id
`;

/** An offset API with `more`, `total` and `offset` around the records, echoing PRIVATE-TOKEN; `/users?offset=4` is refused. */
function echo(url: URL, headers: Record<string, string | string[] | undefined>): Reply {
  const token = String(headers['private-token'] ?? '');
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const echoed = { 'X-Request-Id': `req-${offset}`, 'X-Echo-Token': token, 'Set-Cookie': `_session=${token}; path=/; HttpOnly`, 'X-Note': '\x9b2J' };
  if (offset >= 4) return { status: 401, headers: { ...echoed, 'WWW-Authenticate': `Bearer realm="api", error="invalid_token", token="${token}"` }, body: { message: '401 Unauthorized', token } };
  return {
    headers: echoed,
    body: { users: [{ id: `u${offset}`, name: token }, { id: `u${offset + 1}`, name: `Bearer ${token}` }], more: true, total: 6, offset, limit: 2, response_metadata: { echo: encodeURIComponent(token) }, note: '\u202egnp.exe' },
  };
}

describe('intake preview: the connector author\'s loop', () => {
  let api: ApiServer;
  let dir: string;
  const preview = (args: string[]) => intake(['preview', 'echo_users', '--set', `base_url=${api.url}`, ...args], { ECHO_TOKEN: TOKEN }, dir);

  beforeAll(async () => {
    api = await apiServer(echo);
    dir = mkdtempSync(join(tmpdir(), 'intake-preview-'));
    mkdirSync(join(dir, 'connectors'));
    writeFileSync(join(dir, 'connectors', 'echo_users.yaml'), connector);
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('text: the request as sent with PRIVATE-TOKEN: ***, the response headers, the whole envelope, the pager\'s decision', async () => {
    const result = await preview(['--pages', '2', '--records', '1']);
    expectNoToken(result);
    expect(result.code).toBe(0);
    expect(api.requests[0].headers['private-token']).toBe(TOKEN); // the API did get it
    const out = result.stdout;
    expect(out).toContain('preview of echo_users (user: connectors/echo_users.yaml)\n');
    expect(out).toContain(`── page 1 ──\n→ GET ${api.url}/users?limit=2&offset=0\n  X-Api-Version: 2\n  PRIVATE-TOKEN: ***   (credentials)\n← HTTP 200, 2 record(s)\n`);
    expect(out).toMatch(/\n {2}x-request-id: req-0\n/);
    expect(out).toMatch(/\n {2}x-echo-token: \*\*\*\n/);
    expect(out).toContain('\n  set-cookie: _session=***; path=/; HttpOnly\n');
    expect(out).toContain(['  body around the records:', '    {', '      "users": "[… 2 records]",', '      "more": true,', '      "total": 6,', '      "offset": 0,', '      "limit": 2,', '      "response_metadata": {', '        "echo": "***"', '      },', '      "note": "\\u202egnp.exe"', '    }'].join('\n'));
    // a terminal control from the API (a C1 CSI in a header) is shown escaped, never sent to the terminal
    expect(out).toContain('\n  x-note: \\u009b2J\n');
    expect(out).not.toMatch(/[\u009b\u202e]/);
    expect(out).toContain('  records as the API sent them (1 of 2):\n    {"id":"u0","name":"***"}\n');
    expect(out).toContain('  pager: next — offset 2 (moved by the 2 record(s) of this page; 2 record(s) read), sent as query parameter offset\n');
    expect(out).toContain('  pager: stop — max_pages 2 reached (the paginator had a next page: offset 4 ');
  });

  it('--json carries all of it, masked the same way', async () => {
    const result = await preview(['--pages', '2', '--records', '2', '--json']);
    expectNoToken(result);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ status: 'ok', connector: 'echo_users', origin: 'user', file: 'connectors/echo_users.yaml', records: 4 });
    const [page] = report.pages;
    expect(page.request).toEqual({ method: 'GET', url: `${api.url}/users?limit=2&offset=0`, headers: { 'X-Api-Version': '2', 'PRIVATE-TOKEN': '***' }, auth: ['PRIVATE-TOKEN: ***'] });
    expect(page.response).toMatchObject({
      status: 200,
      records: 2,
      headers: expect.objectContaining({ 'x-request-id': 'req-0', 'x-echo-token': '***', 'set-cookie': ['_session=***; path=/; HttpOnly'] }),
      envelope: { users: '[… 2 records]', more: true, total: 6, offset: 0, limit: 2, response_metadata: { echo: '***' }, note: '\u202egnp.exe' },
      raw_records: [{ id: 'u0', name: '***' }, { id: 'u1', name: 'Bearer ***' }],
    });
    expect(page.pager).toEqual({ decision: 'next', reason: 'offset 2 (moved by the 2 record(s) of this page; 2 record(s) read), sent as query parameter offset' });
    expect(page.source_records.map((r: { record: { name: string } }) => r.record.name)).toEqual(['***', 'Bearer ***']);
  });

  it('a failing request: the pages before it, then the failing request and its response (status, headers, body); exit 3', async () => {
    const text = await preview(['--pages', '5', '--records', '1']);
    expectNoToken(text);
    expect(text.code).toBe(3);
    expect(text.stdout).toContain('── page 2 ──');
    expect(text.stdout).toContain(`── the request that failed ──\n→ GET ${api.url}/users?limit=2&offset=4\n  X-Api-Version: 2\n  PRIVATE-TOKEN: ***   (credentials)\n← HTTP 401\n`);
    expect(text.stdout).toMatch(/\n {2}www-authenticate: Bearer realm="api", error="invalid_token", token="\*\*\*"\n/);
    expect(text.stdout).toMatch(/\n {2}body: \{"message":"401 Unauthorized","token":"\*\*\*"\}\n$/);
    expect(text.stderr).toMatch(/^intake: page 3: GET http:\/\/127\.0\.0\.1:\d+\/users: the API answered HTTP 401\n {2}hint: the credential was refused/);

    const json = await preview(['--pages', '5', '--json']);
    expectNoToken(json);
    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ status: 'error', code: 'api_configuration', message: expect.stringMatching(/^page 3: .*HTTP 401/), hint: expect.stringMatching(/credential was refused/) });
    expect(report.pages.map((p: { number: number }) => p.number)).toEqual([1, 2]);
    expect(report.failure).toEqual({
      request: { method: 'GET', url: `${api.url}/users?limit=2&offset=4`, headers: { 'X-Api-Version': '2', 'PRIVATE-TOKEN': '***' }, auth: ['PRIVATE-TOKEN: ***'] },
      response: { status: 401, headers: expect.objectContaining({ 'x-request-id': 'req-4', 'x-echo-token': '***' }), body: '{"message":"401 Unauthorized","token":"***"}', body_cut: 0 },
    });
  });
});

describe('intake preview gitlab-users: keyset pages through Link headers, as the author sees them', () => {
  const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'gitlab', name), 'utf8')) as T;
  let api: ApiServer;
  beforeAll(async () => {
    const [john, jack] = fixture<Record<string, unknown>[]>('users.list.admin.json');
    const pages = [[john, jack], [{ ...john, id: 3, username: 'ann', email: 'ann@example.com' }]];
    api = await apiServer((url, _headers, base) => {
      const after = url.searchParams.get('id_after');
      if (after === null) return { headers: { Link: `<${base}/api/v4/users?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=2>; rel="next"` }, body: pages[0] };
      return { body: after === '2' ? pages[1] : [] };
    });
  });
  afterAll(() => api.close());

  it('the first request as documented, PRIVATE-TOKEN: ***, the Link header, the decision to follow it, and the end', async () => {
    const result = await intake(['preview', 'gitlab-users', '--pages', '5', '--records', '1', '--set', `base_url=${api.url}`], { GITLAB_TOKEN: 'glpat-e2e-preview-token-0001' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('glpat-e2e-preview-token-0001');
    const out = result.stdout;
    expect(out).toContain(`preview of gitlab-users (shipped: connectors/gitlab-users.yaml) with mapping GitLab users\n`);
    expect(out).toContain(`── page 1 ──\n→ GET ${api.url}/api/v4/users?pagination=keyset&order_by=id&sort=asc&per_page=100\n  PRIVATE-TOKEN: ***   (credentials)\n← HTTP 200, 2 record(s)\n`);
    expect(out).toContain(`\n  link: <${api.url}/api/v4/users?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=2>; rel="next"\n`);
    expect(out).toContain('  body around the records:\n    "[… 2 records]"\n');
    expect(out).toContain(`  pager: next — URL in a Link header with rel="next": ${api.url}/api/v4/users?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=2\n`);
    expect(out).toContain(`── page 2 ──\n→ GET ${api.url}/api/v4/users?pagination=keyset&per_page=100&order_by=id&sort=asc&id_after=2\n`);
    expect(out).toContain('  pager: stop — no next URL in a Link header with rel="next"\n');
    expect(out).toContain('\n3 record(s) after aggregation/detail calls\nmapped records:\n  {"gitlab_user_id":"1","username":"john_smith","full_name":"John Smith","email":"john@example.com","role":"Employee",');
    expect(api.requests).toHaveLength(2);
  });
});
