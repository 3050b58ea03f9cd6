/**
 * Performance benchmark of the Slack last-login sync (DESIGN.md, "Performance bar").
 *
 *   npm run bench                       100,000 entries / 40,000 users, 100,000 members (1.5–3 minutes)
 *   npm run bench -- --quick            10,000 / 4,000 smoke run
 *   npm run bench -- --entries 200000 --users 50000 --latency-ms 50 --runs 5
 *   npm run bench -- --only expr        the computed-values section alone (about 1 minute)
 *
 * A local Slack-shaped server (bench/server.ts, its own process) serves `team.accessLogs` from
 * pre-serialised pages. A SQLite store is seeded with U People records carrying slack_user_id;
 * each measured run gets a fresh copy of it. Measured:
 *   1. best-of-N wall time of the hand-written baseline (bench/baseline.ts) and of Intake's
 *      runIntegration on the same server and store; ratio against the 1.5× bar;
 *   2. the unchanged re-run: nothing updated, every record unchanged, `records` rows untouched;
 *   3. memory of an Intake run in a fresh process for N/2, N, 2N entries over the same U (one
 *      natural run for peak RSS / heapUsed, one with a full GC every 100 ms for the live heap);
 *   4. with per-page latency (--latency-ms, default 20; 0 skips): baseline (sequential) vs
 *      Intake (prefetches the next page);
 *   5. the cost of computed values (bench/expr.ts): the Slack users sync of M users.list members
 *      with three fields from plain sources vs the same three from `expr:`, medians of R
 *      alternating rounds against the 1.15× bar, and the mapping step alone.
 * Flags: --entries N, --users U, --members M (default 100000), --latency-ms MS, --runs R
 * (default 3; section 5: 5 rounds), --only sync|expr, --quick, --no-memory.
 * Results go to stdout, progress to stderr. Exits 1 when the bar, the unchanged check or a
 * correctness check fails; 2 when the bench itself could not run. See docs/benchmark.md.
 */
