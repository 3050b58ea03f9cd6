import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { registerSecret } from '../../src/credentials/scrub.js';
import { RunLog } from '../../src/runlog/runlog.js';
import { openStore } from '../../src/store/db.js';
import { sqliteTarget } from '../../src/targets/sqlite.js';
import { handleWeb } from '../../src/web/index.js';
import { insightsPage, pageRows } from '../../src/web/pages/insights.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/** What handleWeb answers over HTTP, without a browser: methods, paths it leaves alone, the scrubber, escaping. */
const secret = 'zoom-secret-value-7f3c9a1e5b2d';
let store: TempStore;
let server: Server;
let base: string;

beforeAll(async () => {
  store = tempStore();
  // a value that later turns out to be a credential (written before the secret was known to this process)
  const db = openStore(store.file);
  const target = sqliteTarget(db);
  await target.createCustomField('people', 'zoom_user_id', { label: 'Zoom User Id', type: 'string' });
  await target.createCustomField('people', 'zoom_last_login', { label: 'Zoom Last Login', type: 'datetime' });
  await target.write('people', { create: [{ username: 'x', email: 'x@example.org', role: 'Employee', full_name: `Pat ${secret} <script>alert(1)</script>`, zoom_user_id: 'z1', zoom_last_login: '2020-01-01T00:00:00Z' }], update: [] });
  const log = new RunLog(db);
  const run = log.start({ key: 'okta-users', integration: 'Okta users', mappingFile: 'mappings/okta-users.yaml', connector: 'okta-users', preference: 'create_update' });
  const counts = { added: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  log.finish(run, { status: 'failed', counts, pages: 1, entries: 3, requests: 2, message: `the API refused the token ${secret} <i>401</i>`, hint: 'set OKTA_TOKEN & run again', warnings: [] });
  // run #2: one a queue worker ran; the service keeps its grouped reasons, not its records
  log.recordFinished({
    key: 'okta-users', integration: 'Okta users', mappingFile: 'mappings/okta-users.yaml', connector: 'okta-users', preference: 'create_update',
    started_at: '2026-11-30T02:00:00.000Z', ended_at: '2026-11-30T02:00:05.000Z', status: 'succeeded', counts: { ...counts, skipped: 2 },
    pages: 1, entries: 5, requests: 1, warnings: [], job: 'repeat:okta-users:1764468000000', worker: { name: 'w2', host: 'node-b', pid: 4242 },
    reasons: [{ outcome: 'skipped', reason: 'filter: deactivated', count: 2, keys: ['00u1', '00u2'] }],
  });
  db.close();
  registerSecret(secret);
  server = createServer((req, res) => {
    void handleWeb(req, res, { db: store.file, mappingsDir: `${store.dir}/no-mappings`, schedule: () => [] }).then((answered) => {
      if (!answered) res.writeHead(404).end('not mine');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  store.remove();
});

describe('handleWeb', () => {
  it('masks a credential and escapes markup in every page and the CSV', async () => {
    const page = await (await fetch(`${base}/insights`)).text();
    expect(page).not.toContain(secret);
    expect(page).toContain('Pat *** &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script');
    const csv = await (await fetch(`${base}/insights.csv?days=30`)).text();
    expect(csv).toBe(`name,email,app,last_login,days\r\nPat *** <script>alert(1)</script>,x@example.org,Zoom,2020-01-01T00:00:00Z,${Math.floor((Date.now() - Date.parse('2020-01-01T00:00:00Z')) / 86_400_000)}\r\n`);
  });

  it('a run a queue worker ran shows the worker and the grouped reasons the service kept', async () => {
    const page = await (await fetch(`${base}/runs/2`)).text();
    expect(page).toContain('<dt>Worker</dt><dd>w2 (process 4242 on node-b), job repeat:okta-users:1764468000000</dd>');
    expect(page).toMatch(/<tr><td>skipped<\/td><td class="n">2<\/td><td>filter: deactivated<\/td><td>00u1, 00u2<\/td><\/tr>/);
  });

  it('a failed run\'s page shows its status, counts, message and hint, escaped and scrubbed', async () => {
    const page = await (await fetch(`${base}/runs/1`)).text();
    expect(page).toMatch(/<span class="state status-failed" id="status">failed<\/span>/);
    expect(page).toContain('<dd id="message">the API refused the token *** &lt;i&gt;401&lt;/i&gt;</dd>');
    expect(page).toContain('<dd id="hint">set OKTA_TOKEN &amp; run again</dd>');
    expect(page).toMatch(/<tr data-outcome="added"><th scope="row">added<\/th><td class="n">3<\/td><\/tr>/);
    expect(page).toContain('mappings/okta-users.yaml (create and update)');
  });

  it('answers GET and HEAD with a policy that runs no script and loads nothing from elsewhere; other methods get 405', async () => {
    const get = await fetch(`${base}/`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await get.text()).toMatch(/No mapping files found/);
    const head = await fetch(`${base}/insights`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves paths that are not its pages to the service (/api/…, /favicon.ico); a run that does not exist is its 404', async () => {
    for (const path of ['/api/runs', '/favicon.ico', '/runs', '/runs/1/x']) expect([path, (await fetch(`${base}${path}`)).status, await (await fetch(`${base}${path}`)).text()]).toEqual([path, 404, 'not mine']);
    const missing = await fetch(`${base}/runs/42`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/There is no run #42 in this store/);
  });

  it('lists at most pageRows inactive users on the page and points to the CSV for the rest', () => {
    const users = Array.from({ length: pageRows + 5 }, (_, i) => ({ name: `User ${i}`, email: `u${i}@example.org`, app: 'Zoom', last_login: null, days: null }));
    const page = insightsPage({ now: '2026-01-01T00:00:00.000Z', days: 90, app: null, apps: [{ app: 'Zoom', users: users.length, active: 0, days_30: 0, days_60: 0, days_90: 0, never: users.length }], users }, ['Zoom']).text;
    expect(page.match(/<tr><td>User \d+<\/td>/g)).toHaveLength(pageRows);
    expect(page).toContain('<p id="more">… and 5 more: <a href="/insights.csv?days=90">the CSV</a> holds all 1005.</p>');
  });
});
