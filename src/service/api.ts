import type Database from 'better-sqlite3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { displayPath } from '../definition/load.js';
import { IntakeError } from '../errors.js';
import type { RunResult } from '../runner.js';
import { completeness, findMapping, integrationStatus, mappingFiles, nameOf } from '../integrations/catalog.js';
import { launchState, setLaunchState } from '../integrations/state.js';
import { RunLog } from '../runlog/runlog.js';
import { describeSchedule } from '../integrations/catalog.js';
import { groupReasons } from '../sync/outcomes.js';
import { HttpError, sendJson } from './http.js';
import type { ServiceRuns } from './service.js';
import { listSlots, type SlotOutcome } from './slots.js';

export interface ApiContext {
  db: Database.Database;
  dbPath: string;
  mappingsDir: string;
  runs: ServiceRuns;
}

type Handler = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams) => Promise<void> | void;

/** The routes of the JSON API (docs/service.md): method, path pattern, handler. */
const routes: [string, RegExp, Handler][] = [
  ['GET', /^\/api\/integrations$/, listIntegrations],
  ['GET', /^\/api\/runs$/, listRuns],
  ['GET', /^\/api\/runs\/([^/]+)$/, showRun],
  ['GET', /^\/api\/slots$/, slots],
  ['POST', /^\/api\/integrations\/([^/]+)\/run$/, runNow],
  ['POST', /^\/api\/integrations\/([^/]+)\/launch$/, launch],
  ['POST', /^\/api\/integrations\/([^/]+)\/pause$/, pause],
];

/** Answers a request under /api/. */
export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const matching = routes.filter(([, pattern]) => pattern.test(url.pathname));
  if (!matching.length) throw new HttpError(404, 'not_found', `no API route ${url.pathname}`, 'routes: GET /api/integrations, GET /api/runs, GET /api/runs/:id, GET /api/slots, POST /api/integrations/:name/run|launch|pause (docs/service.md)');
  const route = matching.find(([method]) => method === req.method);
  if (!route) {
    res.setHeader('allow', matching.map(([m]) => m).join(', '));
    throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`, `use ${matching.map(([m]) => m).join(' or ')}`);
  }
  const params = route[1].exec(url.pathname)!.slice(1).map((p) => decodeURIComponent(p));
  await route[2](ctx, req, res, params, url.searchParams);
}

function listIntegrations(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse): void {
  const scheduled = new Map(ctx.runs.list().map((s) => [s.name, s]));
  const integrations = mappingFiles(ctx.mappingsDir).map((file) => {
    const status = integrationStatus(file, ctx.db, ctx.dbPath);
    const entry = scheduled.get(status.name);
    const running = ctx.runs.running(status.name);
    return {
      ...status,
      next_run: entry?.next_run ?? null,
      running: Boolean(running),
      running_run: running?.runId ?? null,
      ...(entry?.error ? { schedule_error: entry.error } : {}),
      last_skipped: listSlots(ctx.db, { key: status.name, outcome: 'skipped', limit: 1 })[0] ?? null,
    };
  });
  sendJson(res, 200, { integrations });
}

function listRuns(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): void {
  const limit = positive(query.get('limit'), 50, 'limit');
  const integration = query.get('integration');
  const log = new RunLog(ctx.db);
  const runs = integration ? log.list(10_000).filter((r) => nameOf(r.mapping_file) === integration).slice(0, limit) : log.list(limit);
  sendJson(res, 200, { runs });
}

function showRun(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [id]: string[]): void {
  if (!/^[1-9][0-9]*$/.test(id)) throw new HttpError(400, 'invalid_run_id', `"${id}" is not a run number`, 'GET /api/runs lists the runs with their ids');
  const run = new RunLog(ctx.db).get(Number(id));
  if (!run) throw new HttpError(404, 'run_not_found', `there is no run #${id}`, 'GET /api/runs lists the runs');
  const people = run.records.filter((r) => r.record_type === 'people');
  const saas = run.records.filter((r) => r.record_type === 'saas_users');
  // a run a queue worker ran: its reasons came back grouped (each record's is in the worker's store)
  if (run.remote) return sendJson(res, 200, { ...run, reasons: run.remote.reasons, ...(run.remote.saas_reasons?.length ? { saas_reasons: run.remote.saas_reasons } : {}) });
  sendJson(res, 200, { ...run, reasons: groupReasons(people), ...(saas.length ? { saas_reasons: groupReasons(saas) } : {}) });
}

