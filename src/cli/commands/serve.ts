import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/file.js';
import { displayPath } from '../../definition/load.js';
import { UsageError } from '../../errors.js';
import { mappingsDir } from '../../integrations/catalog.js';
import type { RunResult } from '../../runner.js';
import { describeEvent, type ServiceEvent } from '../../service/events.js';
import { Scheduler, type ScheduledIntegration } from '../../service/scheduler.js';
import { defaultRun, startService } from '../../service/service.js';
import { openStore, storePath } from '../../store/db.js';
import { exitCodes, table, visible } from '../output.js';
import { exitCodeOf } from '../report.js';

/** `intake serve` — the service: launched integrations on their schedules, the JSON API, the pages. */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run launched integrations on their schedules, and serve the JSON API and the integration log pages (stops gracefully on SIGTERM/Ctrl-C)')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <address>', 'address to listen on; beyond loopback the API needs a bearer token (config file service: token, or INTAKE_SERVICE_TOKEN)', '127.0.0.1')
    .option('--mappings <dir>', 'folder of mapping files (default: ./mappings, else the shipped ones)')
    .option('--once', 'run whatever is due now (a launched integration that never ran, or whose last slot passed without a run), then exit: for cron or a systemd timer')
    .option('--queue <url>', 'scale out: put the runs on Redis (redis://HOST:PORT[/DB]; password: INTAKE_REDIS_PASSWORD) for intake worker processes to run, instead of running them here')
    .option('--json', 'print the start line ({ url, schedule }) and every event as JSON lines')
    .addHelpText('after', `
It runs the integrations of the mappings folder that are launched (intake launch <name>; the
launch state is kept in the store), each on its mapping's schedule: (daily at 02:00 UTC when
absent; every: 6h, every: week with on:, cron: with seconds; docs/mappings.md). Runs use the
config file's defaults like intake run (target, Oomnitza URL), and the credentials of this
machine (environment, credentials file) or the vault.

Never two runs of one integration at once, also across several services on one store: each slot
is run by one service, and a slot that comes while the previous run still goes is skipped and
logged, not queued. Mapping files are read again when they change: the next run uses the edit; a
broken edit takes the integration off the schedule (logged) until it is fixed.

SIGTERM or Ctrl-C: no new runs; a running run commits its batch in progress, is recorded as
interrupted, and the service exits 0 (a second signal stops at once).

API (docs/service.md): GET /api/integrations, GET /api/runs, GET /api/runs/:id, GET /api/slots,
POST /api/integrations/:name/run | launch | pause.

Examples:
  SLACK_TOKEN=xoxp-… intake serve
  intake serve --port 0 --json
  INTAKE_SERVICE_TOKEN=$(openssl rand -hex 24) intake serve --host 0.0.0.0 --port 8080
  intake serve --once            # from cron or a systemd timer
  intake serve --queue redis://127.0.0.1:6379   # runs by intake worker --queue … (docs/service.md)`)
    .action(async (opts: ServeFlags, command: Command) => {
      const db = storePath(command.optsWithGlobals<{ db?: string }>().db);
      const dir = mappingsDir(opts.mappings);
      const json = Boolean(opts.json);
      if (opts.once && opts.queue) throw new UsageError('once_with_queue', '--once runs what is due in this process, --queue leaves the runs to intake worker processes: give one of them', { hint: 'with a queue, the job schedulers in Redis run every launched integration on time; workers run them' });
      if (opts.once) return once(db, dir, json);
      // BullMQ and ioredis load only with --queue
      const queued = opts.queue === undefined ? undefined : { ...(await import('../../queue/connection.js')), ...(await import('../../queue/service-runs.js')) };
      const queue = opts.queue === undefined ? undefined : queued!.parseQueueUrl(opts.queue);
      // the start line comes first: what was scheduled is in it, other events wait for it
      let early: ServiceEvent[] | undefined = [];
      const log = (event: ServiceEvent) => {
        if (!early) return line(event, json);
        if (event.event !== 'scheduled') early.push(event);
      };
      const token = process.env.INTAKE_SERVICE_TOKEN || loadConfig().values.service?.token;
      const runs = queue && (await queued!.startQueueRuns({ queue, db, mappingsDir: dir, log }));
      const service = await startService({ db, mappingsDir: dir, host: opts.host, port: opts.port, token, log, web: (await import('../../web/index.js')).handleWeb, runs: runs?.runs }).catch(async (error: unknown) => {
        await runs?.service.close();
        throw error;
      });
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) process.exit(signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted);
        stopping = true;
        void service.stop(signal).then(() => process.exit(exitCodes.ok));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      const schedule = service.schedule();
      if (json) process.stdout.write(`${JSON.stringify({ url: service.url, schedule, ...(queue ? { queue: queue.shown } : {}) })}\n`);
      else process.stdout.write(`${startText(service.url, db, dir, schedule)}${queue ? `runs go on the queue at ${queue.shown}: intake worker --queue ${queue.shown} runs them (docs/service.md#scale-out-on-redis)\n` : ''}`);
      for (const event of early) line(event, json);
      early = undefined;
    });
}

interface ServeFlags {
  port: number;
  host: string;
  mappings?: string;
  once?: boolean;
  queue?: string;
  json?: boolean;
}

/** `--once`: the due runs, then exit with the worst run's exit code. */
async function once(db: string, dir: string, json: boolean): Promise<void> {
  const store = openStore(db);
  const scheduler = new Scheduler({ db: store, mappingsDir: dir, run: defaultRun(db), log: (event) => event.event !== 'scheduled' && line(event, json) });
  const stop = (signal: NodeJS.Signals) => void scheduler.stop(signal);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let results: RunResult[];
  try {
    results = await scheduler.runDue();
  } finally {
    store.close();
  }
  if (!results.length && !json) process.stdout.write(`nothing due: the launched integrations of ${displayPath(dir)} ran since their last slot\n`);
  const codes = results.map(exitCodeOf);
  process.exitCode = codes.length ? Math.max(...codes) : exitCodes.ok;
  if (results.some((r) => r.status === 'interrupted')) process.exit(process.exitCode);
}

function line(event: ServiceEvent, json: boolean): void {
  const at = new Date().toISOString();
  process.stdout.write(json ? `${JSON.stringify({ at, ...event })}\n` : `${at.slice(0, 19).replace('T', ' ')} ${visible(describeEvent(event))}\n`);
}

function startText(url: string, db: string, dir: string, schedule: ScheduledIntegration[]): string {
  const head = `intake serve: listening on ${url} (store ${displayPath(db)}, mappings ${displayPath(dir)})\n`;
  if (!schedule.length) return `${head}nothing scheduled yet: launch an integration with intake launch <name> (or POST /api/integrations/<name>/launch); it is picked up within a second\n`;
  const rows = schedule.map((s) => [s.name, s.error ? 'not scheduled: its mapping does not load' : s.schedule, s.next_run ?? '-', s.error ?? '']);
  return `${head}scheduled:\n${table(['integration', 'schedule', 'next run (UTC)', 'problem'], rows)}\n`;
}

function port(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535 (0: any free port).');
  return Number(value);
}

