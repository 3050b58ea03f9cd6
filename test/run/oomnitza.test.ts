import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { http, passthrough } from 'msw';
import { startOfUtcDay } from '../../src/demo/people.js';
import { slackDataset, startSlackSimulator, type Simulator } from '../../src/demo/simulator.js';
import { formatRun } from '../../src/cli/report.js';
import { runIntegration, type RunOptions, type RunResult } from '../../src/runner.js';
import { useServer } from '../helpers/msw.js';
import { OOMNITZA, OOMNITZA_TOKEN, OomnitzaModel } from '../helpers/oomnitza.js';
import { mappingFile } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * The Slack users and Slack last login integrations into an Oomnitza instance (a stateful model of
 * its v3 People API), reading the local Slack simulator: People created with the required fields,
 * the Slack last login written only into `slack_last_login` of the users matched by
 * `slack_user_id`, lookups batched, and a second run writes nothing.
 */
const { server } = useServer();
const users = 120;
const slackUsers = mappingFile('slack-users-oomnitza');
let simulator: Simulator;
let model: OomnitzaModel;
let store: TempStore;
beforeAll(async () => {
  simulator = await startSlackSimulator({ users });
});
afterAll(() => simulator.close());
beforeEach(() => {
  model = new OomnitzaModel();
  store = tempStore();
  // the Slack simulator is a real local server: its requests pass through; Oomnitza is the model
  server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()), ...model.handlers());
});
afterEach(() => store.remove());

const run = (mapping: string, options: Partial<RunOptions> = {}): Promise<RunResult> => runIntegration({
  mappingFile: mapping, db: store.file, overrides: { base_url: simulator.url }, credentials: { token: simulator.token },
  oomnitzaUrl: OOMNITZA, env: { OOMNITZA_TOKEN }, ...options,
});
const writes = () => model.journal.filter((r) => r.method === 'POST' || r.method === 'PATCH');
const lookups = () => model.requests('GET', '/api/v3/users');

