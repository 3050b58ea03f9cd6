import type { ConnectorSpec, Scalar } from '../definition/model.js';
import { CredentialError, SourceError } from '../errors.js';
import { aggregate } from './aggregate.js';
import type { CredentialValues } from './auth/types.js';
import { call, compileRequest, createClient, type Client } from './client.js';
import { enrich } from './detail.js';
import { compileExtract } from './extract.js';
import { paginations, type PageRequest } from './pagination/index.js';
import { getter } from './paths.js';
import { compileTemplate } from '../definition/template.js';
import type { JsonResponse, RetryEvent } from './request.js';
import { noRetries, type RetryStats, type SourceItem, type SourceStats } from './types.js';

export { scrubber } from './client.js';

export interface SourceOptions {
  connector: ConnectorSpec;
  settings: Record<string, Scalar>;
  credentials: CredentialValues;
  /** secret values to scrub from any message */
  secrets: string[];
  /** read only these connector fields (what the mapping uses); default: all */
  fields?: string[];
  /** pages to read at most (overrides the connector's max_pages, e.g. for preview) */
  maxPages?: number;
  onPage?: (stats: SourceStats) => void;
  onWait?: (ms: number, reason: string) => void;
  /** sees every page as it arrives (preview) */
  onRaw?: (page: Page) => void;
  /** continue an earlier read from where it stopped (a failed or interrupted run's checkpoint) */
  resume?: SourcePosition;
}

/**
 * A point in the read the next run can continue from: the request of page `page` (numbered as
 * in the first run) and how many of that page's entries were already synced.
 */
export interface SourcePosition {
  page: number;
  request: PageRequest;
  skip: number;
}

export interface Page {
  number: number;
  /** what the paginator asked for to get this page, and for the next one (none: this is the last page) */
  asked: PageRequest;
  next?: PageRequest;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response: JsonResponse;
  records: unknown[];
}

/**
 * The source stage: reads the API page by page and yields typed source records — aggregated,
 * then enriched by detail calls, when the connector says so. The next page is requested as soon
 * as its cursor is known, while the current page's records are consumed.
 */
export function readSource(options: SourceOptions): { items: AsyncGenerator<SourceItem>; stats: SourceStats; position: () => SourcePosition | 'done' | undefined } {
  const stats: SourceStats = { pages: 0, entries: 0, requests: 0, warnings: [], retries: noRetries() };
  const connector = project(options.connector, options.fields);
  const extract = compileExtract(connector.fields, connector.aggregate?.by ?? connector.sync_key);
  // an aggregated read yields nothing before it has read everything: it has no point to continue from
  const resumable = !connector.aggregate;
  const ahead: (SourcePosition | 'done')[] = []; // positions after the entries read but not yet handed on
  let position: SourcePosition | 'done' | undefined = options.resume;
  async function* entries(client: Client): AsyncGenerator<SourceItem> {
    for await (const page of pages(client, options, stats)) {
      const skip = options.resume && page.number === options.resume.page ? Math.min(options.resume.skip, page.records.length) : 0;
      for (let i = skip; i < page.records.length; i++) {
        stats.entries++;
        if (resumable) ahead.push(after(page, i + 1));
        yield extract(page.records[i], `record ${i + 1} of page ${page.number}`);
      }
    }
  }
  async function* items(): AsyncGenerator<SourceItem> {
    const client = await createClient({ ...options, onRetry: (event) => countRetry(stats.retries, event) });
    let stream = entries(client);
    if (connector.aggregate) stream = aggregate(stream, connector.aggregate);
    if (connector.detail) stream = enrich(stream, connector.detail, connector.aggregate?.by ?? connector.sync_key, client, stats);
    if (!resumable) return yield* stream;
    for await (const item of stream) {
      position = ahead.shift(); // one entry in, one item out (detail calls keep the order)
      yield item;
    }
  }
  return { items: items(), stats, position: () => (resumable ? position : undefined) };
}

/** Where the read continues after the first `count` entries of a page. */
function after(page: Page, count: number): SourcePosition | 'done' {
  if (count < page.records.length) return { page: page.number, request: page.asked, skip: count };
  return page.next ? { page: page.number + 1, request: page.next, skip: 0 } : 'done';
}

/**
 * The connector narrowed to the fields a run uses (plus the keys aggregation needs): fields no
 * one reads are neither converted nor reduced, which is most of the work on large access logs.
 */
function project(connector: ConnectorSpec, wanted: string[] | undefined): ConnectorSpec {
  if (!wanted || connector.detail) return connector; // detail requests may use any field
  const keep = new Set([...wanted, connector.sync_key]);
  if (connector.aggregate) {
    keep.add(connector.aggregate.by);
    if (connector.aggregate.latest_by) keep.add(connector.aggregate.latest_by);
  }
  const fields = Object.fromEntries(Object.entries(connector.fields).filter(([name]) => keep.has(name)));
  const aggregate = connector.aggregate && { ...connector.aggregate, take: Object.fromEntries(Object.entries(connector.aggregate.take ?? {}).filter(([name]) => keep.has(name))) };
  return { ...connector, fields, aggregate };
}

