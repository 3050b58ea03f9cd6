/**
 * The benchmark's Slack-shaped API server: `GET /api/team.accessLogs` (Slack's envelope `ok`,
 * `logins`, `paging`) and `GET /api/users.list` (`ok`, `members`), both with cursor paging
 * (`limit`, `cursor`; `response_metadata.next_cursor` is empty on the last page) and a loose
 * bearer check; `team.accessLogs` also in classic paging (`page`, `count`, `paging.pages`). `entries: 0` serves no access logs; `members` (default 0) sets how many users
 * `users.list` lists (bench/dataset.ts `forEachMember`).
 *
 * Pages are serialised once up front, so serving one is a buffer write and the server is never
 * the bottleneck. It runs in its own process (`spawnServer`), so its data and its CPU are not
 * counted in the measured process; `setLatency` adds a per-page delay.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SlackMember } from '../src/demo/people.js';
import { forEachEntry, forEachMember, type AccessLogEntry, type DatasetOptions } from './dataset.js';

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export interface ServerInfo {
  /** API root, e.g. http://127.0.0.1:PORT/api */
  url: string;
  /** team.accessLogs pages and bytes at the bench's page size */
  pages: number;
  bytes: number;
  /** users.list pages and bytes at the bench's page size */
  memberPages: number;
  memberBytes: number;
}

export type ServerOptions = DatasetOptions & { pageSize: number; members?: number };

interface Started extends ServerInfo {
  server: Server;
  setLatency(ms: number): void;
  requests(): number;
}

const cursorOf = (kind: string, offset: number) => Buffer.from(`${kind}:${offset}`).toString('base64');
const offsetOf = (kind: string, cursor: string) => {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith(`${kind}:`) ? Number(text.slice(kind.length + 1)) : NaN;
};

/** One cursor-paged list: pages serialised once (per offset and limit), cached. */
function pagedList<T>(items: T[], kind: string, body: (slice: T[], offset: number, limit: number, next: string) => object) {
  const total = items.length;
  const cache = new Map<string, Buffer>();
  return {
    total,
    kind,
    page(offset: number, limit: number): Buffer {
      const id = `${offset}:${limit}`;
      let buffer = cache.get(id);
      if (!buffer) {
        const end = Math.min(offset + limit, total);
        buffer = Buffer.from(JSON.stringify(body(items.slice(offset, end), offset, limit, end < total ? cursorOf(kind, end) : '')));
        cache.set(id, buffer);
      }
      return buffer;
    },
    /** serialises every page at `pageSize` up front; returns their count and bytes */
    warm(pageSize: number): { pages: number; bytes: number } {
      let bytes = 0;
      let pages = 0;
      for (let offset = 0; offset < total; offset += pageSize, pages++) bytes += this.page(offset, pageSize).length;
      return { pages, bytes };
    },
  };
}

