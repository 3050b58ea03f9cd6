import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, HttpResponse, type HttpHandler } from 'msw';

/**
 * A stateful model of Oomnitza's REST API v3 People endpoints, for msw: users by uid, the field
 * metadata, `filter=<field> IN ['a','b']` with `limit`/`skip`, POST and PATCH with the instance's
 * validation (required fields, dropdown values, e-mail form, unknown and read-only fields), the
 * `Authorization2` token. Shapes and assumptions: test/fixtures/oomnitza/README.md. Dates are kept
 * and answered as epoch seconds, as the documented User model's date fields are.
 */
export const OOMNITZA = 'https://acme.oomnitza.test';
/** A made-up API token; it must never appear in a message, the run log, the store or an export. */
export const OOMNITZA_TOKEN = 'oomz-7f3c9a1e5b2d4c68a0f1e2d3c4b5a697';

export interface MetaField {
  label: string;
  data_type: string;
  /** "0": mandatory */
  optional: '0' | '1';
  editable?: '0' | '1';
  searchhelp?: { key: string; value: string; help_text: string }[];
}

/** The People fields of a fresh instance: the documented User fields a People integration uses, and the system ones. */
export function defaultMeta(): Record<string, MetaField> {
  const text = (label: string, optional: '0' | '1' = '1'): MetaField => ({ label, data_type: 'Short Text', optional });
  return {
    uid: { label: 'UID', data_type: 'Short Text', optional: '1', editable: '0' },
    username: text('Username', '0'),
    email: text('Email', '0'),
    role: { label: 'Role', data_type: 'Short Text', optional: '0', searchhelp: ['Employee', 'Contractor', 'Admin'].map((r) => ({ key: r, value: r, help_text: '' })) },
    first_name: text('First Name'),
    last_name: text('Last Name'),
    full_name: text('Full Name'),
    position: text('Position'),
    phone_number: text('Phone Number'),
    creation_date: { label: 'Creation Date', data_type: 'DateTime', optional: '1', editable: '0' },
    change_date: { label: 'Change Date', data_type: 'DateTime', optional: '1', editable: '0' },
  };
}

/** A request the model saw. */
export interface Seen {
  method: string;
  path: string;
  filter?: string;
  limit?: number;
  skip?: number;
  body?: Record<string, unknown>;
  token?: string;
}

/** A planned failure: the `after`-th matching request on answers so, `times` times (a network error, or a status). */
interface Fault {
  method: string;
  path: RegExp;
  after: number;
  times: number;
  reply: 'network' | 'apply-then-network' | { status: number; body?: unknown; headers?: Record<string, string> };
  seen: number;
}

const systemFields = new Set(['uid', 'creation_date', 'change_date']);

export class OomnitzaModel {
  readonly users = new Map<string, Record<string, unknown>>();
  readonly meta: Record<string, MetaField>;
  readonly journal: Seen[] = [];
  token = OOMNITZA_TOKEN;
  /** the most records one page answers (a larger limit is served capped) */
  maxLimit = 100;
  /** POST /api/v3/users/meta creates fields (false: the instance answers 404) */
  fieldsApi = true;
  private faults: Fault[] = [];
  private created = 0;

  constructor(meta: Record<string, MetaField> = defaultMeta()) {
    this.meta = meta;
  }

  /** Plans a failure of matching requests (see `Fault`). */
  fail(method: string, path: RegExp, reply: Fault['reply'], options: { after?: number; times?: number } = {}): void {
    this.faults.push({ method, path, reply, after: options.after ?? 0, times: options.times ?? 1, seen: 0 });
  }

  /** Drops the planned failures that are left. */
  clearFaults(): void {
    this.faults = [];
  }

