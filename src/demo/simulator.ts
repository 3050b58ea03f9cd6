/**
 * A local Slack Web API simulator, used by `intake demo` and by the end-to-end tests.
 *
 * THIS IS A DEMO / TEST AID, not part of the runtime. The same Slack connectors run
 * unchanged against the real API (https://slack.com/api); here they are simply pointed
 * at http://127.0.0.1:<port>/api instead, so the demo needs no Slack workspace or token.
 *
 * It serves two methods, in Slack's own envelope and error vocabulary:
 *   GET /api/users.list       cursor paging (limit, cursor)
 *   GET /api/team.accessLogs  cursor paging (limit, cursor) or classic paging (count, page)
 * The data comes from `slackDataset()` in ./people.ts (deterministic per seed and day).
 * Only node built-ins are used.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { URL, URLSearchParams } from 'node:url';
import { slackDataset, startOfUtcDay, type SlackDataset } from './people.js';

export { slackDataset, type SlackDataset, type SlackMember, type SlackLogin, type DatasetOptions } from './people.js';

export interface SimulatorOptions {
  /** Active human users (default 300); ~5% deleted humans and a few bots are added. */
  users?: number;
  /** Default 42; same seed + same day => byte-identical data. */
  seed?: number;
  /** Bearer token the server accepts; default 'xoxp-demo-local-only'. */
  token?: string;
  /** Anchors all dates; default today 00:00 UTC. */
  now?: Date;
  /** Artificial per-request delay, default 0. */
  latencyMs?: number;
  failures?: {
    /** Answer the first N requests with HTTP 429, Retry-After: 1. */
    rateLimitFirst?: number;
    /** Answer every API call with HTTP 200 {"ok":false,"error":<code>}, e.g. 'paid_only'. */
    errorCode?: string;
  };
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:PORT/api (append "/users.list"). */
  url: string;
  token: string;
  /** Live count of requests served so far. */
  requests: number;
  close(): Promise<void>;
}

export const DEFAULT_DEMO_TOKEN = 'xoxp-demo-local-only';

interface Reply {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

type Handler = (data: SlackDataset, params: URLSearchParams) => Reply;

const MAX_LIMIT = 1000;
const CLASSIC_MAX_PAGE = 100;

// ---------------------------------------------------------------- envelope helpers

const ok = (body: object): Reply => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string, status = 200): Reply => ({ status, body: { ok: false, error } });

/** Opaque cursor, Slack style: base64 of "<kind>:<value>" (real users.list uses "user:<next id>"). */
function encodeCursor(kind: string, value: string): string {
  return Buffer.from(`${kind}:${value}`, 'utf8').toString('base64');
}

function decodeCursor(cursor: string, kind: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : undefined;
}

/** Absent, empty or 0 => fallback; capped at `max`; garbage => undefined. */
function intParam(params: URLSearchParams, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return undefined;
  return n === 0 ? fallback : Math.min(n, max);
}

// ---------------------------------------------------------------- methods

const usersList: Handler = (data, params) => {
  const limit = intParam(params, 'limit', 200, MAX_LIMIT);
  if (limit === undefined) return fail('invalid_limit');
  const start = startIndexForUsers(data, params.get('cursor') ?? '');
  if (start === undefined) return fail('invalid_cursor');
  const members = data.members.slice(start, start + limit);
  const next = data.members[start + limit];
  return ok({
    members,
    cache_ts: data.nowSec, // the anchored day, so responses stay deterministic
    response_metadata: { next_cursor: next ? encodeCursor('user', next.id) : '' },
  });
};

function startIndexForUsers(data: SlackDataset, cursor: string): number | undefined {
  if (cursor === '') return 0;
  const id = decodeCursor(cursor, 'user');
  const index = id === undefined ? -1 : data.members.findIndex((m) => m.id === id);
  return index < 0 ? undefined : index;
}

const accessLogs: Handler = (data, params) =>
  params.has('cursor') || params.has('limit') ? accessLogsByCursor(data, params) : accessLogsByPage(data, params);

function accessLogsByCursor(data: SlackDataset, params: URLSearchParams): Reply {
  const limit = intParam(params, 'limit', 100, MAX_LIMIT);
  if (limit === undefined) return fail('invalid_limit');
  const cursor = params.get('cursor') ?? '';
  const offset = cursor === '' ? 0 : Number(decodeCursor(cursor, 'login') ?? NaN);
  if (!Number.isInteger(offset) || offset < 0 || offset > data.logins.length) return fail('invalid_cursor');
  const end = offset + limit;
  return ok({
    logins: data.logins.slice(offset, end),
    response_metadata: { next_cursor: end < data.logins.length ? encodeCursor('login', String(end)) : '' },
  });
}

function accessLogsByPage(data: SlackDataset, params: URLSearchParams): Reply {
  const count = intParam(params, 'count', 100, MAX_LIMIT);
  const page = intParam(params, 'page', 1);
  if (count === undefined || page === undefined) return fail('invalid_arguments');
  if (page > CLASSIC_MAX_PAGE) return fail('over_pagination_limit');
  const total = data.logins.length;
  return ok({
    logins: data.logins.slice((page - 1) * count, page * count),
    paging: { count, total, page, pages: Math.ceil(total / count) },
  });
}

const METHODS: Record<string, Handler> = {
  'users.list': usersList,
  'team.accessLogs': accessLogs,
};

// ---------------------------------------------------------------- HTTP plumbing

function send(res: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...reply.headers,
  });
  res.end(body);
}

function checkAuth(req: IncomingMessage, token: string): Reply | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) return fail('not_authed');
  return match[1] === token ? undefined : fail('invalid_auth');
}

/** GET query string, plus a form-encoded POST body if any (Slack accepts both). */
async function readParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.searchParams);
  if (req.method !== 'POST') return params;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  form.forEach((value, key) => params.set(key, value));
  return params;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface State {
  data: SlackDataset;
  token: string;
  latencyMs: number;
  rateLimitFirst: number;
  errorCode?: string;
  requests: number;
}

async function respond(state: State, req: IncomingMessage): Promise<Reply> {
  state.requests += 1;
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  if (state.requests <= state.rateLimitFirst) return { ...fail('ratelimited', 429), headers: { 'retry-after': '1' } };
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const handler = url.pathname.startsWith('/api/') ? METHODS[url.pathname.slice('/api/'.length)] : undefined;
  if (!handler) return fail('unknown_method', 404);
  const authError = checkAuth(req, state.token);
  if (authError) return authError;
  if (state.errorCode) return fail(state.errorCode);
  return handler(state.data, await readParams(req, url));
}

/** Starts the simulator on 127.0.0.1 with a random port. */
export async function startSlackSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const token = opts.token ?? DEFAULT_DEMO_TOKEN;
  const state: State = {
    data: slackDataset({ users: opts.users, seed: opts.seed, now: opts.now ?? startOfUtcDay() }),
    token,
    latencyMs: opts.latencyMs ?? 0,
    rateLimitFirst: opts.failures?.rateLimitFirst ?? 0,
    errorCode: opts.failures?.errorCode,
    requests: 0,
  };
  const server = createServer((req, res) => {
    respond(state, req)
      .catch(() => fail('internal_error', 500))
      .then((reply) => send(res, reply));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api`,
    token,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
