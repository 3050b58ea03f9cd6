import type { RunResult } from '../runner.js';
import type { ServiceEvent, ServiceLog } from '../service/events.js';
import type { ServiceRuns } from '../service/service.js';
import type { QueueTarget } from './connection.js';
import { startQueueService, type QueueService, type QueueServiceEvent } from './service.js';

/**
 * `intake serve --queue`: the service's runs go through the Redis queue instead of its
 * in-process scheduler. Starts the queue side (job schedulers, the recorder) and gives
 * `startService` its `runs`: the API and pages list, run now and report as they do in process;
 * the service log shows the queue's events as service events.
 */
export async function startQueueRuns(options: { queue: QueueTarget; db: string; mappingsDir: string; log: ServiceLog; refreshMs?: number }): Promise<{ service: QueueService; runs: () => ServiceRuns }> {
  const service = await startQueueService({ ...options, onEvent: (event) => options.log(serviceEvent(event)) });
  const runs: ServiceRuns = {
    start: () => undefined,
    list: () => [
      ...service.scheduled().map((s) => ({ name: s.name, mappingFile: s.file, schedule: s.schedule, next_run: s.next, running: s.running })),
      ...service.problems().map((p) => ({ name: p.name, mappingFile: p.file, schedule: '', next_run: null, running: false, error: p.message })),
    ].sort((a, b) => a.name.localeCompare(b.name)),
    running: (name) => (service.running(name) ? { runId: null } : undefined),
    runNow: async (file) => {
      const ended = await service.runNow(file);
      return ended?.result.run ? ({ ...ended.result.run, run_id: ended.id } as RunResult) : undefined;
    },
    // the runs go on in the workers, not in this process
    active: () => [],
    stop: () => service.close(),
  };
  return { service, runs: () => runs };
}

/** The queue's events in the service log's words. */
export function serviceEvent(event: QueueServiceEvent): ServiceEvent {
  switch (event.event) {
    case 'scheduled': return { event: 'scheduled', integration: event.integration.name, schedule: event.integration.schedule, next_run: event.integration.next };
    case 'unscheduled': return { event: 'unscheduled', integration: event.integration, reason: 'paused, or no longer launched: its job scheduler is removed from the queue' };
    case 'problem': return { event: 'mapping_error', integration: event.integration, file: event.file, message: event.message };
    case 'recorded': {
      const { run, id } = event;
      const slot = /^repeat:[^:]+:(\d+)$/.exec(run.job);
      const due = slot ? new Date(Number(slot[1])).toISOString() : null;
      if (run.status === 'skipped') return { event: 'skipped', integration: run.key, due_at: due ?? run.started_at, reason: run.message ?? 'the previous run is still going', running_run: null };
      const read = run.counts.added + run.counts.updated + run.counts.unchanged + run.counts.skipped + run.counts.failed;
      const where = run.worker ? `on worker ${run.worker.name}` : 'on a worker';
      return { event: 'run_ended', integration: run.key, due_at: due, run_id: id, status: run.status, read, duration_ms: Date.parse(run.ended_at) - Date.parse(run.started_at), message: run.message ? `${where}: ${run.message}` : where };
    }
  }
}