  /** The People records as the instance holds them, oldest first. */
  people(): Record<string, unknown>[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  /** Adds a People record as if created in Oomnitza itself; returns its uid. */
  seed(fields: Record<string, unknown>): string {
    const uid = this.nextUid();
    this.users.set(uid, { ...this.stored(fields), uid, creation_date: 1700000000, change_date: 1700000000 });
    return uid;
  }

  /** Requests of a method and path (a prefix of the path, without the query). */
  requests(method: string, path: string | RegExp): Seen[] {
    return this.journal.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /**
   * The same instance on a loopback port (node:http), for the CLI in a child process, which msw
   * cannot reach: `url` is its origin, e.g. http://127.0.0.1:41234.
   */
  async serve(): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
        const headers = Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]]));
        void this.answer(new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body })).then(async (response) => {
          res.writeHead(response.status, Object.fromEntries(response.headers));
          res.end(Buffer.from(await response.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  handlers(base = OOMNITZA): HttpHandler[] {
    return [http.all(`${base}/api/v3/*`, async ({ request }) => this.answer(request))];
  }

  private async answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === 'GET' ? undefined : ((await request.json().catch(() => undefined)) as Record<string, unknown> | undefined);
    const token = request.headers.get('authorization2') ?? undefined;
    const seen: Seen = { method: request.method, path: url.pathname, body, token };
    if (url.searchParams.has('filter')) Object.assign(seen, { filter: url.searchParams.get('filter')!, limit: Number(url.searchParams.get('limit')), skip: Number(url.searchParams.get('skip')) });
    this.journal.push(seen);
    const fault = this.faults.find((f) => f.method === request.method && f.path.test(url.pathname) && f.seen++ >= f.after && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.reply === 'network') return HttpResponse.error();
      if (fault.reply === 'apply-then-network') {
        this.route(request.method, url, body);
        return HttpResponse.error();
      }
      return HttpResponse.json(fault.reply.body ?? { error: `HTTP ${fault.reply.status}` }, { status: fault.reply.status, headers: fault.reply.headers });
    }
    if (token !== this.token) return HttpResponse.json({ error: 'Authentication credentials were not provided or are invalid.' }, { status: 401 });
    return this.route(request.method, url, body);
  }

  private route(method: string, url: URL, body: Record<string, unknown> | undefined): Response {
    const path = url.pathname;
    if (path === '/api/v3/users/meta' && method === 'GET') return HttpResponse.json(this.meta);
    if (path === '/api/v3/users/meta' && method === 'POST') return this.createField(body ?? {});
    if (path === '/api/v3/users' && method === 'GET') return this.list(url.searchParams);
    if (path === '/api/v3/users' && method === 'POST') return this.create(body ?? {});
    const one = /^\/api\/v3\/users\/([^/]+)$/.exec(path);
    if (one && method === 'PATCH') return this.update(decodeURIComponent(one[1]), body ?? {});
    return HttpResponse.json({ error: 'Not found' }, { status: 404 });
  }

  private createField(body: Record<string, unknown>): Response {
    if (!this.fieldsApi) return HttpResponse.json({ error: 'Not found' }, { status: 404 });
    const name = String(body.external_id ?? '');
    if (!/^[a-z][a-z0-9_]*$/.test(name)) return HttpResponse.json({ errors: { external_id: 'Enter a valid external id.' } }, { status: 400 });
    if (this.meta[name]) return HttpResponse.json({ error: `A field with external id ${name} already exists.` }, { status: 409 });
    const dataType = { string: 'Short Text', integer: 'Numeric', decimal: 'Decimal', boolean: 'Checkbox', datetime: 'DateTime' }[String(body.data_type)];
    if (!dataType) return HttpResponse.json({ errors: { data_type: `Unknown data type ${String(body.data_type)}.` } }, { status: 400 });
    this.meta[name] = { label: String(body.label ?? name), data_type: dataType, optional: '1' };
    return HttpResponse.json({ [name]: this.meta[name] }, { status: 201 });
  }

  private list(params: URLSearchParams): Response {
    let records = [...this.users.values()];
    const filter = params.get('filter');
    if (filter !== null) {
      const parsed = parseFilter(filter);
      if ('error' in parsed) return HttpResponse.json({ error: parsed.error }, { status: 400 });
      if (!this.meta[parsed.field]) return HttpResponse.json({ error: `Unknown field in filter: ${parsed.field}` }, { status: 400 });
      // text compares without regard to case (an assumption about the instance: see the fixtures' README)
      const wanted = new Set(parsed.values.map((v) => v.toLowerCase()));
      records = records.filter((r) => r[parsed.field] !== undefined && r[parsed.field] !== null && wanted.has(String(r[parsed.field]).toLowerCase()));
    }
    const limit = Math.min(Number(params.get('limit') ?? 100) || 100, this.maxLimit);
    const skip = Number(params.get('skip') ?? 0) || 0;
    return HttpResponse.json(records.slice(skip, skip + limit));
  }

  private create(body: Record<string, unknown>): Response {
    const problems = this.check(body, true);
    if (problems) return HttpResponse.json({ errors: problems }, { status: 400 });
    const uid = this.nextUid();
    const now = Math.floor(Date.now() / 1000);
    const record = { ...this.stored(body), uid, creation_date: now, change_date: now };
    this.users.set(uid, record);
    return HttpResponse.json(record);
  }

  private update(uid: string, body: Record<string, unknown>): Response {
    const record = this.users.get(uid);
    if (!record) return HttpResponse.json({ error: `No user with uid ${uid}.` }, { status: 404 });
    const problems = this.check(body, false);
    if (problems) return HttpResponse.json({ errors: problems }, { status: 400 });
    Object.assign(record, this.stored(body), { change_date: Math.floor(Date.now() / 1000) });
    return HttpResponse.json(record);
  }

  /** What the instance says is wrong with a record's fields, by field; undefined when nothing is. */
  private check(body: Record<string, unknown>, creating: boolean): Record<string, string> | undefined {
    const problems: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      const meta = this.meta[name];
      if (!meta) problems[name] = 'Unknown field.';
      else if (systemFields.has(name) || meta.editable === '0') problems[name] = 'This field is read-only.';
      else if (value === null) continue;
      else if (meta.data_type === 'DateTime' && epochOf(value) === undefined) problems[name] = `"${String(value)}" is not a date (YYYY-MM-DDTHH:mm:SSZ or a Unix timestamp).`;
      else if (meta.data_type === 'Checkbox' && typeof value !== 'boolean') problems[name] = 'Must be true or false.';
      else if (meta.data_type === 'Numeric' && !Number.isInteger(value)) problems[name] = 'Must be a whole number.';
      else if (meta.searchhelp && !meta.searchhelp.some((s) => s.value === value)) problems[name] = `Select a valid choice. ${String(value)} is not one of the available choices.`;
      else if (name === 'email' && !/^[^@\s]+@[^@\s]+$/.test(String(value))) problems[name] = 'Enter a valid email address.';
    }
    if (creating) {
      for (const [name, meta] of Object.entries(this.meta)) {
        if (meta.optional === '0' && (body[name] === undefined || body[name] === null || body[name] === '')) problems[name] ??= 'This field is required.';
      }
    }
    return Object.keys(problems).length ? problems : undefined;
  }

  /** A record's fields as the instance keeps them: dates as epoch seconds. */
  private stored(fields: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, this.meta[name]?.data_type === 'DateTime' && value !== null ? epochOf(value) : value]));
  }

  private nextUid(): string {
    return `E${(++this.created).toString(16).toUpperCase().padStart(31, '0')}`;
  }
}

