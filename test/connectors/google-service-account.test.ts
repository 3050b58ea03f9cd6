import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { delay, http, HttpResponse } from 'msw';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnector, validateFiles } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { root } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * Google Workspace users with a service account (connectors/google-workspace-users-service-account.yaml)
 * against a mock Directory API and a mock Google token endpoint that checks every assertion the way
 * Google documents it: "Using OAuth 2.0 for Server to Server Applications", section "Preparing to
 * make an authorized API call" / "Forming the JWT" and "Making the access token request",
 * https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
 * (header {"alg":"RS256","typ":"JWT"}; claims iss = the service account's e-mail, scope =
 * space-delimited scopes, aud = https://oauth2.googleapis.com/token, exp at most one hour after
 * iat, iat; sub = the user to impersonate with domain-wide delegation; the request is a form POST
 * with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and assertion=<the JWT>; the response
 * {"access_token", "scope", "token_type": "Bearer", "expires_in": 3600}).
 * The key pair is made by each run of this file; nothing secret is checked in.
 */

const { server, requests } = useServer();

const DIRECTORY = 'https://admin.google.test/admin/directory/v1';
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const CLIENT_EMAIL = 'intake-directory@example-project.iam.gserviceaccount.com';
const ADMIN = 'admin@example.com';
const connectorFile = join(root, 'connectors', 'google-workspace-users-service-account.yaml');

let publicKey: CryptoKey;
let pem: string;
let keyFile: string;
beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  publicKey = pair.publicKey;
  pem = await exportPKCS8(pair.privateKey);
  // The fields of a service-account JSON key file ("Create key → JSON"); the values are made up.
  keyFile = JSON.stringify({
    type: 'service_account',
    project_id: 'example-project',
    private_key_id: '0123456789abcdef0123456789abcdef01234567',
    private_key: pem,
    client_email: CLIENT_EMAIL,
    client_id: '123456789012345678901',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: TOKEN_URL,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: 'https://www.googleapis.com/robot/v1/metadata/x509/intake-directory%40example-project.iam.gserviceaccount.com',
    universe_domain: 'googleapis.com',
  }, null, 2);
});

/**
 * The documented users.list page (test/fixtures/google/users.list.domain.json): the first page keeps
 * its nextPageToken; the last one has none, and other ids and addresses.
 */
const documentedPage = (last = true) => {
  const page = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'google', 'users.list.domain.json'), 'utf8')) as { users: Record<string, unknown>[]; nextPageToken?: string };
  if (!last) return page;
  delete page.nextPageToken;
  page.users = page.users.map((u) => ({ ...u, id: `${String(u.id)} (last page)`, primaryEmail: `last.${String(u.primaryEmail)}` }));
  return page;
};

interface Exchange {
  header: Record<string, unknown>;
  claims: JWTPayload;
  form: Record<string, string>;
  assertion: string;
}

/** Google's token endpoint: verifies each assertion with the public key, records it, issues a numbered token. */
function tokenEndpoint(expiresIn = 3600): Exchange[] {
  const exchanges: Exchange[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      expect(request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      const { payload } = await jwtVerify(form.assertion, publicKey, { algorithms: ['RS256'] });
      exchanges.push({ header: decodeProtectedHeader(form.assertion), claims: payload, form, assertion: form.assertion });
      return HttpResponse.json({ access_token: `ya29.test-service-account-token-${exchanges.length}`, scope: SCOPE, token_type: 'Bearer', expires_in: expiresIn });
    }),
  );
  return exchanges;
}

const apiRequests = () => requests.filter((r) => r.url.host === 'admin.google.test');

let store: TempStore;
let dir: string;
let mappingFile: string;
beforeEach(() => {
  store = tempStore();
  // The shipped mapping with the one line that picks the service-account connector (docs/connectors.md).
  dir = mkdtempSync(join(tmpdir(), 'intake-google-sa-'));
  mkdirSync(join(dir, 'mappings'));
  mappingFile = join(dir, 'mappings', 'google-workspace-users.yaml');
  const text = readFileSync(join(root, 'mappings', 'google-workspace-users.yaml'), 'utf8');
  writeFileSync(mappingFile, text.replace(/^connector: google-workspace-users$/m, 'connector: google-workspace-users-service-account'));
});
afterEach(() => {
  store.remove();
  rmSync(dir, { recursive: true, force: true });
});

const run = (credentials: Record<string, string> = { service_account_key: keyFile, admin_email: ADMIN }): Promise<RunResult> =>
  runIntegration({ mappingFile, db: store.file, overrides: { base_url: DIRECTORY }, credentials, onWait: () => undefined });

/** The private key in every form it could leak in: the key file, the PEM, its base64 body and each of its lines. */
function expectKeyNowhere(result: RunResult): void {
  const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const forms = [keyFile, pem.trim(), body.join(''), ...body.filter((l) => l.length >= 16)];
  const seen = JSON.stringify(result) + store.rawBytes();
  for (const form of forms) expect(seen).not.toContain(form);
}

