import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { http, HttpResponse } from 'msw';
import { runIntegration, type RunResult } from '../../src/runner.js';
import { listRecords } from '../../src/targets/sqlite.js';
import { useServer } from '../helpers/msw.js';
import { BASE, fixture, mappingFile, membersForPage, TOKEN, usersListPage, type SlackMember } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * Slack users (mappings/slack-users.yaml, record_type people_and_saas_users): the People values
 * and the Slack SaaS user records the mapping computes with no code, from Slack's own
 * users.list sample (test/fixtures/slack/users.list.json, see its README.md).
 *
 * Slack's sample has two members, both active (`deleted: false`), both workspace admins, neither
 * a guest. Where a test needs a deactivated member or a guest it sets the documented flags on a
 * copy of a sample member, and says so: `deleted: true` (the member was deactivated),
 * `is_restricted: true` (a guest), with `is_ultra_restricted: true` for a single-channel guest
 * (field meanings: https://docs.slack.dev/reference/objects/user-object).
 */

const { server, requests } = useServer();
let store: TempStore;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.remove());

/** The real members of Slack's users.list sample. */
const sample = () => fixture<{ members: SlackMember[] }>('users.list.json').members;
const [SPENGLER, GLINDA] = sample().map((m) => m.id);

/** users.list answers one page with these members (the real envelope, an empty next_cursor: the last page). */
function serve(members: SlackMember[]): void {
  server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(members, ''))));
}

const run = (): Promise<RunResult> => runIntegration({ mappingFile: mappingFile('slack-users'), db: store.file, credentials: { token: TOKEN }, overrides: { base_url: BASE } });

/** Slack SaaS user records, read with the target's own listRecords. */
function saasUsers(): Record<string, unknown>[] {
  const db = new Database(store.file, { readonly: true, fileMustExist: true });
  try {
    return listRecords(db, 'saas_users');
  } finally {
    db.close();
  }
}

const personOf = (slackId: string) => store.people().find((p) => p.slack_user_id === slackId);
const saasUserOf = (slackId: string) => saasUsers().find((s) => s.external_id === slackId);

describe('Slack users → People and Slack SaaS users (mapping values)', () => {
  it('Slack\'s sample as it is: both members active Employees, each with a linked Slack SaaS user (Admin, Active)', async () => {
    expect(sample().map((m) => [m.deleted, m.is_restricted, m.is_admin])).toEqual([[false, false, true], [false, false, true]]);
    serve(sample());

    const result = await run();

    expect(result).toMatchObject({ status: 'succeeded', read: 2 });
    expect(result.counts).toEqual({ added: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(result.saas_users).toMatchObject({ app: 'Slack', counts: { added: 2, updated: 0, unchanged: 0, skipped: 0, failed: 0 } });
    expect(requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);

    expect(personOf(SPENGLER)).toMatchObject({
      username: 'spengler', full_name: 'Egon Spengler', email: 'spengler@ghostbusters.example.com',
      role: 'Employee', slack_active: true, source: 'Slack',
    });
    expect(personOf(GLINDA)).toMatchObject({
      username: 'glinda', full_name: 'Glinda Southgood', first_name: 'Glinda', last_name: 'Southgood', title: 'Glinda the Good',
      email: 'glenda@south.oz.coven', role: 'Employee', slack_active: true, source: 'Slack',
    });

    expect(saasUsers()).toHaveLength(2);
    for (const [slackId, username, email] of [[SPENGLER, 'spengler', 'spengler@ghostbusters.example.com'], [GLINDA, 'glinda', 'glenda@south.oz.coven']]) {
      expect(saasUserOf(slackId)).toEqual({
        id: expect.any(Number), saas_name: 'Slack', external_id: slackId, person_id: String(personOf(slackId)!.id),
        username, email, role: 'Admin', status: 'Active', source: 'Slack',
      });
    }
  });

  it('a second run over the same answer reports People and Slack SaaS users unchanged; the stored records stay as they were', async () => {
    serve(sample());
    await run();
    const before = { people: store.people(), saas: saasUsers() };

    const second = await run();

    expect(second.status).toBe('succeeded');
    expect(second.counts).toEqual({ added: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    expect(second.saas_users?.counts).toEqual({ added: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0 });
    expect(store.people()).toEqual(before.people);
    expect(saasUsers()).toEqual(before.saas);
  });

  it('a deactivated member is Slack Active false and Deactivated in Slack; guests are Contractors with their guest role', async () => {
    const [spengler, glinda] = sample();
    const [, glinda2] = membersForPage(2);
    const deactivated = { ...spengler, deleted: true };
    const multiChannelGuest = { ...glinda, is_admin: false, is_restricted: true };
    const singleChannelGuest = { ...glinda2, is_admin: false, is_restricted: true, is_ultra_restricted: true };
    serve([deactivated, multiChannelGuest, singleChannelGuest]);

    const result = await run();

    expect(result.counts).toEqual({ added: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(result.saas_users?.counts).toEqual({ added: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
    expect(personOf(SPENGLER)).toMatchObject({ slack_active: false, role: 'Employee' });
    expect(saasUserOf(SPENGLER)).toMatchObject({ status: 'Deactivated', role: 'Admin', person_id: String(personOf(SPENGLER)!.id) });
    expect(personOf(GLINDA)).toMatchObject({ slack_active: true, role: 'Contractor' });
    expect(saasUserOf(GLINDA)).toMatchObject({ status: 'Active', role: 'Multi-Channel Guest', person_id: String(personOf(GLINDA)!.id) });
    expect(personOf(glinda2.id)).toMatchObject({ slack_active: true, role: 'Contractor', username: 'glinda2' });
    expect(saasUserOf(glinda2.id)).toMatchObject({ status: 'Active', role: 'Single-Channel Guest', person_id: String(personOf(glinda2.id)!.id) });
    // Three people, three SaaS users, each linked to a different person.
    expect(new Set(saasUsers().map((s) => s.person_id)).size).toBe(3);
  });

  it('a member deactivated after the first run: the next run updates Slack Active and the SaaS status of that member only, in place', async () => {
    serve(sample());
    await run();
    const person = personOf(SPENGLER)!;
    const saasUser = saasUserOf(SPENGLER)!;
    server.resetHandlers();
    serve(sample().map((m) => (m.id === SPENGLER ? { ...m, deleted: true } : m)));

    const result = await run();

    expect(result.counts).toEqual({ added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(result.saas_users?.counts).toEqual({ added: 0, updated: 1, unchanged: 1, skipped: 0, failed: 0 });
    expect(personOf(SPENGLER)).toEqual({ ...person, slack_active: false });
    expect(saasUserOf(SPENGLER)).toEqual({ ...saasUser, status: 'Deactivated' });
    expect(personOf(GLINDA)?.slack_active).toBe(true);
    expect(saasUserOf(GLINDA)?.status).toBe('Active');
    expect(store.people()).toHaveLength(2);
    expect(saasUsers()).toHaveLength(2);
  });
});
