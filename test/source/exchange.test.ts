import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { exchangeOf } from '../../src/source/exchange.js';
import { readSource, type Page } from '../../src/source/read.js';
import { optionsFor, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/**
 * Each request records what it looked like when sent — the credentials' part masked to its shape —
 * and a request that fails carries its exchange (request, and the response when one came).
 */
const { server, requests } = useServer();
const connectors = useConnectors();
const SECRET = 'glpat-S3cr3t-t0ken-9f8e7d';
const USERS = 'https://api.acme.test/v1/users';

function acme(credentials: string, errors = '') {
  return connectors.load(`
    id: acme-users
    name: Acme users
    record_type: users
    credentials: ${credentials}
    settings:
      base_url: { label: API URL, type: string, default: https://api.acme.test/v1 }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users, query: { per_page: 2 }, headers: { Accept-Language: en } }
    pagination: { type: none }
    records: "."
    ${errors}
    retry: { attempts: 2, base_delay_ms: 1 }
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);
}

async function firstPage(connector: ReturnType<typeof acme>, credentials: Record<string, string>): Promise<Page> {
  const pages: Page[] = [];
  for await (const item of readSource({ ...optionsFor(connector, credentials), onRaw: (p) => pages.push(p) }).items) void item;
  return pages[0];
}

describe('the request as sent, credentials masked to their shape', () => {
  it.each([
    ['bearer', '{ type: bearer, fields: { token: { label: Token, env: T } } }', { token: SECRET }, ['authorization: Bearer ***'], ''],
    ['api_key in a header (GitLab)', '{ type: api_key, in: header, name: PRIVATE-TOKEN, fields: { token: { label: Token, env: T } } }', { token: SECRET }, ['private-token: ***'], ''],
    ['api_key with a scheme (Okta)', '{ type: api_key, in: header, name: Authorization, scheme: SSWS, fields: { token: { label: Token, env: T } } }', { token: SECRET }, ['authorization: SSWS ***'], ''],
    ['api_key in the query', '{ type: api_key, in: query, name: api_key, fields: { token: { label: Token, env: T } } }', { token: SECRET }, ['query api_key=***'], '&api_key=***'],
    ['basic', '{ type: basic, username_field: user, password_field: password, fields: { user: { label: User, secret: false, env: U }, password: { label: Password, env: P } } }', { user: 'svc-intake', password: SECRET }, ['authorization: Basic ***'], ''],
  ])('%s', async (_name, credentials, values, auth, query) => {
    server.use(http.get(USERS, () => HttpResponse.json([{ id: 'u1' }])));
    const page = await firstPage(acme(credentials), values);

    expect(page.response.sent).toEqual({
      method: 'GET',
      url: `${USERS}?per_page=2${query}`,
      headers: { 'accept-language': 'en', ...Object.fromEntries(auth.filter((a) => !a.startsWith('query')).map((a) => a.split(': '))) },
      auth,
    });
    expect(JSON.stringify(page.response.sent)).not.toContain(SECRET);
    // the API did get the credential
    expect(JSON.stringify(requests[0].headers) + requests[0].url.href).toMatch(/S3cr3t|Basic /);
  });
});

describe('a failing request carries its exchange', () => {
  it('an HTTP 401: the request as sent (masked) and the response: status, headers, body', async () => {
    server.use(http.get(USERS, () => HttpResponse.json({ message: '401 Unauthorized', echo: `token ${SECRET}` }, { status: 401, headers: { 'X-Request-Id': 'req-1' } })));
    const error = await readError(optionsFor(acme('{ type: api_key, in: header, name: PRIVATE-TOKEN, fields: { token: { label: Token, env: T } } }'), { token: SECRET }));

    expect(error.message).toMatch(/^page 1: GET https:\/\/api\.acme\.test\/v1\/users: the API answered HTTP 401/);
    const exchange = exchangeOf(error)!;
    expect(exchange.request).toMatchObject({ method: 'GET', url: `${USERS}?per_page=2`, auth: ['private-token: ***'] });
    expect(exchange.response).toMatchObject({ status: 401, headers: expect.objectContaining({ 'x-request-id': 'req-1' }) });
    expect(JSON.parse(exchange.response!.text)).toEqual({ message: '401 Unauthorized', echo: `token ${SECRET}` }); // the raw text: the output gate masks it
  });

  it('retries that give up: the last attempt\'s exchange', async () => {
    let n = 0;
    server.use(http.get(USERS, () => new HttpResponse(`Retry later ${++n}`, { status: 429, headers: { 'Retry-After': '0' } })));
    const error = await readError(optionsFor(acme('{ type: bearer, fields: { token: { label: Token, env: T } } }'), { token: SECRET }));
    expect(error.message).toMatch(/gave up after 2 attempts/);
    expect(exchangeOf(error)!.response).toMatchObject({ status: 429, text: 'Retry later 2' });
  });

  it('no response at all (connection refused): the request, and no response', async () => {
    server.use(http.get(USERS, () => HttpResponse.error()));
    const error = await readError(optionsFor(acme('{ type: bearer, fields: { token: { label: Token, env: T } } }'), { token: SECRET }));
    const exchange = exchangeOf(error)!;
    expect(exchange.request.auth).toEqual(['authorization: Bearer ***']);
    expect(exchange.response).toBeUndefined();
  });
});
