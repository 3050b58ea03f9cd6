import { afterAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import type { DefinitionIssue } from '../../src/errors.js';
import { positionOf, workspace } from './workspace.js';

/**
 * What `intake validate` says about the issue 8 formats (header rules, wait units, credential
 * formats, token exports): each mistake at its position, with a hint.
 */
const ws = workspace();
afterAll(() => ws.remove());
let count = 0;

function issuesOf(text: string): DefinitionIssue[] {
  return validateFiles([ws.connector(`vendor-${++count}`, text)])[0].issues;
}

/** A connector around the given credentials and extra top-level keys. */
const connector = (credentials: string, extra = '', baseUrl = 'https://api.acme.test/v1', request = '{ path: /users }') => `id: acme-users
name: Acme users
record_type: users
credentials:
${credentials}
base_url: "${baseUrl}"
request: ${request}
pagination: { type: none }
records: users
${extra}fields:
  user_id: { label: User Id, path: id, type: string }
sync_key: user_id
`;
const bearer = `  type: bearer
  fields:
    token: { label: Token, secret: true, env: ACME_TOKEN }`;

describe('header rules and wait units', () => {
  it('a header rule, code and summary from a header, and a wait header with its unit load', () => {
    const text = connector(bearer, `errors:
  - when: { status: [403, 429], headers: { x-ratelimit-remaining: 0, retry-after: { present: false }, x-kind: [a, b] } }
    class: rate_limit
    code: { from: header, path: X-Error-Code }
    summary: { from: header, path: X-Error-Message }
rate_limit: { reset_header: x-ratelimit-reset, reset_unit: epoch_seconds }
`);
    expect(issuesOf(text)).toEqual([]);
  });

  it('a header name with a space, and { present: "yes" }, are refused where they are written', () => {
    const text = connector(bearer, `errors:
  - when: { status: 403, headers: { "x ratelimit": 0, retry-after: { present: "yes" } } }
    class: rate_limit
`);
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['errors[0].when.headers.x ratelimit', 'errors[0].when.headers.retry-after.present']));
    expect(issues.length).toBeGreaterThanOrEqual(2);
  });

  it('a wait header without its unit (or a unit without a header) is refused: the unit is never guessed', () => {
    const text = connector(bearer, `rate_limit: { reset_header: X-Rate-Limit-Reset }
`);
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'rate_limit', ...positionOf(text, '{ reset_header') });
    expect(issues[0].message).toMatch(/reset_unit/);

    const unit = issuesOf(connector(bearer, `rate_limit: { reset_unit: seconds }
`));
    expect(unit.map((i) => i.message).join(' ')).toMatch(/reset_header/);
  });

  it('an unknown unit suggests the listed ones', () => {
    const text = connector(bearer, `rate_limit: { reset_header: X-Wait, reset_unit: secs }
`);
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'rate_limit.reset_unit', ...positionOf(text, 'secs') });
    expect(`${issues[0].message} ${issues[0].hint}`).toMatch(/seconds/);
  });
});

