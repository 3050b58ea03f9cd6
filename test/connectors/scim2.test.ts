import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConnector, validateFiles } from '../../src/definition/load.js';
import { resolveSettings } from '../../src/definition/settings.js';
import { readSource } from '../../src/source/read.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { collect, root } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * SCIM 2.0 users (connectors/scim2-users.yaml, mappings/scim2-users.yaml) against a mock SCIM
 * service provider. Every user, list response and error body comes from RFC 7643 / RFC 7644
 * (test/fixtures/scim2/README.md); pages are assembled from them at run time.
 */

const { server, requests } = useServer();

/** Any SCIM 2.0 root works: the mapping's base_url is all that says where the provider is. */
const SCIM = 'https://provider.test/scim/v2';
const TOKEN = 'scim-test-only-bearer-token-7f76-453a';

const connectorFile = join(root, 'connectors', 'scim2-users.yaml');
const mappingFile = join(root, 'mappings', 'scim2-users.yaml');
const connector = loadConnector(connectorFile);

type ScimUser = Record<string, unknown> & { id: string };
const fixture = <T = ScimUser>(name: string): T => JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'scim2', name), 'utf8')) as T;
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * Five users from the RFC's examples: Babs (8.2), Babs with the enterprise extension (8.3), the
 * minimal user (8.1, no e-mail), and Babs with her addresses but no `primary` flag — ids made unique.
 */
function users(): ScimUser[] {
  const full = fixture('rfc7643-8.2-user-full.json');
  const noPrimary = (full.emails as { value: string; type: string }[]).map(({ value, type }) => ({ value: value.replace('@', '+np@'), type }));
  return [
    full,
    { ...fixture('rfc7643-8.3-enterprise-user.json'), id: 'enterprise-1', userName: 'enterprise@example.com' },
    { ...fixture('rfc7643-8.1-user-minimal.json'), id: 'minimal-1', userName: 'minimal' },
    { ...full, id: 'no-primary-1', userName: 'noprimary@example.com', emails: noPrimary },
    { ...full, id: 'inactive-1', userName: 'inactive@example.com', active: false, emails: [{ value: 'Inactive@Example.com', type: 'work', primary: true }] },
  ];
}

/**
 * A provider that pages as RFC 7644 3.4.2.4 says: 1-based startIndex, count as a wish, at most
 * `cap` results per page whatever count asks (itemsPerPage says how many it served).
 */
function provider(all: ScimUser[], cap = 2): void {
  server.use(
    http.get(`${SCIM}/Users`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      const startIndex = Math.max(1, Number(q.get('startIndex') ?? 1));
      const count = Math.min(Number(q.get('count') ?? cap), cap);
      const page = all.slice(startIndex - 1, startIndex - 1 + count);
      const body: Record<string, unknown> = { schemas: [LIST], totalResults: all.length, itemsPerPage: page.length, startIndex };
      if (page.length) body.Resources = page;
      return HttpResponse.json(body, { headers: { 'content-type': 'application/scim+json' } });
    }),
  );
}

const scimError = (name: string, status: number) => HttpResponse.json(fixture(name), { status, headers: { 'content-type': 'application/scim+json' } });

let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (set: Record<string, string> = {}): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, overrides: { base_url: SCIM, ...set }, credentials: { token: TOKEN }, onWait: () => undefined });

function expectNoSecrets(result: RunResult): void {
  expect(JSON.stringify(result)).not.toContain(TOKEN);
  expect(store.rawBytes()).not.toContain(TOKEN);
}

