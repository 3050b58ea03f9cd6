import type { ConnectorSpec, PaginationSpec, Scalar } from '../definition/model.js';
import { CredentialError, SourceError } from '../errors.js';
import { aggregate } from './aggregate.js';
import type { CredentialValues } from './auth/types.js';
import { call, compileRequest, createClient, type Client } from './client.js';
import { enrich } from './detail.js';
import { compileExtract } from './extract.js';
import { paginations, type Next, type PageRequest } from './pagination/index.js';
import { resolveNumbers } from './pagination/numbers.js';
import { partitions, type PagedRequest, type Partition, type PartitionContext } from './partitions/index.js';
import { pointsOf, resumedPartition, type PartitionPoint } from './partitions/points.js';
import { getter } from './paths.js';
import type { Vars } from '../definition/template.js';
import type { JsonResponse, RetryEvent } from './request.js';
import { requestsOf } from './waits.js';
import { noRetries, type RetryStats, type SourceItem, type SourceRecord, type SourceStats } from './types.js';

export { scrubber } from './client.js';

export interface SourceOptions {
  connector: ConnectorSpec;
  settings: Record<string, Scalar>;
  credentials: CredentialValues;
  /** secret values to scrub from any message */
  secrets: string[];
  /** read only these connector fields (what the mapping uses); default: all */
  fields?: string[];
  /** pages to read at most (overrides the connector's max_pages, e.g. for preview; with partitions, in all) */
  maxPages?: number;
  onPage?: (stats: SourceStats) => void;
  onWait?: (ms: number, reason: string) => void;
  /** sees every page as it arrives (preview) */
  onRaw?: (page: Page) => void;
  /** continue an earlier read from where it stopped (a failed or interrupted run's checkpoint) */
  resume?: SourcePosition;
  /**
   * the run stopped (SIGTERM, a lost lock): the requests in flight stop at once, retries and waits
   * included, even while the read waits for a page (its consumer's `return()` would wait for that)
   */
  signal?: AbortSignal;
  /** a credential the provider replaced during the read (a rotated refresh token), for the store that keeps it */
  onCredentialChange?: (field: string, value: string) => void;
  /** an aggregated read found a new group: its first entry (the engine looks its stored record up while the read goes on) */
  onGroup?: (first: SourceRecord) => void;
}

/**
 * A point in the read the next run can continue from: the request of page `page` (numbered as
 * in the first run, within its partition) and how many of that page's entries were already
 * synced; with partitions, the partition too.
 */
export interface SourcePosition {
  page: number;
  request: PageRequest;
  skip: number;
  partition?: PartitionPoint;
}

export type { PartitionPoint };

export interface Page {
  number: number;
  /** what the paginator asked for to get this page, and for the next one (none: this is the last page) */
  asked: PageRequest;
  next?: PageRequest;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response: JsonResponse;
  records: unknown[];
  /** what the paginator decided after this page, in words: the next page and where it came from, or why the read stops */
  decision?: PageDecision;
  /** a partitioned read: the partition of this page (`number` counts within it) */
  partition?: PartitionPoint;
  /** the last page of a partition that is not the last one: where the read goes on (the next partition's first page) */
  then?: SourcePosition;
  /** the first page of a resumed read: its first entries, which the earlier run already synced */
  skip?: number;
}

export interface PageDecision {
  next: boolean;
  why: string;
}

/**
 * The source stage: reads the API page by page and yields typed source records — aggregated,
 * then enriched by detail calls, when the connector says so. The next page is requested as soon
 * as its cursor is known, while the current page's records are consumed.
 */
