import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { expiresAt } from '../../../src/source/auth/token.js';
import { optionsFor, read, useConnectors } from '../../helpers/components.js';
import { useServer } from '../../helpers/msw.js';

const { server, requests } = useServer();
const connectors = useConnectors();

const API = 'https://api.shortlived.test';
const connector = () => connectors.load(`
  id: short-lived
  name: Short-lived tokens
  record_type: users
  credentials:
    type: oauth2_client_credentials
    token_url: ${API}/oauth/token
    client_id_field: client_id
    client_secret_field: client_secret
    fields:
      client_id: { label: Client id, secret: false, env: SL_CLIENT_ID }
      client_secret: { label: Client secret, secret: true, env: SL_CLIENT_SECRET }
  base_url: ${API}/v1
  request: { method: GET, path: /users }
  pagination: { type: page_number, send: { in: query, name: page } }
  records: users
  fields:
    user_id: { label: User Id, path: id, type: string }
  sync_key: user_id
`);

describe('token lifetime', () => {
  // Regression: a token that lives 60 s or less was fetched again for every request
  // (expires_in - 60, floored at 0, is already expired).
  it.each([60, 30])('a token that lives %i s is fetched once and reused for every page of a short read', async (expiresIn) => {
    server.use(
      http.post(`${API}/oauth/token`, () => HttpResponse.json({ access_token: `tok-${requests.length}`, token_type: 'bearer', expires_in: expiresIn })),
      http.get(`${API}/v1/users`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'));
        return HttpResponse.json({ users: page <= 4 ? [{ id: `u${page}` }] : [] });
      }),
    );
    const { records, error } = await read(optionsFor(connector(), { client_id: 'cid', client_secret: 'client-secret-1' }));

    expect(error).toBeUndefined();
    expect(records).toHaveLength(4);
    expect(requests.filter((r) => r.url.pathname === '/oauth/token')).toHaveLength(1);
  });

  it('a token is fetched again shortly before it expires: a tenth of its life early, at most a minute', () => {
    const now = 1_700_000_000_000;
    expect(expiresAt(3600, now) - now).toBe(3540_000);
    expect(expiresAt(60, now) - now).toBe(54_000);
    expect(expiresAt(30, now) - now).toBe(27_000);
    expect(expiresAt(0, now) - now).toBe(0);
  });
});
