import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { CredentialError, SourceError } from '../../src/errors.js';
import { basicCredentials, optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

const apiRequests = (host: string) => requests.filter((r) => r.url.host === host);

/** A form body (token endpoints, RFC 6749 §4.4.2) as an object. */
async function formOf(request: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await request.text()));
}

describe('api_key', () => {
  // Okta: `Authorization: SSWS <api token>`; users in pages linked by `Link: <…>; rel="next"`.
  const OKTA = 'https://acme.okta.test';
  const TOKEN = '00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcd';
  const okta = () => connectors.load(`
    id: okta-users
    name: Okta users
    record_type: users
    credentials:
      type: api_key
      in: header
      name: Authorization
      scheme: SSWS
      fields:
        token: { label: API token, secret: true, env: OKTA_API_TOKEN }
    settings:
      base_url: { label: Okta org URL, type: string, default: "${OKTA}/api/v1" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users, query: { limit: 200 } }
    pagination: { type: next_url, from: link_header }
    records: "."
    fields:
      user_id: { label: User Id, path: id, type: string }
      login:   { label: Login, path: profile.login, type: string }
    sync_key: user_id
  `);

  it('sends the key in the Authorization header after its scheme (SSWS) on every page', async () => {
    server.use(
      http.get(`${OKTA}/api/v1/users`, ({ request }) => {
        const after = new URL(request.url).searchParams.get('after');
        if (after === null) {
          return HttpResponse.json([{ id: '00u1', profile: { login: 'ada@acme.test' } }], { headers: { link: `<${OKTA}/api/v1/users?limit=200&after=00u1>; rel="next"` } });
        }
        return HttpResponse.json([{ id: '00u2', profile: { login: 'alan@acme.test' } }]);
      }),
    );
    const { records, error } = await read(optionsFor(okta(), { token: TOKEN }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: '00u1', login: 'ada@acme.test' }, { user_id: '00u2', login: 'alan@acme.test' }]);
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(r.headers.authorization).toBe(`SSWS ${TOKEN}`);
  });

  // A generic key-in-the-query API: `GET /v1/users?api_key=<key>&page=N`.
  const API = 'https://api.acme-hr.test';
  const KEY = 'ak_live_5f1e2d3c4b5a69788796a5b4c3d2e1f0';
  const queryKey = () => connectors.load(`
    id: acme-hr-users
    name: Acme HR users
    record_type: users
    credentials:
      type: api_key
      in: query
      name: api_key
      fields:
        key: { label: API key, secret: true, env: ACME_HR_KEY }
    settings:
      base_url: { label: API base URL, type: string, default: "${API}/v1" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users }
    pagination: { type: page_number, send: { in: query, name: page } }
    records: employees
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);

  it('sends the key as the api_key query parameter on every page, and no Authorization header', async () => {
    server.use(
      http.get(`${API}/v1/users`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ employees: page <= 2 ? [{ id: `e${page}` }] : [] });
      }),
    );
    const { records, error } = await read(optionsFor(queryKey(), { key: KEY }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(['e1', 'e2']);
    expect(requests.map((r) => r.url.searchParams.get('page'))).toEqual(['1', '2', '3']);
    for (const r of requests) {
      expect(r.url.searchParams.get('api_key')).toBe(KEY);
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('keeps the key out of the message when the API refuses the request', async () => {
    server.use(http.get(`${API}/v1/users`, () => HttpResponse.json({ error: 'forbidden' }, { status: 403 })));
    const error = await readError(optionsFor(queryKey(), { key: KEY }));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/403/);
    expect(`${error.message} ${error.hint}`).not.toContain(KEY);
  });
});

describe('basic', () => {
  // Jira Cloud: basic auth with the account e-mail and an API token; /users/search returns a bare array.
  const JIRA = 'https://acme.atlassian.test';
  it('sends user:secret (Jira Cloud e-mail and API token) as HTTP basic', async () => {
    const connector = connectors.load(`
      id: jira-users
      name: Jira users
      record_type: users
      credentials:
        type: basic
        username_field: email
        password_field: api_token
        fields:
          email:     { label: Atlassian account e-mail, secret: false, env: JIRA_EMAIL }
          api_token: { label: API token, secret: true, env: JIRA_API_TOKEN }
      settings:
        base_url: { label: Site URL, type: string, default: "${JIRA}" }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /rest/api/3/users/search }
      pagination: { type: none }
      records: "."
      fields:
        account_id: { label: Account Id, path: accountId, type: string }
      sync_key: account_id
    `);
    server.use(http.get(`${JIRA}/rest/api/3/users/search`, () => HttpResponse.json([{ accountId: '5b10a2844c20165700ede21g', accountType: 'atlassian', active: true }])));
    const { records, error } = await read(optionsFor(connector, { email: 'admin@acme.test', api_token: 'ATATT3xFfGF0-token-value' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ account_id: '5b10a2844c20165700ede21g' }]);
    expect(basicCredentials(requests[0].headers.authorization)).toBe('admin@acme.test:ATATT3xFfGF0-token-value');
  });

  // Greenhouse Harvest: "the API token as the username, with a blank password".
  const HARVEST = 'https://harvest.greenhouse.test';
  it('sends the key as the user name with an empty password when password_field is left out (Greenhouse Harvest)', async () => {
    const connector = connectors.load(`
      id: greenhouse-users
      name: Greenhouse users
      record_type: users
      credentials:
        type: basic
        username_field: api_key
        fields:
          api_key: { label: Harvest API key, secret: true, env: GREENHOUSE_API_KEY }
      settings:
        base_url: { label: API base URL, type: string, default: "${HARVEST}/v1" }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { per_page: 100 } }
      pagination: { type: next_url, from: link_header }
      records: "."
      fields:
        user_id: { label: User Id, path: id, type: integer }
      sync_key: user_id
    `);
    server.use(
      http.get(`${HARVEST}/v1/users`, ({ request }) => {
        const page = new URL(request.url).searchParams.get('page');
        if (page === '2') return HttpResponse.json([{ id: 4080 }]);
        return HttpResponse.json([{ id: 4079 }], { headers: { link: `<${HARVEST}/v1/users?page=2&per_page=100>; rel="next", <${HARVEST}/v1/users?page=2&per_page=100>; rel="last"` } });
      }),
    );
    const { records, error } = await read(optionsFor(connector, { api_key: 'b4c1e9f0a7d2' }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual([4079, 4080]);
    expect(requests).toHaveLength(2);
    for (const r of requests) expect(basicCredentials(r.headers.authorization)).toBe('b4c1e9f0a7d2:');
  });
});

describe('oauth2_client_credentials', () => {
  // Auth0 Management API: client credentials at /oauth/token with an `audience`; GET /api/v2/users pages from 0.
  const AUTH0 = 'https://acme.auth0.test';
  const CLIENT_ID = 'k5Rk2FqTn8aLr0oN1mQ7cXzW4yV6uB3d';
  const SECRET = 'auth0-client-secret-NOT-to-be-shown-8fA2kL';
  const credentials = { domain: 'acme.auth0.test', client_id: CLIENT_ID, client_secret: SECRET };
  const auth0 = (extra = '') => connectors.load(`
    id: auth0-users
    name: Auth0 users
    record_type: users
    credentials:
      type: oauth2_client_credentials
      token_url: "https://{{ credentials.domain }}/oauth/token"
      scopes: [read:users]
      params: { audience: "https://{{ credentials.domain }}/api/v2/" }
      client_id_field: client_id
      client_secret_field: client_secret
      fields:
        domain:        { label: Tenant domain, secret: false, env: AUTH0_DOMAIN }
        client_id:     { label: Client ID, secret: false, env: AUTH0_CLIENT_ID }
        client_secret: { label: Client secret, secret: true, env: AUTH0_CLIENT_SECRET }
      ${extra}
    settings:
      base_url: { label: API root, type: string, default: "${AUTH0}/api/v2" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users, query: { per_page: 1, include_totals: false } }
    pagination: { type: page_number, send: { in: query, name: page }, start: 0 }
    records: "."
    fields:
      user_id: { label: User Id, path: user_id, type: string }
      email:   { label: Email, path: email, type: string }
    sync_key: user_id
  `);

  /** The token endpoint: hands out token-1, token-2, … and keeps each request's form and Authorization header. */
  function tokenEndpoint() {
    const forms: Record<string, string>[] = [];
    const headers: (string | null)[] = [];
    server.use(
      http.post(`${AUTH0}/oauth/token`, async ({ request }) => {
        forms.push(await formOf(request));
        headers.push(request.headers.get('authorization'));
        return HttpResponse.json({ access_token: `token-${forms.length}`, scope: 'read:users', expires_in: 86400, token_type: 'Bearer' });
      }),
    );
    return { forms, headers };
  }

  /** /users: pages 0 and 1 hold one user each, page 2 is empty; `answer` may replace any reply (e.g. by a 401). */
  function users(answer: (page: number, auth: string | null) => Response | undefined = () => undefined) {
    server.use(
      http.get(`${AUTH0}/api/v2/users`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        const replaced = answer(page, request.headers.get('authorization'));
        if (replaced) return replaced;
        return HttpResponse.json(page < 2 ? [{ user_id: `auth0|u${page}`, email: `user${page}@acme.test` }] : []);
      }),
    );
  }

  const expired = () => HttpResponse.json({ statusCode: 401, error: 'Unauthorized', message: 'Expired token received for JSON Web Token validation', attributes: { error: 'Expired token received for JSON Web Token validation' } }, { status: 401 });
  const apiCalls = () => requests.filter((r) => r.url.pathname === '/api/v2/users');

  it('fetches a token once with grant_type, scope, audience, client_id and client_secret, and reuses it on every page', async () => {
    const token = tokenEndpoint();
    users();
    const { records, error } = await read(optionsFor(auth0(), credentials));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(['auth0|u0', 'auth0|u1']);
    expect(token.forms).toEqual([{ grant_type: 'client_credentials', scope: 'read:users', audience: `${AUTH0}/api/v2/`, client_id: CLIENT_ID, client_secret: SECRET }]);
    expect(token.headers).toEqual([null]);
    expect(apiCalls()).toHaveLength(3);
    for (const r of apiCalls()) expect(r.headers.authorization).toBe('Bearer token-1');
  });

  it('fetches a fresh token exactly once after an HTTP 401, retries the page and goes on with the new token', async () => {
    const token = tokenEndpoint();
    users((page, auth) => (page === 1 && auth === 'Bearer token-1' ? expired() : undefined));
    const source = await read(optionsFor(auth0(), credentials));

    expect(source.error).toBeUndefined();
    expect(source.records.map((r) => r.user_id)).toEqual(['auth0|u0', 'auth0|u1']);
    expect(token.forms).toHaveLength(2);
    expect(apiCalls().map((r) => [r.url.searchParams.get('page'), r.headers.authorization])).toEqual([
      ['0', 'Bearer token-1'],
      ['1', 'Bearer token-1'],
      ['1', 'Bearer token-2'],
      ['2', 'Bearer token-2'],
    ]);
    expect(source.stats.requests).toBe(4);
  });

  it('fails the run with a hint when the fresh token is refused too (no second refresh)', async () => {
    const token = tokenEndpoint();
    users(() => expired());
    const error = await readError(optionsFor(auth0(), credentials));

    expect(error).toBeInstanceOf(SourceError);
    expect(error.message).toMatch(/401/);
    expect(error.hint).toMatch(/credential was refused/);
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET);
    expect(token.forms).toHaveLength(2);
    expect(apiCalls()).toHaveLength(2);
  });

  // The schema says of `required_scopes`: "OAuth scopes the credential must carry; named in error hints".
  it('names the connector\'s required scopes in the hint when the API refuses the token for lack of scope', async () => {
    tokenEndpoint();
    users(() => HttpResponse.json({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: read:users', errorCode: 'insufficient_scope' }, { status: 403 }));
    const error = await readError(optionsFor(auth0('required_scopes: [read:users]'), credentials));

    expect(error.message).toMatch(/403/);
    expect(error.hint).toContain('read:users');
  });

  // Microsoft identity platform: a wrong client secret is HTTP 401 {"error":"invalid_client", …}.
  it('reports invalid_client from the token endpoint in plain words, without the secret, and calls no API', async () => {
    const LOGIN = 'https://login.microsoftonline.test';
    const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const GRAPH_SECRET = 'Xq98Q~s3cr3t.v4lue-NOT-to-be-shown_0aB';
    const connector = connectors.load(`
      id: graph-users
      name: Microsoft Entra users
      record_type: users
      credentials:
        type: oauth2_client_credentials
        token_url: "${LOGIN}/{{ credentials.tenant_id }}/oauth2/v2.0/token"
        scopes: [https://graph.microsoft.com/.default]
        client_id_field: client_id
        client_secret_field: client_secret
        fields:
          tenant_id:     { label: Directory (tenant) ID, secret: false, env: AZURE_TENANT_ID }
          client_id:     { label: Application (client) ID, secret: false, env: AZURE_CLIENT_ID }
          client_secret: { label: Client secret, secret: true, env: AZURE_CLIENT_SECRET }
      settings:
        base_url: { label: Graph root, type: string, default: https://graph.microsoft.test/v1.0 }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users }
      pagination: { type: none }
      records: value
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.post(`${LOGIN}/${TENANT}/oauth2/v2.0/token`, () =>
        HttpResponse.json({
          error: 'invalid_client',
          error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '6731de76-14a6-49ae-97bc-6eba6914391e'.`,
          error_codes: [7000215],
          trace_id: '0b6a3e2f-7c1d-4e5f-9a8b-1c2d3e4f5a6b',
        }, { status: 401 })),
      http.get('https://graph.microsoft.test/v1.0/users', () => HttpResponse.json({ value: [] })),
    );
    const error = await readError(optionsFor(connector, { tenant_id: TENANT, client_id: '6731de76-14a6-49ae-97bc-6eba6914391e', client_secret: GRAPH_SECRET }));

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.code).toBe('token_refused');
    expect(error.message).toContain('invalid_client');
    expect(error.message).toContain(`${LOGIN}/${TENANT}/oauth2/v2.0/token`);
    expect(error.hint).toMatch(/client id and client secret/);
    expect(`${error.message} ${error.hint}`).not.toContain(GRAPH_SECRET);
    expect(apiRequests('graph.microsoft.test')).toHaveLength(0);
  });

  // Zoom Server-to-Server OAuth: grant_type=account_credentials&account_id=…, client id and secret as HTTP basic.
  it('with client_auth: basic, sends the client id and secret as HTTP basic and keeps them out of the form (Zoom)', async () => {
    const ZOOM = 'https://api.zoom.test';
    const connector = connectors.load(`
      id: zoom-users
      name: Zoom users
      record_type: users
      credentials:
        type: oauth2_client_credentials
        token_url: https://zoom.test/oauth/token
        grant_type: account_credentials
        params: { account_id: "{{ credentials.account_id }}" }
        client_auth: basic
        client_id_field: client_id
        client_secret_field: client_secret
        fields:
          account_id:    { label: Account ID, secret: false, env: ZOOM_ACCOUNT_ID }
          client_id:     { label: Client ID, secret: false, env: ZOOM_CLIENT_ID }
          client_secret: { label: Client secret, secret: true, env: ZOOM_CLIENT_SECRET }
      settings:
        base_url: { label: API base URL, type: string, default: "${ZOOM}/v2" }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { page_size: 300 } }
      pagination:
        type: cursor
        token: { from: body, path: next_page_token }
        send: { in: query, name: next_page_token }
      records: users
      fields:
        user_id: { label: User Id, path: id, type: string }
        email:   { label: Email, path: email, type: string }
      sync_key: user_id
    `);
    const forms: Record<string, string>[] = [];
    const auths: (string | null)[] = [];
    server.use(
      http.post('https://zoom.test/oauth/token', async ({ request }) => {
        forms.push(await formOf(request));
        auths.push(request.headers.get('authorization'));
        return HttpResponse.json({ access_token: 'eyJzoom.access', token_type: 'bearer', expires_in: 3599, scope: 'user:read:admin' });
      }),
      http.get(`${ZOOM}/v2/users`, ({ request }) => {
        const next = new URL(request.url).searchParams.get('next_page_token');
        return next
          ? HttpResponse.json({ next_page_token: '', page_size: 300, total_records: 2, users: [{ id: 'z2', email: 'b@acme.test' }] })
          : HttpResponse.json({ next_page_token: 'IAfJX3jsOLW7w3dokmFl84zOa0MAVGyMEB2', page_size: 300, total_records: 2, users: [{ id: 'z1', email: 'a@acme.test' }] });
      }),
    );
    const { records, error } = await read(optionsFor(connector, { account_id: 'lAAAAAAAAAAAAA', client_id: 'zoomClientId', client_secret: 'zoomClientSecret' }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.user_id)).toEqual(['z1', 'z2']);
    expect(forms).toEqual([{ grant_type: 'account_credentials', account_id: 'lAAAAAAAAAAAAA' }]);
    expect(basicCredentials(auths[0] ?? undefined)).toBe('zoomClientId:zoomClientSecret');
    for (const r of apiRequests('api.zoom.test')) expect(r.headers.authorization).toBe('Bearer eyJzoom.access');
  });
});

describe('oauth2_refresh_token (Google Workspace)', () => {
  it('exchanges the refresh token once (RFC 6749 §6) and sends the access token on every page', async () => {
    const GOOGLE = 'https://admin.googleapis.test';
    const connector = connectors.load(`
      id: google-users
      name: Google Workspace users
      record_type: users
      credentials:
        type: oauth2_refresh_token
        token_url: https://oauth2.googleapis.test/token
        client_id_field: client_id
        client_secret_field: client_secret
        refresh_token_field: refresh_token
        fields:
          client_id:     { label: OAuth client ID, secret: false, env: GOOGLE_CLIENT_ID }
          client_secret: { label: OAuth client secret, secret: true, env: GOOGLE_CLIENT_SECRET }
          refresh_token: { label: Refresh token, secret: true, env: GOOGLE_REFRESH_TOKEN }
      settings:
        base_url: { label: API root, type: string, default: "${GOOGLE}/admin/directory/v1" }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /users, query: { customer: my_customer, maxResults: 1 } }
      pagination:
        type: cursor
        token: { from: body, path: nextPageToken }
        send: { in: query, name: pageToken }
      records: users
      fields:
        user_id: { label: User Id, path: id, type: string }
        email:   { label: Email, path: primaryEmail, type: string }
      sync_key: user_id
    `);
    const forms: Record<string, string>[] = [];
    server.use(
      http.post('https://oauth2.googleapis.test/token', async ({ request }) => {
        forms.push(await formOf(request));
        return HttpResponse.json({ access_token: 'ya29.a0AfB_byC-access', expires_in: 3599, scope: 'https://www.googleapis.com/auth/admin.directory.user.readonly', token_type: 'Bearer' });
      }),
      http.get(`${GOOGLE}/admin/directory/v1/users`, ({ request }) => {
        const pageToken = new URL(request.url).searchParams.get('pageToken');
        return pageToken
          ? HttpResponse.json({ kind: 'admin#directory#users', users: [{ id: '1002', primaryEmail: 'b@acme.test' }] })
          : HttpResponse.json({ kind: 'admin#directory#users', users: [{ id: '1001', primaryEmail: 'a@acme.test' }], nextPageToken: 'Q0FFU0F' });
      }),
    );
    const credentials = { client_id: '1234-abc.apps.googleusercontent.com', client_secret: 'GOCSPX-secret', refresh_token: '1//0gRefreshTokenValue' };
    const { records, error } = await read(optionsFor(connector, credentials));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.email)).toEqual(['a@acme.test', 'b@acme.test']);
    expect(forms).toEqual([{ grant_type: 'refresh_token', refresh_token: credentials.refresh_token, client_id: credentials.client_id, client_secret: credentials.client_secret }]);
    const api = apiRequests('admin.googleapis.test');
    expect(api).toHaveLength(2);
    for (const r of api) expect(r.headers.authorization).toBe('Bearer ya29.a0AfB_byC-access');
  });
});

describe('session (a login call that yields a token)', () => {
  // Prisma Cloud style: POST /login {"username","password"} → {"token": …}; then `x-redlock-auth: <token>`.
  const PRISMA = 'https://api.prismacloud.test';
  const PASSWORD = 'prisma-secret-key-Zx81';
  const prisma = () => connectors.load(`
    id: prisma-users
    name: Prisma Cloud users
    record_type: users
    credentials:
      type: session
      login:
        path: /login
        body:
          username: "{{ credentials.access_key }}"
          password: "{{ credentials.secret_key }}"
        token: { from: body, path: token }
      header: x-redlock-auth
      fields:
        access_key: { label: Access key ID, secret: false, env: PRISMA_ACCESS_KEY }
        secret_key: { label: Secret key, secret: true, env: PRISMA_SECRET_KEY }
    settings:
      base_url: { label: API URL, type: string, default: "${PRISMA}" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /v3/user }
    pagination: { type: page_number, send: { in: query, name: page } }
    records: items
    fields:
      email: { label: Email, path: email, type: string }
    sync_key: email
  `);

  function prismaApi(answer: (page: number, token: string | null) => Response | undefined = () => undefined) {
    const logins: unknown[] = [];
    server.use(
      http.post(`${PRISMA}/login`, async ({ request }) => {
        logins.push(await request.json());
        return HttpResponse.json({ token: `session-${logins.length}`, message: 'login_successful', customerNames: [{ customerName: 'Acme', tosAccepted: true }] });
      }),
      http.get(`${PRISMA}/v3/user`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        const replaced = answer(page, request.headers.get('x-redlock-auth'));
        if (replaced) return replaced;
        return HttpResponse.json({ items: page <= 2 ? [{ email: `user${page}@acme.test` }] : [] });
      }),
    );
    return logins;
  }

  it('logs in once with the rendered body, then sends the token from the body in the header on every request', async () => {
    const logins = prismaApi();
    const { records, error } = await read(optionsFor(prisma(), { access_key: 'a1b2c3-access', secret_key: PASSWORD }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.email)).toEqual(['user1@acme.test', 'user2@acme.test']);
    expect(logins).toEqual([{ username: 'a1b2c3-access', password: PASSWORD }]);
    const api = requests.filter((r) => r.url.pathname === '/v3/user');
    expect(api).toHaveLength(3);
    for (const r of api) expect(r.headers['x-redlock-auth']).toBe('session-1');
  });

  it('logs in again once after an HTTP 401 (expired session) and retries the request with the new token', async () => {
    const logins = prismaApi((page, token) => (page === 2 && token === 'session-1' ? new HttpResponse(null, { status: 401 }) : undefined));
    const { records, error } = await read(optionsFor(prisma(), { access_key: 'a1b2c3-access', secret_key: PASSWORD }));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.email)).toEqual(['user1@acme.test', 'user2@acme.test']);
    expect(logins).toHaveLength(2);
    const api = requests.filter((r) => r.url.pathname === '/v3/user');
    expect(api.map((r) => [r.url.searchParams.get('page'), r.headers['x-redlock-auth']])).toEqual([
      ['1', 'session-1'],
      ['2', 'session-1'],
      ['2', 'session-2'],
      ['3', 'session-2'],
    ]);
  });

  it('fails with login_refused, without the password, when the login is refused', async () => {
    server.use(http.post(`${PRISMA}/login`, () => HttpResponse.json({ message: 'invalid_credentials' }, { status: 401 })));
    const error = await readError(optionsFor(prisma(), { access_key: 'a1b2c3-access', secret_key: PASSWORD }));

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.code).toBe('login_refused');
    expect(error.message).toMatch(/401/);
    expect(`${error.message} ${error.hint}`).not.toContain(PASSWORD);
    expect(requests.filter((r) => r.url.pathname === '/v3/user')).toHaveLength(0);
  });
});