describe('SCIM 2.0 users: reading', () => {
  it('pages by 1-based startIndex/count until totalResults; a provider serving fewer than count loses none', async () => {
    provider(users(), 2);

    const result = await run();

    const params = requests.map((r) => Object.fromEntries(r.url.searchParams));
    expect(params).toEqual([
      { startIndex: '1', count: '100' },
      { startIndex: '3', count: '100' },
      { startIndex: '5', count: '100' },
    ]);
    expect(result).toMatchObject({ pages: 3, read: 5 });
    for (const r of requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers.accept).toBe('application/scim+json');
    }
    expect(result.warnings).toEqual([]);
    expectNoSecrets(result);
  });

  it('maps the RFC users to People: the primary e-mail, the first one when none is primary, name, active, enterprise department', async () => {
    provider(users());

    const result = await run();

    expect(result.counts).toMatchObject({ added: 4, failed: 1 });
    const people = Object.fromEntries(store.people().map((p) => [p.scim_user_id, p]));
    expect(people['2819c223-7f76-453a-919d-413861904646']).toMatchObject({
      username: 'bjensen@example.com',
      email: 'bjensen@example.com',
      full_name: 'Babs Jensen',
      first_name: 'Barbara',
      last_name: 'Jensen',
      title: 'Tour Guide',
      scim_active: true,
      scim_last_modified: '2011-05-13T04:42:34Z',
      source: 'SCIM',
    });
    expect(people['2819c223-7f76-453a-919d-413861904646'].department ?? null).toBeNull();
    expect(people['enterprise-1']).toMatchObject({ email: 'bjensen@example.com', department: 'Tour Operations' });
    expect(people['no-primary-1']).toMatchObject({ email: 'bjensen+np@example.com' });
    expect(people['inactive-1']).toMatchObject({ email: 'inactive@example.com', scim_active: false });
    // The minimal user (RFC 7643 8.1) has no e-mail, which a People record needs: failed, with the reason.
    expect(people['minimal-1']).toBeUndefined();
    expect(store.runs()[0].records).toEqual([expect.objectContaining({ key: 'minimal-1', outcome: 'failed', reason: expect.stringMatching(/email/) })]);
  });

  it('reads the source fields of the RFC examples as declared', async () => {
    provider(users(), 100);
    const source = readSource({ connector, settings: resolveSettings(connector, {}, { base_url: SCIM }), credentials: { token: TOKEN }, secrets: [TOKEN] });

    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    expect(records[1]).toEqual({
      user_id: 'enterprise-1',
      external_id: '701984',
      user_name: 'enterprise@example.com',
      display_name: 'Babs Jensen',
      given_name: 'Barbara',
      family_name: 'Jensen',
      formatted_name: 'Ms. Barbara J Jensen, III',
      email: 'bjensen@example.com',
      work_email: 'bjensen@example.com',
      active: true,
      title: 'Tour Guide',
      user_type: 'Employee',
      employee_number: '701984',
      department: 'Tour Operations',
      manager_name: 'John Smith',
      created: '2010-01-23T04:56:22Z',
      last_modified: '2011-05-13T04:42:34Z',
    });
    expect(records[2]).toMatchObject({ user_id: 'minimal-1', email: null, work_email: null, active: null, given_name: null, created: '2010-01-23T04:56:22Z' });
    expect(records[3]).toMatchObject({ email: 'bjensen+np@example.com', work_email: 'bjensen+np@example.com' });
  });

  it('the RFC 7644 3.4.2 list response (no paging attributes, partial attributes) is one page of two users', async () => {
    server.use(http.get(`${SCIM}/Users`, () => HttpResponse.json(fixture('rfc7644-3.4.2-list-response.json'))));
    const source = readSource({ connector, settings: resolveSettings(connector, {}, { base_url: SCIM }), credentials: { token: TOKEN }, secrets: [TOKEN] });

    const { records } = await collect(source.items);

    expect(records.map((r) => [r.user_id, r.user_name, r.email])).toEqual([
      ['2819c223-7f76-453a-919d-413861904646', 'bjensen', null],
      ['c75ad752-64ae-4823-840d-ffa80929976c', 'jsmith', null],
    ]);
    expect(requests).toHaveLength(1);
  });

  it('no users: totalResults 0 without Resources ends the read with nothing, not an error', async () => {
    server.use(http.get(`${SCIM}/Users`, () => HttpResponse.json({ schemas: [LIST], totalResults: 0 })));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 0, pages: 1 });
  });

  it('the filter setting goes to the provider as the filter parameter', async () => {
    provider(users().slice(0, 1));

    await run({ filter: 'active eq true' });

    expect(requests[0].url.searchParams.get('filter')).toBe('active eq true');
  });

  it('a second run finds every record unchanged', async () => {
    provider(users());
    await run();

    const second = await run();

    expect(second.counts).toMatchObject({ added: 0, updated: 0, unchanged: 4, failed: 1 });
  });
});

describe('SCIM 2.0 users: errors in the RFC 7644 3.12 shape', () => {
  it('404 with the RFC body: fails at once, with its detail and a hint about base_url', async () => {
    server.use(http.get(`${SCIM}/Users`, () => scimError('rfc7644-3.12-error-404.json', 404)));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(requests).toHaveLength(1);
    expect(result.message).toContain('Resource 2819c223-7f76-453a-919d-413861904646 not found');
    expect(result.hint).toMatch(/base_url .*SCIM root/);
    expectNoSecrets(result);
  });

  it('400 with the RFC body: the scimType and the detail are in the message', async () => {
    server.use(http.get(`${SCIM}/Users`, () => scimError('rfc7644-3.12-error-400-mutability.json', 400)));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain("HTTP 400 mutability): Attribute 'id' is readOnly");
  });

  it('400 invalidFilter: the hint says to fix the filter setting', async () => {
    server.use(http.get(`${SCIM}/Users`, () => HttpResponse.json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], scimType: 'invalidFilter', detail: 'Unsupported filter', status: '400' }, { status: 400 })));

    const result = await run({ filter: 'nickName zz "x"' });

    expect(result.status).toBe('failed');
    expect(result.message).toContain('invalidFilter');
    expect(result.hint).toMatch(/filter setting/);
  });

  it('401: fails at once naming SCIM_TOKEN, never the token', async () => {
    server.use(http.get(`${SCIM}/Users`, () => HttpResponse.json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail: 'Authorization failure', status: '401' }, { status: 401 })));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(requests).toHaveLength(1);
    expect(result.message).toContain('Authorization failure');
    expect(result.hint).toMatch(/SCIM_TOKEN/);
    expectNoSecrets(result);
  });
});

describe('SCIM 2.0 users: definition files', () => {
  it('the connector and the mapping validate', () => {
    expect(validateFiles([connectorFile, mappingFile]).map((f) => f.issues)).toEqual([[], []]);
  });
});
