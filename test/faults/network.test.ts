import { describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { intake, type CliResult } from '../helpers/cli.js';
import { faults, makeUsers, pagedUsers, startFaultServer, type FaultRequest, type FaultServer, type FaultUser, type Paging, type Reply } from '../helpers/faults.js';
import { tempStore } from '../helpers/store.js';
import { expectedPerson, faultWorkspace, PLANTED } from './workspace.js';

/**
 * The network half of the fault suite: the built CLI, run as a user runs it, against a local
 * fault-injecting API (test/helpers/faults.ts). Every case checks the same four promises:
 * - the store holds no half-written record: every People record is a complete, exact copy of a
 *   user the API served, none twice, as many as the run says it added (the store is new);
 * - the run log's status and counts are true: read = added + updated + unchanged + skipped +
 *   failed, and `intake runs show` says what `intake run` said;
 * - the message names the cause;
 * - the planted token appears nowhere: stdout and stderr of run, runs show and preview, and every
 *   byte of the store. Another server stands for "another host": it must receive nothing.
 */

interface Case {
  paging: Paging;
  /** the users the API serves, in order */
  users?: FaultUser[];
  /** replaces the API's normal reply to some requests */
  fault?: (req: FaultRequest, page: number, ctx: { api: ReturnType<typeof pagedUsers>; other: string }) => Reply | undefined;
  cap?: number;
  status: 'succeeded' | 'failed';
  /** the users the store must hold at the end (default: all of them when the run succeeded, none when it failed) */
  stored?: (users: FaultUser[]) => FaultUser[];
  counts?: Partial<Record<'added' | 'updated' | 'unchanged' | 'skipped' | 'failed', number>>;
  message?: RegExp;
  hint?: RegExp;
  check?: (outcome: Outcome) => void;
}

interface Outcome {
  result: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  logged: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  run: CliResult;
  shown: CliResult;
  preview: CliResult;
  server: FaultServer;
  other: FaultServer;
  ms: number;
}

const users120 = makeUsers(120);
const cases: Record<string, Case> = {
  '5xx burst, then recovery': { // first: text output
    paging: 'cursor',
    fault: (req, page) => (page === 2 && req.repeat < 2 ? faults.status(503) : undefined),
    status: 'succeeded',
    counts: { added: 120 },
    check: ({ result, logged, shown }) => {
      expect(result.retries).toMatchObject({ count: 2, reasons: [{ reason: 'the API answered HTTP 503 (server error)', retries: 2 }] });
      expect(result.retries.wait_ms).toBeGreaterThanOrEqual(50 + 100);
      expect(logged.retries).toEqual(result.retries);
      expect(shown.stdout).toMatch(/retried 2 request\(s\), waited \d+\.\d s:\n {4}2× the API answered HTTP 503 \(server error\)/);
    },
  },
  '5xx forever': {
    paging: 'cursor',
    fault: (_req, page) => (page === 2 ? faults.status(503) : undefined),
    status: 'failed',
    message: /^page 2: GET http:\/\/127\.0\.0\.1:\d+\/api\/users: the API answered HTTP 503 \(server error\) — gave up after 3 attempts/,
    check: ({ result, server }) => {
      expect(result.retries.count).toBe(2);
      expect(server.requests).toHaveLength(4);
    },
  },
  'connection reset mid-body': {
    paging: 'cursor',
    fault: (req, page, { api }) => (page === 2 && req.repeat === 0 ? faults.resetMidBody(api.body(req)) : undefined),
    status: 'succeeded',
    counts: { added: 120 },
    check: ({ result }) => expect(result.retries.reasons).toEqual([expect.objectContaining({ reason: expect.stringMatching(/the connection to 127\.0\.0\.1:\d+ was cut while the response was arriving \(ECONNRESET\)/), retries: 1 })]),
  },
  'truncated JSON': {
    paging: 'cursor',
    fault: (req, page, { api }) => (page === 2 ? faults.truncated(api.body(req)) : undefined),
    status: 'failed',
    message: /^page 2: .*answered HTTP 200 with JSON that is cut off or malformed \(.*\) — gave up after 3 attempts/,
    hint: /^(?!.*base_url)/,
  },
  'HTML with 200': {
    paging: 'cursor',
    fault: () => faults.html(),
    status: 'failed',
    message: /^page 1: .*answered HTTP 200 with an HTML page, not JSON: <!DOCTYPE html>.*Session Bearer \*\*\* expired/,
    hint: /base_url/,
    check: ({ server }) => expect(server.requests).toHaveLength(1),
  },
  'stalled response': {
    paging: 'cursor',
    fault: (req, page, { api }) => (page === 2 ? faults.stall(api.body(req)) : undefined),
    status: 'failed',
    message: /^page 2: .*127\.0\.0\.1:\d+ stopped sending the response: no data for 0\.5 s \(idle timeout\) — gave up after 3 attempts/,
    hint: /timeouts\.idle_seconds/,
    check: ({ result, ms }) => {
      expect(result.message).not.toMatch(/could not reach/);
      expect(result.duration_ms).toBeLessThan(5000); // 3 attempts of 0.5 s and two short waits (~1.7 s), not 3 × 120 s
      expect(ms).toBeLessThan(20000); // the whole CLI process, started beside the other cases
    },
  },
  'empty middle page with a cursor': {
    paging: 'cursor',
    fault: (req, page) => (page === 2 ? faults.json({ users: [], next_cursor: 'c100' }) : undefined),
    status: 'succeeded',
    stored: (users) => [...users.slice(0, 50), ...users.slice(100)],
    counts: { added: 70 },
    check: ({ result }) => expect(result.pages).toBe(3),
  },
  'repeating cursor': {
    paging: 'cursor',
    fault: (req, page, { api }) => (page === 2 ? faults.json({ ...api.body(req), next_cursor: 'c50' }) : undefined),
    status: 'failed',
    message: /^page 2: the API returned the same next-page value as an earlier page; stopping instead of looping/,
  },
  '429 with a short Retry-After': {
    paging: 'cursor',
    fault: (req, page) => (page === 2 && req.repeat === 0 ? faults.tooMany(1) : undefined),
    status: 'succeeded',
    counts: { added: 120 },
    check: ({ result }) => {
      expect(result.retries).toEqual({ count: 1, wait_ms: 1000, reasons: [{ reason: 'the API answered HTTP 429 (too many requests)', retries: 1, wait_ms: 1000 }] });
      expect(result.duration_ms).toBeGreaterThanOrEqual(1000);
    },
  },
  '429 with a long Retry-After': {
    paging: 'cursor',
    fault: (_req, page) => (page === 2 ? faults.tooMany(3600) : undefined),
    status: 'failed',
    message: /^page 2: .*the API answered HTTP 429 \(too many requests\) — the API asks to wait 3600 s \(Retry-After: 3600\), more than the 2 s allowed/,
    hint: /retry\.max_wait_seconds/,
    check: ({ server, result }) => {
      expect(server.requests).toHaveLength(2);
      expect(result.duration_ms).toBeLessThan(2000);
    },
  },
  'redirect to another host': {
    paging: 'cursor',
    fault: (req, page, { other }) => (page === 2 ? faults.redirect(`${other}/api/users?cursor=c50&access_token=${PLANTED}`) : undefined),
    status: 'failed',
    message: /^page 2: .*the API answered HTTP 302, a redirect to http:\/\/127\.0\.0\.1:\d+\/api\/users \(Intake does not follow redirects, so credentials stay on the connector's host\)$/,
  },
  'next-page URL on another host': {
    paging: 'next_url',
    fault: (req, page, { api, other }) => (page === 1 ? faults.json({ ...api.body(req), next: `${other}/api/users?cursor=c50&limit=50&token=${PLANTED}` }) : undefined),
    status: 'failed',
    message: /^page 2: the API pointed to http:\/\/127\.0\.0\.1:\d+, which is not the connector's host http:\/\/127\.0\.0\.1:\d+; stopping rather than sending requests there$/,
  },
  '401 mid-run': {
    paging: 'cursor',
    fault: (_req, page) => (page === 2 ? faults.status(401) : undefined),
    status: 'failed',
    message: /^page 2: .*the API answered HTTP 401$/,
    hint: /the credential was refused/,
  },
  'capped page size': {
    paging: 'offset',
    users: makeUsers(230),
    cap: 100,
    status: 'succeeded',
    counts: { added: 230 },
    check: ({ result, logged, server }) => {
      expect(server.requests.map((r) => r.url.searchParams.get('offset'))).toEqual(['0', '100', '200']);
      expect(result.warnings).toEqual([expect.stringMatching(/the API served 100 records per page where page_size asks for 150, and more pages followed: it caps the page size, so the read went on — set page_size: 100/)]);
      expect(logged.warnings).toEqual(result.warnings);
    },
  },
  'duplicate ids': {
    paging: 'cursor',
    users: [...users120.slice(0, 60), ...users120.slice(10, 15), ...users120.slice(60)],
    status: 'succeeded',
    stored: () => users120,
    counts: { added: 120, skipped: 5 },
    check: ({ logged }) => {
      expect(logged.records.map((r: { key: string }) => r.key)).toEqual(['U0011', 'U0012', 'U0013', 'U0014', 'U0015']);
      for (const r of logged.records) expect(r).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/^duplicate: another record with fault_user_id = U001\d was already synced in this run$/) });
    },
  },
};

