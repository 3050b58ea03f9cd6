/**
 * Pages in flight at once (pagination `concurrency`): the source stage alone (readSource to its
 * last record, in this process) over numbered pages with a total, at a given latency per page,
 * one page at a time (`concurrency: 1`) against `concurrency: 4`, alternating. The read is
 * measured without the sync, so the ratio is what overlapping the latency buys.
 */
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConnector } from '../src/definition/load.js';
import type { ConnectorSpec } from '../src/definition/model.js';
import { resolveSettings } from '../src/definition/settings.js';
import { readSource } from '../src/source/read.js';

const here = dirname(fileURLToPath(import.meta.url));
export const pagesConnectorFile = join(resolve(here, '../..'), 'bench/connectors/slack-last-login-pages.yaml');

export interface PagesRun {
  concurrency: number;
  ms: number;
  pages: number;
  entries: number;
  records: number;
  requests: number;
}

/** Reads every page (and aggregates, as the connector says) with `concurrency` pages in flight. */
export async function readPages(url: string, concurrency: number, pageSize: number): Promise<PagesRun> {
  const base = loadConnector(pagesConnectorFile);
  const connector: ConnectorSpec = { ...base, pagination: { ...base.pagination, concurrency } };
  const settings = resolveSettings(connector, {}, { base_url: url, page_size: String(pageSize), max_pages: '100' });
  const start = performance.now();
  const source = readSource({ connector, settings, credentials: { token: 'xoxp-bench-token' }, secrets: ['xoxp-bench-token'], fields: ['last_used'] });
  let records = 0;
  for await (const item of source.items) if ('record' in item) records++;
  return { concurrency, ms: performance.now() - start, pages: source.stats.pages, entries: source.stats.entries, records, requests: source.stats.requests };
}
