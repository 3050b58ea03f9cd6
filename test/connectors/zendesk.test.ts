import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateFiles } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * Zendesk users → People with no code: a connector YAML for Zendesk Support "List Users"
 * (test/fixtures/connectors/zendesk-users.yaml) and a mapping YAML that computes
 * `zendesk_active: { expr: active && !suspended }` (test/fixtures/mappings/zendesk-users.yaml),
 * run against a mock Zendesk that serves the users of Zendesk's own documentation
 * (test/fixtures/zendesk/README.md says where each comes from and what the test varies).
 */

const root = join(import.meta.dirname, '..', '..');
const connectorFile = join(root, 'test', 'fixtures', 'connectors', 'zendesk-users.yaml');
const mappingFile = join(root, 'test', 'fixtures', 'mappings', 'zendesk-users.yaml');

/** The mock Zendesk account; every run sets base_url to it. */
const BASE = 'https://acme.zendesk.test';
const USERS = `${BASE}/api/v2/users`;
/** A made-up OAuth access token; it must never appear in the result or the store. */
const TOKEN = 'zd-oauth-test-token-4f1c9b7e2a0d-not-a-real-token';

const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'zendesk', name), 'utf8')) as T;

type ZendeskUser = Record<string, unknown> & { id: number; name: string };

/** Johnny Agent: the documented User object (as an agent or admin sees it): active, but suspended. */
const johnny = () => fixture<ZendeskUser>('user.json');
/**
 * Roger Wilco as Create User documents him (id, name, email, role agent), with the two flags a
 * newly created agent has: active (not deleted) and not suspended.
 */
const roger = () => ({ ...fixture<{ user: ZendeskUser }>('user.create.json').user, active: true, suspended: false });
/** Roger after Delete User: the documented response's values (active false, name Roger Wilco II) over his record. */
const rogerDeleted = () => ({ ...roger(), ...fixture<{ user: ZendeskUser }>('user.delete.json').user });

/** The documented cursor of the first page; the last page's cursor is the test's own (see has_more). */
const CURSOR = fixture<{ meta: { after_cursor: string } }>('pagination.cursor.json').meta.after_cursor;
const LAST_CURSOR = 'zzz';

/**
 * A List Users page in Zendesk's shape: the documented `users` envelope, and the documented
 * cursor-pagination `meta` and `links` pointed at the mock account. The last page keeps a
 * non-empty after_cursor, so only `has_more: false` can end the read.
 */
function page(users: ZendeskUser[], after?: string): Record<string, unknown> {
  const documented = fixture<{ meta: Record<string, unknown>; links: Record<string, string> }>('pagination.cursor.json');
  const cursor = after ?? LAST_CURSOR;
  return {
    ...fixture('users.list.json'),
    users,
    meta: { ...documented.meta, has_more: after !== undefined, after_cursor: cursor },
    links: {
      next: `${USERS}?page[size]=100&page[after]=${cursor}`,
      prev: documented.links.prev.replace('https://example.zendesk.com/api/v2/tickets.json', USERS),
    },
  };
}

/** GET /api/v2/users: the first page without page[after], then the page each cursor names; an unknown cursor is a 418. */
function serve(pages: Record<string, unknown>[], cursors: string[]): void {
  server.use(
    http.get(USERS, ({ request }) => {
      const index = [null, ...cursors].indexOf(new URL(request.url).searchParams.get('page[after]'));
      return index < 0 ? new HttpResponse(null, { status: 418 }) : HttpResponse.json(pages[index]);
    }),
  );
}

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (): Promise<RunResult> => runIntegration({ mappingFile, db: store.file, credentials: { token: TOKEN }, overrides: { base_url: BASE } });

const person = (id: number) => store.people().find((p) => p.zendesk_user_id === String(id));

describe('Zendesk users connector and mapping (YAML only)', () => {
  it('validate: the connector and the mapping pass', () => {
    expect(validateFiles([connectorFile, mappingFile]).map((f) => f.issues)).toEqual([[], []]);
  });

  it('reads List Users by cursor (page[size], then page[after] = meta.after_cursor) until has_more is false, with the OAuth token as Bearer', async () => {
    serve([page([johnny()], CURSOR), page([roger()])], [CURSOR]);

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2, pages: 2, requests: 2 });
    expect(result.counts).toEqual({ added: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    const query = requests.map((r) => Object.fromEntries(r.url.searchParams));
    expect(query).toEqual([{ 'page[size]': '100' }, { 'page[size]': '100', 'page[after]': CURSOR }]);
    for (const r of requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(store.rawBytes()).not.toContain(TOKEN);
  });

  it('writes People values computed by the mapping: active && !suspended is false for a suspended user and true for an active one', async () => {
    serve([page([johnny()], CURSOR), page([roger()])], [CURSOR]);

    const result = await run();

    expect(result.status).toBe('succeeded');
    // Johnny Agent as documented: active true, suspended true.
    expect(johnny()).toMatchObject({ active: true, suspended: true });
    expect(person(35436)).toMatchObject({
      username: 'johnny@example.com', email: 'johnny@example.com', full_name: 'Johnny Agent', role: 'Employee',
      zendesk_active: false, zendesk_last_login: '2011-05-05T10:38:52Z', source: 'Zendesk',
    });
    // Roger Wilco: active, not suspended.
    expect(person(9873843)).toMatchObject({
      username: 'roge@example.org', email: 'roge@example.org', full_name: 'Roger Wilco', role: 'Employee',
      zendesk_active: true, source: 'Zendesk',
    });
    expect(person(9873843)!.zendesk_last_login ?? null).toBeNull();
    expect(store.customFields()).toEqual(['zendesk_active', 'zendesk_last_login', 'zendesk_user_id']);
  });

  it('a user deleted in Zendesk (active: false, not suspended) turns Zendesk Active false on the next run; the other record is unchanged', async () => {
    serve([page([johnny()], CURSOR), page([roger()])], [CURSOR]);
    expect((await run()).counts.added).toBe(2);
    expect(person(9873843)?.zendesk_active).toBe(true);
    server.resetHandlers();
    serve([page([johnny(), rogerDeleted()])], []);

    const result = await run();

    expect(rogerDeleted()).toMatchObject({ active: false, suspended: false });
    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(result.counts).toEqual({ added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(person(9873843)).toMatchObject({ full_name: 'Roger Wilco II', email: 'roge@example.org', zendesk_active: false });
    expect(person(35436)?.zendesk_active).toBe(false);
    expect(store.people()).toHaveLength(2);
  });
});
