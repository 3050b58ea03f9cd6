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
 * Google Workspace users (connectors/google-workspace-users.yaml, mappings/google-workspace-users.yaml)
 * against a mock Directory API and a mock Google OAuth token endpoint. Every body comes from Google's
 * documentation (test/fixtures/google/README.md); later pages are assembled from the documented page.
 */

const { server, requests } = useServer();

/** The mock Directory API root given as the base_url setting (a Private Service Connect endpoint would do the same). */
const DIRECTORY = 'https://admin.google.test/admin/directory/v1';
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const CLIENT_ID = '1234567890-abcdefghijklmnop.apps.googleusercontent.com';
/** Made-up secrets: they must reach the token endpoint and nothing else, and never a message or the store. */
const CLIENT_SECRET = 'GOCSPX-test-only-google-client-secret';
const REFRESH_TOKEN = '1//0test-only-google-refresh-token-xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C';
const CREDENTIALS = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN };

const connectorFile = join(root, 'connectors', 'google-workspace-users.yaml');
const mappingFile = join(root, 'mappings', 'google-workspace-users.yaml');
const connector = loadConnector(connectorFile);

const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'google', name), 'utf8')) as T;

type DirectoryUser = Record<string, unknown> & { id: string; primaryEmail: string };

/** What Google writes as lastLoginTime for a user who never logged in (see the README). */
const NEVER = '1970-01-01T00:00:00.000Z';

/** The documented page ("Retrieve all users in a domain"): Liz Smith and admin two, nextPageToken "next page token". */
const documentedPage = () => fixture<{ kind: string; users: DirectoryUser[]; nextPageToken: string }>('users.list.domain.json');

/** Page 2: the documented users with other ids and addresses; the second one never logged in. */
function page2Users(): DirectoryUser[] {
  return documentedPage().users.map((user, i) => ({
    ...user,
    id: `${user.id} (page 2)`,
    primaryEmail: `p2.${user.primaryEmail}`,
    suspended: false,
    ...(i === 1 ? { lastLoginTime: NEVER } : {}),
  }));
}

function page(users: DirectoryUser[], nextPageToken?: string): Record<string, unknown> {
  const { kind } = documentedPage();
  return nextPageToken ? { kind, users, nextPageToken } : { kind, users };
}

/** Token endpoint: records each form and issues the documented token with a serial, so refreshes are visible. */
function tokenEndpoint(): { forms: URLSearchParams[]; tokens: string[] } {
  const forms: URLSearchParams[] = [];
  const tokens: string[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      forms.push(new URLSearchParams(await request.text()));
      const token = `${fixture<{ access_token: string }>('token.refresh.json').access_token}.${forms.length}`;
      tokens.push(token);
      return HttpResponse.json({ ...fixture<Record<string, unknown>>('token.refresh.json'), access_token: token });
    }),
  );
  return { forms, tokens };
}

/** GET /users answers in turn with each of `answers` (the last one repeats). */
function users(...answers: (() => Response)[]): void {
  let n = 0;
  server.use(http.get(`${DIRECTORY}/users`, () => answers[Math.min(n++, answers.length - 1)]()));
}

const googleError = (name: string, status: number) => HttpResponse.json(fixture(name), { status });
const apiRequests = () => requests.filter((r) => r.url.host === 'admin.google.test');
const tokenRequests = () => requests.filter((r) => r.url.host === 'oauth2.googleapis.com');

let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const waits: number[] = [];
const run = (file = mappingFile): Promise<RunResult> => {
  waits.length = 0;
  return runIntegration({ mappingFile: file, db: store.file, overrides: { base_url: DIRECTORY }, credentials: { ...CREDENTIALS }, onWait: (ms) => waits.push(ms) });
};

function expectNoSecrets(result: RunResult): void {
  for (const secret of [CLIENT_SECRET, REFRESH_TOKEN]) {
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(store.rawBytes()).not.toContain(secret);
  }
}

