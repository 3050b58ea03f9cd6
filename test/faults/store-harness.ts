/**
 * The harness of the store fault tests (interrupt, concurrent, store, checkpoint): a Slack-shaped
 * users API on 127.0.0.1 whose pages can fail or hang on demand, the built CLI as a child process
 * (to signal or kill it), and the checks every case makes on the store.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, root } from '../helpers/cli.js';


/** The planted credential: it must appear in no output, run log or store byte. */
export const TOKEN = 'xoxp-planted-7373737373-store-fault-token';
export const PAGE = 1000;

export type Fault = 'fail' | 'hold' | undefined;

export interface UsersApi {
  url: string;
  /** the 0-based index of the page each request asked for, per endpoint, in order */
  asked: { path: string; page: number; cursor: boolean }[];
  /** what page `index` of an endpoint does: fail (`invalid_auth`), hang until released, or serve */
  fault: (path: string, index: number) => Fault;
  /** resolves when a request is held */
  held(): Promise<void>;
  /** answers the held requests and serves every later one */
  release(): void;
  close(): Promise<void>;
}

export const userId = (i: number) => `U${String(i).padStart(8, '0')}`;

function member(i: number) {
  return {
    id: userId(i), team_id: 'T0001', name: `user${i}`, deleted: false, is_bot: false, is_app_user: false, is_admin: false,
    is_owner: false, is_primary_owner: false, is_restricted: false, is_ultra_restricted: false, tz: 'Europe/Amsterdam', updated: 1700000000 + i,
    profile: { real_name: `User ${i}`, display_name: `user${i}`, email: `user${i}@example.com`, first_name: 'User', last_name: String(i), title: 'Engineer' },
  };
}

function logins(i: number) {
  return [0, 1].map((k) => ({
    user_id: userId(i), username: `user${i}`, date_first: 1600000000 + i + k, date_last: 1700000000 + i * 10 + k, count: 3,
    ip: `10.0.${k}.1`, user_agent: 'Slack', isp: 'ISP', country: 'NL', region: 'NH',
  }));
}

/**
 * `users` members behind four endpoints, 1000 per page: `users.list` (Slack cursor paging),
 * `users.offset` (offset/limit), `users.page` (page/count) and `team.accessLogs` (two entries per
 * user, cursor paging). Only the planted token is accepted.
 */
