/**
 * Whole processes, measured as a user runs them: wall time from spawn to exit (Node's start-up,
 * imports and everything the program does), the process's own CPU time and its peak RSS (written
 * by the preloaded bench/usage.ts as it exits).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import type { Sample } from './helpers.js';

const usageModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'usage.js')).href;

export interface ProcessSample extends Sample {
  /** peak RSS of the process, in bytes */
  rss: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

let counter = 0;

/** Runs `node <args>` with `env` added to this process's environment; resolves when it exits. */
export function nodeProcess(args: string[], env: Record<string, string | undefined>, scratch: string): Promise<ProcessSample> {
  const usageFile = join(scratch, `usage-${process.pid}-${++counter}.json`);
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', usageModule, ...args], { env: { ...process.env, ...env, INTAKE_BENCH_USAGE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      try {
        const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssBytes: number };
        resolve({ ms, cpu: usage.cpuMs, rss: usage.maxRssBytes, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      } catch (error) {
        reject(new Error(`node ${args.join(' ')} exited with ${code} and no usage report: ${Buffer.concat(err).toString('utf8').slice(0, 500) || (error as Error).message}`));
      } finally {
        rmSync(usageFile, { force: true });
      }
    });
  });
}

/** The least of some numbers. */
export const least = (values: number[]): number => Math.min(...values);
