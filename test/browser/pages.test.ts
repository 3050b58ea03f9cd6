import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { setLaunchState } from '../../src/integrations/state.js';
import { RunLog } from '../../src/runlog/runlog.js';
import { openStore } from '../../src/store/db.js';
import { outcomes } from '../../src/sync/outcomes.js';
import { startService, type Service } from '../../src/service/service.js';
import { handleWeb } from '../../src/web/index.js';
import { seedInsights, type Seeded } from '../helpers/insights.js';
import { root } from '../helpers/cli.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * The integration log and the last-login insights in a real browser: Debian's Chromium, driven by
 * playwright-core, loads the pages the service (`startService`, as intake serve starts it, on a
 * free loopback port) serves over a store the real Slack integrations filled. A screenshot
 * of each page goes to test-output/screenshots/ for people to look at.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = join(root, 'test-output', 'screenshots');

let store: TempStore;
let seeded: Seeded;
let service: Service;
let nextRun: string;
let base: string;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: the browser test needs Debian's chromium package (apt-get install -y chromium; .ci/run installs it when missing)`);
  }
  store = tempStore();
  seeded = await seedInsights(store.file, new Date());
  const mappings = mkdtempSync(join(tmpdir(), 'intake-web-mappings-'));
  for (const name of ['slack-users', 'slack-last-login']) cpSync(join(root, 'mappings', `${name}.yaml`), join(mappings, `${name}.yaml`));
  const db = openStore(store.file);
  setLaunchState(db, 'slack-users', join(mappings, 'slack-users.yaml'), 'launched');
  db.close();
  process.env.SLACK_TOKEN = 'xoxp-browser-test-token-1234'; // the integrations are complete, not drafts
  // the real service: its scheduler (slack-users launched, daily at 01:00 UTC), the API and these pages
  service = await startService({ db: store.file, mappingsDir: mappings, port: 0, web: handleWeb });
  base = service.url;
  nextRun = service.schedule().find((i) => i.name === 'slack-users')!.next_run!;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(shots, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await service?.stop();
  store?.remove();
});

/** A fresh page that records every console error, page error, failed request and error status. */
async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  const response = await page.goto(`${base}${path}`);
  expect(response?.status()).toBe(200);
  return page;
}

const cells = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

