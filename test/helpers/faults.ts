import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local fault-injecting HTTP API (node:http on 127.0.0.1, a free port) for tests that must see
 * what the network really does: stalls, connections cut mid-body, truncated JSON, redirects.
 * msw cannot do those. Each request goes to `handle`, which answers with a `Reply` — a normal
 * page from `pagedUsers`, or one of the faults below.
 *
 * ```ts
 * const api = await startFaultServer((req) => (req.page === 2 && req.repeat < 2 ? faults.status(503) : users.reply(req)));
 * // … point a connector's base_url at `${api.url}/api` …
 * await api.close();
 * ```
 */
export interface FaultRequest {
  /** 1-based number of this request on the server (since the last reset) */
  n: number;
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** how many requests for this same URL came before this one (since the last reset) */
  repeat: number;
}

/** How the server answers one request. */
export type Reply = (res: ServerResponse, req: FaultRequest) => void;

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** every request seen since the last reset */
  requests: FaultRequest[];
  /** forgets the requests seen (and the repeat counts), e.g. between a run and a preview */
  reset(): void;
  close(): Promise<void>;
}

export async function startFaultServer(handle: (req: FaultRequest) => Reply): Promise<FaultServer> {
  let requests: FaultRequest[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const repeat = counts.get(url.href) ?? 0;
    counts.set(url.href, repeat + 1);
    const seen: FaultRequest = { n: requests.length + 1, method: req.method ?? 'GET', url, headers: req.headers, repeat };
    requests.push(seen);
    req.resume();
    req.on('end', () => handle(seen)(res, seen));
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    reset() {
      requests = [];
      counts.clear();
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The faults, as replies. Bodies that echo a header use the request's `authorization`, so a test can plant a token that must then appear nowhere. */
export const faults = {
  json: (body: unknown, status = 200, headers: Record<string, string> = {}): Reply => (res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  },
  /** a status with a JSON error body that echoes the Authorization header */
  status: (status: number, headers: Record<string, string> = {}): Reply => (res, req) =>
    faults.json({ error: `HTTP ${status}`, echo: req.headers.authorization ?? null }, status, headers)(res, req),
  /** HTTP 200 with an HTML page (a proxy's or a login portal's) that echoes the Authorization header */
  html: (): Reply => (res, req) => {
    const text = `<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>Session ${req.headers.authorization ?? ''} expired</p></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
  /** a complete response whose JSON body is cut in half (Content-Length matches what is sent) */
  truncated: (body: unknown): Reply => (res) => {
    const text = JSON.stringify(body);
    const cut = text.slice(0, Math.floor(text.length / 2));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(cut) });
    res.end(cut);
  },
  /** headers announcing the whole body, half of it, then the connection is destroyed */
  resetMidBody: (body: unknown): Reply => (res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.write(text.slice(0, Math.floor(text.length / 2)), () => setTimeout(() => res.socket?.destroy(), 10));
  },
  /** headers and the first bytes of the body, then silence (the connection stays open) */
  stall: (body: unknown): Reply => (res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.write(text.slice(0, 20));
  },
  /** nothing at all: the request is accepted and never answered */
  silence: (): Reply => () => undefined,
  redirect: (location: string, status = 302): Reply => (res) => {
    res.writeHead(status, { location, 'content-length': 0 });
    res.end();
  },
  /** HTTP 429 with Retry-After seconds */
  tooMany: (retryAfterSeconds: number): Reply => (res, req) => faults.status(429, { 'retry-after': String(retryAfterSeconds) })(res, req),
};

/** A user of the fault API. */
export interface FaultUser {
  id: string;
  username: string;
  email: string;
  name: string;
}

/** `count` users U0001, U0002, … with names and mixed-case e-mails. */
export function makeUsers(count: number, from = 1): FaultUser[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(from + i).padStart(4, '0');
    return { id: `U${n}`, username: `user${n}`, email: `User.${n}@Example.test`, name: `User ${n}` };
  });
}

export type Paging = 'cursor' | 'offset' | 'next_url';

/**
 * The fault API's normal behaviour: `users` in pages, as a list API serves them, under `/api/users`.
 * - cursor: `?cursor=` (absent on the first page) → `{ users, next_cursor }` (empty on the last page);
 * - offset: `?offset=&limit=` → `{ users, total }`;
 * - next_url: like cursor, with `{ users, next }` holding the next page's absolute URL (null on the last).
 * `limit` (default 100) is capped at `cap` (default 1000), as APIs with a maximum page size do.
 */
export function pagedUsers(users: FaultUser[], paging: Paging, options: { cap?: number } = {}) {
  const cap = options.cap ?? 1000;
  const window = (req: FaultRequest) => {
    const q = req.url.searchParams;
    const start = paging === 'offset' ? Number(q.get('offset') ?? 0) : Number((q.get('cursor') ?? 'c0').slice(1));
    const limit = Math.min(Number(q.get('limit') ?? 100), cap);
    return { start, end: Math.min(start + limit, users.length) };
  };
  const body = (req: FaultRequest): Record<string, unknown> => {
    const { start, end } = window(req);
    const page = users.slice(start, end);
    const more = end < users.length;
    if (paging === 'offset') return { users: page, total: users.length };
    const next = more ? `c${end}` : '';
    if (paging === 'cursor') return { users: page, next_cursor: next };
    const url = new URL(req.url.href);
    url.searchParams.set('cursor', next);
    return { users: page, next: more ? url.href : null };
  };
  return {
    /** the body of the page this request asks for */
    body,
    /** 1-based number of the page this request asks for, with pages of the request's limit */
    page: (req: FaultRequest) => Math.floor(window(req).start / Math.max(1, Math.min(Number(req.url.searchParams.get('limit') ?? 100), cap))) + 1,
    reply: (req: FaultRequest): Reply => faults.json(body(req)),
  };
}