async function runCase(c: Case, previewJson: boolean): Promise<Outcome> {
  const users = c.users ?? users120;
  const api = pagedUsers(users, c.paging, { cap: c.cap });
  const other = await startFaultServer(() => faults.json({ users: [], next_cursor: '' }));
  const server = await startFaultServer((req) => c.fault?.(req, api.page(req), { api, other: other.url }) ?? api.reply(req));
  const dir = faultWorkspace(c.paging);
  const store = tempStore();
  try {
    const base = ['--set', `base_url=${server.url}/api`];
    const started = performance.now();
    const run = await intake(['--db', store.file, 'run', 'mappings/fault-users.yaml', '--json', ...base], { FAULT_TOKEN: PLANTED }, dir);
    const ms = performance.now() - started;
    const result = JSON.parse(run.stdout);
    const shownJson = await intake(['--db', store.file, 'runs', 'show', String(result.run_id), '--json'], {}, dir);
    const shown = previewJson ? shownJson : await intake(['--db', store.file, 'runs', 'show', String(result.run_id)], {}, dir);
    const served = [...server.requests];
    server.reset();
    const preview = await intake(['preview', 'connectors/fault-users.yaml', '--pages', '3', ...(previewJson ? ['--json'] : []), ...base], { FAULT_TOKEN: PLANTED }, dir);
    const outcome: Outcome = { result, logged: JSON.parse(shownJson.stdout), run, shown: { ...shown, stdout: `${shown.stdout}${shownJson.stdout}` }, preview, server: { ...server, requests: served }, other, ms };

    // The planted token appears nowhere, and the other host heard nothing.
    for (const output of [run, shownJson, shown, preview]) expect(`${output.stdout}\n${output.stderr}`).not.toContain(PLANTED);
    expect(store.rawBytes()).not.toContain(PLANTED);
    expect(other.requests).toEqual([]);
    // Every request the API saw carried the token: it was sent, and so could have leaked.
    expect(served.length).toBeGreaterThan(0);
    for (const r of served) expect(r.headers.authorization).toBe(`Bearer ${PLANTED}`);

    // The run log is true, and says what the run said.
    const counts = result.counts as Record<string, number>;
    expect(result.read).toBe(counts.added + counts.updated + counts.unchanged + counts.skipped + counts.failed);
    expect(outcome.logged).toMatchObject({ status: c.status, read: result.read, counts, message: result.message ?? null, hint: result.hint ?? null });
    expect(result.status).toBe(c.status);
    expect(run.code).toBe(c.status === 'failed' ? 3 : 0);
    if (c.counts) expect(counts).toMatchObject(c.counts);
    if (c.status === 'failed') {
      expect(result.message).toMatch(c.message!);
      expect(preview.code).toBe(3);
      expect(previewJson ? JSON.parse(preview.stdout).message : preview.stderr).toContain(result.message.replace(/^page \d+: /, ''));
    } else {
      expect(result.message).toBeUndefined();
      expect(preview.code).toBe(0);
    }
    if (c.hint) expect(result.hint).toMatch(c.hint);

    // The store holds complete records only: exact copies of served users, none twice, as many as were added.
    const people = store.people().map(({ id: _id, ...fields }) => fields);
    const expected = (c.stored ?? ((all) => (c.status === 'succeeded' ? all : [])))(users).map(expectedPerson);
    if (c.status === 'succeeded') expect(people).toEqual(expected);
    else for (const person of people) expect(expected).toContainEqual(person);
    expect(new Set(people.map((p) => p.fault_user_id)).size).toBe(people.length);
    expect(people).toHaveLength(counts.added);
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    c.check?.(outcome);
    return outcome;
  } finally {
    await Promise.all([server.close(), other.close()]);
    store.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('network faults, through the CLI', () => {
  // preview and runs show print text for half of the cases and JSON for the other half: both must stay clean;
  // cases share nothing (each has its servers, store and folder), so they run side by side
  it.concurrent.each(Object.entries(cases).map(([name, c], i) => [name, c, i % 2 === 1] as const))('%s', async (_name, c, previewJson) => {
    await runCase(c, previewJson);
  });
});
