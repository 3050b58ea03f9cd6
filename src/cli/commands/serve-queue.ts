import type { Command } from 'commander';
import { mappingsDir } from '../../integrations/catalog.js';
import { parseQueueUrl } from '../../queue/connection.js';
import { startQueueService, type QueueServiceEvent } from '../../queue/service.js';
import { storePath } from '../../store/db.js';
import { exitCodes, visible } from '../output.js';

export interface ServeQueueFlags {
  queue: string;
  mappings?: string;
  json?: boolean;
}

/**
 * `intake serve --queue redis://…`: the service puts the launched integrations' runs on the Redis
 * queue (one BullMQ job scheduler each), keeps them in step with launch, pause and mapping edits,
 * and records every finished run in its run log; `intake worker` processes run them. Resolves
 * when SIGTERM or SIGINT stopped it.
 */
export async function serveQueue(flags: ServeQueueFlags, db?: string): Promise<void> {
  const queue = parseQueueUrl(flags.queue);
  const store = storePath(db);
  const line = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const print = (event: QueueServiceEvent) => (flags.json ? line(event) : process.stdout.write(`${eventLine(event)}\n`));
  let started = false;
  const service = await startQueueService({ queue, db: store, mappingsDir: mappingsDir(flags.mappings), onEvent: (event) => started && print(event) });
  started = true;
  const scheduled = service.scheduled();
  if (flags.json) line({ event: 'started', queue: queue.shown, db: store, schedule: scheduled });
  else {
    process.stdout.write(`intake serve: the runs go on the queue at ${queue.shown} (run them with: intake worker --queue ${queue.shown}); run log in ${store}\n`);
    process.stdout.write(scheduled.length ? `${scheduled.map((s) => `  ${visible(s.name)}: ${visible(s.schedule)}, next ${s.next ?? 'unknown'}`).join('\n')}\n` : '  no launched integration yet: intake launch <name> (picked up within seconds)\n');
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted);
      stopping = true;
      process.stderr.write(`intake serve: ${signal}: stopping; the schedules stay on the queue and runs finished meanwhile are recorded at the next start\n`);
      void service.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function eventLine(event: QueueServiceEvent): string {
  switch (event.event) {
    case 'scheduled': return `scheduled ${visible(event.integration.name)}: ${visible(event.integration.schedule)}`;
    case 'unscheduled': return `unscheduled ${visible(event.integration)} (paused or no longer launched)`;
    case 'recorded': return `run #${event.run} ${visible(event.integration)} ${event.status.replace(/_/g, ' ')} on ${visible(event.worker ?? 'a worker')} (job ${visible(event.job)})`;
    case 'problem': return `problem: ${visible(event.message)}${event.hint ? `\n  hint: ${visible(event.hint)}` : ''}`;
  }
}

/**
 * A minimal `intake serve` that only knows `--queue` (the in-process scheduler, API and pages
 * are the full serve command's): registered until that command takes `--queue` itself.
 */
export function serveQueueCommand(program: Command): void {
  program
    .command('serve')
    .description('run launched integrations on their schedules; with --queue, put the runs on Redis for intake worker processes')
    .requiredOption('--queue <url>', 'Redis: redis://HOST:PORT[/DB] (password: INTAKE_REDIS_PASSWORD, never in the URL)')
    .option('--mappings <dir>', 'folder of mapping files (default: ./mappings, else the shipped ones)')
    .option('--json', 'print one JSON line when started (queue, schedule) and one per event')
    .action(async (opts: ServeQueueFlags, command: Command) => {
      await serveQueue(opts, command.optsWithGlobals<{ db?: string }>().db);
      process.exit(exitCodes.ok);
    });
}
