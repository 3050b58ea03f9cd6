import { visible } from '../output.js';
import type { PreviewFailure, PreviewPage, ShownRequest } from './report.js';

export interface PreviewText {
  connector: string;
  file: string;
  origin: string;
  mapping: string | null;
  pages: PreviewPage[];
  records?: number;
  mapped?: unknown[];
  warnings: string[];
  failure?: PreviewFailure;
}

/**
 * The preview as text, one value per line: what comes from the API passes `visible` (a newline or
 * a terminal control in the data is shown escaped); JSON values are printed whole, never cut.
 *
 * ```text
 * ── page 1 ──
 * → GET https://gitlab.example.com/api/v4/users?pagination=keyset&order_by=id&sort=asc&per_page=100
 *   PRIVATE-TOKEN: ***   (credentials)
 * ← HTTP 200, 100 record(s)
 *   link: <https://gitlab.example.com/api/v4/users?…&id_after=100>; rel="next"
 *   body around the records: [… 100 records]
 *   …
 *   pager: next — URL in a Link header with rel="next": https://…
 * ```
 */
export function previewText(report: PreviewText): string {
  const out: string[] = [`preview of ${report.connector} (${report.origin}: ${report.file})${report.mapping ? ` with mapping ${report.mapping}` : ''}`];
  for (const page of report.pages) {
    out.push('', `── page ${page.number}${page.partition ? ` of ${visible(page.partition)}` : ''} ──`, ...request(page.request));
    out.push(`← HTTP ${page.response.status}, ${page.response.records} record(s)`, ...headers(page.response.headers));
    out.push('  body around the records:', ...json(page.response.envelope, '    '));
    out.push(`  records as the API sent them (${page.response.raw_records.length} of ${page.response.records}):`, ...page.response.raw_records.map((r) => `    ${visible(JSON.stringify(r))}`));
    out.push('  source records:', ...page.source_records.map((r) => `    ${visible(JSON.stringify(r && typeof r === 'object' && 'record' in r ? r.record : r))}`));
    if (page.pager) out.push(`  pager: ${page.pager.decision} — ${visible(page.pager.reason)}`);
  }
  if (report.failure) return [...out, '', '── the request that failed ──', ...failure(report.failure)].join('\n');
  out.push('', `${report.records} record(s) after aggregation/detail calls`);
  if (report.mapped) out.push('mapped records:', ...report.mapped.map((m) => `  ${visible(JSON.stringify(m))}`));
  else out.push('no mapping uses this connector: pass --mapping to see mapped records');
  for (const w of report.warnings) out.push(`warning: ${visible(w)}`);
  return out.join('\n');
}

function request(r: ShownRequest): string[] {
  const auth = new Set(r.auth.map((a) => a.split(': ')[0]));
  const lines = [`→ ${r.method} ${visible(r.url)}`];
  for (const [name, value] of Object.entries(r.headers)) lines.push(`  ${name}: ${visible(value)}${auth.has(name) ? '   (credentials)' : ''}`);
  for (const a of r.auth.filter((x) => x.startsWith('query '))) lines.push(`  ${a}   (credentials)`);
  if (!r.auth.length) lines.push('  (no credentials were added to this request)');
  if (r.body !== undefined) lines.push(`  body: ${visible(r.body)}`);
  return lines;
}

function headers(h: Record<string, string | string[]>): string[] {
  return Object.entries(h).flatMap(([name, value]) => [value].flat().map((v) => `  ${name}: ${visible(v)}`));
}

function json(value: unknown, indent: string): string[] {
  return (JSON.stringify(value, null, 2) ?? 'null').split('\n').map((line) => `${indent}${visible(line)}`);
}

function failure(f: PreviewFailure): string[] {
  const lines = request(f.request);
  if (!f.response) return [...lines, '← no response (see the error below)'];
  lines.push(`← HTTP ${f.response.status}`, ...headers(f.response.headers));
  lines.push(`  body: ${visible(f.response.body)}${f.response.body_cut ? `… (${f.response.body_cut} more characters)` : ''}`);
  return lines;
}