describe('credential formats', () => {
  it('api_key value and basic username templates over secret fields load', () => {
    expect(issuesOf(connector(`  type: api_key
  in: header
  name: Authorization
  value: "Token token={{ credentials.key }}"
  fields:
    key: { label: Key, secret: true, env: ACME_KEY }`))).toEqual([]);
    expect(issuesOf(connector(`  type: basic
  username: "{{ credentials.email }}/token"
  password_field: api_token
  fields:
    email: { label: E-mail, secret: false, env: ACME_EMAIL }
    api_token: { label: API token, secret: true, env: ACME_API_TOKEN }`))).toEqual([]);
  });

  it('value with scheme, or username with username_field, is a conflict at the option it replaces', () => {
    const apiKey = connector(`  type: api_key
  in: header
  name: Authorization
  scheme: Token
  value: "Token token={{ credentials.key }}"
  fields:
    key: { label: Key, secret: true, env: ACME_KEY }`);
    expect(issuesOf(apiKey)).toEqual([expect.objectContaining({ code: 'conflicting_options', path: 'credentials.scheme', ...positionOf(apiKey, 'scheme:') })]);
    const basic = connector(`  type: basic
  username_field: email
  username: "{{ credentials.email }}/token"
  fields:
    email: { label: E-mail, secret: false, env: ACME_EMAIL }`);
    expect(issuesOf(basic)).toEqual([expect.objectContaining({ code: 'conflicting_options', path: 'credentials.username_field' })]);
  });

  it('a value that uses no credential field authenticates nothing: refused with the field to use', () => {
    const text = connector(`  type: api_key
  in: header
  name: Authorization
  value: "Token token=KEY"
  fields:
    key: { label: Key, secret: true, env: ACME_KEY }`);
    const issues = issuesOf(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'template_without_credential', path: 'credentials.value', hint: expect.stringContaining('{{ credentials.key }}') })]);
    expect(issues[0].message).not.toContain('Token token=KEY'); // a key pasted into the file is not repeated

  });

  it('basic without username_field or username says which to add; an unknown field in the template is named with a suggestion', () => {
    const none = connector(`  type: basic
  password_field: secret
  fields:
    secret: { label: Password, secret: true, env: ACME_PASSWORD }`);
    expect(issuesOf(none)).toEqual([expect.objectContaining({ code: 'missing_option', path: 'credentials' })]);
    const typo = connector(`  type: basic
  username: "{{ credentials.emial }}/token"
  password_field: secret
  fields:
    email: { label: E-mail, secret: false, env: ACME_EMAIL }
    secret: { label: Password, secret: true, env: ACME_PASSWORD }`);
    expect(issuesOf(typo)).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'credentials.username', hint: 'did you mean "email"?' })]);
  });

  it('a secret field in a request header is still refused: only the credentials block may send secrets', () => {
    const text = connector(`  type: api_key
  in: header
  name: Authorization
  value: "Token token={{ credentials.key }}"
  fields:
    key: { label: Key, secret: true, env: ACME_KEY }`, '', 'https://api.acme.test/v1', '{ path: /users, headers: { X-Key: "{{ credentials.key }}" } }');
    expect(issuesOf(text)).toEqual([expect.objectContaining({ code: 'secret_in_template', path: 'request.headers.X-Key' })]);
  });
});

describe('values from the token response', () => {
  const grant = (exports = '  exports: { instance_url: instance_url }\n') => `  type: oauth2_refresh_token
  token_url: https://login.salesforce.com/services/oauth2/token
  client_id_field: client_id
  client_secret_field: client_secret
  refresh_token_field: refresh_token
${exports}  fields:
    client_id: { label: Consumer key, secret: false }
    client_secret: { label: Consumer secret, secret: true }
    refresh_token: { label: Refresh token, secret: true }`;

  it('{{ auth.<export> }} loads in base_url, the request path, query, headers and body', () => {
    const request = '{ method: POST, path: "/q/{{ auth.instance_url }}", query: { i: "{{ auth.instance_url }}" }, headers: { X-I: "{{ auth.instance_url }}" }, body: { i: "{{ auth.instance_url }}" } }';
    expect(issuesOf(connector(grant(), '', '{{ auth.instance_url }}/services/data/v59.0', request))).toEqual([]);
  });

  it('an auth name the grant does not export is an error at its position, with the nearest export', () => {
    const text = connector(grant(), '', '{{ auth.instance_ulr }}/services/data/v59.0');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unknown_variable', path: 'base_url', ...positionOf(text, '"{{ auth.instance_ulr }}') });
    expect(issues[0].message).toBe('{{ auth.instance_ulr }}: the credentials export no value "instance_ulr"');
    expect(issues[0].hint).toMatch(/^did you mean "instance_url"\? \(exported: instance_url/);
  });

  it('auth in a connector whose credentials export nothing says which grants can, and how', () => {
    const text = connector(bearer, '', 'https://api.acme.test/v1', '{ path: "/orgs/{{ auth.org }}/users" }');
    const issues = issuesOf(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'request.path' })]);
    expect(issues[0].hint).toMatch(/only a token grant \(oauth2_client_credentials, oauth2_refresh_token, oauth2_jwt_bearer, session\).*exports: \{ org: <path in the token response> \}/);
  });

  it('the token itself cannot be exported, and a session cannot take its base URL from its own response', () => {
    const secret = connector(grant('  exports: { token: access_token }\n'));
    expect(issuesOf(secret)).toEqual([expect.objectContaining({ code: 'secret_export', path: 'credentials.exports.token' })]);
    const session = connector(`  type: session
  login: { path: /login, body: { user: "{{ credentials.user }}" }, token: { from: body, path: token } }
  header: Authorization
  exports: { host: host }
  fields:
    user: { label: User, secret: true, env: ACME_USER }`, '', '{{ auth.host }}/v1');
    expect(issuesOf(session)).toEqual([expect.objectContaining({ code: 'auth_in_base_url', path: 'base_url' })]);
  });

  it('exports are refused on credentials that fetch no token', () => {
    const text = connector(`${bearer}
  exports: { instance_url: instance_url }`);
    expect(issuesOf(text).map((i) => i.path)).toContain('credentials.exports');
  });
});