/** `2015-02-03T00:21:04Z` or epoch seconds, as epoch seconds; undefined for anything else. */
function epochOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) return Date.parse(value) / 1000;
  return undefined;
}

/** Parses `<field> IN ['a','b\'c','d\\e']` strictly: single-quoted values, `\` escaping a quote or a backslash. */
export function parseFilter(filter: string): { field: string; values: string[] } | { error: string } {
  const head = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+IN\s+\[/.exec(filter);
  if (!head) return { error: `Invalid filter: ${filter}` };
  const values: string[] = [];
  let i = head[0].length;
  const space = () => {
    while (filter[i] === ' ') i++;
  };
  space();
  if (filter[i] === ']') return { field: head[1], values };
  for (;;) {
    space();
    if (filter[i] !== "'") return { error: `Invalid filter: expected a quoted value at ${i}` };
    let value = '';
    for (i++; ; i++) {
      if (i >= filter.length) return { error: 'Invalid filter: unterminated value' };
      if (filter[i] === '\\') {
        if (filter[i + 1] !== '\\' && filter[i + 1] !== "'") return { error: `Invalid filter: bad escape at ${i}` };
        value += filter[++i];
      } else if (filter[i] === "'") break;
      else value += filter[i];
    }
    i++;
    values.push(value);
    space();
    if (filter[i] === ',') {
      i++;
      continue;
    }
    if (filter[i] === ']' && filter.slice(i + 1).trim() === '') return { field: head[1], values };
    return { error: `Invalid filter: expected , or ] at ${i}` };
  }
}
