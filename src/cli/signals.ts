import { exitCodes } from './output.js';

/**
 * SIGINT (Ctrl-C) and SIGTERM stop a run gracefully: the run stops reading, the batch being
 * written commits (one not yet being written is dropped), and the run log records the run as
 * `interrupted` with its counts. A second signal stops the process at once; the next command
 * that opens the store then marks the run interrupted.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? exitCodes.terminated : exitCodes.interrupted;
    if (controller.signal.aborted) process.exit(code);
    process.stderr.write(`\nintake: ${signal}: stopping; the run records what it wrote (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again stops at once)\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
