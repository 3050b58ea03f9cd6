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
 * Microsoft Graph users (connectors/ms-graph-users.yaml, mappings/ms-graph-users.yaml) against a
 * mock Graph and a mock Microsoft identity platform token endpoint. Every body comes from
 * Microsoft's documentation (test/fixtures/graph/README.md); pages are assembled from them.
 */

const { server, requests } = useServer();

/** The mock Graph root given as the base_url setting (a national cloud or a proxy would do the same). */
const GRAPH = 'https://graph.test/v1.0';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
const CLIENT_ID = '535fb089-9ff3-47b6-9bfb-4f1264799865';
/** A made-up client secret: it must reach the token endpoint and nothing else, and never a message or the store. */
const CLIENT_SECRET = 'Zx8Q~test-only.Graph-client-secret_4f1264799865';
const CREDENTIALS = { tenant_id: TENANT, client_id: CLIENT_ID, client_secret: CLIENT_SECRET };

const connectorFile = join(root, 'connectors', 'ms-graph-users.yaml');
const mappingFile = join(root, 'mappings', 'ms-graph-users.yaml');
const connector = loadConnector(connectorFile);
const SELECT = String(connector.settings!.select.default);

const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'graph', name), 'utf8')) as T;

type GraphUser = Record<string, unknown> & { id: string };

/**
 * The documented users with the documented properties the connector also selects (types from
 * resources/user.md): accountEnabled, userType and createdDateTime, which "Example 1" leaves out.
 */
function withSelected(users: GraphUser[], created: string[]): GraphUser[] {
  return users.map((user, i) => ({ ...user, accountEnabled: true, userType: 'Member', createdDateTime: created[i] }));
}

/** Page 1: "Example 1: Get all users"; page 2: "Get users including their last sign-in time". */
const page1Users = () => withSelected(fixture<{ value: GraphUser[] }>('users.list.json').value, ['2019-02-19T06:17:36Z', '2017-08-29T19:11:03Z']);
const page2Users = () => withSelected(fixture<{ value: GraphUser[] }>('users.signInActivity.json').value, ['2020-10-05T09:12:45Z', '2018-11-30T23:59:59Z']);

/** An @odata.nextLink in the documented form: the original query plus $skiptoken (concepts/paging.md). */
const nextLink = (skiptoken: string) => `${GRAPH}/users?$select=${SELECT}&$top=999&$skiptoken=${skiptoken}`;
const SKIPTOKEN = "X%274453707402000100000017%27";

function page(users: GraphUser[], next?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': fixture('users.list.json')['@odata.context'], value: users };
  if (next) body['@odata.nextLink'] = next;
  return body;
}

const graphError = (name: string, status: number, headers: Record<string, string> = {}) => HttpResponse.json(fixture(name), { status, headers });

/** Token endpoint: records each form and issues the documented token with a serial, so refreshes are visible. */
function tokenEndpoint(): { forms: URLSearchParams[]; tokens: string[] } {
  const forms: URLSearchParams[] = [];
  const tokens: string[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      forms.push(new URLSearchParams(await request.text()));
      const token = `${fixture<{ access_token: string }>('token.success.json').access_token}${forms.length}`;
      tokens.push(token);
      return HttpResponse.json({ ...fixture<Record<string, unknown>>('token.success.json'), access_token: token });
    }),
  );
  return { forms, tokens };
}

/** GET /users answers in turn with each of `answers` (the last one repeats). */
function users(...answers: (() => Response)[]): void {
  let n = 0;
  server.use(http.get(`${GRAPH}/users`, () => answers[Math.min(n++, answers.length - 1)]()));
}

const graphRequests = () => requests.filter((r) => r.url.host === 'graph.test');
const tokenRequests = () => requests.filter((r) => r.url.host === 'login.microsoftonline.com');

let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const waits: number[] = [];
const run = (file = mappingFile): Promise<RunResult> => {
  waits.length = 0;
  return runIntegration({ mappingFile: file, db: store.file, overrides: { base_url: GRAPH }, credentials: { ...CREDENTIALS }, onWait: (ms) => waits.push(ms) });
};

