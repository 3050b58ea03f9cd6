import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnector, validateFiles } from '../../src/definition/load.js';
import type { ConnectorSpec } from '../../src/definition/model.js';
import { DefinitionError } from '../../src/errors.js';
import { below, leavesBase } from '../../src/source/below.js';
import { optionsFor, readError, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';
import { workspace } from '../definition/workspace.js';

const { server, requests } = useServer();
const connectors = useConnectors();

// Regression: a `session` connector with `login.path: ../oauth2/token` performed an OAuth client
// credentials grant in a local installation — where OAuth 2 is refused — because ".." led out
// of "a path below the base URL".
const IDP = 'https://idp.acme.test';
const sessionConnector = (loginPath: string, requestPath = '/users') => `
id: acme-users
name: Acme users
record_type: users
credentials:
  type: session
  login:
    path: ${JSON.stringify(loginPath)}
    body_type: form
    body:
      grant_type: client_credentials
      client_id: "{{ credentials.client_id }}"
      client_secret: "{{ credentials.client_secret }}"
    token: { from: body, path: access_token }
  header: Authorization
  scheme: Bearer
  fields:
    client_id: { label: Client id, secret: false, env: ACME_CLIENT_ID }
    client_secret: { label: Client secret, secret: true, env: ACME_CLIENT_SECRET }
base_url: ${IDP}/api/v1
request: { method: GET, path: ${JSON.stringify(requestPath)} }
pagination: { type: none }
records: users
fields:
  user_id: { label: User Id, path: id, type: string }
sync_key: user_id
`;

function loadIssues(yaml: string): { code: string; path: string; line: number; message: string }[] {
  const file = join(mkdtempSync(join(tmpdir(), 'intake-below-')), 'acme-users.yaml');
  writeFileSync(file, yaml);
  try {
    loadConnector(file);
    return [];
  } catch (error) {
    if (error instanceof DefinitionError) return error.issues;
    throw error;
  }
}

describe('paths stay below the base URL', () => {
  it.each(['../oauth2/token', '/../../oauth2/token', '%2e%2e/oauth2/token', '.%2E/.%2e/oauth2/token', '..%2f..%2foauth2/token', '..\\..\\oauth2\\token'])(
    'refuses the login path %s when the connector loads (validate says so, with its position)', (path) => {
      expect(loadIssues(sessionConnector(path))).toEqual([
        expect.objectContaining({ code: 'path_outside_base', path: 'credentials.login.path', line: 8, message: `the path "${path}" leads outside the base URL once normalised` }),
      ]);
    },
  );

  it('refuses a request path that leads outside the base URL, and keeps the ones that stay below it', () => {
    expect(loadIssues(sessionConnector('/login', '/users/../../admin'))).toEqual([expect.objectContaining({ code: 'path_outside_base', path: 'request.path' })]);
    expect(loadIssues(sessionConnector('/auth/../login', '/users/{{ page.cursor }}/..'))).toEqual([]);
  });

  it('below(): joins a path to the base URL, and refuses what normalisation takes out of it', () => {
    const base = new URL('https://api.acme.test/v2');
    expect(below(base, '/users').href).toBe('https://api.acme.test/v2/users');
    expect(below(base, 'users/./x/../y').href).toBe('https://api.acme.test/v2/users/y');
    expect(() => below(base, '/../v3/users')).toThrow(/the request path "\/\.\.\/v3\/users" leads outside the base URL https:\/\/api\.acme\.test\/v2; nothing was sent/);
    expect(() => below(new URL('https://api.acme.test/v2/'), '..')).toThrow(/outside the base URL/);
    expect(leavesBase('/v2/../v2x')).toBe(false); // stays below /a/b: "v2x" under it
  });

  it('at run time too: a login path that would leave the base URL sends nothing (a connector that skipped the loader)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'intake-below-')), 'acme-users.yaml');
    writeFileSync(file, sessionConnector('/login'));
    const loaded = loadConnector(file);
    const connector: ConnectorSpec = { ...loaded, credentials: { ...loaded.credentials, login: { ...(loaded.credentials.login as object), path: '../oauth2/token' } } };
    server.use(http.post(`${IDP}/api/oauth2/token`, () => HttpResponse.json({ access_token: 'minted', expires_in: 3600 })));
    const error = await readError(optionsFor(connector, { client_id: 'c1', client_secret: 'client-secret-9' }));

    expect(error.code).toBe('path_outside_base');
    expect(error.message).toMatch(/the login path "\.\.\/oauth2\/token" leads outside the base URL https:\/\/idp\.acme\.test\/api\/v1; nothing was sent/);
    expect(requests).toHaveLength(0);
  });

  it('at run time: a record value rendered into a detail path cannot walk out of the base URL', async () => {
    const connector = connectors.load(`
      id: acme-users
      name: Acme users
      record_type: users
      credentials:
        type: bearer
        fields:
          token: { label: Token, secret: true, env: ACME_TOKEN }
      base_url: ${IDP}/api/v1
      request: { method: GET, path: /users }
      pagination: { type: none }
      records: users
      detail:
        request: { method: GET, path: "/users/{{ record.user_id }}" }
        fields:
          title: { label: Title, path: title, type: string }
      fields:
        user_id: { label: User Id, path: id, type: string }
      sync_key: user_id
    `);
    server.use(http.get(`${IDP}/api/v1/users`, () => HttpResponse.json({ users: [{ id: '../../admin/keys' }] })));
    const error = await readError(optionsFor(connector, { token: 'acme-token-77' }));

    expect(error.code).toBe('path_outside_base');
    expect(requests.map((r) => r.url.pathname)).toEqual(['/api/v1/users']);
  });
});

describe('a session login that is an OAuth 2 grant', () => {
  // The other half of the bypass: a login below the base URL can still be a token endpoint (an
  // API and its OAuth server on one host). A grant_type in the login body makes it OAuth 2.
  const mapping = (installation: string) => `
name: Acme users
connector: acme-users
installation: ${installation}
record_type: people
preference: create_update
sync_key: [{ source: user_id, target: acme_user_id }]
custom_fields: { acme_user_id: { label: Acme User Id, type: string } }
fields: { username: user_id, email: user_id, role: { value: Employee } }
`;

  it('needs the cloud installation type: a local mapping is refused, as for oauth2_client_credentials', () => {
    const ws = workspace();
    try {
      ws.connector('acme-users', sessionConnector('/oauth2/token'));
      const [local] = validateFiles([ws.mapping('acme-local', mapping('local'))]);
      expect(local.issues.map((i) => [i.code, i.path, i.message])).toEqual([
        ['needs_cloud', 'installation', 'connector acme-users authenticates with session with an OAuth 2 grant (login.body.grant_type: client_credentials), which needs the cloud installation type'],
      ]);
      expect(validateFiles([ws.mapping('acme-cloud', mapping('cloud'))])[0].issues).toEqual([]);
      ws.connector('acme-users', sessionConnector('/oauth2/token').replace('      grant_type: client_credentials\n', ''));
      expect(validateFiles([ws.mapping('acme-plain', mapping('local'))])[0].issues).toEqual([]);
    } finally {
      ws.remove();
    }
  });
});
