/**
 * What the service tells its log, one line per event: when it listens, what it scheduled, each
 * run's start and end, a slot skipped because the previous run still runs, a slot another
 * service process took, a mapping that changed or broke, and its stop. `--json` prints each as a
 * JSON line; otherwise `text` is printed after the time.
 */
export type ServiceEvent =
  | { event: 'run_started'; integration: string; due_at: string | null; trigger: 'schedule' | 'api' | 'once' }
  | { event: 'run_ended'; integration: string; due_at: string | null; run_id: number | null; status: string; read: number; duration_ms: number; message?: string }
  | { event: 'run_not_started'; integration: string; due_at: string | null; code: string; message: string; hint?: string }
  | { event: 'skipped'; integration: string; due_at: string; reason: string; running_run: number | null }
  | { event: 'slot_taken'; integration: string; due_at: string }
  | { event: 'scheduled'; integration: string; schedule: string; next_run: string | null }
  | { event: 'unscheduled'; integration: string; reason: string }
  | { event: 'mapping_error'; integration: string; file: string; message: string }
  | { event: 'stopping'; signal?: string; running: string[] }
  | { event: 'stopped' };

export type ServiceLog = (event: ServiceEvent) => void;

/** One line of the service log, for people. */
export function describeEvent(e: ServiceEvent): string {
  switch (e.event) {
    case 'run_started':
      return `${e.integration}: run started${e.due_at ? ` (slot ${e.due_at})` : ` (${e.trigger === 'api' ? 'run now, from the API' : 'due'})`}`;
    case 'run_ended':
      return `${e.integration}: run #${e.run_id ?? '-'} ${e.status.replace(/_/g, ' ')}, ${e.read} record(s) in ${(e.duration_ms / 1000).toFixed(1)} s${e.message ? `: ${e.message}` : ''}`;
    case 'run_not_started':
      return `${e.integration}: the run did not start: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    case 'skipped':
      return `${e.integration}: slot ${e.due_at} skipped: ${e.reason}`;
    case 'slot_taken':
      return `${e.integration}: slot ${e.due_at} is run by another service on this store`;
    case 'scheduled':
      return `${e.integration}: ${e.schedule}, next run ${e.next_run ?? 'none'}`;
    case 'unscheduled':
      return `${e.integration}: no longer scheduled (${e.reason})`;
    case 'mapping_error':
      return `${e.integration}: ${e.file} does not load, so it is not scheduled until it is fixed: ${e.message}`;
    case 'stopping':
      return `stopping${e.signal ? ` (${e.signal})` : ''}: no new runs${e.running.length ? `; waiting for ${e.running.join(', ')} to record where it stopped` : ''}`;
    case 'stopped':
      return 'stopped';
  }
}
