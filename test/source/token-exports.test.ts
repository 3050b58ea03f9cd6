import { describe, expect, it } from '@jest/globals';
import { exportPKCS8, generateKeyPair } from 'jose';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialError } from '../../src/errors.js';
import { runIntegration } from '../../src/runner.js';
import { workspace } from '../definition/workspace.js';
import { tempStore } from '../helpers/store.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/**
 * Values of the token response in request templates (`credentials.exports`, `{{ auth.<name> }}`),
 * on Salesforce's documented token and query responses (test/fixtures/salesforce/README.md).
 */
const { server, requests } = useServer();
const connectors = useConnectors();

const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'salesforce', name), 'utf8')) as T;

const LOGIN = 'https://login.salesforce.test/services/oauth2/token';
const CREDENTIALS = { client_id: '3MVG9lKcPoNINVBIPJjdw1J9LLM82Hn', client_secret: '1955279925675241571', refresh_token: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34' };

const salesforce = (grant: 'refresh' | 'client_credentials' = 'refresh') => connectors.load(`
  id: salesforce-accounts
  name: Salesforce accounts
  record_type: users
  credentials:
    type: ${grant === 'refresh' ? 'oauth2_refresh_token' : 'oauth2_client_credentials'}
    token_url: ${LOGIN}
    client_id_field: client_id
    client_secret_field: client_secret
    ${grant === 'refresh' ? 'refresh_token_field: refresh_token' : ''}
    exports:
      instance_url: instance_url
      org_id: id
    fields:
      client_id:     { label: Consumer key, secret: false, env: SF_CLIENT_ID }
      client_secret: { label: Consumer secret, secret: true, env: SF_CLIENT_SECRET }
      ${grant === 'refresh' ? 'refresh_token: { label: Refresh token, secret: true, env: SF_REFRESH_TOKEN }' : ''}
  base_url: "{{ auth.instance_url }}/services/data/v20.0"
  request:
    path: /query
    query: { q: "SELECT Name FROM Account" }
    headers: { X-Org: "{{ auth.org_id }}" }
  pagination: { type: next_url, from: body, path: nextRecordsUrl }
  records: records
  fields:
    name: { label: Name, path: Name, type: string }
    url:  { label: Record URL, path: attributes.url, type: string }
  sync_key: url
`);

/** The documented query response, then its last batch (done, no nextRecordsUrl), on the instance `origin`. */
function serveQuery(origin: string) {
  const first = fixture<{ records: { Name: string; attributes: { url: string } }[] }>('query.more.json');
  const last = {
    done: true,
    totalSize: 2014,
    records: first.records.map((r, i) => ({ ...r, Name: `Test ${i + 3}`, attributes: { ...r.attributes, url: `${r.attributes.url}-2000` } })),
  };
  server.use(
    http.get(`${origin}/services/data/v20.0/query`, () => HttpResponse.json(first)),
    http.get(`${origin}/services/data/v20.0/query/01gD0000002HU6KIAW-2000`, () => HttpResponse.json(last)),
  );
}

describe('Salesforce: instance_url from the token response is the base URL of every request', () => {
  const token = fixture<{ access_token: string; instance_url: string; id: string }>('token.refresh.json');
  const instance = 'https://yourinstance.salesforce.com';

  it('refreshes once, then reads both batches from the instance the token response names, with the token and the exported id', async () => {
    const forms: Record<string, string>[] = [];
    server.use(http.post(LOGIN, async ({ request }) => (forms.push(Object.fromEntries(new URLSearchParams(await request.text()))), HttpResponse.json(token))));
    serveQuery(instance);

    const { records, error } = await read(optionsFor(salesforce(), CREDENTIALS));

    expect(error).toBeUndefined();
    expect(records.map((r) => r.name)).toEqual(['Test 1', 'Test 2', 'Test 3', 'Test 4']);
    expect(forms).toEqual([{ grant_type: 'refresh_token', ...CREDENTIALS }]);
    const api = requests.filter((r) => r.url.origin === instance);
    // "https://yourInstance.salesforce.com/" + "/services/…": one slash
    expect(api.map((r) => r.url.pathname)).toEqual(['/services/data/v20.0/query', '/services/data/v20.0/query/01gD0000002HU6KIAW-2000']);
    expect(api[0].url.searchParams.get('q')).toBe('SELECT Name FROM Account');
    for (const r of api) {
      expect(r.headers.authorization).toBe(`Bearer ${token.access_token}`);
      expect(r.headers['x-org']).toBe(token.id);
    }
    expect(requests.find((r) => r.url.href === LOGIN)?.headers.authorization).toBeUndefined();
  });

  it('another grant exports the same way (client credentials, a My Domain instance)', async () => {
    const myDomain = 'https://acme.my.salesforce.com';
    server.use(http.post(LOGIN, () => HttpResponse.json({ ...token, instance_url: myDomain })));
    serveQuery(myDomain);

    const { records, error } = await read(optionsFor(salesforce('client_credentials'), { client_id: CREDENTIALS.client_id, client_secret: CREDENTIALS.client_secret }));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(4);
    expect(requests.filter((r) => r.url.origin === myDomain)).toHaveLength(2);
  });

  it('a token response without the exported value is a credential error naming the export and the keys it has; no API request, no secret', async () => {
    const { instance_url: _, ...withoutInstance } = token;
    server.use(http.post(LOGIN, () => HttpResponse.json(withoutInstance)));

    const error = await readError(optionsFor(salesforce(), CREDENTIALS));

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.code).toBe('token_export_missing');
    expect(error.message).toBe(`the token endpoint ${LOGIN} returned no value at "instance_url" (credentials.exports.instance_url)`);
    expect(error.hint).toContain('access_token, token_type, scope');
    expect(requests.map((r) => r.url.href)).toEqual([LOGIN]);
    for (const secret of [token.access_token, CREDENTIALS.client_secret, CREDENTIALS.refresh_token]) expect(`${error.message} ${error.hint}`).not.toContain(secret);
  });

  it('an exported base URL that is not http(s) is refused before the token goes anywhere', async () => {
    server.use(http.post(LOGIN, () => HttpResponse.json({ ...token, instance_url: 'ftp://yourInstance.salesforce.com' })));

    const error = await readError(optionsFor(salesforce(), CREDENTIALS));

    expect(error.code).toBe('base_url_invalid');
    expect(error.hint).toMatch(/token response/);
    expect(requests.map((r) => r.url.href)).toEqual([LOGIN]);
  });
});

