/**
 * The cost of computed values: the Slack users sync with three fields from plain sources
 * (bench/mappings/slack-users-plain.yaml) against the same mapping with the three fields
 * computed by CEL expressions (bench/mappings/slack-users-expr.yaml). Bar: (b) costs at most
 * 15% more wall time than (a), median against median.
 *
 *   1. end to end: `runIntegration` on the bench server's `users.list` (M members), as a user
 *      runs it: each run in a fresh Node process (`intake run` is one process per run), timed
 *      inside it around the call (process start and imports not counted). Per round, on fresh
 *      empty stores: a first run (creates M People), then an unchanged re-run on the store it
 *      wrote (M unchanged). Rounds alternate the variants in ABBA order (a b, b a, a b, …);
 *      one warm-up first run of each is not counted.
 *   2. the mapping step alone: `compileMapping(...).map` over the same M source records, the
 *      whole mapping and each field under test on its own, in alternating passes; plus the
 *      one-off compile at load.
 * After every counted first run the bench checks every stored record's three values.
 */
import { fork } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { FieldMappingSpec } from '../src/definition/model.js';
import { loadIntegration, type Integration } from '../src/definition/load.js';
import { resolveSettings } from '../src/definition/settings.js';
import { compileMapping, type MappingTargets, type Meta } from '../src/mapping/compile.js';
import { runIntegration } from '../src/runner.js';
import { compileExtract } from '../src/source/extract.js';
import type { SourceRecord } from '../src/source/types.js';
import type { Counts } from '../src/sync/outcomes.js';
import { builtinFields } from '../src/targets/fields.js';
import type { TargetField } from '../src/targets/target.js';
import { forEachMember, userId } from './dataset.js';
import { gc, log, median, ms, n, pad, padEnd, removeStore, timed, type Sample } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** (b) may cost this much of (a)'s wall time: "no more than 15% over". */
export const EXPR_BAR = 1.15;

const variants = {
  plain: { label: '(a) plain sources', file: join(repo, 'bench/mappings/slack-users-plain.yaml') },
  expr: { label: '(b) expr:', file: join(repo, 'bench/mappings/slack-users-expr.yaml') },
} as const;
type Variant = keyof typeof variants;

/** The three target fields under test. */
const tested = ['slack_active', 'employee_type', 'full_name'] as const;

/** Passes of the mapping-step measurement (alternating), and uncounted warm-up passes of each. */
const MICRO_PASSES = 9;
const MICRO_WARMUP = 2;

export interface ExprBenchOptions {
  /** the bench server's API root; it must serve `members` users.list members */
  url: string;
  members: number;
  memberPages: number;
  memberBytes: number;
  pageSize: number;
  rounds: number;
  seed: number;
  /** a scratch directory for the stores */
  dir: string;
}

/** What the section found: report lines, and what failed (the bar or a correctness check). */
export interface ExprBenchResult {
  lines: string[];
  failures: string[];
  /** the ratios of the medians (b) / (a): first run and unchanged re-run */
  ratios: { first: number; rerun: number };
}

interface Expected {
  deleted: boolean[];
  restricted: boolean[];
  title: string[];
  first: string[];
  last: string[];
  realName: string[];
}

