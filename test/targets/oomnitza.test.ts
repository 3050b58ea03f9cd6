import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeValues } from '../../src/credentials/manage.js';
import { scrub } from '../../src/credentials/scrub.js';
import { openStore } from '../../src/store/db.js';
import type { RetryEvent } from '../../src/source/request.js';
import { targets } from '../../src/targets/index.js';
import { oomnitzaTarget } from '../../src/targets/oomnitza/adapter.js';
import { inFilter } from '../../src/targets/oomnitza/filter.js';
import { oomnitzaCredentials } from '../../src/targets/oomnitza/token.js';
import { TargetUnavailable, type Target } from '../../src/targets/target.js';
import { useServer } from '../helpers/msw.js';
import { OOMNITZA, OOMNITZA_TOKEN, OomnitzaModel, parseFilter } from '../helpers/oomnitza.js';
import { targetContract } from './contract.js';

const { server, requests } = useServer();
const fast = { attempts: 3, baseDelayMs: 1, maxWaitMs: 2000, timeouts: { connectMs: 2000, idleMs: 2000, requestMs: 5000 } };

/** A fresh instance (the model) and the target on it; `retries` collects what the target reports. */
function instance(options: { pageLimit?: number; concurrency?: number } = {}): { model: OomnitzaModel; target: Target; retries: RetryEvent[] } {
  const model = new OomnitzaModel();
  server.use(...model.handlers());
  const retries: RetryEvent[] = [];
  const target = oomnitzaTarget({ base: new URL(OOMNITZA), token: OOMNITZA_TOKEN, scrub, policy: fast, onRetry: (e) => retries.push(e), ...options });
  return { model, target, retries };
}

targetContract('oomnitza', async () => instance().target);

const person = (i: number, extra: Record<string, unknown> = {}) => ({ username: `user${i}`, email: `user${i}@example.com`, role: 'Employee', ...extra });