describe('Google Workspace users: reading', () => {
  it('reads every page by nextPageToken, refreshes the access token once and reuses it on every page', async () => {
    const { forms, tokens } = tokenEndpoint();
    const first = documentedPage();
    server.use(
      http.get(`${DIRECTORY}/users`, ({ request }) => {
        const pageToken = new URL(request.url).searchParams.get('pageToken');
        if (pageToken === null) return HttpResponse.json(first);
        if (pageToken === first.nextPageToken) return HttpResponse.json(page(page2Users()));
        return HttpResponse.json({ error: { code: 400, message: `unexpected pageToken ${pageToken}` } }, { status: 400 });
      }),
    );

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 2, read: 4 });
    expect(result.counts).toMatchObject({ added: 4, failed: 0, skipped: 0 });
    const [one, two] = apiRequests();
    expect(Object.fromEntries(one.url.searchParams)).toEqual({ customer: 'my_customer', maxResults: '500', projection: 'basic' });
    expect(Object.fromEntries(two.url.searchParams)).toEqual({ customer: 'my_customer', maxResults: '500', projection: 'basic', pageToken: 'next page token' });
    // One refresh-token grant, reused on both pages; the secrets go to the token endpoint only.
    expect(forms).toHaveLength(1);
    expect(Object.fromEntries(forms[0])).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expect(tokenRequests().map((r) => r.url.href)).toEqual([TOKEN_URL]);
    for (const r of apiRequests()) {
      expect(r.headers.authorization).toBe(`Bearer ${tokens[0]}`);
      expect(JSON.stringify(r)).not.toContain(CLIENT_SECRET);
      expect(JSON.stringify(r)).not.toContain(REFRESH_TOKEN);
    }
    expect(store.people().map((p) => p.google_user_id)).toEqual([...first.users, ...page2Users()].map((u) => u.id));
    expectNoSecrets(result);
  });

  it('maps users to People, last login in ISO-8601 UTC, and the never-logged-in sentinel as no value', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json(page(page2Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    const [liz, admin2] = store.people();
    expect(liz).toMatchObject({
      google_user_id: 'the unique user id (page 2)',
      username: 'p2.liz@example.com',
      email: 'p2.liz@example.com',
      full_name: 'Liz Smith',
      first_name: 'Liz',
      last_name: 'Smith',
      google_last_login: new Date('2013-02-05T10:30:03.325Z').toISOString(),
      google_suspended: false,
      google_org_unit: 'corp/engineering',
      source: 'Google Workspace',
    });
    expect(admin2.google_user_id).toBe('user unique ID (page 2)');
    expect(admin2.google_last_login ?? null).toBeNull();
    expect(JSON.stringify(admin2)).not.toContain('1970');
    expect(store.customFields()).toEqual(expect.arrayContaining(['google_user_id', 'google_last_login']));
  });

  it('declares the sentinel as a null value: the source record has last_login_time null, other datetimes kept', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json(page(page2Users())));
    const source = readSource({ connector, settings: resolveSettings(connector, {}, { base_url: DIRECTORY }), credentials: { ...CREDENTIALS }, secrets: [CLIENT_SECRET, REFRESH_TOKEN] });

    const { records, failed } = await collect(source.items);

    expect(failed).toEqual([]);
    expect(records[0]).toMatchObject({ last_login_time: '2013-02-05T10:30:03.325Z', creation_time: '2010-04-05T17:30:04.325Z', is_admin: true });
    expect(records[1]).toMatchObject({ last_login_time: null, creation_time: '2010-04-05T17:30:04.325Z', is_delegated_admin: true });
  });
});

describe('Google Workspace users: tokens and errors', () => {
  it('a 401 from the Directory API refreshes the access token exactly once and retries with the new one', async () => {
    const { forms, tokens } = tokenEndpoint();
    users(() => googleError('error.401.authError.json', 401), () => HttpResponse.json(page(page2Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(forms).toHaveLength(2);
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
  });

  it('a 401 that a refreshed token does not cure fails the run with a plain hint', async () => {
    const { forms } = tokenEndpoint();
    users(() => googleError('error.401.authError.json', 401));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(forms).toHaveLength(2);
    expect(apiRequests()).toHaveLength(2);
    expect(result.hint).toMatch(/GOOGLE_REFRESH_TOKEN/);
    expect(store.people()).toEqual([]);
    expectNoSecrets(result);
  });

  it.each([
    ['error.403.forbidden.json', 'forbidden'],
    ['error.403.permission_denied.json', 'PERMISSION_DENIED'],
  ])('403 (%s) fails the run at once with a plain hint about admin rights', async (name, code) => {
    tokenEndpoint();
    users(() => googleError(name, 403));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(apiRequests()).toHaveLength(1);
    expect(result.message).toContain(code);
    expect(result.hint).toMatch(/administrator/);
    expect(result.hint).toMatch(/admin\.directory\.user\.readonly|Users → Read/);
    expect(result.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message, hint: result.hint });
    expectNoSecrets(result);
  });

  it('403 userRateLimitExceeded is a rate limit: backed off and retried, then the run succeeds', async () => {
    tokenEndpoint();
    users(() => googleError('error.403.userRateLimitExceeded.json', 403), () => HttpResponse.json(page(page2Users())));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(waits).toHaveLength(1);
    expect(apiRequests()).toHaveLength(2);
  });

  it('a revoked refresh token (invalid_grant) fails the run before the API is called, saying to authorise again', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, { status: 400 })));
    users(() => HttpResponse.json(page(page2Users())));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain('invalid_grant');
    expect(result.hint).toMatch(/authorise the app again/);
    expect(apiRequests()).toEqual([]);
    expectNoSecrets(result);
  });
});

describe('Google Workspace users: definition files', () => {
  it('the connector and the mapping validate', () => {
    expect(validateFiles([connectorFile, mappingFile]).map((f) => f.issues)).toEqual([[], []]);
  });
});