export async function exprBench(options: ExprBenchOptions): Promise<ExprBenchResult> {
  const failures: string[] = [];
  const check = (condition: boolean, what: string) => {
    if (!condition) failures.push(what);
    return condition;
  };
  const { members, rounds } = options;
  const expected = expectedValues(options);
  const run = (variant: Variant, db: string) => runInChild({ variant, url: options.url, db, pageSize: options.pageSize });
  const checkRun = (result: ChildReport, outcome: 'added' | 'unchanged', label: string) =>
    check(result.status === 'succeeded' && result.counts[outcome] === members && result.read === members,
      `${label}: ${result.status}${result.message ? ` (${result.message})` : ''} ${JSON.stringify(result.counts)}, expected ${outcome} ${members}`);

  // 1. end to end, ABBA, fresh empty stores, a fresh process per run
  let files = 0;
  const store = (variant: Variant) => join(options.dir, `expr-${variant}-${++files}.db`);
  for (const variant of ['plain', 'expr'] as Variant[]) {
    const file = store(variant);
    const warm = await run(variant, file);
    checkRun(warm, 'added', `warm-up ${variant}`);
    removeStore(file);
    log(`expr warm-up ${variant}: ${ms(warm.ms)}`);
  }
  const first: Record<Variant, Sample[]> = { plain: [], expr: [] };
  const rerun: Record<Variant, Sample[]> = { plain: [], expr: [] };
  for (let r = 1; r <= rounds; r++) {
    const order: Variant[] = r % 2 ? ['plain', 'expr'] : ['expr', 'plain'];
    const written = new Map<Variant, string>();
    for (const variant of order) {
      const file = store(variant);
      const result = await run(variant, file);
      checkRun(result, 'added', `round ${r} ${variant} first run`);
      first[variant].push(result);
      written.set(variant, file);
    }
    for (const variant of order) {
      const result = await run(variant, written.get(variant)!);
      checkRun(result, 'unchanged', `round ${r} ${variant} re-run`);
      rerun[variant].push(result);
    }
    for (const variant of order) {
      const verdict = verifyStore(written.get(variant)!, variant, expected);
      check(verdict.ok, `round ${r} ${variant}: ${verdict.message}`);
      removeStore(written.get(variant)!);
    }
    const last = (list: Sample[]) => ms(list[list.length - 1].ms);
    log(`expr round ${r}/${rounds} (${order.join(', ')}): first run plain ${last(first.plain)}, expr ${last(first.expr)}; re-run plain ${last(rerun.plain)}, expr ${last(rerun.expr)}`);
  }

  // 2. the mapping step alone
  const micro = mappingStep(options, expected);
  log(`expr mapping step: map() plain ${ms(median(micro.rows[0].plain))}, expr ${ms(median(micro.rows[0].expr))}`);

  // ------------------------------------------------------------------------------ report
  const lines: string[] = [];
  const medianOf = (list: Sample[], key: 'ms' | 'cpu') => median(list.map((s) => s[key]));
  const row = (label: string, list: Sample[]) =>
    `${padEnd(label, 34)}${pad(ms(medianOf(list, 'ms')), 9)}${pad(ms(medianOf(list, 'cpu')), 9)}   ${list.map((s) => pad(String(Math.round(s.ms)), 6)).join('')}`;
  const ratioRow = (a: Sample[], b: Sample[]) => {
    const ratio = medianOf(b, 'ms') / medianOf(a, 'ms');
    const paired = a.map((s, i) => b[i].ms / s.ms).sort((x, y) => x - y);
    const pass = ratio <= EXPR_BAR;
    return {
      pass,
      ratio,
      text: `${padEnd('ratio (b) / (a)', 34)}${pad(`${ratio.toFixed(3)}×`, 9)}${pad(`${(medianOf(b, 'cpu') / medianOf(a, 'cpu')).toFixed(3)}×`, 9)}   bar ${EXPR_BAR}× (wall): ${pass ? 'PASS' : 'FAIL'}; per round ${paired[0].toFixed(2)}–${paired[paired.length - 1].toFixed(2)}×`,
    };
  };
  lines.push(`Computed values: ${n(members)} users.list members, ${options.memberPages} pages of ${options.pageSize} (${(options.memberBytes / 2 ** 20).toFixed(1)} MB of JSON)`);
  lines.push(`(a) bench/mappings/slack-users-plain.yaml: slack_active: deleted, employee_type: title, full_name: real_name`);
  lines.push(`(b) bench/mappings/slack-users-expr.yaml:  slack_active: !deleted, employee_type: is_restricted ? "Contractor" : "Employee", full_name: first_name + " " + last_name`);
  lines.push(`median of ${rounds} rounds, variants alternating (ABBA), each run in a fresh process on a fresh empty store (re-run: on the store its first run wrote); one uncounted warm-up run of each`);
  lines.push('');
  lines.push(`${padEnd('', 34)}${pad('wall', 9)}${pad('cpu', 9)}   all rounds, wall ms`);
  lines.push(row('(a) plain, first run (creates)', first.plain));
  lines.push(row('(b) expr:, first run (creates)', first.expr));
  const firstRatio = ratioRow(first.plain, first.expr);
  lines.push(firstRatio.text);
  lines.push(row('(a) plain, unchanged re-run', rerun.plain));
  lines.push(row('(b) expr:, unchanged re-run', rerun.expr));
  const rerunRatio = ratioRow(rerun.plain, rerun.expr);
  lines.push(rerunRatio.text);
  check(firstRatio.pass, `first run: expr: took ${firstRatio.ratio.toFixed(3)}× the plain mapping's time, over the ${EXPR_BAR}× bar`);
  check(rerunRatio.pass, `unchanged re-run: expr: took ${rerunRatio.ratio.toFixed(3)}× the plain mapping's time, over the ${EXPR_BAR}× bar`);

  lines.push('');
  lines.push(`the mapping step alone: compileMapping(...).map over the same ${n(members)} source records, median of ${MICRO_PASSES} alternating passes`);
  lines.push(`${padEnd('', 34)}${pad('plain', 10)}${pad('expr:', 10)}${pad('expr − plain', 15)}${pad('per record', 14)}`);
  for (const r of micro.rows) {
    const a = median(r.plain);
    const b = median(r.expr);
    lines.push(`${padEnd(r.label, 34)}${pad(ms1(a), 10)}${pad(ms1(b), 10)}${pad(signed(b - a, ms1), 15)}${pad(signed(((b - a) / members) * 1e6, (v) => `${v.toFixed(0)} ns`), 14)}`);
  }
  lines.push(`${padEnd('compile at load (once per run)', 34)}${pad(`${median(micro.compile.plain).toFixed(2)} ms`, 10)}${pad(`${median(micro.compile.expr).toFixed(2)} ms`, 10)}`);
  const e2e = (list: Record<Variant, Sample[]>) => signed(medianOf(list.expr, 'ms') - medianOf(list.plain, 'ms'), ms);
  const step = median(micro.rows[0].expr) - median(micro.rows[0].plain);
  lines.push(`end-to-end difference of the medians (b) − (a): first run ${e2e(first)}, re-run ${e2e(rerun)}; the mapping step alone: ${signed(step, ms)} (${((step / medianOf(first.plain, 'ms')) * 100).toFixed(1)}% of (a)'s first run)`);
  return { lines, failures, ratios: { first: firstRatio.ratio, rerun: rerunRatio.ratio } };
}