import { createHash } from 'node:crypto';
import { fork } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { runIntegration, type RunResult } from '../src/runner.js';
import { openStore } from '../src/store/db.js';
import { sqliteTarget } from '../src/targets/sqlite.js';
import type { BaselineResult } from './baseline.js';
import type { GotReadResult } from './got-read.js';
import { expectedLastLogin, isoSeconds, userId, userName } from './dataset.js';
import { EXPR_BAR, exprBench } from './expr.js';
import { best, gc, log, mb, median, ms, n, pad, padEnd, removeStore } from './helpers.js';
import { least, nodeProcess, type ProcessSample } from './process.js';
import { oomnitzaWrites } from './oomnitza.js';
import { readPages, type PagesRun } from './pages.js';
import { spawnServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const mappingFile = join(repo, 'mappings/slack-last-login.yaml');
const cli = join(repo, 'dist/cli/intake.js'); // the `intake` command users run (package.json's bin)
const baselineScript = join(here, 'baseline.js');
const gotReadScript = join(here, 'got-read.js');
const PAGE_SIZE = 1000;
/** The bars of issue 11 (docs/benchmark.md): wall and CPU against the hand-written program, start-up, latency, the large case. */
const BAR = 1.5;
const CPU_BAR = 2;
const LATENCY_BAR = 1.1;
/** numbered pages with `concurrency: 4` against one at a time, the read alone: at least this much faster */
const PAGES_BAR = 3;
const LARGE_BAR = 1.3;
const MEMORY_BAR = 1.1;
const VERSION_BAR_MS = 150;
const VALIDATE_BAR_MS = 400;
/** Oomnitza writes: the target's 8 in flight against one at a time, per update; the model's rate limit */
const OOMNITZA_BAR = 5;
const OOMNITZA_RATE = 1000;
const SEED = 42;
/** `--only` values: the last-login sync sections 1–4, or the computed-values section 5. */
const sections = ['sync', 'startup', 'oomnitza', 'expr', 'large'] as const;
type Section = (typeof sections)[number];

// ------------------------------------------------------------------------------------ helpers

/** U People records `{ username, slack_user_id }`, as the Slack users integration leaves them. */
async function seedStore(file: string, users: number): Promise<void> {
  const db = openStore(file);
  try {
    const target = sqliteTarget(db);
    await target.createCustomField('people', 'slack_user_id', { label: 'Slack User Id', type: 'string' });
    for (let i = 0; i < users; i += 5000) {
      const create = [];
      for (let u = i; u < Math.min(i + 5000, users); u++) create.push({ username: userName(u), slack_user_id: userId(u) });
      await target.write('people', { create, update: [] });
    }
    await target.findByKey('people', 'slack_user_id', []); // creates Intake's expression index
    await target.close(); // each write committed on its own
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

let copies = 0;
function freshCopy(seedFile: string, dir: string): string {
  const file = join(dir, `run-${++copies}.db`);
  copyFileSync(seedFile, file);
  return file;
}

/** Every People record's slack_last_login against the max date_last the server holds. */
function verifyStore(file: string, expected: Float64Array): { ok: boolean; message: string } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT json_extract(data, '$.slack_user_id') AS uid, json_extract(data, '$.slack_last_login') AS last FROM records WHERE record_type = 'people'").all() as { uid: string; last: string | null }[];
    const index = new Map<string, number>();
    for (let i = 0; i < expected.length; i++) index.set(userId(i), i);
    let bad = 0;
    let sample = '';
    for (const row of rows) {
      const i = index.get(row.uid);
      const want = i === undefined ? undefined : isoSeconds(expected[i]);
      if (row.last !== want) {
        if (!bad++) sample = `${row.uid}: stored ${row.last}, expected ${want}`;
      }
    }
    if (rows.length !== expected.length) return { ok: false, message: `${rows.length} People records, expected ${expected.length}` };
    return bad ? { ok: false, message: `${bad} of ${rows.length} wrong, e.g. ${sample}` } : { ok: true, message: `all ${n(rows.length)} correct` };
  } finally {
    db.close();
  }
}

/** A digest of every `records` row (id, data, updated_at): equal digests ⇒ nothing was written. */
function recordsDigest(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const row of db.prepare('SELECT id, updated_at, data FROM records ORDER BY id').iterate() as Iterable<{ id: number; updated_at: string; data: string }>) {
      hash.update(`${row.id}\u0000${row.updated_at}\u0000${row.data}\u0001`);
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

function intake(url: string, db: string): Promise<RunResult> {
  return runIntegration({
    mappingFile,
    db,
    overrides: { base_url: url, page_size: String(PAGE_SIZE), max_pages: '999' },
    credentials: { token: 'xoxp-bench-token' },
  });
}

const failures: string[] = [];
function check(condition: boolean, what: string): boolean {
  if (!condition) failures.push(what);
  return condition;
}

function checkIntake(result: RunResult, users: number, label: string): void {
  check(result.status === 'succeeded', `${label}: status ${result.status}${result.message ? ` (${result.message})` : ''}`);
  check(result.counts.updated === users, `${label}: counts.updated ${result.counts.updated}, expected ${users} (${JSON.stringify(result.counts)})`);
}

// ------------------------------------------------------------------------------ memory child

interface MemoryReport {
  entries: number;
  pages: number;
  updated: number;
  status: string;
  ms: number;
  rssStart: number;
  /** the kernel's high-water mark of the process (getrusage maxrss) */
  peakRss: number;
  peakHeapUsed: number;
  /** with forced GCs: the most heap still reachable at any GC (0 when not measured) */
  peakLiveHeap: number;
}

interface MemoryConfig {
  url: string;
  db: string;
  /** force a full GC this often and record the heap that survives it; 0: never (natural run) */
  gcEveryMs: number;
}

/** Runs in a fresh process: one Intake run, memory sampled every 5 ms, report sent over IPC. */
async function memoryChild(config: MemoryConfig): Promise<void> {
  gc();
  const rssStart = process.memoryUsage.rss();
  let peakHeapUsed = 0;
  let peakLiveHeap = 0;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    if (used > peakHeapUsed) peakHeapUsed = used;
  };
  const live = () => {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used > peakLiveHeap) peakLiveHeap = used;
  };
  const timers = [setInterval(sample, 5), ...(config.gcEveryMs > 0 ? [setInterval(live, config.gcEveryMs)] : [])];
  const start = performance.now();
  const result = await intake(config.url, config.db);
  const elapsed = performance.now() - start;
  timers.forEach(clearInterval);
  sample();
  const report: MemoryReport = {
    entries: result.entries, pages: result.pages, updated: result.counts.updated, status: result.status, ms: elapsed,
    rssStart, peakRss: process.resourceUsage().maxRSS * 1024, peakHeapUsed, peakLiveHeap,
  };
  process.send!(report, () => process.exit(0));
}