export function readSource(options: SourceOptions): {
  items: AsyncGenerator<SourceItem>;
  /**
   * the same items a list at a time (instead of `items`, not with it): for a consumer that takes
   * them all before it writes any (an aggregated read's groups), without a hop per item
   */
  lists: AsyncGenerator<readonly SourceItem[]>;
  stats: SourceStats;
  position: () => SourcePosition | 'done' | undefined;
  resumed: () => boolean;
} {
  const stats: SourceStats = { pages: 0, entries: 0, requests: 0, warnings: [], retries: noRetries() };
  const connector = project(options.connector, options.fields);
  const extract = compileExtract(connector.fields, connector.aggregate?.by ?? connector.sync_key);
  // an aggregated read yields nothing before it has read everything: it has no point to continue from
  const resumable = !connector.aggregate;
  // entries are counted as they are handed on when the stream keeps them one to one; as they are read otherwise
  const countOnYield = resumable && !connector.detail;
  // the chunk of the last item handed on and how many of its page's entries are handed on with it
  let current: Chunk | undefined;
  let through = 0;
  // whether the read continues at options.resume: a partitioned read knows once it has its partitions
  let resumed = Boolean(options.resume) && !connector.partitions;
  // a page at a time: one extraction loop per page, no per-entry hop through the stages
  async function* chunks(client: Client): AsyncGenerator<Chunk> {
    for await (const page of listPages(client, options, stats, (yes) => (resumed = yes))) {
      const skip = Math.min(page.skip ?? 0, page.records.length);
      const label = page.partition?.label;
      const records = page.records;
      const items: SourceItem[] = new Array(records.length - skip);
      let i = skip;
      const at = () => `record ${i + 1} of page ${page.number}${label ? ` of ${label}` : ''}`;
      for (; i < records.length; i++) {
        const item = extract(records[i], at);
        // the partition travels with the record, so a duplicate across partitions says where both came from
        items[i - skip] = label && 'record' in item ? { ...item, partition: label } : item;
      }
      if (!countOnYield) stats.entries += items.length;
      yield { page, first: skip, items };
    }
  }
  async function* stages(): AsyncGenerator<Chunk> {
    const client = await createClient({ ...options, onRetry: (event) => countRetry(stats.retries, event) });
    let stream = chunks(client);
    if (connector.aggregate) stream = aggregate(stream, connector.aggregate, options.onGroup);
    if (connector.detail) stream = enrich(stream, connector.detail, connector.aggregate?.by ?? connector.sync_key, client, stats, options.signal);
    yield* stream;
  }
  async function* items(): AsyncGenerator<SourceItem> {
    for await (const chunk of stages()) {
      const list = chunk.items;
      for (let j = 0; j < list.length; j++) {
        if (countOnYield) stats.entries++;
        current = chunk; // one entry in, one item out (detail calls keep the order)
        through = chunk.first + j + 1;
        yield list[j];
      }
    }
  }
  async function* lists(): AsyncGenerator<readonly SourceItem[]> {
    for await (const chunk of stages()) {
      if (!chunk.items.length) continue;
      if (countOnYield) stats.entries += chunk.items.length;
      current = chunk;
      through = chunk.first + chunk.items.length;
      yield chunk.items;
    }
  }
  const position = () => {
    if (!resumable) return undefined;
    return current?.page ? after(current.page, through) : options.resume;
  };
  return { items: items(), lists: lists(), stats, position, resumed: () => resumed };
}

/**
 * A page's items on their way through the source stages: `items[j]` is the page's entry
 * `first + j` (one to one, in order, until aggregation groups them: a group has no page).
 */
export interface Chunk {
  page?: Page;
  first: number;
  items: SourceItem[];
}