describe('Google Workspace users with a service account', () => {
  it('signs the JWT exactly as Google documents, exchanges it once, and reuses the token on every page', async () => {
    const exchanges = tokenEndpoint();
    let n = 0;
    server.use(http.get(`${DIRECTORY}/users`, () => HttpResponse.json(documentedPage(n++ > 0))));
    const before = Math.floor(Date.now() / 1000);

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', pages: 2, read: 4 });
    expect(exchanges).toHaveLength(1);
    const [{ header, claims, form }] = exchanges;
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'scope', 'sub']);
    expect(claims).toMatchObject({ iss: CLIENT_EMAIL, scope: SCOPE, aud: TOKEN_URL, sub: ADMIN });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Object.keys(form).sort()).toEqual(['assertion', 'grant_type']);
    expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer ya29.test-service-account-token-1', 'Bearer ya29.test-service-account-token-1']);
    expect(store.people()).toHaveLength(4);
    expectKeyNowhere(result);
    expect(JSON.stringify(result) + store.rawBytes()).not.toContain(exchanges[0].assertion);
  });

  it('a token about to expire is fetched again with a newly signed JWT', async () => {
    const exchanges = tokenEndpoint(1); // reused for 0.9 s, then fetched again
    let n = 0;
    server.use(
      http.get(`${DIRECTORY}/users`, async () => {
        if (n++ === 0) {
          await delay(1000);
          return HttpResponse.json(documentedPage(false));
        }
        return HttpResponse.json(documentedPage());
      }),
    );

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 4 });
    expect(exchanges).toHaveLength(2);
    expect(exchanges[1].assertion).not.toBe(exchanges[0].assertion);
    expect(exchanges[1].claims.iat).toBeGreaterThanOrEqual(exchanges[0].claims.iat!);
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer ya29.test-service-account-token-1', 'Bearer ya29.test-service-account-token-2']);
  });

  it('a 401 from the Directory API makes a new assertion and retries once with the new token', async () => {
    const exchanges = tokenEndpoint();
    let n = 0;
    server.use(http.get(`${DIRECTORY}/users`, () => (n++ === 0 ? HttpResponse.json({ error: { code: 401, message: 'Invalid Credentials', errors: [{ reason: 'authError' }] } }, { status: 401 }) : HttpResponse.json(documentedPage()))));

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(exchanges).toHaveLength(2);
  });

  it('unauthorized_client (no domain-wide delegation): fails before the API is called, with Google\'s words and what to do', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: 'unauthorized_client', error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.' }, { status: 400 })));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toBe('page 1: the token endpoint https://oauth2.googleapis.com/token refused the credentials (unauthorized_client: Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.)');
    expect(result.hint).toMatch(/Manage Domain Wide Delegation/);
    expect(result.hint).toContain(SCOPE);
    expect(apiRequests()).toEqual([]);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', hint: result.hint });
    expectKeyNowhere(result);
  });

  it('invalid_grant (a deleted key, a subject that is no user, a wrong clock): a plain message and the hint for it', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }, { status: 400 })));

    const result = await run();

    expect(result.status).toBe('failed');
    expect(result.message).toContain('(invalid_grant: Invalid JWT Signature.)');
    expect(result.hint).toMatch(/GOOGLE_SERVICE_ACCOUNT_KEY is a current key/);
    expect(result.hint).toMatch(/clock/);
    expectKeyNowhere(result);
  });

  it('a key that is cut short is a credential error naming the variable, never the key; nothing is sent', async () => {
    const cut = keyFile.replace(/(-----BEGIN PRIVATE KEY-----\\n[A-Za-z0-9+/]{64}\\n)[^"]*/, '$1');
    const result = await run({ service_account_key: cut, admin_email: ADMIN });

    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/GOOGLE_SERVICE_ACCOUNT_KEY/);
    expect(result.message).toMatch(/not a readable private key/);
    expect(requests).toEqual([]);
    expect(JSON.stringify(result) + store.rawBytes()).not.toContain(cut.slice(cut.indexOf('BEGIN PRIVATE KEY') + 22, cut.indexOf('BEGIN PRIVATE KEY') + 60));
  });

  it('an OAuth client file given as the key says so', async () => {
    const clientFile = JSON.stringify({ installed: { client_id: '1234.apps.googleusercontent.com', client_secret: 'GOCSPX-not-a-service-account' } });
    const result = await run({ service_account_key: clientFile, admin_email: ADMIN });

    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/is an OAuth client file, not a service account key/);
    expect(requests).toEqual([]);
  });
});

describe('two Google Workspace connectors, one per kind of credentials', () => {
  const refresh = loadConnector(join(root, 'connectors', 'google-workspace-users.yaml'));
  const serviceAccount = loadConnector(connectorFile);
  const withoutHints = (c: typeof refresh) => ({
    ...c,
    id: undefined,
    name: undefined,
    description: undefined,
    credentials: undefined,
    errors: c.errors?.map((rule) => ({ ...rule, hint: undefined, codes: Object.fromEntries(Object.entries(rule.codes ?? {}).map(([k, v]) => [k, { ...v, hint: undefined }])) })),
  });

  it('read the same request, paging, errors and fields: only the credentials and the hints differ', () => {
    expect(withoutHints(serviceAccount)).toEqual(withoutHints(refresh));
    expect(serviceAccount.credentials.type).toBe('oauth2_jwt_bearer');
    expect(refresh.credentials.type).toBe('oauth2_refresh_token');
  });

  it('the service-account connector validates, and a local mapping of it is refused: it needs the cloud installation', () => {
    expect(validateFiles([connectorFile, mappingFile]).map((f) => f.issues)).toEqual([[], []]);
    writeFileSync(mappingFile, readFileSync(mappingFile, 'utf8').replace(/^installation: cloud$/m, 'installation: local'));
    const [result] = validateFiles([mappingFile]);
    expect(result.issues.map((i) => [i.code, i.path])).toEqual([['needs_cloud', 'installation']]);
    expect(result.issues[0].message).toContain('oauth2_jwt_bearer');
  });
});