describe('Slack users and Slack last login into Oomnitza', () => {
  it('without --create-fields the run stops before reading, listing the fields to create; nothing is written', async () => {
    const slackRequests = simulator.requests;
    const result = await run(slackUsers);
    expect(result).toMatchObject({ status: 'failed', code: 'target_fields_absent', read: 0, target: { name: 'oomnitza', where: `Oomnitza at ${OOMNITZA}`, atomic: false, from: 'mapping' } });
    expect(result.message).toMatch(/declares custom field\(s\) that Oomnitza at https:\/\/acme.oomnitza.test does not have: "slack_user_id", "slack_active"; nothing was read or written/);
    expect(result.hint).toBe('run again with --create-fields to create them, or create them in the People data model yourself: Slack User Id (string, external id slack_user_id); Slack Active (boolean, external id slack_active)');
    expect(writes()).toEqual([]);
    expect(simulator.requests).toBe(slackRequests);
    expect(store.runs()[0]).toMatchObject({ status: 'failed', target: { name: 'oomnitza' } });
  });

  it('creates People with the required fields, then patches only slack_last_login of the users matched by slack_user_id; second runs write nothing', async () => {
    const people = await run(slackUsers, { createFields: true });
    expect(people.status).toBe('succeeded');
    expect(model.meta.slack_user_id).toMatchObject({ label: 'Slack User Id' });
    expect(model.meta.slack_active).toMatchObject({ label: 'Slack Active', data_type: 'Checkbox' });
    const created = model.people();
    expect(created).toHaveLength(people.counts.added);
    expect(people.counts.added).toBeGreaterThan(users);
    for (const person of created) {
      expect(person).toMatchObject({ username: expect.any(String), email: expect.stringMatching(/@/), role: expect.stringMatching(/^(Employee|Contractor)$/), slack_user_id: expect.stringMatching(/^[UW]/), slack_active: expect.any(Boolean) });
    }
    // lookups batched: at most one lookup request per 50 keys
    const keys = people.counts.added;
    expect(lookups().length).toBeLessThanOrEqual(Math.ceil(keys / 50));
    expect(Math.max(...lookups().map((l) => (l.filter!.match(/','/g)?.length ?? 0) + 1))).toBeLessThanOrEqual(50);

    const before = new Map(model.people().map((p) => [p.uid, p]));
    model.journal.length = 0;
    const lastLogin = await run(mappingFile('slack-last-login'), { target: 'oomnitza', createFields: true });
    expect(lastLogin.status).toBe('succeeded');
    expect(lastLogin.counts.updated).toBeGreaterThan(0);
    // users that Slack lists but People lacks (bots, strangers) are skipped, never created
    expect(lastLogin.counts.added).toBe(0);
    expect(model.requests('POST', '/api/v3/users')).toEqual([]);
    const patches = model.requests('PATCH', /^\/api\/v3\/users\//);
    expect(patches).toHaveLength(lastLogin.counts.updated);
    for (const patch of patches) expect(Object.keys(patch.body!)).toEqual(['slack_last_login']);
    expect(lookups().length).toBeLessThanOrEqual(Math.ceil(lastLogin.read / 50));

    // each patched user's value is the max date_last of that Slack user's access-log entries; nothing else changed
    const dataset = slackDataset({ users, now: startOfUtcDay() });
    const lastSeen = new Map<string, number>();
    for (const login of dataset.logins) lastSeen.set(login.user_id, Math.max(lastSeen.get(login.user_id) ?? 0, login.date_last));
    for (const person of model.people()) {
      const { slack_last_login: seen, change_date: _changed, ...rest } = person;
      const { slack_last_login: _was, change_date: _before, ...restBefore } = before.get(person.uid)!;
      expect(rest).toEqual(restBefore);
      if (seen !== undefined) expect(seen).toBe(lastSeen.get(String(person.slack_user_id)));
    }
    expect(model.people().filter((p) => p.slack_last_login !== undefined)).toHaveLength(lastLogin.counts.updated);

    model.journal.length = 0;
    const again = [await run(slackUsers, { createFields: true }), await run(mappingFile('slack-last-login'), { target: 'oomnitza' })];
    expect(again.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(again[0].counts).toMatchObject({ added: 0, updated: 0, unchanged: people.counts.added });
    expect(again[1].counts).toMatchObject({ added: 0, updated: 0, unchanged: lastLogin.counts.updated });
    expect(writes()).toEqual([]);

    // the run log is in the store, which holds no People record and no secret
    expect(store.people()).toEqual([]);
    expect(store.runs().map((r) => r.target.name)).toEqual(['oomnitza', 'oomnitza', 'oomnitza', 'oomnitza']);
    for (const secret of [OOMNITZA_TOKEN, simulator.token]) {
      expect(store.rawBytes()).not.toContain(secret);
      expect(JSON.stringify([people, lastLogin, ...again])).not.toContain(secret);
    }
  });

  it('a field the mapping writes that the instance lacks fails the run before reading, with the nearest name', async () => {
    delete model.meta.full_name;
    model.meta.fullname = { label: 'Full Name', data_type: 'Short Text', optional: '1' };
    const result = await run(slackUsers, { createFields: true });
    expect(result).toMatchObject({ status: 'failed', code: 'target_field_missing', read: 0 });
    expect(result.message).toMatch(/the People records of Oomnitza at https:\/\/acme.oomnitza.test have no field "full_name"/);
    expect(result.hint).toMatch(/^did you mean "fullname"\?/);
    expect(writes()).toEqual([]);
  });

  it('a field the instance requires to create People that the mapping leaves unmapped fails the run before reading', async () => {
    model.meta.cost_center = { label: 'Cost Center', data_type: 'Short Text', optional: '0' };
    const result = await run(slackUsers, { createFields: true });
    expect(result).toMatchObject({ status: 'failed', code: 'required_unmapped', read: 0, hint: expect.stringMatching(/^map it under fields:, e.g. cost_center: <connector field>, or use preference: update_only$/) });
    expect(result.message).toMatch(/Oomnitza at https:\/\/acme.oomnitza.test needs "cost_center" \(Cost Center\) to create a People record/);
    expect(model.requests('POST', '/api/v3/users')).toEqual([]);
  });

  it('a dry run writes nothing, not even the fields it would create: records it cannot find would be added', async () => {
    for (const createFields of [true, false]) {
      const result = await run(slackUsers, { createFields, dryRun: true });
      expect(result).toMatchObject({ status: 'succeeded', dry_run: true, run_id: null });
      expect(result.counts.added).toBeGreaterThan(users);
      expect(result.warnings.filter((w) => /does not have the custom field/.test(w))).toEqual(createFields ? [] : [expect.stringMatching(/"slack_user_id", "slack_active" yet; the run needs them: run again with --create-fields/)]);
    }
    expect(writes()).toEqual([]);
    expect(model.meta.slack_user_id).toBeUndefined();
  });

  it('an instance that echoes the token in its refusal: the record fails in its words, the token masked everywhere', async () => {
    await run(slackUsers, { createFields: true }).then(() => model.users.clear());
    model.fail('POST', /^\/api\/v3\/users$/, { status: 400, body: { errors: { email: `rejected for token ${OOMNITZA_TOKEN}` } } }, { times: 1 });
    const result = await run(slackUsers);
    expect(result.status).toBe('completed_with_failures');
    expect(result.counts.failed).toBe(1);
    expect(result.reasons.filter((r) => r.outcome === 'failed')).toEqual([expect.objectContaining({ reason: 'Oomnitza refused it (HTTP 400): email: rejected for token ***' })]);
    expect(JSON.stringify(result)).not.toContain(OOMNITZA_TOKEN);
    expect(store.rawBytes()).not.toContain(OOMNITZA_TOKEN);
  });

  it('a People plus SaaS users mapping is refused before anything is read, saying why', async () => {
    const slackRequests = simulator.requests;
    await expect(run(mappingFile('slack-users'), { target: 'oomnitza' })).rejects.toMatchObject({
      code: 'target_misfit',
      message: expect.stringMatching(/the oomnitza target writes People records only, and this mapping also writes SaaS user records .*--target oomnitza/),
      hint: expect.stringMatching(/no SaaS user records with fields to write/),
    });
    expect(model.journal).toEqual([]);
    expect(simulator.requests).toBe(slackRequests);
  });

  it('a token the instance refuses mid-run: the run fails saying what to fix, and keeps (and counts) what was acknowledged', async () => {
    await run(slackUsers, { createFields: true }).then(() => model.users.clear());
    model.fail('POST', /^\/api\/v3\/users$/, { status: 401, body: { detail: 'Invalid token.' } }, { after: 30, times: 9999 });
    const result = await run(slackUsers);
    expect(result).toMatchObject({ status: 'failed', code: 'oomnitza_token_refused', hint: expect.stringMatching(/OOMNITZA_TOKEN/) });
    expect(result.counts.added).toBe(model.people().length);
    expect(model.people()).toHaveLength(30);
    const [logged] = store.runs();
    expect(logged).toMatchObject({ status: 'failed', counts: result.counts });
    expect(result.resume).toBeNull();
    expect(formatRun(result)).toContain(`\n  target: Oomnitza at ${OOMNITZA} (the mapping's target:)\n`);
    expect(formatRun(result)).toContain(`\n  kept: what Oomnitza at ${OOMNITZA} acknowledged before the run stopped, counted above (it takes records one by one); records of the batch in progress it did not acknowledge were not sent\n  next run: reads from the first page\n`);

    // the next run reads the batch again: the 30 kept are found (unchanged), the rest are added
    model.clearFaults();
    const next = await run(slackUsers);
    expect(next.status).toBe('succeeded');
    expect(next.counts).toMatchObject({ unchanged: 30, added: expect.any(Number) });
    expect(model.people()).toHaveLength(30 + next.counts.added);
    expect(new Set(model.people().map((p) => p.slack_user_id)).size).toBe(model.people().length);
  });
});