/** Where the read continues after the first `count` entries of a page. */
function after(page: Page, count: number): SourcePosition | 'done' {
  const partition = page.partition && { partition: page.partition };
  if (count < page.records.length) return { page: page.number, request: page.asked, skip: count, ...partition };
  if (page.next) return { page: page.number + 1, request: page.next, skip: 0, ...partition };
  return page.then ?? 'done';
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

/**
 * The list request's pages: one paged read, or one per partition (in order, each with its own
 * pagination). Counts each page and shows it to `onRaw` / `onPage`.
 */
async function* listPages(client: Client, options: SourceOptions, stats: SourceStats, onResume: (resumed: boolean) => void): AsyncGenerator<Page> {
  const { connector } = options;
  const list: PagedRequest = { request: connector.request, pagination: connector.pagination, records: connector.records, records_missing: connector.records_missing, label: '' };
  const counted = (page: Page): Page => {
    stats.pages++;
    options.onRaw?.(page);
    options.onPage?.(stats);
    return page;
  };
  if (!connector.partitions) {
    for await (const page of pages(client, list, stats, { resume: options.resume, maxPages: options.maxPages, signal: options.signal })) yield counted(page);
    return;
  }
  const context: PartitionContext = { vars: client.vars, warn: (text) => stats.warnings.push(text), readPages: (source) => pages(client, source, stats, { signal: options.signal }) };
  const all = await partitions.get(connector.partitions.type).create(connector.partitions, context).list();
  const points = pointsOf(all);
  const resume = options.resume && resumedPartition(points, options.resume, stats.warnings);
  if (options.resume) onResume(Boolean(resume));
  const from = resume?.partition?.index ?? 0;
  for (let i = from; i < all.length; i++) {
    const left = options.maxPages === undefined ? undefined : options.maxPages - stats.pages;
    if (left !== undefined && left <= 0) {
      stats.warnings.push(`stopped after ${options.maxPages} page(s): ${all.length - i} partition(s) not read (${all.slice(i, i + 3).map((p) => p.label).join(', ')}${all.length - i > 3 ? ', …' : ''})`);
      return;
    }
    const then: SourcePosition | undefined = i + 1 < all.length ? { page: 1, request: firstRequest(connector.pagination, client.vars), skip: 0, partition: points[i + 1] } : undefined;
    for await (const page of pages(client, { ...list, label: all[i].label }, stats, { resume: i === from ? resume : undefined, maxPages: left, partition: all[i], signal: options.signal })) {
      page.partition = points[i];
      if (!page.next) page.then = then;
      yield counted(page);
    }
  }
}

/** The request of a paged read's first page. */
function firstRequest(pagination: PaginationSpec, vars: Vars): PageRequest {
  return paginations.get(pagination.type).create(resolveNumbers(pagination, vars)).first();
}

interface PagesOptions {
  /** continue at this position (its page, request and skip) */
  resume?: SourcePosition;
  /** pages to read at most; default: the pagination's max_pages */
  maxPages?: number;
  /** the partition this read is for: its values are `{{ partition.<name> }}` in the request */
  partition?: Partition;
  /** the run's stop (`SourceOptions.signal`) */
  signal?: AbortSignal;
}

/** One paged read of a request: the list request (of one partition), or a parent request. */
async function* pages(client: Client, source: PagedRequest, stats: SourceStats, options: PagesOptions): AsyncGenerator<Page> {
  const pagination = resolveNumbers(source.pagination, client.vars);
  const paginator = paginations.get(pagination.type).create(pagination);
  const maxPages = options.maxPages ?? maxPagesOf(pagination);
  const recordsOf = getter(source.records);
  const build = compileRequest(source.request, client);
  const vars = options.partition ? { partition: options.partition.values } : {};
  const where = (number: number) => (source.label ? `page ${number} of ${source.label}` : `page ${number}`);
  const about = source.label ? `${source.label}: ` : '';
  const seen = new Set<string>();

  // a page requested ahead or next that the read no longer needs is aborted, and so is every request of a run that stopped, at once
  const requests = requestsOf(options.signal);
  const fetchPage = async (extra: PageRequest, number: number): Promise<Page> => {
    const request = { ...build(extra, vars), signal: requests.signal, onAnswer: guessAfter(number) };
    let response: Awaited<ReturnType<typeof call>>;
    try {
      response = await call(client, request);
    } catch (error) {
      throw onPage(error, where(number));
    } finally {
      stats.requests = client.requester.sent;
    }
    let records = recordsOf(response.body);
    if (records === undefined && source.records_missing === 'empty' && response.body !== null && typeof response.body === 'object') records = [];
    if (!Array.isArray(records)) {
      throw new SourceError('records_not_found', `${where(number)}: no record list at "${source.records}" in the response of ${request.url.pathname}`, {
        hint: `check "records:" in the ${source.label === 'the parent request' ? 'partitions of the ' : ''}connector; the response has the keys ${topKeys(response.body)}`,
      });
    }
    return { number, asked: extra, request: { method: request.method, url: request.url.href, headers: request.headers, body: request.body }, response, records };
  };

  const { resume } = options;
  if (resume) paginator.resume?.(resume.request);
  // pages requested ahead (pagination `concurrency`), by request: used only when the paginator asks for exactly that page
  const concurrency = concurrencyOf(pagination);
  const ahead = new Map<string, { number: number; page: Promise<Page>; guessed?: true }>();
  // the page the loop below waits for (undefined: it is busy with the last one it took)
  let awaited: number | undefined;
  /**
   * While the loop waits for page `number`, asks for the next page as soon as the text of its answer
   * shows the request (`Paginator.guess`), before the page is parsed: the next page travels
   * meanwhile. A loop busy with a page it took asks only once that page is parsed, as always.
   */
  function guessAfter(number: number): ((text: string, headers: Page['response']['headers']) => boolean) | undefined {
    if (!paginator.guess || number + 1 > maxPages) return undefined;
    return (text, headers) => {
      if (awaited !== number) return false;
      const guess = paginator.guess!(text, headers);
      const id = guess && JSON.stringify(guess);
      if (!id || seen.has(id) || ahead.has(id)) return false;
      const fetched = fetchPage(guess, number + 1);
      fetched.catch(() => undefined); // handled where it is awaited, if it is needed at all
      ahead.set(id, { number: number + 1, page: fetched, guessed: true });
      return true;
    };
  }
  /**
   * Drops the guesses of page `number` other than the request `id` the paginator asked for: their
   * answers are not used. They share the read's signal: one of their own, combined with it by
   * `AbortSignal.any`, would be kept with what listens to it until the read ended (nodejs/node#55351).
   */
  const dropGuesses = (number: number, id?: string) => {
    for (const [other, entry] of ahead) if (entry.number === number && other !== id && entry.guessed) ahead.delete(other);
  };
  const requestAhead = (page: Page, nextId: string) => {
    if (concurrency <= 1 || !paginator.plan) return;
    const planned = paginator.plan({ body: page.response.body, headers: page.response.headers, records: page.records.length, page: page.number });
    // the next page is one of the `concurrency` in flight; pages past max_pages are never asked for
    for (let k = 0; k < planned.length && k < concurrency && page.number + 1 + k <= maxPages; k++) {
      const id = JSON.stringify(planned[k]);
      if (id === nextId || ahead.has(id)) continue;
      const fetched = fetchPage(planned[k], page.number + 1 + k);
      fetched.catch(() => undefined); // handled where it is awaited, if it is needed at all
      ahead.set(id, { number: page.number + 1 + k, page: fetched });
    }
  };
  let pending: Promise<Page> | undefined = fetchPage(resume?.request ?? paginator.first(), resume?.page ?? 1);
  let pendingNumber = resume?.page ?? 1;
  let skip = resume?.skip;
  try {
    while (pending) {
      awaited = pendingNumber;
      const page: Page = await pending;
      awaited = undefined;
      pending = undefined;
      if (skip) page.skip = skip;
      skip = undefined;
      if (page.response.invalidUtf8) {
        stats.warnings.push(`${where(page.number)}: the response is not valid UTF-8; ${page.response.invalidUtf8} byte sequence(s) were replaced by U+FFFD (�), so some values may show �; check the API's charset`);
      }
      const next = paginator.next({ body: page.response.body, headers: page.response.headers, records: page.records.length, page: page.number });
      if (next.warnings) stats.warnings.push(...next.warnings.map((w) => about + w));
      if ('request' in next) {
        const id = JSON.stringify(next.request);
        dropGuesses(page.number + 1, page.number >= maxPages ? undefined : id);
        if (seen.has(id)) {
          throw new SourceError('pagination_loop', `${where(page.number)}: the API returned the same next-page value as an earlier page; stopping instead of looping`, {
            hint: 'check the pagination settings of the connector (token path, where the token is sent); the API may ignore the parameter',
          });
        }
        seen.add(id);
        page.decision = decisionOf(next, page.number >= maxPages ? maxPages : undefined);
        if (page.number >= maxPages) stats.warnings.push(`${about}stopped after ${maxPages} page(s) (max_pages); the API has more data — raise max_pages to read it`);
        else {
          page.next = next.request;
          const planned = ahead.get(id);
          ahead.delete(id);
          const early = planned?.number === page.number + 1 ? planned.page : undefined;
          pending = early ?? fetchPage(next.request, page.number + 1);
          pendingNumber = page.number + 1;
          pending.catch(() => undefined); // handled where it is awaited
          requestAhead(page, id); // only once the paginator has said the read goes on
          if (!early) await new Promise<void>((resolve) => setImmediate(resolve)); // let the request go out before this page is processed
        }
      } else {
        dropGuesses(page.number + 1);
        page.decision = decisionOf(next);
        if ('limit' in next) stats.warnings.push(`${about}stopped at ${where(page.number)}: ${next.limit}`);
      }
      yield page;
    }
  } finally {
    pending?.catch(() => undefined);
    ahead.clear(); // requests ahead that no page asked for: their answers are dropped
    requests.end(); // and the requests themselves stop, retries and waits included
  }
}

/** Pages a paged read may have in flight at once (`concurrency:` of the pagination; 1: one after another). */
function concurrencyOf(pagination: PaginationSpec): number {
  const value = Number(pagination.concurrency ?? 1);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

/** The paginator's decision as preview shows it; `maxPages` when the read stops there although the paginator had a next page. */
function decisionOf(next: Next, maxPages?: number): PageDecision {
  const why = next.why ?? ('limit' in next ? next.limit : 'request' in next ? 'the paginator gave a next page' : 'the paginator ended the read');
  if (!('request' in next)) return { next: false, why };
  return maxPages === undefined ? { next: true, why } : { next: false, why: `max_pages ${maxPages} reached (the paginator had a next page: ${why})` };
}

/** Adds one retry or wait to the run's retry statistics, grouped by reason (the source's, and a remote target's). */
export function countRetry(stats: RetryStats, event: RetryEvent): void {
  if (event.retry) stats.count++;
  stats.wait_ms += event.waitMs;
  let group = stats.reasons.find((r) => r.reason === event.reason);
  if (!group) stats.reasons.push((group = { reason: event.reason, retries: 0, wait_ms: 0 }));
  if (event.retry) group.retries++;
  group.wait_ms += event.waitMs;
  stats.reasons.sort((a, b) => b.retries - a.retries || b.wait_ms - a.wait_ms);
}

/** An error of a page's request, saying which page: "page 3: GET …: the connection was cut …", "page 2 of status=inactive: …". */
function onPage(error: unknown, where: string): unknown {
  if (error instanceof CredentialError) return new CredentialError(error.code, `${where}: ${error.message}`, { hint: error.hint, cause: error });
  if (error instanceof SourceError) return new SourceError(error.code, `${where}: ${error.message}`, { hint: error.hint, cause: error });
  return error;
}

/** The pagination's max_pages (already rendered from its setting), or no limit. */
function maxPagesOf(pagination: PaginationSpec): number {
  const value = Number(pagination.max_pages);
  return Number.isFinite(value) && value >= 1 ? value : Infinity;
}

function topKeys(body: unknown): string {
  if (Array.isArray(body)) return '(the body is a list: use records: ".")';
  if (body && typeof body === 'object') return Object.keys(body).slice(0, 12).join(', ') || '(none)';
  return `(none: the body is ${JSON.stringify(body)})`;
}