export async function usersApi(users: number): Promise<UsersApi> {
  const held: ServerResponse[] = [];
  let onHeld: (() => void)[] = [];
  let released = false;
  const api: UsersApi = {
    url: '',
    asked: [],
    fault: () => undefined,
    held: () => new Promise<void>((resolve) => (held.length ? resolve() : onHeld.push(resolve))),
    release() {
      released = true;
      for (const res of held.splice(0)) res.destroy();
    },
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\//, '');
    const send = (body: object) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send({ ok: false, error: 'invalid_auth' });
    const limit = Number(url.searchParams.get('limit') ?? url.searchParams.get('count') ?? PAGE);
    const cursor = url.searchParams.get('cursor');
    const start = path === 'users.offset' ? Number(url.searchParams.get('offset') ?? 0)
      : path === 'users.page' ? (Number(url.searchParams.get('page') ?? 1) - 1) * limit
        : cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]) : 0;
    const index = Math.floor(start / limit);
    api.asked.push({ path, page: index, cursor: Boolean(cursor) });
    const fault = released ? undefined : api.fault(path, index);
    if (fault === 'hold') {
      held.push(res);
      for (const resolve of onHeld.splice(0)) resolve();
      return;
    }
    if (fault === 'fail') return send({ ok: false, error: 'invalid_auth' });
    if (path === 'team.accessLogs') {
      const all = Array.from({ length: users }, (_, i) => logins(i)).flat();
      const end = start + limit;
      return send({ ok: true, logins: all.slice(start, end), response_metadata: { next_cursor: end < all.length ? Buffer.from(`login:${end}`).toString('base64') : '' } });
    }
    const members = Array.from({ length: Math.max(0, Math.min(limit, users - start)) }, (_, k) => member(start + k));
    const end = start + members.length;
    if (path === 'users.offset') return send({ ok: true, members, total: users });
    if (path === 'users.page') return send({ ok: true, members, paging: { page: index + 1, pages: Math.ceil(users / limit), total: users } });
    send({ ok: true, members, response_metadata: { next_cursor: end < users ? Buffer.from(`user:${end}`).toString('base64') : '' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  api.url = `http://127.0.0.1:${port}/api`;
  api.close = () => new Promise<void>((resolve) => {
    for (const res of held.splice(0)) res.destroy();
    onHeld = [];
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return api;
}

/** A folder for one test: the store `intake.db` and, when asked, a copy of the mappings and connectors. */
export function workspace(): { dir: string; db: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'intake-faults-'));
  chmodSync(dir, 0o755); // a test may run the CLI as an unprivileged user
  return { dir, db: join(dir, 'intake.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A connector and mapping of the users API with another pagination (offset or page_number), in
 * `dir`/connectors and `dir`/mappings; returns the mapping's path.
 */
export function pagedUsersIntegration(dir: string, type: 'offset' | 'page_number'): string {
  mkdirSync(join(dir, 'connectors'), { recursive: true });
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  const id = `users-${type.replace('_', '-')}`;
  const pagination = type === 'offset'
    ? `pagination:\n  type: offset\n  offset: { in: query, name: offset }\n  limit: { in: query, name: limit }\n  page_size: ${PAGE}\n  total: total\n`
    : `pagination:\n  type: page_number\n  send: { in: query, name: page }\n  total_pages: paging.pages\n`;
  writeFileSync(join(dir, 'connectors', `${id}.yaml`), `id: ${id}
name: Users (${type})
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: Token, secret: true, env: SLACK_TOKEN }
settings:
  base_url: { label: API base URL, type: string, default: https://users.invalid/api }
base_url: "{{ settings.base_url }}"
request:
  method: GET
  path: /users.${type === 'offset' ? 'offset' : 'page'}
  query: { ${type === 'offset' ? 'limit' : 'count'}: ${PAGE} }
${pagination}records: members
errors:
  - when: { path: ok, equals: false }
    code: error
    class: configuration
    message: "the users API refused the request: {{ code }}"
fields:
  user_id: { label: User Id, path: id, type: string }
  username: { label: Username, path: name, type: string }
  email: { label: Email, path: profile.email, type: string }
sync_key: user_id
`);
  const mapping = join(dir, 'mappings', `${id}.yaml`);
  writeFileSync(mapping, `name: Users by ${type}
connector: ${id}
installation: local
record_type: people
preference: create_update
sync_key:
  - { source: user_id, target: ext_id }
custom_fields:
  ext_id: { label: External Id, type: string }
fields:
  username: username
  email: email
  role: { value: Employee }
`);
  return mapping;
}

export interface Child {
  process: ChildProcess;
  /** resolves with the exit code (128 + n for a signal n, as a shell reports it), stdout and stderr */
  done: Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts the built CLI as a user would; `as` runs it under another command first (setpriv, prlimit). */
export function start(args: string[], env: Record<string, string> = {}, options: { as?: string[]; cwd?: string } = {}): Child {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run the tests with npm test, which builds first');
  const command = [...(options.as ?? []), process.execPath, cli, ...args];
  const child = spawn(command[0], command.slice(1), { cwd: options.cwd ?? root, env: { PATH: process.env.PATH, TZ: 'UTC', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? 128, signal, stdout, stderr }));
  });
  return { process: child, done };
}

export const run = (args: string[], env: Record<string, string> = {}, options: { as?: string[]; cwd?: string } = {}) => start(args, env, options).done;

/** The env of a run against the users API: the planted token. */
export const tokenEnv = { SLACK_TOKEN: TOKEN };

/** Waits until `check` holds (polling every 20 ms), at most `ms`. */
export async function until(check: () => boolean, ms = 20_000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface StoredRun {
  id: number; integration: string; status: string; read: number; added: number; updated: number; unchanged: number; skipped: number; failed: number;
  message: string | null; hint: string | null; checkpoint: string | null; resumed_from: number | null; saas_counts: string | null;
}

/** Reads the store as another process would (read-only); undefined values when there is no store yet. */
export function readStore(file: string) {
  const open = () => new Database(file, { readonly: true, fileMustExist: true });
  const use = <T>(fn: (db: Database.Database) => T): T => {
    const db = open();
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    runs: (): StoredRun[] => (existsSync(file) ? use((db) => db.prepare('SELECT * FROM runs ORDER BY id').all() as StoredRun[]) : []),
    people: () => use((db) => (db.prepare("SELECT data FROM records WHERE record_type = 'people' ORDER BY id").all() as { data: string }[]).map((r) => JSON.parse(r.data) as Record<string, unknown>)),
    saasUsers: () => use((db) => (db.prepare("SELECT data FROM records WHERE record_type = 'saas_users' ORDER BY id").all() as { data: string }[]).map((r) => JSON.parse(r.data) as Record<string, unknown>)),
    integrity: () => use((db) => db.pragma('integrity_check', { simple: true })),
    personIds: () => use((db) => new Set((db.prepare("SELECT id FROM records WHERE record_type = 'people'").all() as { id: number }[]).map((r) => String(r.id)))),
  };
}

/** Every byte the store keeps in its folder (database, WAL, shared memory), as text. */
export function storeBytes(dir: string): string {
  return readdirSync(dir).filter((n) => n.startsWith('intake.db')).map((n) => readFileSync(join(dir, n)).toString('latin1')).join('\n');
}

/**
 * What every case asserts about a store: it is intact; it holds no half-written record (every
 * People record has all its mapped fields and a distinct key; every SaaS user record links to a
 * person); the run log is true (no run left running; read = the sum of the outcomes; the People
 * records are exactly those the runs added); the planted token is in no byte of it.
 */
export function expectHonestStore(dir: string, opts: { key: string; fields: string[]; saas?: boolean }): void {
  const store = readStore(join(dir, 'intake.db'));
  const problems: string[] = [];
  if (store.integrity() !== 'ok') problems.push(`integrity_check: ${String(store.integrity())}`);
  const people = store.people();
  const keys = new Set(people.map((p) => p[opts.key]));
  if (keys.size !== people.length) problems.push(`${people.length - keys.size} duplicate People records`);
  const partial = people.filter((p) => opts.fields.some((f) => p[f] === undefined || p[f] === null || p[f] === ''));
  if (partial.length) problems.push(`${partial.length} People records without all of ${opts.fields.join(', ')}, e.g. ${JSON.stringify(partial[0])}`);
  const runs = store.runs();
  for (const r of runs) {
    if (r.status === 'running') problems.push(`run #${r.id} is still running`);
    if (r.read !== r.added + r.updated + r.unchanged + r.skipped + r.failed) problems.push(`run #${r.id}: read ${r.read} is not the sum of its outcomes`);
  }
  const added = runs.reduce((sum, r) => sum + r.added, 0);
  if (added !== people.length) problems.push(`the runs added ${added} People records, the store holds ${people.length}`);
  if (opts.saas) {
    const ids = store.personIds();
    const saas = store.saasUsers();
    const orphans = saas.filter((s) => !ids.has(String(s.person_id)) || !s.external_id);
    if (orphans.length) problems.push(`${orphans.length} SaaS user records without their person`);
    const saasAdded = runs.reduce((sum, r) => sum + (r.saas_counts ? (JSON.parse(r.saas_counts) as { added: number }).added : 0), 0);
    if (saasAdded !== saas.length) problems.push(`the runs added ${saasAdded} SaaS user records, the store holds ${saas.length}`);
  }
  if (storeBytes(dir).includes(TOKEN)) problems.push('the planted token is in the store file');
  if (problems.length) throw new Error(`the store is not honest:\n  ${problems.join('\n  ')}`);
}

/** The checks of the Slack users integration (People plus Slack SaaS users). */
export const slackUsers = { key: 'slack_user_id', fields: ['username', 'email', 'role', 'slack_user_id', 'full_name', 'source'], saas: true };
/** The checks of the offset / page_number users integrations. */
export const pagedUsers = { key: 'ext_id', fields: ['username', 'email', 'role', 'ext_id'] };

/** The CLI's arguments for a run of a mapping against the users API. */
export const runArgs = (db: string, mapping: string, api: UsersApi, ...more: string[]) => ['--db', db, 'run', mapping, '--set', `base_url=${api.url}`, ...more];

/** The shipped mappings. */
export const slackUsersMapping = join(root, 'mappings', 'slack-users.yaml');
export const slackLastLoginMapping = join(root, 'mappings', 'slack-last-login.yaml');