function slots(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, _params: string[], query: URLSearchParams): void {
  const outcome = query.get('outcome') ?? undefined;
  if (outcome && !['claimed', 'ran', 'skipped', 'failed'].includes(outcome)) throw new HttpError(400, 'invalid_outcome', `outcome "${outcome}" is not one of claimed, ran, skipped, failed`, 'e.g. GET /api/slots?outcome=skipped');
  sendJson(res, 200, { slots: listSlots(ctx.db, { key: query.get('integration') ?? undefined, outcome: outcome as SlotOutcome | undefined, limit: positive(query.get('limit'), 50, 'limit') }) });
}

async function runNow(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[]): Promise<void> {
  const file = mappingOf(ctx, name);
  const busy = ctx.runs.running(name);
  if (busy) throw new HttpError(409, 'run_in_progress', `${name} is running${busy.runId ? ` (run #${busy.runId})` : ''}; a second run was refused`, 'wait for it to end: GET /api/runs shows it');
  const log = new RunLog(ctx.db);
  const before = log.list(1)[0]?.id ?? 0;
  let ended: Promise<unknown>;
  try {
    ended = ctx.runs.runNow(file);
  } catch (error) {
    if (!(error instanceof IntakeError)) throw error;
    throw new HttpError(error.code === 'service_stopping' ? 503 : 409, error.code, error.message, error.hint);
  }
  // answer with the run's number as soon as the run log has it (or the run ended without one)
  let done = false;
  void ended.finally(() => (done = true));
  const deadline = Date.now() + 5000;
  let runId: number | null = null;
  while (!done && Date.now() < deadline) {
    const live = log.running(name);
    if (live && live.id > before) {
      runId = live.id;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  if (done) {
    const result = (await ended) as RunResult | undefined;
    if (!result) throw new HttpError(422, 'run_not_started', `${name} did not start; the service log says why`, `try it by hand: intake run ${displayPath(file)} --test`);
    return sendJson(res, 200, { name, run_id: result.run_id, status: result.status, counts: result.counts });
  }
  sendJson(res, 202, { name, run_id: runId, status: 'running' });
}

function launch(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[]): void {
  const file = mappingOf(ctx, name);
  const { integration, missing, invalid } = completeness(file, ctx.dbPath);
  if (invalid) throw new HttpError(422, 'integration_invalid', `${displayPath(file)} does not load (${invalid.length} problem(s)), so it cannot be launched`, `see them with: intake validate ${displayPath(file)}`);
  if (missing.length) throw new HttpError(409, 'integration_draft', `${name} is a draft and cannot be launched; it needs: ${missing.join('; ')}`, `try it meanwhile with intake run ${displayPath(file)} --test`);
  setLaunchState(ctx.db, name, displayPath(file), 'launched');
  sendJson(res, 200, { name, state: 'launched', schedule: describeSchedule(integration!.mapping.schedule) });
}

function pause(ctx: ApiContext, _req: IncomingMessage, res: ServerResponse, [name]: string[]): void {
  const file = mappingOf(ctx, name);
  if (!launchState(ctx.db, name)) throw new HttpError(409, 'not_launched', `${name} was never launched, so there is nothing to pause`, `launch it: POST /api/integrations/${name}/launch`);
  setLaunchState(ctx.db, name, displayPath(file), 'paused');
  sendJson(res, 200, { name, state: 'paused' });
}

/** An integration named in a URL: a mapping file of the service's folder, by its base name. */
function mappingOf(ctx: ApiContext, name: string): string {
  const known = () => mappingFiles(ctx.mappingsDir).map(nameOf);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) throw new HttpError(404, 'integration_not_found', `no integration "${name}"`, `integrations: ${known().join(', ')}`);
  try {
    return findMapping(name, ctx.mappingsDir);
  } catch {
    throw new HttpError(404, 'integration_not_found', `no integration "${name}" in ${displayPath(ctx.mappingsDir)}`, `integrations: ${known().join(', ')}`);
  }
}

function positive(text: string | null, fallback: number, name: string): number {
  if (text === null) return fallback;
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new HttpError(400, 'invalid_query', `${name}=${text} is not a positive whole number`, `e.g. ?${name}=20`);
  return Number(text);
}