/** Nothing secret in what the user sees or what the store keeps. */
function expectNoSecrets(result: RunResult): void {
  expect(JSON.stringify(result)).not.toContain(CLIENT_SECRET);
  expect(store.rawBytes()).not.toContain(CLIENT_SECRET);
}

const hintFor = (status: number, code: string) => {
  const rule = connector.errors!.find((r) => r.when.status === status);
  return rule?.codes?.[code]?.hint ?? rule?.hint;
};

describe('Microsoft Graph users: reading', () => {
  it('reads every page by @odata.nextLink, asks for one token and reuses it on every page', async () => {
    const { forms, tokens } = tokenEndpoint();
    server.use(
      http.get(`${GRAPH}/users`, ({ request }) => {
        const skiptoken = new URL(request.url).searchParams.get('$skiptoken');
        if (skiptoken === null) return HttpResponse.json(page(page1Users(), nextLink(SKIPTOKEN)));
        return HttpResponse.json(page(page2Users()));
      }),
    );

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 2, read: 4 });
    expect(result.counts).toMatchObject({ added: 4, failed: 0, skipped: 0 });
    // The second request is the nextLink exactly as Graph gave it.
    expect(graphRequests().map((r) => r.url.href)).toEqual([expect.any(String), new URL(nextLink(SKIPTOKEN)).href]);
    // One client-credentials token, requested from the tenant's endpoint, reused on both pages.
    expect(forms).toHaveLength(1);
    expect(Object.fromEntries(forms[0])).toEqual({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    for (const r of graphRequests()) expect(r.headers.authorization).toBe(`Bearer ${tokens[0]}`);
    expect(store.people().map((p) => p.azure_user_id)).toEqual([...page1Users(), ...page2Users()].map((u) => u.id));
  });

  it('sends $select and $top as query keys, the client secret only to the token endpoint, the token only to Graph', async () => {
    const { forms, tokens } = tokenEndpoint();
    users(() => HttpResponse.json(page(page1Users())));

    const result = await run();

    expect(result.status).toBe('succeeded');
    const [request] = graphRequests();
    expect(request.url.pathname).toBe('/v1.0/users');
    expect(request.url.searchParams.get('$select')).toBe(SELECT);
    expect(request.url.searchParams.get('$select')).toContain('signInActivity');
    expect(request.url.searchParams.get('$top')).toBe('999');
    expect(request.headers.authorization).toBe(`Bearer ${tokens[0]}`);
    expect(JSON.stringify(graphRequests())).not.toContain(CLIENT_SECRET);

    const [token] = tokenRequests();
    expect(token.url.href).toBe(TOKEN_URL);
    expect(token.headers.authorization).toBeUndefined();
    expect(forms[0].get('client_secret')).toBe(CLIENT_SECRET);
    expectNoSecrets(result);
  });

  it('maps users to People: ids, lower-case UPN and mail, names, and last sign-in in ISO-8601 UTC', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json(page(page2Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    const byId = new Map(store.people().map((p) => [p.azure_user_id, p]));
    const alex = byId.get('f0662ee5-84b1-43d6-8338-769cce1bc141')!;
    expect(alex).toMatchObject({
      username: 'alexw@contoso.com',
      full_name: 'Alex Wilber',
      azure_account_enabled: true,
      azure_last_sign_in: new Date('2021-07-29T15:53:27Z').toISOString().replace('.000Z', 'Z'),
      source: 'Microsoft Entra ID',
    });
    expect(byId.get('1aecaf40-dc3a-461f-88a8-d06994e12898')?.azure_last_sign_in).toBe('2021-06-17T16:41:33Z');
    expect(store.customFields()).toEqual(expect.arrayContaining(['azure_user_id', 'azure_account_enabled', 'azure_last_sign_in']));
  });

  it('reads Graph\'s "never" sentinel 0001-01-01T00:00:00Z, and a missing signInActivity, as no sign-in (null)', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json(page([...page2Users(), ...page1Users()])));
    const source = readSource({
      connector,
      settings: resolveSettings(connector, {}, { base_url: GRAPH }),
      credentials: { ...CREDENTIALS },
      secrets: [CLIENT_SECRET],
    });

    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    const adele = records.find((r) => r.user_id === '1aecaf40-dc3a-461f-88a8-d06994e12898')!;
    expect(adele).toMatchObject({ last_sign_in: '2021-06-17T16:41:33Z', last_non_interactive_sign_in: null, created: '2020-10-05T09:12:45Z' });
    const alex = records.find((r) => r.user_id === 'f0662ee5-84b1-43d6-8338-769cce1bc141')!;
    expect(alex.last_non_interactive_sign_in).toBe('2021-07-29T17:53:42Z');
    const room = records.find((r) => r.display_name === 'Conf Room Adams')!;
    expect(room).toMatchObject({ last_sign_in: null, last_successful_sign_in: null, given_name: null });
  });
});

