import type { Command } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveLocalCredentials, secretsOf } from '../../credentials/local.js';
import { displayPath, loadConnector, loadIntegration } from '../../definition/load.js';
import { connectorArgument } from '../../definition/lookup.js';
import type { ConnectorSpec, MappingSpec } from '../../definition/model.js';
import { loadTimeTargets } from '../../definition/crosscheck.js';
import { parseAssignments, resolveSettings } from '../../definition/settings.js';
import { compileMapping } from '../../mapping/compile.js';
import { packageRoot } from '../../paths.js';
import { compileExtract } from '../../source/extract.js';
import { readSource, scrubber, type Page } from '../../source/read.js';
import type { SourceItem } from '../../source/types.js';
import { print, visible } from '../output.js';
import { count } from '../usage.js';

interface PreviewOptions {
  pages: number;
  set: string[];
  mapping?: string;
  records: number;
  json?: boolean;
}

/** `intake preview <connector>` — the connector author's loop: request → raw response → source records → mapped records. */
export function previewCommand(program: Command): void {
  program
    .command('preview')
    .description('run the first pages of a connector and show each request, the raw response, the source records and the mapped records')
    .argument('<connector>', 'connector id (looked up in ./connectors, the shipped connectors, then INTAKE_CONNECTORS) or path to a connector YAML file')
    .option('--pages <n>', 'pages to read', count, 1)
    .option('--records <n>', 'records to show per stage', count, 3)
    .option('--mapping <file>', 'mapping to apply (default: the one in mappings/ that uses this connector, if any)')
    .option('--set <key=value>', 'override a connector setting (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print everything as one JSON object')
    .addHelpText('after', `
Credentials come from the environment variables the connector declares; requests are shown with
the credential left out ("added by credentials: <type>"), never with its value. Nothing is written.

Examples:
  SLACK_TOKEN=xoxb-… intake preview slack-users
  intake preview connectors/okta-users.yaml --pages 2 --set base_url=https://acme.okta.com`)
    .action(async (connectorArg: string, opts: PreviewOptions) => {
      const connector = loadConnector(connectorArgument(connectorArg, displayPath).file);
      const mapping = findMapping(connector, opts.mapping);
      const settings = resolveSettings(connector, mapping?.settings, parseAssignments(opts.set));
      const credentials = resolveLocalCredentials(connector);
      const secrets = secretsOf(connector, credentials);
      const scrub = scrubber(secrets);
      const shown = opts.records;
      const pages: Page[] = [];
      const source = readSource({ connector, settings, credentials, secrets, maxPages: opts.pages, onRaw: (p) => pages.push(p) });
      const items: SourceItem[] = [];
      for await (const item of source.items) items.push(item);
      const extract = compileExtract(connector.fields, connector.aggregate?.by ?? connector.sync_key);
      const report = {
        connector: connector.id,
        mapping: mapping ? mapping.name ?? mapping.connector : null,
        pages: pages.map((p) => ({
          request: { method: p.request.method, url: p.request.url, headers: p.request.headers, body: p.request.body, auth: `added by credentials: ${connector.credentials.type}` },
          response: { status: p.response.status, records: p.records.length, excerpt: scrub(excerpt(p.response.body)) },
          source_records: p.records.slice(0, shown).map((r, i) => extract(r, `record ${i + 1}`)),
        })),
        records: items.length,
        mapped: mapping ? mapped(connector, mapping, items.slice(0, shown), settings) : undefined,
        warnings: source.stats.warnings,
      };
      if (opts.json) return print(report);
      process.stdout.write(`${text(report)}\n`);
    });
}

function findMapping(connector: ConnectorSpec, file?: string): MappingSpec | undefined {
  if (file) return loadIntegration(file, { draft: true }).mapping;
  for (const dir of [resolve('mappings'), join(packageRoot(), 'mappings')]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      try {
        const { mapping } = loadIntegration(join(dir, name), { draft: true });
        if (mapping.connector === connector.id) return mapping;
      } catch {
        // a mapping that does not load is not the one to preview with
      }
    }
  }
  return undefined;
}

function mapped(connector: ConnectorSpec, mapping: MappingSpec, items: SourceItem[], settings: Record<string, string | number | boolean>): unknown[] {
  const meta = { sync_time: new Date().toISOString(), credential_name: mapping.credential ?? mapping.connector, settings };
  const compiled = compileMapping(mapping, connector, loadTimeTargets(mapping), meta, () => undefined);
  return items.map((item) => {
    if ('failed' in item) return { failed: item.failed };
    try {
      const skip = compiled.skipReason(item.record);
      if (skip) return { skipped: skip };
      const keys = Object.fromEntries((mapping.sync_key ?? []).map((k) => [k.target, item.record[k.source] ?? null]));
      const people = { ...keys, ...compiled.map(item.record) };
      return compiled.saas ? { ...people, saas_user: compiled.saas.map(item.record) } : people;
    } catch (error) {
      return { failed: (error as Error).message };
    }
  });
}

function excerpt(body: unknown): string {
  const json = JSON.stringify(body);
  return json.length > 600 ? `${json.slice(0, 600)}…` : json;
}

function text(report: { connector: string; mapping: string | null; pages: { request: Record<string, unknown>; response: Record<string, unknown>; source_records: unknown[] }[]; records: number; mapped?: unknown[]; warnings: string[] }): string {
  const out: string[] = [`preview of ${report.connector}${report.mapping ? ` with mapping ${report.mapping}` : ''}`];
  for (const [i, page] of report.pages.entries()) {
    const r = page.request;
    out.push('', `── page ${i + 1} ──`, `→ ${String(r.method)} ${String(r.url)}`, `  auth: ${String(r.auth)}`);
    for (const [k, v] of Object.entries((r.headers as Record<string, string>) ?? {})) out.push(`  ${k}: ${v}`);
    if (r.body) out.push(`  body: ${String(r.body)}`);
    out.push(`← HTTP ${String(page.response.status)}, ${String(page.response.records)} record(s)`, `  ${String(page.response.excerpt)}`, '  source records:');
    for (const rec of page.source_records) out.push(`    ${JSON.stringify('record' in (rec as object) ? (rec as { record: unknown }).record : rec)}`);
  }
  out.push('', `${report.records} record(s) after aggregation/detail calls`);
  if (report.mapped) {
    out.push('mapped records:');
    for (const m of report.mapped) out.push(`  ${JSON.stringify(m)}`);
  } else out.push('no mapping uses this connector: pass --mapping to see mapped records');
  for (const w of report.warnings) out.push(`warning: ${visible(w)}`);
  return out.join('\n');
}
