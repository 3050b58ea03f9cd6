import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.js';

const configHome = join(mkdtempSync(join(tmpdir(), 'intake-serve-')), 'config');

export type Event = Record<string, unknown> & { event?: string; at?: string };

/** A running `intake serve --json`: its start line, the events it logged so far, and its end. */
export interface Served {
  url: string;
  schedule: { name: string; schedule: string; next_run: string | null; running: boolean; error?: string }[];
  events: Event[];
  stderr(): string;
  /** the first logged event that `match` accepts, waiting up to `ms` */
  waitFor(match: (e: Event) => boolean, ms?: number): Promise<Event>;
  signal(signal: NodeJS.Signals): void;
  /** the exit code (128 + n when a signal ended it) */
  exited: Promise<number>;
  api<T = unknown>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
}

/**
 * Starts the built CLI's `intake serve --port 0 --json` in `cwd` with only PATH, TZ, an empty
 * config home and `env` (a process of its own: signals reach it as they would under systemd).
 */
const children = new Set<ChildProcess>();

/** Kills the services a failed test left running (call in afterAll). */
export function killServices(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

export function serve(args: string[], env: Record<string, string>, cwd: string, serveArgs: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args, 'serve', '--port', '0', '--json', ...serveArgs], { cwd, env: { PATH: process.env.PATH, TZ: 'UTC', XDG_CONFIG_HOME: configHome, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const events: Event[] = [];
  const waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  let err = '';
  let buffer = '';
  let start: ((line: Record<string, unknown>) => void) | undefined;
  const started = new Promise<Record<string, unknown>>((resolve) => (start = resolve));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const parsed = JSON.parse(line) as Event;
      if (start && 'url' in parsed) {
        start(parsed);
        start = undefined;
        continue;
      }
      events.push(parsed);
      for (const w of [...waiters]) if (w.match(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
  return Promise.race([
    started,
    exited.then((code) => {
      throw new Error(`intake serve exited ${code} before listening: ${err}`);
    }),
  ]).then((first) => {
    const url = first.url as string;
    return {
      url,
      schedule: first.schedule as Served['schedule'],
      events,
      stderr: () => err,
      waitFor(match, ms = 15_000) {
        const seen = events.find(match);
        if (seen) return Promise.resolve(seen);
        return new Promise<Event>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no such event within ${ms} ms; events: ${JSON.stringify(events)}; stderr: ${err}`)), ms);
          waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
        });
      },
      signal: (s) => child.kill(s),
      exited,
      async api<T>(path: string, init?: RequestInit) {
        const response = await fetch(`${url}${path}`, init);
        return { status: response.status, body: (await response.json()) as T };
      },
    };
  });
}