async function* pages(client: Client, options: SourceOptions, stats: SourceStats): AsyncGenerator<Page> {
  const { connector } = options;
  const paginator = paginations.get(connector.pagination.type).create(connector.pagination);
  const maxPages = options.maxPages ?? maxPagesOf(connector, client.vars);
  const recordsOf = getter(connector.records);
  const build = compileRequest(connector.request, client);
  const seen = new Set<string>();

  const fetchPage = async (extra: PageRequest, number: number): Promise<Page> => {
    const request = build(extra);
    let response: Awaited<ReturnType<typeof call>>;
    try {
      response = await call(client, request);
    } catch (error) {
      throw onPage(error, number);
    } finally {
      stats.requests = client.requester.sent;
    }
    let records = recordsOf(response.body);
    if (records === undefined && connector.records_missing === 'empty' && response.body !== null && typeof response.body === 'object') records = [];
    if (!Array.isArray(records)) {
      throw new SourceError('records_not_found', `page ${number}: no record list at "${connector.records}" in the response of ${request.url.pathname}`, {
        hint: `check "records:" in the connector; the response has the keys ${topKeys(response.body)}`,
      });
    }
    return { number, asked: extra, request: { method: request.method, url: request.url.href, headers: request.headers, body: request.body }, response, records };
  };

  const { resume } = options;
  if (resume) paginator.resume?.(resume.request);
  const firstPage = resume?.page ?? 1;
  let pending: Promise<Page> | undefined = fetchPage(resume?.request ?? paginator.first(), firstPage);
  try {
    while (pending) {
      const page: Page = await pending;
      pending = undefined;
      stats.pages = page.number - firstPage + 1;
      if (page.response.invalidUtf8) {
        stats.warnings.push(`page ${page.number}: the response is not valid UTF-8; ${page.response.invalidUtf8} byte sequence(s) were replaced by U+FFFD (�), so some values may show �; check the API's charset`);
      }
      const next = paginator.next({ body: page.response.body, headers: page.response.headers, records: page.records.length, page: page.number });
      if (next.warnings) stats.warnings.push(...next.warnings);
      if ('request' in next) {
        const id = JSON.stringify(next.request);
        if (seen.has(id)) {
          throw new SourceError('pagination_loop', `page ${page.number}: the API returned the same next-page value as an earlier page; stopping instead of looping`, {
            hint: 'check the pagination settings of the connector (token path, where the token is sent); the API may ignore the parameter',
          });
        }
        seen.add(id);
        if (page.number >= maxPages) stats.warnings.push(`stopped after ${maxPages} page(s) (max_pages); the API has more data — raise max_pages to read it`);
        else {
          page.next = next.request;
          pending = fetchPage(next.request, page.number + 1);
          pending.catch(() => undefined); // handled where it is awaited
          await new Promise<void>((resolve) => setImmediate(resolve)); // let the request go out before this page is processed
        }
      } else if ('limit' in next) {
        stats.warnings.push(`stopped at page ${page.number}: ${next.limit}`);
      }
      options.onRaw?.(page);
      options.onPage?.(stats);
      yield page;
    }
  } finally {
    pending?.catch(() => undefined);
  }
}

/** Adds a retry or a wait to the run's retry stats, grouped by reason. */
function countRetry(stats: RetryStats, event: RetryEvent): void {
  if (event.retry) stats.count++;
  stats.wait_ms += event.waitMs;
  let group = stats.reasons.find((r) => r.reason === event.reason);
  if (!group) stats.reasons.push((group = { reason: event.reason, retries: 0, wait_ms: 0 }));
  if (event.retry) group.retries++;
  group.wait_ms += event.waitMs;
  stats.reasons.sort((a, b) => b.retries - a.retries || b.wait_ms - a.wait_ms);
}

/** An error of a page's request, saying which page: "page 3: GET …: the connection was cut …". */
function onPage(error: unknown, number: number): unknown {
  if (error instanceof CredentialError) return new CredentialError(error.code, `page ${number}: ${error.message}`, { hint: error.hint, cause: error });
  if (error instanceof SourceError) return new SourceError(error.code, `page ${number}: ${error.message}`, { hint: error.hint, cause: error });
  return error;
}

function maxPagesOf(connector: ConnectorSpec, vars: Record<string, unknown>): number {
  const raw = connector.pagination.max_pages;
  if (raw === undefined) return Infinity;
  const value = typeof raw === 'number' ? raw : Number(compileTemplate(raw).render(vars));
  return Number.isFinite(value) && value >= 1 ? value : Infinity;
}

function topKeys(body: unknown): string {
  if (Array.isArray(body)) return '(the body is a list: use records: ".")';
  if (body && typeof body === 'object') return Object.keys(body).slice(0, 12).join(', ') || '(none)';
  return `(none: the body is ${JSON.stringify(body)})`;
}