describe('the Oomnitza target: describe', () => {
  it('reads the People fields from the field metadata: types, mandatory fields, dropdown values, custom ones', async () => {
    const { model, target } = instance();
    model.meta.slack_last_login = { label: 'Slack Last Login', data_type: 'DateTime', optional: '1' };
    model.meta.slack_active = { label: 'Slack Active', data_type: 'Checkbox', optional: '1' };
    model.meta.cost_center = { label: 'Cost Center', data_type: 'Numeric', optional: '0' };
    const fields = await target.describe('people');
    expect(fields.find((f) => f.name === 'role')).toEqual({ name: 'role', label: 'Role', type: 'string', required: true, custom: false, values: ['Employee', 'Contractor', 'Admin'] });
    expect(fields.filter((f) => f.custom)).toEqual([
      { name: 'slack_last_login', label: 'Slack Last Login', type: 'datetime', required: false, custom: true },
      { name: 'slack_active', label: 'Slack Active', type: 'boolean', required: false, custom: true },
      { name: 'cost_center', label: 'Cost Center', type: 'integer', required: true, custom: true },
    ]);
    expect(requests.filter((r) => r.url.pathname === '/api/v3/users/meta')).toHaveLength(1);
  });

  it('sends the token as the Authorization2 header, to the instance only', async () => {
    const { target } = instance();
    await target.describe('people');
    await target.findByKey('people', 'email', ['a@example.com']);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.url.origin).toBe(OOMNITZA);
      expect(r.headers.authorization2).toBe(OOMNITZA_TOKEN);
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('a redirect is not followed (the token would go along): the run cannot go on, and says so', async () => {
    const { target } = instance();
    server.use(http.get(`${OOMNITZA}/api/v3/users/meta`, () => new HttpResponse(null, { status: 302, headers: { location: 'https://elsewhere.example.com/login' } })));
    await expect(target.describe('people')).rejects.toThrow(/redirect \(HTTP 302\) to https:\/\/elsewhere.example.com\/login, which Intake does not follow/);
    expect(requests.every((r) => r.url.origin === OOMNITZA)).toBe(true);
  });
});

describe('the Oomnitza target: find by key', () => {
  it('asks with <field> IN [\'…\'] and limit/skip, at most 50 keys a request', async () => {
    const { model, target } = instance();
    model.meta.slack_user_id = { label: 'Slack User Id', data_type: 'Short Text', optional: '1' };
    for (let i = 0; i < 120; i++) model.seed(person(i, { slack_user_id: `U${i}` }));
    const keys = Array.from({ length: 120 }, (_, i) => `U${i}`);
    const found = await target.findByKey('people', 'slack_user_id', keys);
    expect(found.size).toBe(120);
    const lookups = model.requests('GET', '/api/v3/users');
    expect(lookups).toHaveLength(3);
    expect(lookups[0]).toMatchObject({ filter: inFilter('slack_user_id', keys.slice(0, 50)), limit: 100, skip: 0 });
    expect(lookups[0].filter).toMatch(/^slack_user_id IN \['U0','U1',.*'U49'\]$/);
    expect(lookups.map((l) => parseFilter(l.filter!))).toEqual([0, 50, 100].map((from) => ({ field: 'slack_user_id', values: keys.slice(from, from + 50) })));
  });

  it('escapes quotes and backslashes in values', () => {
    expect(inFilter('k', ["O'Brien", 'back\\slash', "\\'"])).toBe("k IN ['O\\'Brien','back\\\\slash','\\\\\\'']");
    expect(parseFilter(inFilter('k', ["O'Brien", 'back\\slash', "\\'"]))).toEqual({ field: 'k', values: ["O'Brien", 'back\\slash', "\\'"] });
  });

  it('reads every page of a lookup that matches more records than a page holds', async () => {
    const { model, target } = instance({ pageLimit: 10 });
    model.meta.team = { label: 'Team', data_type: 'Short Text', optional: '1' };
    for (let i = 0; i < 25; i++) model.seed(person(i, { team: i < 24 ? 'blue' : 'red' }));
    const found = await target.findByKey('people', 'team', ['blue', 'red']);
    expect([...found.keys()].sort()).toEqual(['blue', 'red']);
    expect(model.requests('GET', '/api/v3/users').map((r) => [r.limit, r.skip])).toEqual([[10, 0], [10, 10], [10, 20]]);
  });

  it('a field the instance does not have finds nothing, without asking', async () => {
    const { model, target } = instance();
    expect((await target.findByKey('people', 'slack_user_id', ['U1'])).size).toBe(0);
    expect(model.requests('GET', '/api/v3/users')).toHaveLength(0);
  });

  it('reads datetimes the instance keeps as epoch seconds back as ISO-8601 UTC, and an empty text as empty', async () => {
    const { model, target } = instance();
    model.meta.seen = { label: 'Seen', data_type: 'DateTime', optional: '1' };
    model.seed(person(1, { seen: '2015-02-03T00:21:04Z', position: '' }));
    expect(model.people()[0].seen).toBe(1422922864);
    const found = await target.findByKey('people', 'username', ['user1']);
    expect(found.get('user1')?.fields).toMatchObject({ seen: '2015-02-03T00:21:04Z', position: null });
  });
});

describe('the Oomnitza target: write', () => {
  it('creates with POST and updates with PATCH carrying only the changed fields', async () => {
    const { model, target } = instance();
    const { created } = await target.write('people', { create: [person(1, { full_name: 'User One' })], update: [] });
    const id = (created[0] as { id: string }).id;
    await target.write('people', { create: [], update: [{ id, changes: { full_name: 'User 1' } }] });
    expect(model.requests('POST', '/api/v3/users').map((r) => r.body)).toEqual([person(1, { full_name: 'User One' })]);
    expect(model.requests('PATCH', /^\/api\/v3\/users\//).map((r) => [r.path, r.body])).toEqual([[`/api/v3/users/${id}`, { full_name: 'User 1' }]]);
    expect(model.users.get(id)).toMatchObject({ ...person(1), full_name: 'User 1' });
  });

  it('a record the instance refuses fails in its words; the others of the batch are written', async () => {
    const { model, target } = instance();
    const result = await target.write('people', { create: [person(1), person(2, { email: 'not-an-address' }), person(3, { role: 'Wizard' })], update: [] });
    expect(result.created[0]).toEqual({ id: expect.any(String) });
    expect(result.created[1]).toEqual({ refused: 'Oomnitza refused it (HTTP 400): email: Enter a valid email address.' });
    expect(result.created[2]).toEqual({ refused: 'Oomnitza refused it (HTTP 400): role: Select a valid choice. Wizard is not one of the available choices.' });
    expect(model.people().map((p) => p.username)).toEqual(['user1']);
  });

  it('writes at most `concurrency` records at once', async () => {
    const { model } = instance();
    let inFlight = 0;
    let most = 0;
    server.use(http.post(`${OOMNITZA}/api/v3/users`, async ({ request }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      model.seed((await request.json()) as Record<string, unknown>);
      return HttpResponse.json({ uid: `X${most}${Math.random()}` });
    }));
    const target = oomnitzaTarget({ base: new URL(OOMNITZA), token: OOMNITZA_TOKEN, scrub, policy: fast, concurrency: 3 });
    await target.write('people', { create: Array.from({ length: 20 }, (_, i) => person(i)), update: [] });
    expect(most).toBe(3);
  });

  it('a 401 stops the run, saying to check the token, with what the instance acknowledged before it', async () => {
    const { model, target } = instance({ concurrency: 1 });
    model.fail('POST', /^\/api\/v3\/users$/, { status: 401, body: { detail: 'Invalid token.' } }, { after: 2, times: 99 });
    const error = await target.write('people', { create: [person(1), person(2), person(3), person(4)], update: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailable);
    expect(error).toMatchObject({ code: 'oomnitza_token_refused', message: expect.stringMatching(/Oomnitza refused the API token .*HTTP 401: Invalid token\./), hint: expect.stringMatching(/OOMNITZA_TOKEN/) });
    expect((error as TargetUnavailable).acknowledged?.created).toEqual([{ id: expect.any(String) }, { id: expect.any(String) }, undefined, undefined]);
    expect(model.people()).toHaveLength(2);
  });

  it('a 403 stops the run, saying which permission the token\'s user needs', async () => {
    const { model, target } = instance();
    model.fail('GET', /meta$/, { status: 403, body: { detail: 'You do not have permission to perform this action.' } });
    await expect(target.describe('people')).rejects.toMatchObject({ code: 'oomnitza_forbidden', message: expect.stringMatching(/HTTP 403: You do not have permission/), hint: expect.stringMatching(/permission to read, create and edit People/) });
  });

  it('waits as long as a 429 asks (Retry-After), then sends again, and says so', async () => {
    const { model, target, retries } = instance();
    model.fail('GET', /^\/api\/v3\/users$/, { status: 429, headers: { 'retry-after': '1' } }, { times: 1 });
    const started = Date.now();
    await target.findByKey('people', 'email', ['a@example.com']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(retries).toEqual([{ reason: expect.stringMatching(/GET https:\/\/acme.oomnitza.test\/api\/v3\/users: HTTP 429 \(rate limit\)/), waitMs: 1000, retry: true }]);
  });

  it('server errors on a lookup are retried, and after the last attempt the run stops, saying so', async () => {
    const { model, target } = instance();
    model.fail('GET', /^\/api\/v3\/users$/, { status: 503, body: { error: 'Service Unavailable' } }, { times: 99 });
    await expect(target.findByKey('people', 'email', ['a@example.com'])).rejects.toMatchObject({ code: 'oomnitza_failing', message: expect.stringMatching(/HTTP 503: Service Unavailable — gave up after 3 attempts/) });
    expect(model.requests('GET', '/api/v3/users')).toHaveLength(3);
  });

  it('a POST whose answer was lost after it arrived is looked up by the sync key, not sent again', async () => {
    const { model, target, retries } = instance();
    model.fail('POST', /^\/api\/v3\/users$/, 'apply-then-network');
    const result = await target.write('people', { create: [person(1)], update: [], key: { field: 'username' } });
    expect(model.people()).toHaveLength(1);
    expect(result.created).toEqual([{ id: model.people()[0].uid }]);
    expect(model.journal.map((r) => r.method + ' ' + r.path)).toEqual(['GET /api/v3/users/meta', 'POST /api/v3/users', 'GET /api/v3/users']);
    expect(retries).toEqual([expect.objectContaining({ reason: expect.stringMatching(/found by username, so it was not sent again/), retry: false })]);
  });

  it('a POST that did not arrive (or got a 5xx) is looked up first, then sent again once', async () => {
    for (const reply of ['network', { status: 502 }] as const) {
      const { model, target } = instance();
      model.fail('POST', /^\/api\/v3\/users$/, reply);
      const result = await target.write('people', { create: [person(1)], update: [], key: { field: 'username' } });
      expect(result.created).toEqual([{ id: expect.any(String) }]);
      expect(model.people()).toHaveLength(1);
      expect(model.journal.map((r) => r.method + ' ' + r.path)).toEqual(['GET /api/v3/users/meta', 'POST /api/v3/users', 'GET /api/v3/users', 'POST /api/v3/users']);
    }
  });

  it('without a sync key an unconfirmed create is not sent again: the record fails, saying to check', async () => {
    const { model, target } = instance();
    model.fail('POST', /^\/api\/v3\/users$/, { status: 504 });
    const result = await target.write('people', { create: [person(1)], update: [] });
    expect(result.created).toEqual([{ refused: expect.stringMatching(/did not confirm the create \(HTTP 504.*check Oomnitza for it before the next run/) }]);
    expect(model.requests('POST', '/api/v3/users')).toHaveLength(1);
  });

  it('an update of a record deleted since the lookup fails, naming it', async () => {
    const { target } = instance();
    const result = await target.write('people', { create: [], update: [{ id: 'GONE', changes: { full_name: 'x' } }] });
    expect(result.updated).toEqual([{ refused: 'Oomnitza has no People record with uid GONE any more (HTTP 404): No user with uid GONE.' }]);
  });
});

describe('the Oomnitza target: custom fields', () => {
  it('creates a field the instance lacks through the field metadata', async () => {
    const { model, target } = instance();
    await target.createCustomField('people', 'slack_last_login', { label: 'Slack Last Login', type: 'datetime' });
    expect(model.requests('POST', '/api/v3/users/meta').map((r) => r.body)).toEqual([{ external_id: 'slack_last_login', label: 'Slack Last Login', data_type: 'datetime' }]);
    expect(model.meta.slack_last_login).toMatchObject({ label: 'Slack Last Login', data_type: 'DateTime' });
  });

  it('an instance whose API does not create fields: stops, saying what to create in its data model', async () => {
    const { model, target } = instance();
    model.fieldsApi = false;
    await expect(target.createCustomField('people', 'slack_last_login', { label: 'Slack Last Login', type: 'datetime' })).rejects.toMatchObject({
      message: expect.stringMatching(/did not create the People field "slack_last_login" \(POST \/api\/v3\/users\/meta: HTTP 404/),
      hint: 'create it in Oomnitza\'s data model for People — Slack Last Login, type datetime, external id slack_last_login — then run again',
    });
  });
});

describe('--target oomnitza settings', () => {
  /** A user's own folder: the credentials file and the vault key beside it, and the embedded store (the vault's home). */
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-oomnitza-'));
    return { env: { INTAKE_CREDENTIALS: join(dir, 'credentials.yaml') }, db: join(dir, 'intake.db') };
  };
  const create = (oomnitzaUrl: string | undefined, env: NodeJS.ProcessEnv = { OOMNITZA_TOKEN }, options: { installation?: 'local' | 'cloud'; storePath?: string } = {}) => {
    const db = openStore(':memory:');
    const where = home();
    try {
      return targets.get('oomnitza').create({ type: 'oomnitza' }, { db, dryRun: false, env: { ...where.env, ...env }, oomnitzaUrl, scrub, storePath: options.storePath ?? where.db, installation: options.installation });
    } finally {
      db.close();
    }
  };

  it.each([
    [undefined, /needs the Oomnitza instance's URL, and none was given/, /--oomnitza-url, OOMNITZA_URL, or oomnitza: \{ url: … \} in the config file/],
    ['http://acme.oomnitza.com', /is not https \(the API token would travel in clear text\)/, /https:\/\/acme.oomnitza.com/],
    ['https://acme.oomnitza.com/api/v3', /has a path \(\/api\/v3\)/, /origin only/],
    ['https://me:pw@acme.oomnitza.com', /holds a user or password/, /origin only/],
    ['acme', /is not a URL/, /https:\/\/acme.oomnitza.com/],
  ])('URL %s is refused: nothing is run', (url, message, hint) => {
    expect(() => create(url)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^oomnitza_url_/), message: expect.stringMatching(message), hint: expect.stringMatching(hint) }));
  });

  it('the token comes from OOMNITZA_TOKEN; without it nothing is run, saying where to create one and how to store it', () => {
    expect(() => create(OOMNITZA, {})).toThrow(expect.objectContaining({ code: 'credentials_missing', message: expect.stringMatching(/OOMNITZA_TOKEN is not set and the credentials file holds no oomnitza token/), hint: expect.stringMatching(/API tokens.*intake credentials set oomnitza/) }));
    expect(() => create(OOMNITZA, { OOMNITZA_TOKEN: 'short' })).toThrow(expect.objectContaining({ code: 'credential_too_short' }));
    expect(create('http://localhost:8080').traits.description).toBe('Oomnitza at http://localhost:8080');
  });

  it('a local installation takes the token from the credentials file (as intake credentials set oomnitza writes it) when OOMNITZA_TOKEN is not set', async () => {
    const where = home();
    storeValues(oomnitzaCredentials, { token: OOMNITZA_TOKEN }, false, where);
    const model = new OomnitzaModel();
    server.use(...model.handlers());
    const target = create(OOMNITZA, where.env, { storePath: where.db });
    await target.describe('people');
    expect(requests.at(-1)?.headers.authorization2).toBe(OOMNITZA_TOKEN);
    await target.close();
  });

  it('a cloud installation takes it from the vault only: the environment and the file are not read', () => {
    const where = home();
    const env = { ...where.env, INTAKE_VAULT_KEY: randomBytes(32).toString('base64') };
    storeValues(oomnitzaCredentials, { token: 'file-token-aaaaaaaaaaaaaaaa' }, false, where);
    expect(() => create(OOMNITZA, { ...env, OOMNITZA_TOKEN }, { installation: 'cloud', storePath: where.db })).toThrow(expect.objectContaining({ code: 'credentials_missing', message: expect.stringMatching(/no API token for --target oomnitza in the vault of .*intake\.db/), hint: expect.stringMatching(/intake credentials set oomnitza --cloud/) }));
    storeValues(oomnitzaCredentials, { token: OOMNITZA_TOKEN }, true, { env, db: where.db });
    expect(create(OOMNITZA, env, { installation: 'cloud', storePath: where.db }).traits.description).toBe(`Oomnitza at ${OOMNITZA}`);
  });

  it('the token is masked wherever it would be shown', () => {
    create(OOMNITZA);
    expect(scrub(`header Authorization2: ${OOMNITZA_TOKEN}`)).toBe('header Authorization2: ***');
  });
});
