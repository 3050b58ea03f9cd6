import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scrub } from '../credentials/scrub.js';
import { integrationStatus, mappingFiles } from '../integrations/catalog.js';
import { inactiveCsv, inactiveReport, knownApps } from '../report/inactive.js';
import { RunLog } from '../runlog/runlog.js';
import { openStoreForReading, openStoreReadOnly } from '../store/db.js';
import { html, page, type Html } from './html.js';
import { badFilter, insightsPage } from './pages/insights.js';
import { integrationsPage } from './pages/integrations.js';
import { runNotFound, runPage } from './pages/run.js';
import type { WebContext } from '../service/service.js';

export type { ScheduledIntegration } from '../service/scheduler.js';
export type { WebContext } from '../service/service.js';

/**
 * The integration log in a browser: answers `GET /`, `/runs/:id`, `/insights` and
 * `/insights.csv`; returns false for any other path (the service answers 404). Pages are built
 * on the server from the store, every value escaped, and the whole answer passes the scrubber.
 */
export async function handleWeb(req: IncomingMessage, res: ServerResponse, ctx: WebContext): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = routeOf(url.pathname);
  if (!route) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(req, res, 405, 'text/plain; charset=utf-8', 'only GET and HEAD are answered here\n', { allow: 'GET, HEAD' });
    return true;
  }
  try {
    const answer = withStore(ctx.db, (db) => route(db, url, ctx));
    send(req, res, answer.status, answer.type, answer.body, answer.headers);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    send(req, res, 500, 'text/html; charset=utf-8', page('Error', null, html`<h1>This page could not be built</h1><p class="error">${message}</p>`).text);
  }
  return true;
}

interface Answer {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

type Route = (db: Database.Database, url: URL, ctx: WebContext) => Answer;

function routeOf(path: string): Route | undefined {
  if (path === '/') return integrations;
  if (path === '/insights') return insights;
  if (path === '/insights.csv') return insightsCsv;
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run) return (db) => runAnswer(db, run[1]);
  return undefined;
}

const htmlAnswer = (body: Html, status = 200): Answer => ({ status, type: 'text/html; charset=utf-8', body: body.text });

function integrations(db: Database.Database, _url: URL, ctx: WebContext): Answer {
  const files = existsSync(ctx.mappingsDir) ? mappingFiles(ctx.mappingsDir) : [];
  return htmlAnswer(integrationsPage(files.map((file) => integrationStatus(file, db, ctx.db)), ctx.schedule()));
}

function runAnswer(db: Database.Database, id: string): Answer {
  const run = /^[1-9]\d{0,15}$/.test(id) ? new RunLog(db).get(Number(id)) : undefined;
  return run ? htmlAnswer(runPage(run)) : htmlAnswer(runNotFound(id), 404);
}

/** `?days=` (a whole number of 1 or more, default 90) and `?app=` (empty: all apps). */
function filters(url: URL): { days: number; app?: string } | string {
  const text = url.searchParams.get('days') ?? '';
  const days = text.trim() === '' ? 90 : Number(text);
  if (!/^\s*\d*\s*$/.test(text) || !Number.isSafeInteger(days) || days < 1) return `days must be a whole number of 1 or more (it was “${text}”), for example ?days=90`;
  const app = url.searchParams.get('app')?.trim();
  return { days, ...(app ? { app } : {}) };
}

function insights(db: Database.Database, url: URL): Answer {
  const chosen = filters(url);
  if (typeof chosen === 'string') return htmlAnswer(badFilter(chosen), 400);
  const report = inactiveReport(db, chosen);
  return htmlAnswer(insightsPage(report, chosen.app ? knownApps(db) : report.apps.map((a) => a.app)));
}

function insightsCsv(db: Database.Database, url: URL): Answer {
  const chosen = filters(url);
  if (typeof chosen === 'string') return { status: 400, type: 'text/plain; charset=utf-8', body: `${chosen}\n` };
  const name = `inactive-${chosen.app ? `${chosen.app.replace(/[^\w.-]+/g, '_')}-` : ''}${chosen.days}d.csv`;
  return { status: 200, type: 'text/csv; charset=utf-8', body: inactiveCsv(inactiveReport(db, chosen)), headers: { 'content-disposition': `attachment; filename="${name}"` } };
}

/** The store read-only for one answer; a store that does not exist yet reads as an empty one. */
function withStore<T>(file: string, use: (db: Database.Database) => T): T {
  const db = existsSync(file) ? openStoreReadOnly(file) : openStoreForReading(file);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Everything sent passes the scrubber; no script may run and nothing is loaded from elsewhere. */
function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  const text = scrub(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

