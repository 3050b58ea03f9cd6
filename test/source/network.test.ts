import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { CredentialError } from '../../src/errors.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { faults, makeUsers, pagedUsers, startFaultServer, type FaultServer, type Reply, type FaultRequest } from '../helpers/faults.js';

// What the network really does, against a local fault-injecting server (no msw: it cannot stall
// a response or cut a connection mid-body).

const connectors = useConnectors();
const TOKEN = 'fault-token-5be1c0de';
const users = makeUsers(25);
const api = pagedUsers(users, 'cursor');

let handler: (req: FaultRequest) => Reply = (req) => api.reply(req);
let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer((req) => handler(req));
});
afterEach(() => {
  handler = (req) => api.reply(req);
  server.reset();
});
afterAll(() => server.close());

/** A cursor-paged connector against the fault server: 10 users per page, small retry and timeout values. */
const connector = (retry = '{ attempts: 2, base_delay_ms: 20 }', timeouts = '{ connect_seconds: 1, idle_seconds: 0.3, request_seconds: 5 }') => connectors.load(`
  id: fault-users
  name: Fault users
  record_type: users
  credentials:
    type: bearer
    fields:
      token: { label: API token, secret: true, env: FAULT_TOKEN }
  settings:
    base_url: { label: API base URL, type: string, default: http://127.0.0.1:9/api }
  base_url: "{{ settings.base_url }}"
  request: { method: GET, path: /users, query: { limit: 10 } }
  pagination:
    type: cursor
    token: { from: body, path: next_cursor }
    send: { in: query, name: cursor }
  records: users
  retry: ${retry}
  timeouts: ${timeouts}
  fields:
    user_id: { label: User Id, path: id, type: string }
  sync_key: user_id
`);
const options = (token = TOKEN, c = connector()) => optionsFor(c, { token }, { base_url: `${server.url}/api` });
const onPage = (page: number, reply: (req: FaultRequest) => Reply | undefined) => {
  handler = (req) => (api.page(req) === page ? reply(req) : undefined) ?? api.reply(req);
};
const elapsed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
};

