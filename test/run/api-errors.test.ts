import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { loadConnector } from '../../src/definition/load.js';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { BASE, connectorFile, fixture, mappingFile, membersForPage, TOKEN, usersListPage } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

const run = (integration: string): Promise<RunResult> =>
  runIntegration({ mappingFile: mappingFile(integration), db: store.file, overrides: { base_url: BASE }, credentials: { token: TOKEN } });

/** The hint the connector file gives for a Slack error code (what the user must be shown). */
function connectorHint(connector: string, code: string): string | undefined {
  const rules = loadConnector(connectorFile(connector)).errors ?? [];
  return rules.map((rule) => rule.codes?.[code]?.hint).find(Boolean);
}

/** Slack error bodies: HTTP 200, ok:false. paid_only and missing_scope are real samples. */
const slackErrors = {
  paid_only: () => fixture('team.accessLogs.error.paid_only.json'),
  invalid_auth: () => ({ ...fixture('team.accessLogs.error.paid_only.json'), error: 'invalid_auth' }),
  missing_scope: () => ({ ...fixture('missing_scope.users.identity.json'), needed: 'admin', provided: 'identify,users:read' }),
};

/** Fills the store the way a user would: a successful Slack users run (People + Slack User Id). */
async function seedPeople(): Promise<void> {
  server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(membersForPage(1), ''))));
  const seeded = await run('slack-users');
  expect(seeded.status).toBe('succeeded');
  expect(store.people().length).toBeGreaterThan(0);
  requests.length = 0;
}

const cases = [
  ['slack-last-login', 'team.accessLogs', 'paid_only', /paid/],
  ['slack-last-login', 'team.accessLogs', 'invalid_auth', /token/],
  ['slack-last-login', 'team.accessLogs', 'missing_scope', /scope/],
  ['slack-users', 'users.list', 'invalid_auth', /token/],
  ['slack-users', 'users.list', 'missing_scope', /scope/],
] as const;

describe('a Slack ok:false error fails the run, says why in plain words, and leaves the store untouched', () => {
  it.each(cases)('%s: %s answers %s', async (integration, method, code, plainWord) => {
    if (integration === 'slack-last-login') await seedPeople();
    const peopleBefore = integration === 'slack-last-login' ? store.people() : [];
    const fieldsBefore = integration === 'slack-last-login' ? store.customFields() : [];
    server.use(http.get(`${BASE}/${method}`, () => HttpResponse.json(slackErrors[code]())));

    const result = await run(integration);

    expect(result.status).toBe('failed');
    expect(result.message).toContain(code);
    expect(result.hint).toBe(connectorHint(integration, code));
    expect(result.hint).toMatch(plainWord);
    expect(`${result.message} ${result.hint}`).not.toContain(TOKEN);
    expect(result.counts).toEqual({ added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(requests).toHaveLength(1);

    expect(store.people()).toEqual(peopleBefore);
    expect(store.customFields()).toEqual(fieldsBefore);

    const [logged] = store.runs();
    expect(logged).toMatchObject({ id: result.run_id, status: 'failed', message: result.message, hint: result.hint });
    expect(logged.ended_at).not.toBeNull();
    expect(store.rawBytes()).not.toContain(TOKEN);
  });

  it('the failed run is logged after the earlier successful one, which stays as it was', async () => {
    await seedPeople();
    const before = store.runs();
    server.use(http.get(`${BASE}/team.accessLogs`, () => HttpResponse.json(slackErrors.paid_only())));
    const result = await run('slack-last-login');

    const after = store.runs();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({ id: result.run_id, integration: result.integration, status: 'failed' });
    expect(after.slice(1)).toEqual(before);
  });

  it('an error page that echoes the token never puts the token in the message, the hint or the store', async () => {
    server.use(http.get(`${BASE}/users.list`, ({ request }) => HttpResponse.html(`<html><body><h1>Bad gateway config</h1><p>Authorization: ${request.headers.get('authorization')}</p></body></html>`)));
    const result = await run('slack-users');

    expect(result.status).toBe('failed');
    expect(requests[0].headers.authorization).toContain(TOKEN);
    expect(result.message).toMatch(/not JSON/);
    expect(`${result.message} ${result.hint}`).not.toContain(TOKEN);
    expect(store.rawBytes()).not.toContain(TOKEN);
    expect(store.people()).toEqual([]);
  });

  // Regression: a failed run reported 0 requests (result and run log) although it had sent them,
  // because the source's counters were copied only after a successful read.
  it('a failed run reports the requests it made, in its result and in the run log', async () => {
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(slackErrors.invalid_auth())));
    const result = await run('slack-users');

    expect(result.status).toBe('failed');
    expect(requests.length).toBeGreaterThan(0);
    expect(result.requests).toBe(requests.length);
    expect(store.runs()[0].requests).toBe(requests.length);
  });
});

describe('other run failures', () => {
  it('an API that repeats its next_cursor fails the run with a pagination loop message after 2 requests', async () => {
    const same = fixture<{ response_metadata: { next_cursor: string } }>('users.list.json').response_metadata.next_cursor;
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(membersForPage(1), same))));
    const result = await run('slack-users');

    expect(result.status).toBe('failed');
    expect(result.message).toMatch(/same next-page value/);
    expect(requests).toHaveLength(2);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message });
  });

  it('a Slack error on page 2 fails the run and names the code', async () => {
    server.use(
      http.get(`${BASE}/users.list`, ({ request }) =>
        new URL(request.url).searchParams.has('cursor')
          ? HttpResponse.json(fixture('users.list.error.invalid_cursor.json'))
          : HttpResponse.json(usersListPage(membersForPage(1), 'dXNlcjpVMEc5V0ZYTlo='))),
    );
    const result = await run('slack-users');

    expect(result.status).toBe('failed');
    expect(result.message).toContain(fixture<{ error: string }>('users.list.error.invalid_cursor.json').error);
    expect(result.hint).toBe(connectorHint('slack-users', 'invalid_cursor'));
    expect(requests).toHaveLength(2);
  });
});