/** Starts the server in this process (the child side of `spawnServer`). */
export async function startServer(options: ServerOptions): Promise<Started> {
  const entries: AccessLogEntry[] = [];
  if (options.entries > 0) forEachEntry(options, (entry) => entries.push(entry));
  const logins = pagedList(entries, 'login', (slice, offset, limit, next) => ({
    ok: true,
    logins: slice,
    paging: { count: limit, total: entries.length, page: Math.floor(offset / limit) + 1, pages: Math.ceil(entries.length / limit) },
    response_metadata: { next_cursor: next },
  }));
  const memberList: SlackMember[] = [];
  if (options.members) forEachMember({ members: options.members, seed: options.seed }, (member) => memberList.push(member));
  const members = pagedList(memberList, 'user', (slice, _offset, _limit, next) => ({
    ok: true,
    members: slice,
    cache_ts: 1_749_945_600,
    response_metadata: { next_cursor: next },
  }));
  const { pages, bytes } = logins.warm(options.pageSize);
  const { pages: memberPages, bytes: memberBytes } = members.warm(options.pageSize);
  const lists = new Map([['/api/team.accessLogs', logins], ['/api/users.list', members]]);
  const classicPages = new Map<string, Buffer>();
  const classic = (page: number, count: number): Buffer => {
    const id = `${page}:${count}`;
    let buffer = classicPages.get(id);
    if (!buffer) {
      const slice = entries.slice((page - 1) * count, page * count);
      buffer = Buffer.from(JSON.stringify({ ok: true, logins: slice, paging: { count, total: entries.length, page, pages: Math.ceil(entries.length / count) } }));
      classicPages.set(id, buffer);
    }
    return buffer;
  };

  let latency = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (body: Buffer | string, status = 200) => {
      const send = () => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (latency > 0) setTimeout(send, latency);
      else send();
    };
    const list = lists.get(url.pathname);
    if (!list) return reply(JSON.stringify({ ok: false, error: 'unknown_method' }), 404);
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return reply(JSON.stringify({ ok: false, error: 'not_authed' }));
    const pageParam = url.searchParams.get('page');
    if (pageParam !== null && list === logins) {
      // classic paging (page, count; paging.pages says how many): what page_number pagination reads, up to page 100 as Slack
      const page = Number(pageParam);
      const rawCount = Number(url.searchParams.get('count') || DEFAULT_LIMIT);
      const count = Math.min(Number.isInteger(rawCount) && rawCount > 0 ? rawCount : DEFAULT_LIMIT, MAX_LIMIT);
      if (!Number.isInteger(page) || page < 1) return reply(JSON.stringify({ ok: false, error: 'invalid_page' }));
      if (page > 100) return reply(JSON.stringify({ ok: false, error: 'over_pagination_limit' }));
      return reply(classic(page, count));
    }
    const rawLimit = Number(url.searchParams.get('limit') || DEFAULT_LIMIT);
    const limit = Math.min(Number.isInteger(rawLimit) && rawLimit > 0 ? rawLimit : DEFAULT_LIMIT, MAX_LIMIT);
    const cursor = url.searchParams.get('cursor') ?? '';
    const offset = cursor === '' ? 0 : offsetOf(list.kind, cursor);
    if (!Number.isInteger(offset) || offset < 0 || offset >= Math.max(list.total, 1)) return reply(JSON.stringify({ ok: false, error: 'invalid_cursor' }));
    return reply(list.page(offset, limit));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api`, pages, bytes, memberPages, memberBytes, server, setLatency: (ms) => (latency = ms), requests: () => requests };
}

type ToChild = { type: 'start'; options: ServerOptions } | { type: 'latency'; ms: number };
type FromChild = { type: 'ready'; info: ServerInfo } | { type: 'latency-set' } | { type: 'error'; message: string };

export interface ServerProcess extends ServerInfo {
  setLatency(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server in a child process; resolves when it listens. */
export async function spawnServer(options: ServerOptions): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<FromChild>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench server exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        if ((m as FromChild).type === 'error') reject(new Error((m as { message: string }).message));
        else resolve(m as FromChild);
      });
    });
  const ready = next();
  child.send({ type: 'start', options } satisfies ToChild);
  const message = await ready;
  if (message.type !== 'ready') throw new Error('bench server did not start');
  return {
    ...message.info,
    async setLatency(ms) {
      const done = next();
      child.send({ type: 'latency', ms } satisfies ToChild);
      await done;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

// The child side: `node dist/bench/server.js --serve`, driven over IPC.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--serve') && process.send) {
  let started: Started | undefined;
  const reply = (m: FromChild) => process.send!(m);
  process.on('message', (m: ToChild) => {
    if (m.type === 'start') {
      startServer(m.options).then(
        (s) => {
          started = s;
          reply({ type: 'ready', info: { url: s.url, pages: s.pages, bytes: s.bytes, memberPages: s.memberPages, memberBytes: s.memberBytes } });
        },
        (error: Error) => reply({ type: 'error', message: error.message }),
      );
    } else if (m.type === 'latency') {
      started?.setLatency(m.ms);
      reply({ type: 'latency-set' });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