interface ChildConfig {
  variant: Variant;
  url: string;
  db: string;
  pageSize: number;
}

interface ChildReport extends Sample {
  status: string;
  read: number;
  counts: Counts;
  message?: string;
}

/** One `runIntegration` in a fresh process (this file with `--expr-child`); its wall and CPU time, measured inside it. */
function runInChild(config: ChildConfig): Promise<ChildReport> {
  const child = fork(fileURLToPath(import.meta.url), ['--expr-child', JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<ChildReport>((resolvePromise, reject) => {
    let report: ChildReport | undefined;
    child.on('message', (m) => (report = m as ChildReport));
    child.on('exit', (code) => (report ? resolvePromise(report) : reject(new Error(`expr run (${config.variant}) exited with ${code} and no report`))));
  });
}

/** The child side: one timed run, reported over IPC. */
async function exprChild(config: ChildConfig): Promise<void> {
  const { value, ...sample } = await timed(() =>
    runIntegration({
      mappingFile: variants[config.variant].file,
      db: config.db,
      overrides: { base_url: config.url, page_size: String(config.pageSize), max_pages: '999' },
      credentials: { token: 'xoxp-bench-token' },
    }),
  );
  const report: ChildReport = { ...sample, status: value.status, read: value.read, counts: value.counts, message: value.message };
  process.send!(report, () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const at = process.argv.indexOf('--expr-child');
  if (at > 0) {
    exprChild(JSON.parse(process.argv[at + 1]) as ChildConfig).catch((error: Error) => {
      process.stderr.write(`expr run failed: ${error.stack ?? error.message}\n`);
      process.exit(2);
    });
  }
}

const ms1 = (value: number) => `${value.toFixed(1)} ms`;
const signed = (value: number, format: (v: number) => string) => `${value < 0 ? '−' : '+'}${format(Math.abs(value))}`;

/** What each member's three values must be, from the same generator the server uses. */
function expectedValues(options: ExprBenchOptions): Expected {
  const e: Expected = { deleted: [], restricted: [], title: [], first: [], last: [], realName: [] };
  forEachMember({ members: options.members, seed: options.seed }, (m) => {
    e.deleted.push(m.deleted);
    e.restricted.push(m.is_restricted);
    e.title.push(m.profile.title);
    e.first.push(m.profile.first_name);
    e.last.push(m.profile.last_name);
    e.realName.push(m.profile.real_name);
  });
  return e;
}

/** Every People record's three values against what its variant must have written. */
function verifyStore(file: string, variant: Variant, e: Expected): { ok: boolean; message: string } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT json_extract(data, '$.slack_user_id') AS uid, json_extract(data, '$.slack_active') AS active, json_extract(data, '$.employee_type') AS type, json_extract(data, '$.full_name') AS name FROM records WHERE record_type = 'people'").all() as { uid: string; active: number | null; type: string | null; name: string | null }[];
    const index = new Map<string, number>();
    for (let i = 0; i < e.deleted.length; i++) index.set(userId(i), i);
    let bad = 0;
    let sample = '';
    for (const row of rows) {
      const i = index.get(row.uid);
      if (i === undefined) {
        if (!bad++) sample = `unknown record ${row.uid}`;
        continue;
      }
      const want = variant === 'plain'
        ? { active: e.deleted[i], type: e.title[i], name: e.realName[i] }
        : { active: !e.deleted[i], type: e.restricted[i] ? 'Contractor' : 'Employee', name: `${e.first[i]} ${e.last[i]}` };
      if (Boolean(row.active) !== want.active || row.active === null || row.type !== want.type || row.name !== want.name) {
        if (!bad++) sample = `${row.uid}: stored ${JSON.stringify([row.active, row.type, row.name])}, expected ${JSON.stringify([want.active, want.type, want.name])}`;
      }
    }
    if (rows.length !== e.deleted.length) return { ok: false, message: `${rows.length} People records, expected ${e.deleted.length}` };
    return bad ? { ok: false, message: `${bad} of ${rows.length} wrong, e.g. ${sample}` } : { ok: true, message: `all ${n(rows.length)} correct` };
  } finally {
    db.close();
  }
}

interface MicroRow {
  label: string;
  plain: number[];
  expr: number[];
}

/**
 * Times `map` of compiled mappings over the M source records (extracted with the connector's
 * own extraction, so each value has the type a run gives it): the whole mapping, then each field
 * under test alone (a mapping with only that field). Passes alternate plain / expr.
 */
function mappingStep(options: ExprBenchOptions, expected: Expected): { rows: MicroRow[]; compile: { plain: number[]; expr: number[] } } {
  const loaded = { plain: loadIntegration(variants.plain.file), expr: loadIntegration(variants.expr.file) };
  const { connector } = loaded.plain;
  const extract = compileExtract(connector.fields, connector.sync_key);
  const records: SourceRecord[] = [];
  forEachMember({ members: options.members, seed: options.seed }, (member, i) => {
    const item = extract(member, `member ${i}`);
    if (!('record' in item)) throw new Error(`bench data: ${item.failed}`);
    records.push(item.record);
  });
  if (records.length !== expected.deleted.length) throw new Error('bench data: record count differs');

  const compile = (integration: Integration, fields?: Record<string, FieldMappingSpec>) => {
    const mapping = fields ? { ...integration.mapping, fields } : integration.mapping;
    const people = new Map<string, TargetField>(builtinFields('people').map((f) => [f.name, f]));
    for (const [name, spec] of Object.entries(mapping.custom_fields ?? {})) people.set(name, { name, label: spec.label, type: spec.type, required: false, custom: true });
    const targets: MappingTargets = { people };
    const meta: Meta = { sync_time: new Date().toISOString(), credential_name: 'bench', settings: resolveSettings(integration.connector, mapping.settings, {}) };
    const problems: string[] = [];
    const compiled = compileMapping(mapping, integration.connector, targets, meta, (at, _code, message) => problems.push(`${at.join('.')}: ${message}`));
    if (problems.length) throw new Error(`${integration.mappingFile}: ${problems.join('; ')}`);
    return compiled.map;
  };

  const cases: { label: string; plain: (r: SourceRecord) => unknown; expr: (r: SourceRecord) => unknown }[] = [
    { label: `map(), all ${Object.keys(loaded.plain.mapping.fields).length} fields`, plain: compile(loaded.plain), expr: compile(loaded.expr) },
    ...tested.map((field) => ({
      label: `  ${field} alone`,
      plain: compile(loaded.plain, { [field]: loaded.plain.mapping.fields[field] }),
      expr: compile(loaded.expr, { [field]: loaded.expr.mapping.fields[field] }),
    })),
  ];
  let sink = 0;
  const pass = (map: (r: SourceRecord) => unknown) => {
    gc();
    const start = performance.now();
    for (let i = 0; i < records.length; i++) if (map(records[i])) sink++;
    return performance.now() - start;
  };
  const rows: MicroRow[] = cases.map((c) => {
    for (let w = 0; w < MICRO_WARMUP; w++) {
      pass(c.plain);
      pass(c.expr);
    }
    const row: MicroRow = { label: c.label, plain: [], expr: [] };
    for (let p = 0; p < MICRO_PASSES; p++) {
      if (p % 2) {
        row.expr.push(pass(c.expr));
        row.plain.push(pass(c.plain));
      } else {
        row.plain.push(pass(c.plain));
        row.expr.push(pass(c.expr));
      }
    }
    return row;
  });
  if (sink === 0) throw new Error('the mapping step produced nothing');

  const compileTimes = { plain: [] as number[], expr: [] as number[] };
  for (let p = 0; p < MICRO_PASSES; p++) {
    for (const variant of ['plain', 'expr'] as Variant[]) {
      const start = performance.now();
      compile(loaded[variant]);
      compileTimes[variant].push(performance.now() - start);
    }
  }
  return { rows, compile: compileTimes };
}
