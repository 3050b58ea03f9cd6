import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { http, HttpResponse } from 'msw';
import { validateFiles } from '../../../src/definition/load.js';
import { optionsFor, read, readError, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';
import { workspace, type Workspace } from '../../definition/workspace.js';

/**
 * `type: oauth2_jwt_bearer` as a general RFC 7523 grant (not only Google's): a PEM key with the
 * issuer in its own field, another audience, another algorithm, no scopes and no subject.
 */
const { server, requests } = useServer();
const connectors = useConnectors();

const API = 'https://api.jwt.test';
const TOKEN_URL = `${API}/oauth2/token`;
let rsa: { publicKey: CryptoKey; pem: string };
let ec: { publicKey: CryptoKey; pem: string };
beforeAll(async () => {
  const make = async (alg: string) => {
    const pair = await generateKeyPair(alg, { extractable: true });
    return { publicKey: pair.publicKey, pem: await exportPKCS8(pair.privateKey) };
  };
  rsa = await make('RS256');
  ec = await make('ES256');
});

const connector = (options: string, fields = 'issuer: { label: Consumer key, secret: false, env: JWT_ISSUER }') => connectors.load(`
  id: jwt-users
  name: JWT users
  record_type: users
  credentials:
    type: oauth2_jwt_bearer
    token_url: ${TOKEN_URL}
    private_key_field: key
    ${options}
    fields:
      key: { label: Private key, secret: true, env: JWT_KEY }
      ${fields}
  base_url: ${API}/v1
  request: { method: GET, path: /users }
  pagination: { type: none }
  records: users
  fields:
    user_id: { label: User Id, path: id, type: string }
  sync_key: user_id
`);

/** The token endpoint: verifies the assertion with `publicKey`, records its header and claims. */
function endpoints(publicKey: () => CryptoKey, algorithm: string): { header: Record<string, unknown>; claims: JWTPayload }[] {
  const seen: { header: Record<string, unknown>; claims: JWTPayload }[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const assertion = form.get('assertion')!;
      const { payload } = await jwtVerify(assertion, publicKey(), { algorithms: [algorithm] });
      seen.push({ header: decodeProtectedHeader(assertion), claims: payload });
      return HttpResponse.json({ access_token: 'jwt-access-token-1', token_type: 'Bearer', expires_in: 3600 });
    }),
    http.get(`${API}/v1/users`, () => HttpResponse.json({ users: [{ id: 'u1' }] })),
  );
  return seen;
}

describe('oauth2_jwt_bearer: a PEM key and its own issuer field', () => {
  it('signs with the issuer field, the audience given, no scope and no subject; the lifetime as set', async () => {
    const seen = endpoints(() => rsa.publicKey, 'RS256');
    const spec = connector('issuer_field: issuer\n    audience: https://login.jwt.test\n    lifetime_seconds: 300');

    const { records, error } = await read(optionsFor(spec, { key: rsa.pem, issuer: '3MVG9-consumer-key' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'u1' }]);
    expect(seen[0].header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(Object.keys(seen[0].claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss']);
    expect(seen[0].claims).toMatchObject({ iss: '3MVG9-consumer-key', aud: 'https://login.jwt.test' });
    expect(seen[0].claims.exp! - seen[0].claims.iat!).toBe(300);
    expect(requests.find((r) => r.url.pathname === '/v1/users')?.headers.authorization).toBe('Bearer jwt-access-token-1');
  });

  it('an EC key signs with algorithm: ES256', async () => {
    const seen = endpoints(() => ec.publicKey, 'ES256');

    const { error } = await read(optionsFor(connector('issuer_field: issuer\n    algorithm: ES256'), { key: ec.pem, issuer: 'ec-issuer' }));

    expect(error).toBeUndefined();
    expect(seen[0].header).toEqual({ alg: 'ES256', typ: 'JWT' });
  });

  it('a PEM whose line breaks were written as \\n (copied out of a JSON file) is read', async () => {
    const seen = endpoints(() => rsa.publicKey, 'RS256');
    const oneLine = rsa.pem.trim().split('\n').join('\\n');

    const { error } = await read(optionsFor(connector('issuer_field: issuer'), { key: oneLine, issuer: 'one-line-issuer' }));

    expect(error).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('an EC key with the default RS256 is refused in plain words, before anything is sent', async () => {
    endpoints(() => rsa.publicKey, 'RS256');

    const error = await readError(optionsFor(connector('issuer_field: issuer'), { key: ec.pem, issuer: 'ec-issuer' }));

    expect(error.message).toMatch(/cannot sign with RS256 \(it is an EC key\)/);
    expect(error.hint).toMatch(/set algorithm to match the key/);
    expect(requests).toEqual([]);
  });

  it('a PEM key without an issuer field names no account: a plain error, nothing sent', async () => {
    endpoints(() => rsa.publicKey, 'RS256');

    const error = await readError(optionsFor(connector('', 'other: { label: Other, secret: false, env: JWT_OTHER }'), { key: rsa.pem, other: 'x' }));

    expect(error.message).toMatch(/no issuer for the JWT/);
    expect(error.hint).toMatch(/issuer_field/);
    expect(requests).toEqual([]);
  });

  it('a value that is no key is refused naming the field and its variable, not the value', async () => {
    const error = await readError(optionsFor(connector('issuer_field: issuer'), { key: 'not-a-private-key-at-all', issuer: 'i' }));

    expect(error.message).toBe('page 1: the credential key (JWT_KEY) is neither a PEM private key nor a service account key file');
    expect(requests).toEqual([]);
  });

  it('without a connector hint for the code, the general hint of the grant is given', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: 'invalid_grant', error_description: 'audience is invalid' }, { status: 400 })));

    const error = await readError(optionsFor(connector('issuer_field: issuer'), { key: rsa.pem, issuer: 'i' }));

    expect(error.message).toContain('(invalid_grant: audience is invalid)');
    expect(error.hint).toMatch(/refused the signed assertion/);
  });
});

describe('oauth2_jwt_bearer: checked when the connector loads', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws.remove());
  const text = (credentials: string) => `
id: jwt-check
name: JWT check
record_type: users
credentials:
${credentials}
base_url: https://api.jwt.test/v1
request: { method: GET, path: /users }
pagination: { type: none }
records: users
fields:
  user_id: { label: User Id, path: id, type: string }
sync_key: user_id
`;

  it('a private key field declared secret: false is refused; an unknown field name gets the nearest one', () => {
    const [result] = validateFiles([ws.connector('jwt-check', text(`  type: oauth2_jwt_bearer
  token_url: https://api.jwt.test/token
  private_key_field: key
  subject_field: admn
  fields:
    key: { label: Key, secret: false, env: K }
    admin: { label: Admin, secret: false, env: A }`))]);

    expect(result.issues.map((i) => [i.code, i.path, i.hint])).toEqual([
      ['unknown_field', 'credentials.subject_field', 'did you mean "admin"?'],
      ['secret_required', 'credentials.fields.key.secret', expect.stringMatching(/masked everywhere/)],
    ]);
  });

  it('lifetime_seconds above an hour and an unknown algorithm are schema errors', () => {
    const [result] = validateFiles([ws.connector('jwt-check-2', text(`  type: oauth2_jwt_bearer
  token_url: https://api.jwt.test/token
  private_key_field: key
  lifetime_seconds: 7200
  algorithm: HS256
  fields:
    key: { label: Key, env: K }`))]);

    expect(result.issues.map((i) => i.path).sort()).toEqual(['credentials.algorithm', 'credentials.lifetime_seconds']);
  });
});