describe('the integration log in a browser', () => {
  it('/ lists the integrations with state, installation, schedule, next run and the last run with its counts', async () => {
    const page = await open('/');
    expect(await page.locator('h1').innerText()).toBe('Integrations');
    const log = new RunLog(openStore(store.file));
    const users = log.last('slack-users')!;
    const logins = log.last('slack-last-login')!;
    const row = page.locator('tr[data-integration="slack-users"]');
    const text = await row.innerText();
    expect(text).toMatch(/launched/);
    expect(text).toMatch(/local/);
    expect(text).toContain('daily at 01:00 UTC');
    expect(text).toContain(`${nextRun.slice(0, 10)} 01:00 UTC`);
    expect(text).toContain(`${users.counts.added} added`);
    expect(text).toContain(`${users.counts.skipped} skipped`);
    expect(text).toContain(`Slack SaaS users: ${users.saas_users!.counts.added} added`);
    const other = await page.locator('tr[data-integration="slack-last-login"]').innerText();
    expect(other).toMatch(/ready/);
    expect(other).toContain(`${logins.counts.updated} updated`);
    expect(await row.getByRole('link').getAttribute('href')).toBe(`/runs/${users.id}`);
    await page.screenshot({ path: join(shots, 'integrations.png'), fullPage: true });
    await row.getByRole('link').click();
    await page.waitForURL(`${base}/runs/${users.id}`);
    expect(await page.locator('h1').innerText()).toBe(`Run #${users.id}: Slack users`);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('/runs/:id shows the run\'s counts by outcome, its status and target, and its reasons grouped', async () => {
    const db = openStore(store.file);
    const run = new RunLog(db).get(new RunLog(db).last('slack-users')!.id)!;
    db.close();
    const page = await open(`/runs/${run.id}`);
    expect(await page.locator('#status').innerText()).toBe('succeeded');
    expect(await page.locator('dl').innerText()).toContain(run.target.where);
    for (const o of outcomes) {
      expect(await cells(page, `#counts tr[data-outcome="${o}"] td`)).toEqual([String(run.counts[o]), String(run.saas_users!.counts[o])]);
    }
    // the skipped records' reasons, one row per reason with its count (bots, Slackbot, app users)
    const reasons = new Map<string, number>();
    for (const r of run.records) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    expect(reasons.size).toBeGreaterThan(0);
    const rows = await page.locator('table.reasons tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map(([outcome, count, reason]) => [outcome, Number(count), reason]).sort()).toEqual([...reasons].map(([reason, n]) => ['skipped', n, reason]).sort());
    await page.screenshot({ path: join(shots, 'run.png'), fullPage: true });
    await page.close();
    const missing = await browser.newPage();
    expect((await missing.goto(`${base}/runs/99999`))?.status()).toBe(404);
    expect(await missing.locator('h1').innerText()).toBe('Run not found');
    await missing.close();
    expect(problems.filter((p) => !p.includes('/runs/99999'))).toEqual([]);
    problems.length = 0;
  }, 60_000);

  it('/insights shows per app the users by days since their last login (chart and table) and the inactive users, as the store holds them', async () => {
    const now = new Date();
    const page = await open('/insights');
    const expected = seeded.expected(now, 90);
    for (const [app, counts] of Object.entries(expected.apps)) {
      for (const [bucket, n] of Object.entries(counts)) {
        expect([app, bucket, await page.locator(`#apps tr[data-app="${app}"] td[data-bucket="${bucket}"]`).innerText()]).toEqual([app, bucket, String(n)]);
        if (bucket === 'users' || bucket === 'active') continue;
        expect([app, bucket, await page.locator(`svg g.bar[data-app="${app}"][data-bucket="${bucket}"] text`).textContent()]).toEqual([app, bucket, String(n)]);
      }
    }
    const inactive = expected.inactive.filter((u) => u.days !== null).length;
    expect(await page.locator('#inactive-heading').innerText()).toBe(`Inactive users: ${inactive} for 90+ days, ${expected.inactive.length - inactive} never logged in`);
    expect(await page.locator('#users tbody tr').count()).toBe(expected.inactive.length);
    // a name with markup in it is shown as text, never as markup
    expect(await page.locator('#users').innerText()).toContain('<b>Eve & "Co"</b>');
    expect(await page.locator('#users b').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'insights.png'), fullPage: true });

    // the filter: 30 days, Zoom only
    await page.getByLabel('Inactive for at least (days)').fill('30');
    await page.getByLabel('App', { exact: true }).selectOption('Zoom');
    await Promise.all([page.waitForURL(/\/insights\?days=30&app=Zoom$/), page.getByRole('button', { name: 'Show' }).click()]);
    const zoom = seeded.expected(now, 30, 'Zoom');
    expect(await page.locator('#apps tbody tr').count()).toBe(1);
    expect(await page.locator('#users tbody tr').count()).toBe(zoom.inactive.length);
    const csvLink = page.getByRole('link', { name: 'Download these users as CSV' });
    expect(await csvLink.getAttribute('href')).toBe('/insights.csv?days=30&app=Zoom');
    const csv = await page.request.get(`${base}/insights.csv?days=30&app=Zoom`);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('name,email,app,last_login,days');
    expect(lines.slice(1).map((l) => l.split(',').at(-1)).map((d) => (d === '' ? null : Number(d))).sort()).toEqual(zoom.inactive.map((u) => u.days).sort());
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  it('a filter that does not parse is a page that says so (400); other paths are not the pages\' to answer', async () => {
    const page = await browser.newPage();
    expect((await page.goto(`${base}/insights?days=abc`))?.status()).toBe(400);
    expect(await page.locator('.error').innerText()).toMatch(/days must be a whole number of 1 or more \(it was “abc”\)/);
    expect((await page.goto(`${base}/elsewhere`))?.status()).toBe(404);
    await page.close();
  }, 30_000);
});
