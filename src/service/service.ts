import type Database from 'better-sqlite3';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveSettings } from '../config/resolve.js';
import { registerSecret } from '../credentials/scrub.js';
import { UsageError } from '../errors.js';
import { runIntegration, type RunResult } from '../runner.js';
import { openStore } from '../store/db.js';
import { handleApi } from './api.js';
import type { ServiceLog } from './events.js';
import { authorized, HttpError, isLoopback, sendError } from './http.js';
import { Scheduler, type RunFn, type ScheduledIntegration } from './scheduler.js';

/** What the web pages get from the service (src/web/). */
export interface WebContext {
  /** the embedded store's file */
  db: string;
  mappingsDir: string;
  schedule(): ScheduledIntegration[];
}

/** Serves a path outside /api/: true when it answered, false for a 404. */
export type WebHook = (req: IncomingMessage, res: ServerResponse, ctx: WebContext) => Promise<boolean>;

/** What runs the integrations: the in-process `Scheduler`, or another (the Redis queue) with the same members. */
export interface ServiceRuns {
  start(): void;
  list(): ScheduledIntegration[];
  running(name: string): { runId: number | null } | undefined;
  /** runs the mapping file now; resolves when the run ends (undefined: it did not start, the log says why) */
  runNow(mappingFile: string): Promise<RunResult | undefined>;
  /** names of the runs going on in this process */
  active(): string[];
  stop(signal?: string): Promise<void>;
}

export interface ServiceOptions {
  /** the embedded store's file */
  db: string;
  mappingsDir: string;
  /** default 127.0.0.1; another address needs `token` */
  host?: string;
  /** default 8080; 0 picks a free port */
  port?: number;
  /** the bearer token every request needs when `host` is not loopback (required there) */
  token?: string;
  log?: ServiceLog;
  web?: WebHook;
  /** how a run is run; default: runIntegration with the config file's target and Oomnitza URL */
  run?: RunFn;
  /** how often mapping files and launch states are read again, ms (default 1000) */
  reloadMs?: number;
  /** another runner of integrations than the in-process scheduler (the Redis queue) */
  runs?: (ctx: { db: Database.Database; dbPath: string; mappingsDir: string; run: RunFn; log: ServiceLog }) => ServiceRuns;
}

export interface Service {
  url: string;
  schedule(): ScheduledIntegration[];
  /** takes no new runs, stops the running ones (each records itself interrupted after its batch in progress), closes the server */
  stop(signal?: string): Promise<void>;
}

/**
 * `intake serve`: the scheduler of launched integrations and the HTTP server of the JSON API (and
 * the pages, through `web`) on node:http. Listens on loopback unless told otherwise; anywhere
 * else every request needs the bearer token, and without one the service does not start.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const host = options.host ?? '127.0.0.1';
  if (options.token) registerSecret(options.token);
  if (options.token !== undefined && options.token.length < 16) {
    throw new UsageError('service_token_short', `the service's token has ${options.token.length} characters; it needs at least 16`, { hint: 'make one with: openssl rand -hex 24 (INTAKE_SERVICE_TOKEN, or service: { token: … } in the config file)' });
  }
  const beyond = !isLoopback(host);
  if (beyond && !options.token) {
    throw new UsageError('service_token_missing', `the service would listen on ${host}, beyond this machine, without a token`, { hint: 'set one in the config file (service: { token: … }, at least 16 characters, e.g. from openssl rand -hex 24) or in INTAKE_SERVICE_TOKEN; or listen on 127.0.0.1' });
  }
  const log = options.log ?? (() => undefined);
  const db = openStore(options.db);
  const run = options.run ?? defaultRun(options.db);
  const runs = options.runs ? options.runs({ db, dbPath: options.db, mappingsDir: options.mappingsDir, run, log }) : new Scheduler({ db, mappingsDir: options.mappingsDir, run, log, reloadMs: options.reloadMs });
  const ctx = { db, dbPath: options.db, mappingsDir: options.mappingsDir, runs };
  const web: WebContext = { db: options.db, mappingsDir: options.mappingsDir, schedule: () => runs.list() };
  const server = createServer((req, res) => {
    void answer(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, error);
      else res.destroy();
    });
  });
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    // on loopback only this machine can ask; beyond it, every request shows the token
    if (beyond && !authorized(req, options.token!)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', 'this service needs its bearer token', 'send Authorization: Bearer <token> (the config file\'s service: token, or INTAKE_SERVICE_TOKEN of the service)');
    }
    const url = new URL(req.url ?? '/', 'http://service');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return handleApi(ctx, req, res, url);
    if (options.web && (await options.web(req, res, web))) return;
    throw new HttpError(404, 'not_found', `nothing at ${url.pathname}`, 'the API is under /api/ (docs/service.md)');
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, host, () => resolve());
    });
  } catch (error) {
    db.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError('port_in_use', `port ${options.port} on ${host} is taken by another program`, { hint: 'pick another with --port, or 0 for any free port' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError('host_not_available', `this machine has no address ${host}`, { hint: 'listen on 127.0.0.1 (the default), 0.0.0.0 (every address) or one of this machine\'s addresses' });
    throw error;
  }
  runs.start();
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${shown}:${address.port}`,
    schedule: () => runs.list(),
    stop(signal?: string) {
      stopping ??= (async () => {
        log({ event: 'stopping', ...(signal ? { signal } : {}), running: runs.active() });
        await runs.stop(signal);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        db.close();
        log({ event: 'stopped' });
      })();
      return stopping;
    },
  };
}

/** A scheduled run as `intake run <mapping>` would run it: the config file's target and Oomnitza URL (read again for each run). */
export function defaultRun(db: string): RunFn {
  return (mappingFile, signal) => {
    const settings = resolveSettings({ db });
    return runIntegration({
      mappingFile,
      db,
      defaultTarget: settings.target.source === 'config file' ? settings.target.value : undefined,
      oomnitzaUrl: settings.oomnitza_url.value,
      signal,
    });
  };
}