describe('timeouts (a stalled response no longer blocks for 10 minutes)', () => {
  // Regression: one 120 s timeout per attempt, 5 attempts, and then "could not reach" a host that
  // had answered every earlier page.
  it('a response that stalls mid-body ends on the idle timeout, says the host stopped sending, and names the page', async () => {
    onPage(2, (req) => faults.stall(api.body(req)));
    const [error, ms] = await elapsed(() => readError(options()));

    expect(error.message).toMatch(/^page 2: GET http:\/\/127\.0\.0\.1:\d+\/api\/users: 127\.0\.0\.1:\d+ stopped sending the response: no data for 0\.3 s \(idle timeout\) — gave up after 2 attempts/);
    expect(error.message).not.toMatch(/could not reach/);
    expect(error.hint).toMatch(/timeouts\.idle_seconds/);
    expect(server.requests).toHaveLength(3); // page 1, page 2 twice
    expect(ms).toBeLessThan(3000);
  });

  it('a request that gets no response at all says the API accepted it and sent nothing', async () => {
    onPage(1, () => faults.silence());
    const error = await readError(options());

    expect(error.message).toMatch(/accepted the request but sent no response for 0\.3 s \(idle timeout\)/);
  });

  it('the idle timeout starts again with every byte: a slow page that keeps arriving is read whole', async () => {
    onPage(1, (req) => (res) => {
      const text = JSON.stringify(api.body(req));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      const parts = text.match(/[\s\S]{1,50}/g)!; // 10 users: more than 12 parts, 100 ms apart
      const timer = setInterval(() => (parts.length ? res.write(parts.shift()) : (clearInterval(timer), res.end())), 100);
    });
    const [{ records, error }, ms] = await elapsed(() => read(options(TOKEN, connector(undefined, '{ idle_seconds: 0.5 }'))));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(25);
    expect(ms).toBeGreaterThan(1000); // longer than two idle timeouts: only silence counts
  });

  it('request_seconds bounds one attempt in all, however steadily the bytes come', async () => {
    onPage(1, () => (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"users":[');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const error = await readError(options(TOKEN, connector('{ attempts: 1 }', '{ idle_seconds: 0.3, request_seconds: 0.6 }')));

    expect(error.message).toMatch(/took longer than 0\.6 s in all \(request timeout\) — gave up after 1 attempt\b/);
  });

  it('a host that does not exist (DNS ENOTFOUND) fails at once: one request, no retries, and says so', async () => {
    const error = await readError(optionsFor(connector('{ attempts: 5, base_delay_ms: 20 }'), { token: TOKEN }, { base_url: 'http://intake-no-such-host.invalid/api' }));

    expect(error.message).toMatch(/the host intake-no-such-host\.invalid was not found \(DNS: ENOTFOUND\)/);
    expect(error.message).not.toMatch(/attempts/);
    expect(error.hint).toMatch(/base_url/);
  });

  it('a closed port: the host refused the connection (not "could not reach")', async () => {
    const closed = await startFaultServer(() => faults.silence());
    const url = closed.url;
    await closed.close();
    const error = await readError(optionsFor(connector(), { token: TOKEN }, { base_url: `${url}/api` }));

    expect(error.message).toMatch(/refused the connection \(ECONNREFUSED\) — gave up after 2 attempts/);
  });
});

describe('responses cut short', () => {
  // Regression: truncated JSON on a later page failed the run at once, blaming base_url.
  it('truncated JSON on a page after the first is retried, and the read completes', async () => {
    onPage(2, (req) => (req.repeat === 0 ? faults.truncated(api.body(req)) : undefined));
    const { records, error, stats } = await read(options());

    expect(error).toBeUndefined();
    expect(records).toHaveLength(25);
    expect(stats.retries).toMatchObject({ count: 1, reasons: [{ reason: expect.stringMatching(/JSON that is cut off or malformed/), retries: 1 }] });
  });

  it('JSON that stays truncated fails with a message that says so and a hint that does not blame base_url', async () => {
    onPage(2, (req) => faults.truncated(api.body(req)));
    const error = await readError(options());

    expect(error.message).toMatch(/^page 2: .*answered HTTP 200 with JSON that is cut off or malformed \(.*\) — gave up after 2 attempts/);
    expect(error.hint).not.toMatch(/base_url/);
  });

  it('a connection cut in the middle of a body is retried, and the page is read again', async () => {
    onPage(2, (req) => (req.repeat === 0 ? faults.resetMidBody(api.body(req)) : undefined));
    const { records, error, stats } = await read(options());

    expect(error).toBeUndefined();
    expect(records).toHaveLength(25);
    expect(stats.retries.reasons[0].reason).toMatch(/the connection to 127\.0\.0\.1:\d+ was cut while the response was arriving \(ECONNRESET\)/);
  });

  it('an HTML page on the first request is a configuration error: one request, base_url named, the echoed token masked', async () => {
    onPage(1, () => faults.html());
    const error = await readError(options());

    expect(server.requests).toHaveLength(1);
    expect(error.message).toMatch(/answered HTTP 200 with an HTML page, not JSON/);
    expect(error.hint).toMatch(/base_url/);
    expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
  });

  it('an HTML page after JSON pages is something in between (a proxy): retried, and the hint does not blame base_url', async () => {
    onPage(2, () => faults.html());
    const error = await readError(options());

    expect(server.requests).toHaveLength(3);
    expect(error.message).toMatch(/^page 2: .*answered HTTP 200 with an HTML page, not JSON: .* — gave up after 2 attempts/);
    expect(error.hint).toMatch(/something in between/);
    expect(error.hint).not.toMatch(/base_url/);
    expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
  });
});

describe('credentials a header cannot carry', () => {
  // Regression: a token with a line break was sent five times, and failed as a network error.
  it.each([
    ['a line break', `${TOKEN}\r\n`],
    ['a control character (U+0007)', `${TOKEN}\u0007`],
    ['a character outside Latin-1 (U+20AC)', `${TOKEN}€`],
  ])('a token holding %s is a credential error that names its variable; nothing is sent', async (what, token) => {
    const error = await readError(options(token));

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.message).toBe(`page 1: the credential token (FAULT_TOKEN) holds ${what}, which the authorization header cannot carry; nothing was sent`);
    expect(server.requests).toHaveLength(0);
  });
});

describe('retries leave a trace', () => {
  it('the source counts each retry and wait, by reason', async () => {
    onPage(2, (req) => (req.repeat < 2 ? faults.status(503) : undefined));
    const { error, stats } = await read(options(TOKEN, connector('{ attempts: 3, base_delay_ms: 20 }')));

    expect(error).toBeUndefined();
    expect(stats.retries.count).toBe(2);
    expect(stats.retries.reasons).toEqual([{ reason: 'the API answered HTTP 503 (server error)', retries: 2, wait_ms: stats.retries.wait_ms }]);
    expect(stats.retries.wait_ms).toBeGreaterThanOrEqual(20 + 40);
  });
});

describe('large pages (each page\'s bytes are freed as soon as its text is made)', () => {
  it('pages of a megabyte each are read whole, page after page on the same connection, every record intact', async () => {
    // 100 kB of text per user: each page's body has an array buffer of its own, which the read releases
    handler = (req) => (res) => {
      const body = api.body(req) as { users: Record<string, unknown>[]; next_cursor: string };
      const text = JSON.stringify({ ...body, users: body.users.map((u) => ({ ...u, bio: `${String(u.id)} `.repeat(20_000) })) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    const { records, error } = await read(options());

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(users.map((u) => u.id));
    expect(server.requests.map((r) => r.url.searchParams.get('cursor'))).toEqual([null, 'c10', 'c20']);
  });
});

