/**
 * Helpers shared by the benchmark's sections: timing with a forced GC first, formatting,
 * best and median of samples, and removing a store with its WAL files.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/** A full GC (exposed at run time, so `node dist/bench/…` needs no flag); a no-op when unavailable. */
export const gc: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
})();

export const log = (text: string) => process.stderr.write(`${text}\n`);
export const n = (value: number) => value.toLocaleString('en-US');
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
export const ms = (value: number) => `${Math.round(value)} ms`;
export const pad = (text: string, width: number) => text.padStart(width);
export const padEnd = (text: string, width: number) => text.padEnd(width);

export interface Sample {
  ms: number;
  cpu: number;
}

/** Wall time and this process's CPU time (user + system) of one run. */
export async function timed<T>(work: () => Promise<T>): Promise<Sample & { value: T }> {
  gc();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms: elapsed, cpu: (used.user + used.system) / 1000, value };
}

/** The run with the least wall time. */
export const best = <T extends Sample>(list: T[]): T => list.reduce((a, b) => (b.ms < a.ms ? b : a));

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Removes a store file with its WAL and shared-memory files. */
export function removeStore(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}
