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
import { IntakeError } from '../../errors.js';
import { exchangeOf } from '../../source/exchange.js';
import { readSource, type Page } from '../../source/read.js';
import type { SourceItem } from '../../source/types.js';
import { exitCodeOf, print } from '../output.js';
import { previewer, type PreviewPage } from '../preview/report.js';
import { previewText } from '../preview/text.js';
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
    .description('run the first pages of a connector and show each request as sent, the response headers and body around the records, the raw and source records, the pager\'s decision, and the mapped records')
    .argument('<connector>', 'connector id (looked up in ./connectors, the shipped connectors, then INTAKE_CONNECTORS) or path to a connector YAML file')
    .option('--pages <n>', 'pages to read', count, 1)
    .option('--records <n>', 'records to show per stage', count, 3)
    .option('--mapping <file>', 'mapping to apply (default: the one in mappings/ that uses this connector, if any)')
    .option('--set <key=value>', 'override a connector setting (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print everything as one JSON object')
    .addHelpText('after', `
For each page: the request as sent — what the credentials added shown masked to its shape
(Authorization: Bearer ***, PRIVATE-TOKEN: ***), never its value —, the response headers, the
body around the records (the whole envelope, the records list as [… N records]), the first raw
records, the source records, and what the pager decided (the next page and where it came from,
or why it stopped). A request that fails is shown with its response (status, headers, body);
the error follows on stderr (exit 3). --json carries all of it. Nothing is written.

Examples:
  SLACK_TOKEN=xoxb-… intake preview slack-users
  intake preview connectors/okta-users.yaml --pages 2 --set base_url=https://acme.okta.com`)
    .action(async (connectorArg: string, opts: PreviewOptions) => {
      const found = connectorArgument(connectorArg, displayPath);
      const connector = loadConnector(found.file);
      const mapping = findMapping(connector, opts.mapping);
      const settings = resolveSettings(connector, mapping?.settings, parseAssignments(opts.set));
      const credentials = resolveLocalCredentials(connector);
      const secrets = secretsOf(connector, credentials);
      const shown = previewer(connector, opts.records);
      const extract = compileExtract(connector.fields, connector.aggregate?.by ?? connector.sync_key);
      const pages: PreviewPage[] = [];
      const onRaw = (p: Page) => pages.push(shown.page(p, p.records.slice(0, opts.records).map((r, i) => extract(r, `record ${i + 1}`))));
      const source = readSource({ connector, settings, credentials, secrets, maxPages: opts.pages, onRaw });
      const head = { connector: connector.id, file: displayPath(found.file), origin: found.origin, mapping: mapping ? mapping.name ?? mapping.connector : null };
      const items: SourceItem[] = [];
      try {
        for await (const item of source.items) items.push(item);
      } catch (error) {
        if (!(error instanceof IntakeError)) throw error;
        const exchange = exchangeOf(error);
        const failed = { ...head, pages, warnings: source.stats.warnings, ...(exchange ? { failure: shown.failure(exchange) } : {}) };
        if (opts.json) {
          print({ status: 'error', code: error.code, message: error.message, hint: error.hint, ...failed });
          process.exitCode = exitCodeOf(error);
          return;
        }
        process.stdout.write(`${previewText(failed)}\n`);
        throw error;
      }
      const report = {
        status: 'ok',
        ...head,
        pages,
        records: items.length,
        mapped: mapping ? mapped(connector, mapping, items.slice(0, opts.records), settings) : undefined,
        warnings: source.stats.warnings,
      };
      if (opts.json) return print(report);
      process.stdout.write(`${previewText(report)}\n`);
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