function memoryRun(config: MemoryConfig): Promise<MemoryReport> {
  const child = fork(fileURLToPath(import.meta.url), ['--memory-child', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<MemoryReport>((resolvePromise, reject) => {
    let report: MemoryReport | undefined;
    child.on('message', (m) => (report = m as MemoryReport));
    child.on('exit', (code) => (report ? resolvePromise(report) : reject(new Error(`memory run exited with ${code} and no report`))));
  });
}

/** Two fresh-process runs on one dataset: a natural one (peak RSS, heap) and one with forced GCs (live heap). */
async function measureMemory(entries: number, users: number, seedFile: string, dir: string): Promise<MemoryReport> {
  const server = await spawnServer({ entries, users, seed: SEED, pageSize: PAGE_SIZE });
  try {
    const natural = await memoryRun({ url: server.url, db: freshCopy(seedFile, dir), gcEveryMs: 0 });
    const forced = await memoryRun({ url: server.url, db: freshCopy(seedFile, dir), gcEveryMs: 100 });
    for (const report of [natural, forced]) {
      check(report.status === 'succeeded' && report.updated === users, `memory run ${n(entries)} entries: status ${report.status}, updated ${report.updated} (expected ${users})`);
      check(report.entries === entries, `memory run: read ${report.entries} entries, expected ${entries}`);
    }
    return { ...natural, peakLiveHeap: forced.peakLiveHeap };
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------- main

interface LastLoginOptions {
  entries: number;
  users: number;
  latencyMs: number;
  runs: number;
  memory: boolean;
  dir: string;
}

/** One row of the summary: what was measured, against which bar, and whether it passed. */
interface Row {
  name: string;
  value: string;
  bar: string;
  /** undefined: not measured in this run (a section left out) */
  pass?: boolean;
}
const rows: Row[] = [];
function row(name: string, value: string, bar: string, pass: boolean): void {
  rows.push({ name, value, bar, pass });
  check(pass, `${name}: ${value}, bar ${bar}`);
}

/** The environment of a measured `intake` process: the bench's token, a config home of its own (no user config file). */
function intakeEnv(dir: string): Record<string, string | undefined> {
  return { SLACK_TOKEN: 'xoxp-bench-token', XDG_CONFIG_HOME: join(dir, 'config'), INTAKE_CONFIG: '', INTAKE_CREDENTIALS: '', INTAKE_DB: '' };
}

/** `intake --db <db> run mappings/slack-last-login.yaml --set … --json` as a whole process, and the run it reports. */
async function intakeProcess(url: string, db: string, dir: string, mapping = mappingFile): Promise<ProcessSample & { value: RunResult }> {
  const sample = await nodeProcess([cli, '--db', db, 'run', mapping, '--set', `base_url=${url}`, '--set', `page_size=${PAGE_SIZE}`, '--set', 'max_pages=999', '--json'], intakeEnv(dir), dir);
  let value: RunResult;
  try {
    value = JSON.parse(sample.stdout) as RunResult;
  } catch {
    throw new Error(`intake run exited with ${sample.code} and printed no run: ${sample.stderr.slice(0, 500)}`);
  }
  return { ...sample, value };
}

/** The hand-written program as a whole process (bench/baseline.ts). */
async function baselineProcess(url: string, db: string, dir: string): Promise<ProcessSample & { value: BaselineResult }> {
  const sample = await nodeProcess([baselineScript, url, db], {}, dir);
  if (sample.code !== 0) throw new Error(`the baseline exited with ${sample.code}: ${sample.stderr.slice(0, 500)}`);
  return { ...sample, value: JSON.parse(sample.stdout) as BaselineResult };
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Sections 1–4: the Slack last-login sync against the baseline, each a whole process; returns the report lines. */
async function lastLoginBench({ entries, users, latencyMs, runs, memory, dir }: LastLoginOptions): Promise<string[]> {
  log(`generating ${n(entries)} entries over ${n(users)} users…`);
  const expected = expectedLastLogin({ entries, users, seed: SEED });
  const server = await spawnServer({ entries, users, seed: SEED, pageSize: PAGE_SIZE });
  const seedFile = join(dir, 'seed.db');
  const seeded = performance.now();
  await seedStore(seedFile, users);
  const seedMs = performance.now() - seeded;

  // 1. baseline vs Intake, whole processes, alternating, each on a fresh copy of the seeded store
  const baseline: ProcessSample[] = [];
  const intakeRuns: ProcessSample[] = [];
  let lastIntakeFile = '';
  let warnings: string[] = [];
  try {
    for (let r = 1; r <= runs; r++) {
      const bFile = freshCopy(seedFile, dir);
      const b = await baselineProcess(server.url, bFile, dir);
      baseline.push(b);
      check(b.value.updated === users && b.value.entries === entries, `baseline run ${r}: updated ${b.value.updated}, read ${b.value.entries}`);
      const bCheck = verifyStore(bFile, expected);
      check(bCheck.ok, `baseline run ${r}: ${bCheck.message}`);
      removeStore(bFile);

      const iFile = freshCopy(seedFile, dir);
      const i = await intakeProcess(server.url, iFile, dir);
      intakeRuns.push(i);
      checkIntake(i.value, users, `Intake run ${r}`);
      check(i.value.entries === entries, `Intake run ${r}: read ${i.value.entries} entries, expected ${entries}`);
      const iCheck = verifyStore(iFile, expected);
      check(iCheck.ok, `Intake run ${r}: ${iCheck.message}`);
      warnings = i.value.warnings;
      if (lastIntakeFile) removeStore(lastIntakeFile);
      lastIntakeFile = iFile;
      log(`run ${r}/${runs}: baseline ${ms(b.ms)} (cpu ${ms(b.cpu)}), Intake ${ms(i.ms)} (cpu ${ms(i.cpu)}; ${i.value.pages} pages, ${JSON.stringify(i.value.counts)}; store ${iCheck.message})`);
    }

    // 2. unchanged re-runs on the file the last Intake run wrote
    const before = recordsDigest(lastIntakeFile);
    const unchanged: ProcessSample[] = [];
    let unchangedOk = true;
    for (let r = 1; r <= runs; r++) {
      const u = await intakeProcess(server.url, lastIntakeFile, dir);
      unchanged.push(u);
      unchangedOk = check(u.value.status === 'succeeded' && u.value.counts.updated === 0 && u.value.counts.unchanged === users,
        `unchanged re-run ${r}: ${u.value.status} ${JSON.stringify(u.value.counts)} (expected updated 0, unchanged ${users})`) && unchangedOk;
      log(`unchanged re-run ${r}/${runs}: ${ms(u.ms)} (cpu ${ms(u.cpu)}) ${JSON.stringify(u.value.counts)}`);
    }
    unchangedOk = check(recordsDigest(lastIntakeFile) === before, 'unchanged re-run: records rows (data or updated_at) changed') && unchangedOk;

    // 3. per-page latency, cursor paging: sequential baseline vs Intake (which requests the next page while it processes one)
    const latency: { baseline: ProcessSample[]; intake: ProcessSample[] } = { baseline: [], intake: [] };
    const latencyLines: string[] = [];
    if (latencyMs > 0) {
      await server.setLatency(latencyMs);
      const latencyRuns = Math.min(runs, 2);
      for (let r = 1; r <= latencyRuns; r++) {
        const bFile = freshCopy(seedFile, dir);
        const b = await baselineProcess(server.url, bFile, dir);
        check(b.value.updated === users, `latency baseline run ${r}: updated ${b.value.updated}`);
        latency.baseline.push(b);
        removeStore(bFile);
        const iFile = freshCopy(seedFile, dir);
        const i = await intakeProcess(server.url, iFile, dir);
        checkIntake(i.value, users, `latency Intake run ${r}`);
        const iCheck = verifyStore(iFile, expected);
        check(iCheck.ok, `latency Intake run ${r}: ${iCheck.message}`);
        latency.intake.push(i);
        removeStore(iFile);
        log(`latency ${latencyMs} ms run ${r}/${latencyRuns}: baseline ${ms(b.ms)}, Intake ${ms(i.ms)}`);
      }
      // numbered pages with a total: 4 in flight against one at a time, the read alone
      const pagesRuns: Record<number, PagesRun[]> = { 1: [], 4: [] };
      for (let r = 1; r <= latencyRuns; r++) {
        for (const concurrency of [1, 4]) {
          const read = await readPages(server.url, concurrency, PAGE_SIZE);
          check(read.entries === Math.min(entries, 100 * PAGE_SIZE), `page-number read (concurrency ${concurrency}): read ${read.entries} entries`);
          check(read.requests === read.pages, `page-number read (concurrency ${concurrency}): ${read.requests} requests for ${read.pages} pages`);
          pagesRuns[concurrency].push(read);
          log(`page numbers at ${latencyMs} ms, concurrency ${concurrency}: ${ms(read.ms)} for ${read.pages} pages, ${n(read.records)} records`);
        }
      }
      check(pagesRuns[1][0].records === pagesRuns[4][0].records, `page-number read: ${pagesRuns[1][0].records} records one at a time, ${pagesRuns[4][0].records} with 4 in flight`);
      const one = Math.min(...pagesRuns[1].map((p) => p.ms));
      const four = Math.min(...pagesRuns[4].map((p) => p.ms));
      latencyLines.push(`page numbers with a total (bench/connectors/slack-last-login-pages.yaml), the read alone, ${pagesRuns[1][0].pages} pages: one at a time ${ms(one)}, concurrency 4 ${ms(four)}`);
      row(`page numbers at ${latencyMs} ms per page, ${pagesRuns[1][0].pages} pages: read, one at a time / 4 in flight`, `${ms(one)} / ${ms(four)} = ${ratio(one, four)} faster`, `≥ ${PAGES_BAR}×`, one >= PAGES_BAR * four);
      await server.setLatency(0);
    }
    const pages = server.pages;
    const bytes = server.bytes;
    await server.close();

    // 4. memory: fresh process per run, N/2, N, 2N entries over the same users
    const memoryReports: MemoryReport[] = [];
    if (memory) {
      for (const count of [Math.max(users, Math.round(entries / 2)), entries, entries * 2]) {
        const report = await measureMemory(count, users, seedFile, dir);
        memoryReports.push(report);
        log(`memory ${n(count)} entries: peak RSS ${mb(report.peakRss)}, peak heapUsed ${mb(report.peakHeapUsed)}, ${ms(report.ms)}`);
      }
    }

    // ---------------------------------------------------------------------------- report
    const bestB = best(baseline);
    const bestI = best(intakeRuns);
    const cpuB = least(baseline.map((b) => b.cpu));
    const cpuI = least(intakeRuns.map((i) => i.cpu));
    const size = `${n(entries)} / ${n(users)} fresh`;
    row(`${size}: wall, Intake / hand-written`, `${ms(bestI.ms)} / ${ms(bestB.ms)} = ${ratio(bestI.ms, bestB.ms)}`, `≤ ${BAR}×`, bestI.ms <= BAR * bestB.ms);
    row(`${size}: CPU, Intake / hand-written`, `${ms(cpuI)} / ${ms(cpuB)} = ${ratio(cpuI, cpuB)}`, `≤ ${CPU_BAR}×`, cpuI <= CPU_BAR * cpuB);
    const bestU = best(unchanged);
    row(`${size}: unchanged re-run`, `${ms(bestU.ms)} (fresh ${ms(bestI.ms)}); updated 0, rows untouched: ${unchangedOk ? 'yes' : 'NO'}`, '≤ the fresh run, 0 rows written', unchangedOk && bestU.ms <= bestI.ms);
    const processRow = (label: string, list: ProcessSample[], extra = '') =>
      `${padEnd(label, 34)}${pad(ms(best(list).ms), 9)}${pad(ms(least(list.map((x) => x.cpu))), 9)}${pad(mb(best(list).rss), 11)}   ${list.map((v) => pad(String(Math.round(v.ms)), 6)).join('')}${extra ? `   ${extra}` : ''}`;
    const out: string[] = [];
    out.push('');
    out.push(`Intake sync benchmark: ${n(entries)} access-log entries / ${n(users)} users, ${pages} pages of ${PAGE_SIZE} (${mb(bytes)} of JSON)`);
    out.push(`node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; whole processes (start-up included), best of ${runs} (wall) and least CPU, fresh store copy per run; seeding ${n(users)} People took ${ms(seedMs)}`);
    out.push('');
    out.push(`${padEnd('', 34)}${pad('wall', 9)}${pad('cpu', 9)}${pad('peak RSS', 11)}   all runs, wall ms`);
    out.push(processRow('hand-written (http+Map+1 tx)', baseline));
    out.push(processRow('intake run', intakeRuns));
    out.push(processRow('intake run, unchanged re-run', unchanged, `updated 0, unchanged ${n(users)}, records rows untouched: ${unchangedOk ? 'PASS' : 'FAIL'}`));
    if (latencyMs > 0) {
      const floor = pages * latencyMs;
      const added = (list: ProcessSample[], base: ProcessSample[]) => `+${ms(best(list).ms - best(base).ms)} over no latency`;
      out.push('');
      out.push(`with ${latencyMs} ms latency per page (cursor paging): ${pages} pages fetched one after another wait ${ms(floor)}`);
      out.push(processRow('hand-written (sequential pages)', latency.baseline, added(latency.baseline, baseline)));
      out.push(processRow('intake run (next page requested early)', latency.intake, added(latency.intake, intakeRuns)));
      const lb = best(latency.baseline).ms;
      const li = best(latency.intake).ms;
      out.push(...latencyLines);
      row(`cursor paging at ${latencyMs} ms per page: wall, Intake / sequential hand-written`, `${ms(li)} / ${ms(lb)} = ${ratio(li, lb)}`, `≤ ${LATENCY_BAR}×`, li <= LATENCY_BAR * lb);
    }
    if (memoryReports.length) {
      out.push('');
      out.push(`memory of one Intake run in a fresh process, ${n(users)} users (RSS start: after imports, before the run)`);
      out.push(`${pad('entries', 9)}${pad('pages', 7)}${pad('RSS start', 12)}${pad('peak RSS', 12)}${pad('peak heapUsed', 15)}${pad('peak live heap', 16)}${pad('wall', 10)}`);
      for (const m of memoryReports) {
        out.push(`${pad(n(m.entries), 9)}${pad(String(m.pages), 7)}${pad(mb(m.rssStart), 12)}${pad(mb(m.peakRss), 12)}${pad(mb(m.peakHeapUsed), 15)}${pad(mb(m.peakLiveHeap), 16)}${pad(ms(m.ms), 10)}`);
      }
      const first = memoryReports[0];
      const last = memoryReports[memoryReports.length - 1];
      const times = (key: 'peakRss' | 'peakHeapUsed' | 'peakLiveHeap') => `${(last[key] / first[key]).toFixed(2)}×`;
      out.push(`${n(last.entries)} vs ${n(first.entries)} entries (${(last.entries / first.entries).toFixed(0)}× the entries): peak RSS ${times('peakRss')}, peak heapUsed ${times('peakHeapUsed')}, peak live heap ${times('peakLiveHeap')}`);
      out.push('(peak heapUsed includes garbage not yet collected; peak live heap: a second run with a full GC every 100 ms)');
    }
    if (warnings.length) out.push('', `Intake warnings: ${warnings.join(' | ')}`);
    return out;
  } finally {
    await server.close();
  }
}

/** The large case: one baseline and one Intake process each on N entries / U users (wall and peak RSS). */
async function largeBench({ entries, users, runs, dir }: { entries: number; users: number; runs: number; dir: string }): Promise<string[]> {
  log(`large case: generating ${n(entries)} entries over ${n(users)} users…`);
  const expected = expectedLastLogin({ entries, users, seed: SEED });
  const server = await spawnServer({ entries, users, seed: SEED, pageSize: PAGE_SIZE });
  const seedFile = join(dir, 'seed-large.db');
  await seedStore(seedFile, users);
  const baseline: ProcessSample[] = [];
  const intakeRuns: ProcessSample[] = [];
  let gotRead: ProcessSample | undefined;
  try {
    for (let r = 1; r <= runs; r++) {
      const bFile = freshCopy(seedFile, dir);
      const b = await baselineProcess(server.url, bFile, dir);
      check(b.value.updated === users, `large baseline run ${r}: updated ${b.value.updated}`);
      baseline.push(b);
      removeStore(bFile);
      const iFile = freshCopy(seedFile, dir);
      const i = await intakeProcess(server.url, iFile, dir);
      checkIntake(i.value, users, `large Intake run ${r}`);
      const iCheck = verifyStore(iFile, expected);
      check(iCheck.ok, `large Intake run ${r}: ${iCheck.message}`);
      intakeRuns.push(i);
      removeStore(iFile);
      log(`large run ${r}/${runs}: baseline ${ms(b.ms)} ${mb(b.rss)}, Intake ${ms(i.ms)} ${mb(i.rss)}`);
    }
    gotRead = await nodeProcess([gotReadScript, server.url], {}, dir);
    check(gotRead.code === 0 && (JSON.parse(gotRead.stdout) as GotReadResult).users === users, `the read through got: ${gotRead.stdout.slice(0, 200)}${gotRead.stderr.slice(0, 300)}`);
  } finally {
    await server.close();
    removeStore(seedFile);
  }
  const size = `${n(entries)} / ${n(users)} fresh`;
  const wB = best(baseline).ms;
  const wI = best(intakeRuns).ms;
  const rB = least(baseline.map((b) => b.rss));
  const rI = least(intakeRuns.map((i) => i.rss));
  row(`${size}: wall, Intake / hand-written`, `${ms(wI)} / ${ms(wB)} = ${ratio(wI, wB)}`, `≤ ${LARGE_BAR}×`, wI <= LARGE_BAR * wB);
  row(`${size}: peak RSS, Intake / hand-written`, `${mb(rI)} / ${mb(rB)} = ${ratio(rI, rB)}`, `≤ ${MEMORY_BAR}×`, rI <= MEMORY_BAR * rB);
  return [
    '',
    `large case: ${n(entries)} entries / ${n(users)} users, whole processes, best of ${runs}: hand-written ${ms(wB)} ${mb(rB)}, intake run ${ms(wI)} ${mb(rI)}`,
    `  the read alone through got (bench/got-read.ts: the hand-written read loop with Intake's HTTP client, no store): ${ms(gotRead!.ms)} ${mb(gotRead!.rss)} = ${ratio(gotRead!.rss, rB)} the hand-written program's peak RSS`,
  ];
}

/** The Oomnitza target: `updates` PATCHes at 20 ms a request, 8 in flight, against one at a time on a tenth of them. */
async function oomnitzaBench({ updates, latencyMs }: { updates: number; latencyMs: number }): Promise<string[]> {
  const latency = latencyMs || 20;
  log(`oomnitza: ${n(updates)} updates at ${latency} ms a request, 8 in flight…`);
  const many = await oomnitzaWrites({ updates, concurrency: 8, latencyMs: latency, ratePerSecond: OOMNITZA_RATE });
  const sample = Math.max(1, Math.round(updates / 10));
  log(`oomnitza: ${n(sample)} updates one at a time…`);
  const one = await oomnitzaWrites({ updates: sample, concurrency: 1, latencyMs: latency, ratePerSecond: OOMNITZA_RATE });
  for (const run of [many, one]) {
    check(run.correct === run.updates, `oomnitza, ${run.concurrency} in flight: ${run.correct} of ${run.updates} updates landed`);
    check(run.most <= run.concurrency, `oomnitza, ${run.concurrency} in flight: ${run.most} requests were in flight at once`);
  }
  const perMany = many.ms / many.updates;
  const perOne = one.ms / one.updates;
  row(`Oomnitza target: ${n(updates)} updates at ${latency} ms a request: per update, one at a time / 8 in flight`, `${perOne.toFixed(2)} / ${perMany.toFixed(2)} ms = ${(perOne / perMany).toFixed(2)}× faster; ${many.refused + one.refused} refused for the rate`, `≥ ${OOMNITZA_BAR}×, none refused (model: ${OOMNITZA_RATE}/s)`, perOne >= OOMNITZA_BAR * perMany && many.refused + one.refused === 0);
  return ['', `Oomnitza target (bench/oomnitza.ts), ${latency} ms a request, the model refusing over ${OOMNITZA_RATE} requests a second: ${n(many.updates)} updates, 8 in flight, ${ms(many.ms)} (at most ${many.most} in flight); ${n(one.updates)} one at a time ${ms(one.ms)}; all updates landed: ${many.correct === many.updates && one.correct === one.updates ? 'yes' : 'NO'}`];
}

/** Start-up: `intake --version` and `intake validate` of the shipped files, median wall of R processes each. */
async function startupBench({ runs, dir }: { runs: number; dir: string }): Promise<string[]> {
  const shipped = ['connectors', 'mappings'].flatMap((folder) => readdirSync(join(repo, folder)).filter((f) => f.endsWith('.yaml')).map((f) => join(repo, folder, f)));
  const measure = async (args: string[], label: string) => {
    const samples: ProcessSample[] = [];
    for (let r = 0; r < Math.max(runs, 5); r++) {
      const sample = await nodeProcess([cli, ...args], intakeEnv(dir), dir);
      check(sample.code === 0, `${label} exited with ${sample.code}: ${sample.stderr.slice(0, 300)}`);
      samples.push(sample);
    }
    return samples;
  };
  const version = await measure(['--version'], 'intake --version');
  const validate = await measure(['validate', ...shipped], 'intake validate');
  const medianWall = (list: ProcessSample[]) => median(list.map((s) => s.ms));
  const medianCpu = (list: ProcessSample[]) => median(list.map((s) => s.cpu));
  row('start-up: intake --version, median wall', `${ms(medianWall(version))} (cpu ${ms(medianCpu(version))})`, `< ${VERSION_BAR_MS} ms`, medianWall(version) < VERSION_BAR_MS);
  row(`start-up: intake validate of the ${shipped.length} shipped files, median wall`, `${ms(medianWall(validate))} (cpu ${ms(medianCpu(validate))})`, `< ${VALIDATE_BAR_MS} ms`, medianWall(validate) < VALIDATE_BAR_MS);
  return ['', `start-up, ${version.length} processes each (wall ms): --version ${version.map((s) => Math.round(s.ms)).join(' ')}; validate ${validate.map((s) => Math.round(s.ms)).join(' ')}`];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string' },
      users: { type: 'string' },
      members: { type: 'string' },
      'latency-ms': { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-memory': { type: 'boolean', default: false },
      'memory-child': { type: 'string' },
      large: { type: 'boolean', default: false },
    },
  });
  if (values['memory-child']) {
    await memoryChild(JSON.parse(values['memory-child']) as MemoryConfig);
    return 0;
  }
  const int = (raw: string | undefined, fallback: number, name: string) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, got ${raw}`);
    return value;
  };
  const only = values.only;
  if (only !== undefined && !sections.includes(only as Section)) throw new Error(`--only must be one of ${sections.join(', ')}, got ${only}`);
  const runSection = (section: Section) => only === undefined || only === section;
  const entries = int(values.entries, values.quick ? 10_000 : 100_000, 'entries');
  const users = int(values.users, values.quick ? 4_000 : 40_000, 'users');
  const members = int(values.members, values.quick ? 10_000 : 100_000, 'members');
  const latencyMs = int(values['latency-ms'], 20, 'latency-ms');
  const runs = Math.max(1, int(values.runs, 3, 'runs'));
  // the connector reads at most 999 pages (its max_pages setting's maximum) of 1,000: 999,000 entries, the largest it can read whole
  const largeEntries = values.quick ? 100_000 : 999_000;
  const largeUsers = values.quick ? 30_000 : 300_000;
  const rounds = Math.max(1, int(values.runs, 5, 'runs'));
  if (users < 1 || entries < users) throw new Error(`need --entries >= --users >= 1 (every user has at least one entry)`);
  if (members < 1) throw new Error('need --members >= 1');

  const dir = mkdtempSync(join(tmpdir(), 'intake-bench-'));
  const wallStart = performance.now();
  try {
    const out: string[] = [];
    if (runSection('sync')) {
      out.push(...(await lastLoginBench({ entries, users, latencyMs, runs, memory: !values['no-memory'], dir })));
    }
    if (runSection('startup')) out.push(...(await startupBench({ runs, dir })));
    if (runSection('oomnitza')) out.push(...(await oomnitzaBench({ updates: values.quick ? 1_000 : 10_000, latencyMs })));
    if (runSection('large')) {
      if (values.large || only === 'large') out.push(...(await largeBench({ entries: largeEntries, users: largeUsers, runs: 1, dir })));
      else rows.push({ name: `${n(largeEntries)} / ${n(largeUsers)} fresh: wall and peak RSS`, value: 'not run (add --large: about 1 minute)', bar: `≤ ${LARGE_BAR}× wall, ≤ ${MEMORY_BAR}× peak RSS` });
    }
    if (runSection('expr')) {
      log(`computed values: ${n(members)} users.list members, ${rounds} rounds…`);
      const server = await spawnServer({ entries: 0, users: 0, members, seed: SEED, pageSize: PAGE_SIZE });
      try {
        const result = await exprBench({ url: server.url, members, memberPages: server.memberPages, memberBytes: server.memberBytes, pageSize: PAGE_SIZE, rounds, seed: SEED, dir });
        out.push('', ...result.lines);
        out.push(`node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
        failures.push(...result.failures);
        rows.push({ name: `computed values (expr:) on ${n(members)} records: wall, (b) / (a)`, value: `first run ${result.ratios.first.toFixed(3)}×, re-run ${result.ratios.rerun.toFixed(3)}×`, bar: `≤ ${EXPR_BAR}×`, pass: result.ratios.first <= EXPR_BAR && result.ratios.rerun <= EXPR_BAR });
      } finally {
        await server.close();
      }
    }
    out.push('', 'Summary (issue 11: every row with its bar)');
    const width = Math.max(...rows.map((r) => r.name.length), 10) + 2;
    const valueWidth = Math.max(...rows.map((r) => r.value.length), 10) + 2;
    for (const r of rows) out.push(`${padEnd(r.name, width)}${padEnd(r.value, valueWidth)}${padEnd(r.bar, 34)}${r.pass === undefined ? '—' : r.pass ? 'PASS' : 'FAIL'}`);
    out.push('');
    out.push(failures.length ? `FAIL\n${failures.map((f) => `  - ${f}`).join('\n')}` : 'PASS: every row within its bar, every stored value correct');
    out.push(`(bench wall time ${((performance.now() - wallStart) / 1000).toFixed(1)} s)`);
    process.stdout.write(`${out.join('\n')}\n`);
    return failures.length ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  },
);
