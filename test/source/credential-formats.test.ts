import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CredentialError } from '../../src/errors.js';
import { scrub } from '../../src/credentials/scrub.js';
import { runIntegration } from '../../src/runner.js';
import { workspace } from '../definition/workspace.js';
import { tempStore } from '../helpers/store.js';
import { optionsFor, read, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/**
 * Credential formats a `scheme` cannot write: the header value (`api_key.value`) and the basic-auth
 * user name (`basic.username`) as templates over the credential fields, secret ones included, on
 * the vendors' documented examples (test/fixtures/pagerduty/README.md, test/fixtures/zendesk/README.md).
 */
const { server, requests } = useServer();
const connectors = useConnectors();

const fixture = <T = Record<string, unknown>>(vendor: string, name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', vendor, name), 'utf8')) as T;

describe('api_key value: PagerDuty\'s Authorization: Token token=<key>', () => {
  const API = 'https://api.pagerduty.test';
  const documented = fixture<{ token: string; authorization: string }>('pagerduty', 'auth.token.json');
  const pagerduty = () => connectors.load(`
    id: pagerduty-users
    name: PagerDuty users
    record_type: users
    credentials:
      type: api_key
      in: header
      name: Authorization
      value: "Token token={{ credentials.key }}"
      fields:
        key: { label: REST API key, secret: true, env: PAGERDUTY_API_KEY }
    base_url: ${API}
    request: { method: GET, path: /users }
    pagination: { type: offset, offset: { in: query, name: offset }, limit: { in: query, name: limit }, page_size: 1, stop: [{ path: more, equals: false }] }
    records: users
    errors:
      - when: { status: 401 }
        class: configuration
        summary: error.message
        message: "PagerDuty refused the request: {{ summary }}"
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);

  it('sends the documented header exactly, on every page (no space-joined scheme, no Bearer)', async () => {
    server.use(http.get(`${API}/users`, ({ request }) => {
      const offset = Number(new URL(request.url).searchParams.get('offset'));
      return HttpResponse.json({ users: [{ id: `P${offset}` }], limit: 1, offset, more: offset < 1, total: null });
    }));

    const { records, error } = await read(optionsFor(pagerduty(), { key: documented.token }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'P0' }, { user_id: 'P1' }]);
    expect(requests.map((r) => r.headers.authorization)).toEqual([documented.authorization, documented.authorization]);
  });

  it('the composed value is masked as a whole where the API echoes it', async () => {
    server.use(http.get(`${API}/users`, ({ request }) => HttpResponse.json({ error: { message: `Invalid Authorization header: ${request.headers.get('authorization')}`, code: 2006 } }, { status: 401 })));

    const error = await readError(optionsFor(pagerduty(), { key: documented.token }));

    expect(error.message).toContain('PagerDuty refused the request: Invalid Authorization header: ***');
    expect(scrub(`sent: ${documented.authorization}`)).toBe('sent: ***');
    expect(error.message).not.toContain(documented.token);
  });

  it('a key pasted with a line break is a credential error that names the field, before anything is sent', async () => {
    const error = await readError(optionsFor(pagerduty(), { key: `${documented.token}\n` }));

    expect(error).toBeInstanceOf(CredentialError);
    expect(error.code).toBe('credential_unsendable');
    expect(error.message).toMatch(/the credential key \(PAGERDUTY_API_KEY\) holds a line break/);
    expect(requests).toHaveLength(0);
  });
});

describe('basic username: Zendesk\'s {email_address}/token:{api_token}', () => {
  const API = 'https://obscura.zendesk.test';
  const documented = fixture<{ credentials: string; authorization: string }>('zendesk', 'auth.api-token.json');
  const [email, apiToken] = documented.credentials.split('/token:');
  const zendesk = () => connectors.load(`
    id: zendesk-users
    name: Zendesk users
    record_type: users
    credentials:
      type: basic
      username: "{{ credentials.email }}/token"
      password_field: api_token
      fields:
        email:     { label: Agent e-mail, secret: false, env: ZENDESK_EMAIL }
        api_token: { label: API token, secret: true, env: ZENDESK_API_TOKEN }
    base_url: ${API}
    request: { method: GET, path: /api/v2/users }
    pagination: { type: none }
    records: users
    errors:
      - when: { status: 401 }
        class: configuration
        summary: error
        message: "Zendesk refused the request: {{ summary }}"
    fields:
      user_id: { label: User Id, path: id, type: string }
    sync_key: user_id
  `);

  it('sends the documented Authorization: Basic value exactly', async () => {
    server.use(http.get(`${API}/api/v2/users`, () => HttpResponse.json({ users: [{ id: 35436, name: 'Johnny Agent' }] })));

    const { records, error } = await read(optionsFor(zendesk(), { email, api_token: apiToken }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: '35436' }]);
    expect(requests[0].headers.authorization).toBe(documented.authorization);
  });

  it('the composed user:password and its base64 are masked whole, the e-mail part included, where the API echoes them', async () => {
    server.use(http.get(`${API}/api/v2/users`, ({ request }) => HttpResponse.json({ error: `Couldn't authenticate you with ${request.headers.get('authorization')}` }, { status: 401 })));

    const error = await readError(optionsFor(zendesk(), { email, api_token: apiToken }));

    expect(error.message).toContain("Zendesk refused the request: Couldn't authenticate you with Basic ***");
    const base64 = documented.authorization.slice('Basic '.length);
    expect(scrub(`Basic ${base64}`)).toBe('Basic ***');
    expect(scrub(`-u ${documented.credentials}`)).toBe('-u ***');
    // without the composed pair, only the part of the base64 that encodes the token would be masked
    expect(scrub(base64)).not.toContain(base64.slice(0, 16));
    expect(`${error.message} ${error.hint}`).not.toContain(apiToken);
  });
});

describe('a whole run with a composed credential: the run log and the store hold none of it', () => {
  it('Zendesk API token: a 401 that echoes the Authorization header fails the run; the result, the run log and the store show *** for it', async () => {
    const API = 'https://obscura.zendesk.test';
    const documented = fixture<{ credentials: string; authorization: string }>('zendesk', 'auth.api-token.json');
    const [email, apiToken] = documented.credentials.split('/token:');
    const ws = workspace();
    const store = tempStore();
    try {
      ws.connector('zendesk-token-users', `id: zendesk-token-users
name: Zendesk users (API token)
record_type: users
credentials:
  type: basic
  username: "{{ credentials.email }}/token"
  password_field: api_token
  fields:
    email: { label: Agent e-mail, secret: false, env: ZENDESK_EMAIL }
    api_token: { label: API token, secret: true, env: ZENDESK_API_TOKEN }
base_url: ${API}
request: { path: /api/v2/users }
pagination: { type: none }
records: users
errors:
  - when: { status: 401 }
    class: configuration
    summary: error
    message: "Zendesk refused List Users: {{ summary }}"
fields:
  user_id: { label: User Id, path: id, type: string }
  email: { label: Email, type: string }
sync_key: user_id
`);
      const mappingFile = ws.mapping('zendesk-token-users', `connector: zendesk-token-users
record_type: people
preference: create_update
sync_key: [{ source: user_id, target: zendesk_user_id }]
custom_fields:
  zendesk_user_id: { label: Zendesk User Id, type: string }
fields:
  username: email
  email: email
  role: { value: Employee }
`);
      server.use(http.get(`${API}/api/v2/users`, ({ request }) => HttpResponse.json({ error: `Couldn't authenticate you with ${request.headers.get('authorization')} (${documented.credentials})` }, { status: 401 })));

      const result = await runIntegration({ mappingFile, db: store.file, credentials: { email, api_token: apiToken } });

      expect(result.status).toBe('failed');
      expect(result.message).toContain("Zendesk refused List Users: Couldn't authenticate you with Basic *** (***)");
      expect(store.runs()[0].message).toBe(result.message);
      const base64 = documented.authorization.slice('Basic '.length);
      for (const secret of [apiToken, base64, documented.credentials]) {
        expect(JSON.stringify(result)).not.toContain(secret);
        expect(store.rawBytes()).not.toContain(secret);
      }
    } finally {
      store.remove();
      ws.remove();
    }
  });
});
