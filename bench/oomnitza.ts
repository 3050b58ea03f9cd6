/**
 * The Oomnitza target's writes under latency: N updates (PATCH /api/v3/users/{uid}, only the
 * changed field) through `oomnitzaTarget(...).write`, against a local model of the REST API v3
 * People endpoints that answers each request after `latencyMs` and refuses (429, Retry-After) more
 * than `ratePerSecond` requests in a second. The target's default (8 writes in flight) against one
 * at a time; one at a time is measured on a sample (N / 10 updates: at 20 ms a request, 10,000 one
 * after another would take more than 200 s), and the two are compared per update. Every update is
 * checked in the model afterwards, and no request may have been refused for the rate.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { oomnitzaTarget } from '../src/targets/oomnitza/adapter.js';

const TOKEN = 'oomz-bench-token-3f8a1c';

interface Model {
  url: string;
  users: Map<string, Record<string, unknown>>;
  /** requests answered 429 for the rate */
  refused: number;
  /** the most requests in flight at once */
  most: number;
  close(): Promise<void>;
}

/** The People endpoints the target writes through: field metadata and PATCH by uid. */
async function startModel(users: number, latencyMs: number, ratePerSecond: number): Promise<Model> {
  const people = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < users; i++) people.set(`uid-${i}`, { uid: `uid-${i}`, username: `user${i}`, slack_user_id: `U${i}` });
  const meta = {
    uid: { label: 'UID', data_type: 'Short Text', optional: '1', editable: '0' },
    username: { label: 'Username', data_type: 'Short Text', optional: '0' },
    email: { label: 'Email', data_type: 'Short Text', optional: '0' },
    role: { label: 'Role', data_type: 'Short Text', optional: '0' },
    slack_user_id: { label: 'Slack User Id', data_type: 'Short Text', optional: '1' },
    slack_last_login: { label: 'Slack Last Login', data_type: 'DateTime', optional: '1' },
  };
  const model = { refused: 0, most: 0 };
  let inFlight = 0;
  let second = 0;
  let inSecond = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Math.floor(performance.now() / 1000);
      if (now !== second) [second, inSecond] = [now, 0];
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (++inSecond > ratePerSecond) {
        model.refused++;
        return reply(429, { error: 'Too many requests' }, { 'retry-after': '1' });
      }
      inFlight++;
      model.most = Math.max(model.most, inFlight);
      setTimeout(() => {
        inFlight--;
        if (req.headers.authorization2 !== TOKEN) return reply(401, { error: 'Authentication credentials were not provided or are invalid.' });
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (req.method === 'GET' && path === '/api/v3/users/meta') return reply(200, meta);
        const one = /^\/api\/v3\/users\/([^/]+)$/.exec(path);
        const user = one && people.get(decodeURIComponent(one[1]));
        if (req.method === 'PATCH' && user) {
          Object.assign(user, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          return reply(200, user);
        }
        return reply(404, { error: 'Not found' });
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users: people,
    get refused() {
      return model.refused;
    },
    get most() {
      return model.most;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface OomnitzaRun {
  concurrency: number;
  updates: number;
  ms: number;
  /** updates the model holds with the value sent */
  correct: number;
  refused: number;
  most: number;
}

/** `updates` PATCHes at `concurrency` through the target; checks each one landed. */
export async function oomnitzaWrites(options: { updates: number; concurrency: number; latencyMs: number; ratePerSecond: number }): Promise<OomnitzaRun> {
  const model = await startModel(options.updates, options.latencyMs, options.ratePerSecond);
  try {
    const target = oomnitzaTarget({ base: new URL(model.url), token: TOKEN, scrub: (t) => t.split(TOKEN).join('***'), concurrency: options.concurrency });
    await target.describe('people');
    const value = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().replace('.000Z', 'Z');
    const update = Array.from({ length: options.updates }, (_, i) => ({ id: `uid-${i}`, changes: { slack_last_login: value(i) } }));
    const start = performance.now();
    const written = await target.write('people', { create: [], update });
    const ms = performance.now() - start;
    let correct = 0;
    for (let i = 0; i < options.updates; i++) if (model.users.get(`uid-${i}`)?.slack_last_login === value(i) && written.updated[i] && !('refused' in written.updated[i]!)) correct++;
    return { concurrency: options.concurrency, updates: options.updates, ms, correct, refused: model.refused, most: model.most };
  } finally {
    await model.close();
  }
}