describe('a session exports a value of its login response to the request path', () => {
  it('{{ auth.tenant }} in the path comes from the login body', async () => {
    const API = 'https://api.acme-hr.test/v1';
    const connector = connectors.load(`
      id: acme-hr-users
      name: Acme HR users
      record_type: users
      credentials:
        type: session
        login:
          path: /auth/login
          body: { user: "{{ credentials.user }}", password: "{{ credentials.password }}" }
          token: { from: body, path: data.token }
        header: Authorization
        scheme: Bearer
        exports: { tenant: data.tenant }
        fields:
          user:     { label: User, secret: false, env: ACME_USER }
          password: { label: Password, secret: true, env: ACME_PASSWORD }
      base_url: ${API}
      request: { path: "/tenants/{{ auth.tenant }}/users" }
      pagination: { type: none }
      records: users
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(
      http.post(`${API}/auth/login`, () => HttpResponse.json({ data: { token: 'session-token-7f3e9a1c', tenant: 'eu-17' } })),
      http.get(`${API}/tenants/eu-17/users`, () => HttpResponse.json({ users: [{ id: 'u1' }] })),
    );

    const { records, error } = await read(optionsFor(connector, { user: 'ada', password: 'correct-horse-battery' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'u1' }]);
    expect(requests.at(-1)?.headers.authorization).toBe('Bearer session-token-7f3e9a1c');
  });
});

describe('a whole run with exported values: the store and the run log hold no secret', () => {
  it('Salesforce users through runIntegration: records stored from the instance, no token, secret or refresh token in the store, the result or the run log', async () => {
    const ws = workspace();
    const store = tempStore();
    try {
      ws.connector('salesforce-users', `id: salesforce-users
name: Salesforce users
record_type: users
credentials:
  type: oauth2_refresh_token
  token_url: ${LOGIN}
  client_id_field: client_id
  client_secret_field: client_secret
  refresh_token_field: refresh_token
  exports: { instance_url: instance_url }
  fields:
    client_id: { label: Consumer key, secret: false }
    client_secret: { label: Consumer secret, secret: true }
    refresh_token: { label: Refresh token, secret: true }
base_url: "{{ auth.instance_url }}/services/data/v20.0"
request: { path: /query, query: { q: "SELECT Id, Username, Email FROM User" } }
pagination: { type: next_url, from: body, path: nextRecordsUrl }
records: records
fields:
  user_id:  { label: User Id, path: Id, type: string }
  username: { label: Username, path: Username, type: string }
  email:    { label: Email, path: Email, type: string }
sync_key: user_id
`);
      const mappingFile = ws.mapping('salesforce-users', `connector: salesforce-users
installation: cloud
record_type: people
preference: create_update
sync_key: [{ source: user_id, target: salesforce_user_id }]
custom_fields:
  salesforce_user_id: { label: Salesforce User Id, type: string }
fields:
  username: username
  email: { source: email, convert: lowercase }
  role: { value: Employee }
`);
      const token = fixture<{ access_token: string }>('token.refresh.json');
      let tokens = 0;
      server.use(
        http.post(LOGIN, () => (tokens++, HttpResponse.json(token))),
        http.get('https://yourinstance.salesforce.com/services/data/v20.0/query', ({ request }) =>
          request.headers.get('authorization') === `Bearer ${token.access_token}`
            ? HttpResponse.json({ done: true, totalSize: 1, records: [{ attributes: { type: 'User', url: '/services/data/v20.0/sobjects/User/005x00000012Q9P' }, Id: '005x00000012Q9P', Username: 'ada@acme.test', Email: 'Ada@Acme.test' }] })
            : HttpResponse.json([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], { status: 401 }),
        ),
      );

      const result = await runIntegration({ mappingFile, db: store.file, credentials: { ...CREDENTIALS } });

      expect(result).toMatchObject({ status: 'succeeded', read: 1 });
      expect(tokens).toBe(1);
      expect(store.people()).toEqual([expect.objectContaining({ username: 'ada@acme.test', email: 'ada@acme.test', salesforce_user_id: '005x00000012Q9P' })]);
      for (const secret of [token.access_token, CREDENTIALS.client_secret, CREDENTIALS.refresh_token]) {
        expect(JSON.stringify(result)).not.toContain(secret);
        expect(store.rawBytes()).not.toContain(secret);
      }
    } finally {
      store.remove();
      ws.remove();
    }
  });
});

describe('the JWT bearer grant exports the same way (Salesforce\'s server-to-server flow also answers with instance_url)', () => {
  it('signs, exchanges, and sends the list request to the exported instance', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const connector = connectors.load(`
      id: salesforce-jwt-users
      name: Salesforce users (JWT bearer)
      record_type: users
      credentials:
        type: oauth2_jwt_bearer
        token_url: ${LOGIN}
        audience: https://login.salesforce.com
        private_key_field: key
        issuer_field: consumer_key
        subject_field: username
        exports: { instance_url: instance_url }
        fields:
          key: { label: Private key, secret: true, env: SF_KEY }
          consumer_key: { label: Consumer key, secret: false, env: SF_CONSUMER_KEY }
          username: { label: Integration user, secret: false, env: SF_USERNAME }
      base_url: "{{ auth.instance_url }}/services/data/v20.0"
      request: { path: /query, query: { q: "SELECT Name FROM Account" } }
      pagination: { type: next_url, from: body, path: nextRecordsUrl }
      records: records
      fields:
        name: { label: Name, path: Name, type: string }
        url:  { label: Record URL, path: attributes.url, type: string }
      sync_key: url
    `);
    const { access_token: accessToken, id } = fixture<{ access_token: string; id: string }>('token.refresh.json');
    const instance = 'https://acme.my.salesforce.com';
    server.use(http.post(LOGIN, () => HttpResponse.json({ access_token: accessToken, scope: 'api', instance_url: instance, id, token_type: 'Bearer' })));
    serveQuery(instance);

    const { records, error } = await read(optionsFor(connector, { key: await exportPKCS8(pair.privateKey), consumer_key: '3MVG9lKcPoNINVBIPJjdw1J9LLM82Hn', username: 'integration@acme.test' }));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(4);
    expect(requests.filter((r) => r.url.origin === instance).map((r) => r.headers.authorization)).toEqual([`Bearer ${accessToken}`, `Bearer ${accessToken}`]);
  });
});
