import type { Command } from 'commander';
import { secretsOf } from '../../credentials/local.js';
import { resolveFrom, storeFor, vaultKeeper } from '../../credentials/stores/index.js';
import type { ConnectorSpec, CredentialOwner } from '../../definition/model.js';
import { resolveSettings as resolveConfig } from '../../config/resolve.js';
import { scrub } from '../../credentials/scrub.js';
import { targets } from '../../targets/index.js';
import { oomnitzaCredentials } from '../../targets/oomnitza/token.js';
import { parseAssignments, resolveSettings } from '../../definition/settings.js';
import { IntakeError } from '../../errors.js';
import { cloudOnlyReason } from '../../source/auth/index.js';
import { readSource, type Page } from '../../source/read.js';
import { openStore } from '../../store/db.js';
import { exitCodeOf, print } from '../output.js';

type Where = (command: Command) => { env: NodeJS.ProcessEnv; db: string };

/**
 * `intake credentials test <connector>` — one authenticated request, the connector's first page
 * (a token grant's token request before it): success, or the API's own words (the connector's
 * error rules), scrubbed like every output. Nothing is written but a refresh token the provider
 * rotates, which goes back into the vault.
 */
export function testCommand(credentials: Command, connectorOf: (arg: string) => CredentialOwner, where: Where): void {
  credentials
    .command('test')
    .description('make one authenticated request (the connector\'s first page) and report success or the API\'s own words')
    .argument('<connector>', 'connector id (or a connector file)')
    .option('--cloud', 'test the credentials in the vault (the default for a connector only a cloud installation runs)')
    .option('--set <key=value>', 'a connector setting for the request (repeatable), e.g. --set base_url=https://…', (v: string, p: string[]) => [...p, v], [])
    .option('--oomnitza-url <url>', 'with oomnitza: the instance to ask (default: OOMNITZA_URL or the config file)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  intake credentials test slack-users\n  intake credentials test zoom-users --json\n  intake credentials test oomnitza --oomnitza-url https://acme.oomnitza.com')
    .action(async (arg: string, opts: { cloud?: boolean; set: string[]; json?: boolean; oomnitzaUrl?: string }, command: Command) => {
      const owner = connectorOf(arg);
      const { env, db } = where(command);
      if (owner.id === oomnitzaCredentials.id) return testOomnitza(opts, { env, db });
      const connector = owner as ConnectorSpec;
      const cloud = Boolean(opts.cloud) || cloudOnlyReason(connector.credentials) !== undefined;
      const { values, from } = resolveFrom(storeFor(cloud ? 'cloud' : 'local', { env, db }), connector);
      const settings = resolveSettings(connector, {}, parseAssignments(opts.set));
      const store = cloud ? openStore(db) : undefined;
      const keeper = store && vaultKeeper(store, connector.id, env);
      let first: Page | undefined;
      // the first page only: no aggregation over every page, no detail request per record
      const source = readSource({
        connector: { ...connector, aggregate: undefined, detail: undefined },
        settings, credentials: values, secrets: secretsOf(connector, values), maxPages: 1,
        onRaw: (page) => (first ??= page),
        onCredentialChange: keeper?.change,
      });
      let failure: IntakeError | undefined;
      try {
        for await (const _item of source.items) if (first) break;
      } catch (error) {
        if (!(error instanceof IntakeError)) throw error;
        failure = error;
      } finally {
        const unkept = keeper?.flush();
        store?.close();
        if (unkept) process.stderr.write(`warning: ${unkept}\n`);
      }
      if (failure) {
        if (!opts.json) throw failure;
        print({ status: 'error', connector: connector.id, from, code: failure.code, message: failure.message, hint: failure.hint });
        process.exitCode = exitCodeOf(failure);
        return;
      }
      const request = first && { method: first.request.method, url: first.request.url };
      const result = { status: 'ok', connector: connector.id, from, request, http_status: first?.response.status ?? null, records: first?.records.length ?? 0, requests: source.stats.requests };
      if (opts.json) return print(result);
      const origins = [...new Set(Object.values(from))].join(', ');
      process.stdout.write(`ok: ${connector.id} accepted the credentials (from ${origins})${request ? `: ${request.method} ${request.url} answered HTTP ${result.http_status} with ${result.records} record(s) on the first page` : ''}\n`);
    });
}

/**
 * `intake credentials test oomnitza`: the instance's People fields (`GET /api/v3/users/meta`) with
 * the token a run would send; success, or the instance's own words (401: the token, 403: its rights).
 */
async function testOomnitza(opts: { cloud?: boolean; json?: boolean; oomnitzaUrl?: string }, { env, db }: { env: NodeJS.ProcessEnv; db: string }): Promise<void> {
  const oomnitzaUrl = resolveConfig({ oomnitzaUrl: opts.oomnitzaUrl }, env).oomnitza_url.value;
  const installation = opts.cloud ? 'cloud' : 'local';
  const store = openStore(':memory:');
  const target = targets.get('oomnitza').create({ type: 'oomnitza' }, { db: store, dryRun: true, env, oomnitzaUrl, scrub, storePath: db, installation });
  let fields: number;
  try {
    fields = (await target.describe('people')).length;
  } catch (error) {
    if (!(error instanceof IntakeError) || !opts.json) throw error;
    print({ status: 'error', connector: oomnitzaCredentials.id, code: error.code, message: error.message, hint: error.hint });
    process.exitCode = exitCodeOf(error);
    return;
  } finally {
    await target.close();
    store.close();
  }
  const result = { status: 'ok', connector: oomnitzaCredentials.id, instance: target.traits.description, people_fields: fields };
  if (opts.json) return print(result);
  process.stdout.write(`ok: ${target.traits.description} accepted the API token: it described ${fields} People field(s)\n`);
}