describe('Microsoft Graph users: tokens and errors', () => {
  it('a 401 from Graph fetches exactly one new token and retries the request with it', async () => {
    const { forms, tokens } = tokenEndpoint();
    users(() => graphError('error.401.InvalidAuthenticationToken.json', 401), () => HttpResponse.json(page(page1Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(forms).toHaveLength(2);
    expect(graphRequests().map((r) => r.headers.authorization)).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
  });

  it('a 401 that a fresh token does not cure fails the run with a plain hint, after one refresh only', async () => {
    const { forms } = tokenEndpoint();
    users(() => graphError('error.401.InvalidAuthenticationToken.json', 401));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(forms).toHaveLength(2);
    expect(graphRequests()).toHaveLength(2);
    expect(result.message).toContain('InvalidAuthenticationToken');
    expect(result.hint).toContain(hintFor(401, 'InvalidAuthenticationToken')!);
    expect(result.hint).toMatch(/AZURE_TENANT_ID/);
    expect(store.people()).toEqual([]);
    expectNoSecrets(result);
  });

  it('403 Authorization_RequestDenied fails the run at once, naming the permissions to grant', async () => {
    tokenEndpoint();
    users(() => graphError('error.403.Authorization_RequestDenied.json', 403));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(graphRequests()).toHaveLength(1);
    expect(result.message).toContain('Authorization_RequestDenied');
    expect(result.hint).toContain(hintFor(403, 'Authorization_RequestDenied')!);
    expect(result.hint).toMatch(/User\.Read\.All/);
    expect(result.hint).toMatch(/admin consent/);
    expect(result.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(store.people()).toEqual([]);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message, hint: result.hint });
    expectNoSecrets(result);
  });

  it('429 TooManyRequests waits the Retry-After Graph asks for (2.128 s), then goes on', async () => {
    const { forms } = tokenEndpoint();
    users(() => graphError('error.429.TooManyRequests.json', 429, { 'Retry-After': '2.128' }), () => HttpResponse.json(page(page1Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(waits).toEqual([2128]);
    expect(graphRequests()).toHaveLength(2);
    expect(forms).toHaveLength(1);
  });

  it.each([503, 504])('HTTP %i is transient: retried with backoff, then the run succeeds', async (status) => {
    tokenEndpoint();
    // The documented error envelope (concepts/errors.md) with the documented code serviceNotAvailable.
    const unavailable = { error: { ...fixture<{ error: Record<string, unknown> }>('error.429.TooManyRequests.json').error, code: 'serviceNotAvailable', message: 'The service is not available.' } };
    users(() => HttpResponse.json(unavailable, { status }), () => HttpResponse.json(page(page1Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(waits).toHaveLength(1);
    expect(graphRequests()).toHaveLength(2);
  });

  it('a token endpoint that refuses the client fails the run before Graph is called, without the secret', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json(fixture('token.error.invalid_scope.json'), { status: 400 })));
    users(() => HttpResponse.json(page(page1Users())));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain('login.microsoftonline.com');
    expect(result.message).toContain('invalid_scope');
    expect(result.hint).toBeTruthy();
    expect(graphRequests()).toEqual([]);
    expectNoSecrets(result);
  });
});

/**
 * Adele Vance of adatum.com as a B2B collaboration user of contoso.com: id, displayName and mail
 * from "Example 8" of user-list.md, her userPrincipalName in contoso ("AdeleV_adatum.com#EXT#@contoso.com")
 * from the same example's text. Her mail differs from her UPN, which shows which one `email` takes.
 * userType Member: an external member (b2bCollaborationMember), so the guest filter keeps her.
 */
function externalMember(): GraphUser {
  const { value } = fixture<{ value: GraphUser[] }>('users.b2b.json');
  return { ...value[0], userPrincipalName: 'AdeleV_adatum.com#EXT#@contoso.com', accountEnabled: true, userType: 'Member', createdDateTime: '2021-02-01T08:00:00Z' };
}

describe('Microsoft Graph users: People values computed by the mapping', () => {
  const byId = () => new Map(store.people().map((p) => [p.azure_user_id as string, p]));
  const ADAMS = '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0';
  const MOD_ADMIN = '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e';
  const ADELE = '1aecaf40-dc3a-461f-88a8-d06994e12898';
  const ALEX = 'f0662ee5-84b1-43d6-8338-769cce1bc141';
  const ADELE_ADATUM = '39807bd1-3dde-48f3-8165-81ddd4e46de0';

  it('email is mail (lower-cased) when Graph gives one, else userPrincipalName (lower-cased)', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json(page([...page1Users(), ...page2Users(), externalMember()])));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 5 });
    expect(result.counts).toMatchObject({ added: 5, failed: 0 });
    const people = byId();
    // mail set and different from the UPN: mail wins, lower-cased; username stays the UPN.
    expect(externalMember()).toMatchObject({ mail: 'AdeleV@adatum.com', userPrincipalName: 'AdeleV_adatum.com#EXT#@contoso.com' });
    expect(people.get(ADELE_ADATUM)).toMatchObject({ email: 'adelev@adatum.com', username: 'adelev_adatum.com#ext#@contoso.com' });
    // mail set (Conf Room Adams): lower-cased.
    expect(people.get(ADAMS)?.email).toBe('adams@contoso.com');
    // mail documented as null (MOD Administrator): the UPN.
    expect(page1Users().find((u) => u.id === MOD_ADMIN)).toMatchObject({ mail: null, userPrincipalName: 'admin@contoso.com' });
    expect(people.get(MOD_ADMIN)?.email).toBe('admin@contoso.com');
    // no mail in the answer at all (Example 11 selects no mail), mixed-case UPN: the UPN, lower-cased.
    expect(page2Users().map((u) => [u.mail, u.userPrincipalName])).toEqual([[undefined, 'AdeleV@contoso.com'], [undefined, 'AlexW@contoso.com']]);
    expect(people.get(ADELE)?.email).toBe('adelev@contoso.com');
    expect(people.get(ALEX)?.email).toBe('alexw@contoso.com');
  });

  it('status is Active or Disabled from accountEnabled, and Azure Account Enabled is the same boolean', async () => {
    tokenEndpoint();
    const disabled = page1Users().map((u) => (u.id === MOD_ADMIN ? { ...u, accountEnabled: false } : u));
    users(() => HttpResponse.json(page(disabled)));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    const people = byId();
    expect(people.get(ADAMS)).toMatchObject({ status: 'Active', azure_account_enabled: true, role: 'Employee' });
    expect(people.get(MOD_ADMIN)).toMatchObject({ status: 'Disabled', azure_account_enabled: false, role: 'Employee' });
  });

  it('an account disabled in Entra ID after the first run: the next run updates that person to Disabled, the other is unchanged', async () => {
    tokenEndpoint();
    let enabled = true;
    server.use(
      http.get(`${GRAPH}/users`, () => HttpResponse.json(page(page2Users().map((u) => (u.id === ALEX ? { ...u, accountEnabled: enabled } : u))))),
    );
    expect((await run()).counts.added).toBe(2);
    expect(byId().get(ALEX)).toMatchObject({ status: 'Active', azure_account_enabled: true });
    enabled = false;

    const second = await run();

    expect(second.counts).toEqual({ added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(byId().get(ALEX)).toMatchObject({ status: 'Disabled', azure_account_enabled: false, email: 'alexw@contoso.com' });
    expect(byId().get(ADELE)).toMatchObject({ status: 'Active', azure_account_enabled: true });
  });
});

describe('Microsoft Graph users: definition files', () => {
  it('the connector and the mapping validate', () => {
    expect(validateFiles([connectorFile, mappingFile]).map((f) => f.issues)).toEqual([[], []]);
  });
});
