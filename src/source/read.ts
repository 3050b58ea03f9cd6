import type { ConnectorSpec, Scalar } from '../definition/model.js';
import { compileTemplate } from '../definition/template.js';
import { SourceError } from '../errors.js';
import { aggregate } from './aggregate.js';
import { auths } from './auth/index.js';
import type { CredentialValues } from './auth/types.js';
import { compileExtract } from './extract.js';
import { paginations, type PageRequest } from './pagination/index.js';
import { getter } from './paths.js';
import { policyOf, requester, type JsonResponse } from './request.js';
import { compileRules } from './rules.js';
import type { SourceItem, SourceStats } from './types.js';

export interface SourceOptions {
  connector: ConnectorSpec;
  settings: Record<string, Scalar>;
  credentials: CredentialValues;
  /** secret values to scrub from any message */
  secrets: string[];
  /** pages to read at most (overrides the connector's max_pages, e.g. for preview) */
  maxPages?: number;
  onPage?: (stats: SourceStats) => void;
  onWait?: (ms: number, reason: string) => void;
}

interface Page {
  number: number;
  response: JsonResponse;
  records: unknown[];
}

/**
 * The source stage: reads the API page by page and yields typed source records (aggregated when
 * the connector says so). The next page is requested as soon as its cursor is known, while the
 * current page's records are consumed, so network latency and processing overlap.
 */
export function readSource(options: SourceOptions): { items: AsyncGenerator<SourceItem>; stats: SourceStats } {
  const stats: SourceStats = { pages: 0, entries: 0, requests: 0, warnings: [] };
  const { connector } = options;
  const extract = compileExtract(connector.fields, connector.aggregate?.by ?? connector.sync_key);
  async function* entries(): AsyncGenerator<SourceItem> {
    for await (const page of pages(options, stats)) {
      for (let i = 0; i < page.records.length; i++) {
        stats.entries++;
        yield extract(page.records[i], `record ${i + 1} of page ${page.number}`);
      }
    }
  }
  const items = connector.aggregate ? aggregate(entries(), connector.aggregate) : entries();
  return { items, stats };
}

async function* pages(options: SourceOptions, stats: SourceStats): AsyncGenerator<Page> {
  const { connector } = options;
  const vars = { settings: options.settings, credentials: publicCredentials(connector, options.credentials) };
  const base = baseUrl(connector, vars);
  const scrub = scrubber(options.secrets);
  const http = requester({
    origin: base.origin,
    auth: auths.get(connector.credentials.type).create(connector.credentials, { credentials: options.credentials }),
    classify: compileRules(connector.errors),
    policy: policyOf(connector),
    scrub,
    onWait: options.onWait,
  });
  const paginator = paginations.get(connector.pagination.type).create(connector.pagination);
  const maxPages = options.maxPages ?? maxPagesOf(connector, vars);
  const recordsOf = getter(connector.records);
  const seen = new Set<string>();
  const build = compileRequest(connector, base, vars);

  const fetchPage = async (extra: PageRequest, number: number): Promise<Page> => {
    const { url, headers } = build(extra);
    const response = await http.get(url, headers);
    stats.requests = http.sent;
    const records = recordsOf(response.body);
    if (!Array.isArray(records)) {
      throw new SourceError('records_not_found', `page ${number}: no record list at "${connector.records}" in the response of ${url.pathname}`, {
        hint: `check "records:" in the connector; the response has the keys ${topKeys(response.body)}`,
      });
    }
    return { number, response, records };
  };

  let pending: Promise<Page> | undefined = fetchPage(paginator.first(), 1);
  try {
    while (pending) {
      const page: Page = await pending;
      pending = undefined;
      stats.pages = page.number;
      const next = paginator.next({ body: page.response.body, headers: page.response.headers, records: page.records.length, page: page.number });
      if ('request' in next) {
        const id = JSON.stringify(next.request);
        if (seen.has(id)) {
          throw new SourceError('pagination_loop', `page ${page.number}: the API returned the same next-page value as before; stopping instead of looping`, {
            hint: 'check the pagination token path in the connector; the API may ignore the parameter it is sent in',
          });
        }
        seen.add(id);
        if (page.number >= maxPages) stats.warnings.push(`stopped after ${maxPages} pages (max_pages); the API has more data — raise max_pages to read it`);
        else pending = fetchPage(next.request, page.number + 1);
      } else if ('limit' in next) {
        stats.warnings.push(`stopped at page ${page.number}: ${next.limit}`);
      }
      options.onPage?.(stats);
      yield page;
    }
  } finally {
    pending?.catch(() => undefined);
  }
}

function publicCredentials(connector: ConnectorSpec, values: CredentialValues): Record<string, string> {
  return Object.fromEntries(Object.entries(connector.credentials.fields).filter(([, f]) => f.secret === false).map(([name]) => [name, values[name]]));
}

function baseUrl(connector: ConnectorSpec, vars: object): URL {
  const text = String(compileTemplate(connector.base_url).render(vars as Record<string, unknown>) ?? '');
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new SourceError('base_url_invalid', `the base URL "${text}" is not an http(s) URL`, { hint: 'set it with --set base_url=https://… or in the mapping\'s settings' });
  }
  return url;
}

function maxPagesOf(connector: ConnectorSpec, vars: object): number {
  const raw = connector.pagination.max_pages;
  if (raw === undefined) return Infinity;
  const value = typeof raw === 'number' ? raw : Number(compileTemplate(raw).render(vars as Record<string, unknown>));
  return Number.isFinite(value) && value >= 1 ? value : Infinity;
}

/** Compiles the request's templates once; the result builds each page's URL and headers. */
function compileRequest(connector: ConnectorSpec, base: URL, vars: Record<string, unknown>): (extra: PageRequest) => { url: URL; headers: Record<string, string> } {
  const render = (value: Scalar) => (typeof value === 'string' ? compileTemplate(value).render(vars) : value);
  const query = Object.entries(connector.request.query ?? {})
    .map(([name, value]) => [name, render(value)] as const)
    .filter(([, value]) => value !== undefined && value !== null && value !== '');
  const fixedHeaders = Object.fromEntries(Object.entries(connector.request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(render(value))]));
  const path = base.href.replace(/\/$/, '') + '/' + connector.request.path.replace(/^\//, '');
  return (extra) => {
    const url = new URL(path);
    for (const [name, value] of query) url.searchParams.set(name, String(value));
    for (const [name, value] of Object.entries(extra.query ?? {})) url.searchParams.set(name, value);
    const headers = { ...fixedHeaders };
    for (const [name, value] of Object.entries(extra.headers ?? {})) headers[name.toLowerCase()] = value;
    return { url, headers };
  };
}

function topKeys(body: unknown): string {
  if (Array.isArray(body)) return '(the body is a list: use records: ".")';
  if (body && typeof body === 'object') return Object.keys(body).slice(0, 12).join(', ') || '(none)';
  return `(none: the body is ${JSON.stringify(body)})`;
}

/** Replaces every secret value in a text with `***`. */
export function scrubber(secrets: string[]): (text: string) => string {
  const real = secrets.filter((s) => s.length >= 4);
  return (text) => real.reduce((t, s) => t.split(s).join('***'), text);
}
