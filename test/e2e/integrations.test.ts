import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator } from '../../src/demo/simulator.js';
import { loadIntegration, validateFiles } from '../../src/definition/load.js';
import { intake, root } from '../helpers/cli.js';

/** A folder laid out like a user's: connectors/ (the shipped ones), mappings/ (two Slack integrations), a store. */
function userFolder(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'intake-life-'));
  cpSync(join(root, 'connectors'), join(dir, 'connectors'), { recursive: true });
  mkdirSync(join(dir, 'mappings'));
  for (const name of ['slack-users', 'slack-last-login']) cpSync(join(root, 'mappings', `${name}.yaml`), join(dir, 'mappings', `${name}.yaml`));
  return { dir, db: join(dir, 'intake.db') };
}

let simulator: Awaited<ReturnType<typeof startSlackSimulator>>;
beforeAll(async () => {
  simulator = await startSlackSimulator({ users: 30 });
});
afterAll(() => simulator.close());

const slack = () => ({ SLACK_TOKEN: simulator.token });

describe('drafts, launch and pause', () => {
  it('integrations lists each mapping with its state and what a draft lacks; launch refuses a draft, then launches; pause stops it', async () => {
    const { dir, db } = userFolder();
    // Without SLACK_TOKEN both are drafts: the credentials do not resolve.
    const listed = JSON.parse((await intake(['--db', db, 'integrations', '--json'], {}, dir)).stdout);
    expect(listed.map((i: { name: string; state: string }) => [i.name, i.state])).toEqual([['slack-last-login', 'draft'], ['slack-users', 'draft']]);
    expect(listed[1]).toMatchObject({ installation: 'local', schedule: 'daily at 01:00 UTC', last_run: null, record_type: 'people_and_saas_users' });
    expect(listed[1].missing).toEqual([expect.stringMatching(/^credentials: .*SLACK_TOKEN/)]);

    const refused = await intake(['--db', db, 'launch', 'slack-users'], {}, dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/slack-users is a draft and cannot be launched; it needs:\n {2}- credentials: .*SLACK_TOKEN/);

    // A required People field removed from the mapping: a draft even with the token.
    const text = readFileSync(join(dir, 'mappings', 'slack-last-login.yaml'), 'utf8').replace('preference: update_only', 'preference: create_update');
    writeFileSync(join(dir, 'mappings', 'slack-last-login.yaml'), text);
    const drafts = JSON.parse((await intake(['--db', db, 'integrations', '--json'], slack(), dir)).stdout);
    expect(drafts[0]).toMatchObject({ name: 'slack-last-login', state: 'draft' });
    expect(drafts[0].missing.join('\n')).toMatch(/need "username".*\n.*need "email".*\n.*need "role"/);
    expect(drafts[1]).toMatchObject({ name: 'slack-users', state: 'ready', missing: [] });

    const launched = await intake(['--db', db, 'launch', 'slack-users', '--json'], slack(), dir);
    expect(launched.code).toBe(0);
    expect(JSON.parse(launched.stdout)).toEqual({ name: 'slack-users', launched: true, state: 'launched', schedule: 'daily at 01:00 UTC' });
    const paused = await intake(['--db', db, 'pause', 'slack-users'], slack(), dir);
    expect(paused.stdout).toMatch(/paused slack-users/);
    const after = JSON.parse((await intake(['--db', db, 'integrations', '--json'], slack(), dir)).stdout);
    expect(after.find((i: { name: string }) => i.name === 'slack-users').state).toBe('paused');

    const never = await intake(['--db', db, 'pause', 'slack-last-login'], slack(), dir);
    expect(never.code).toBe(2); // nothing ran: a usage mistake, not a failed run
    expect(never.stderr).toMatch(/never launched/);
    const unknown = await intake(['--db', db, 'launch', 'slack-user'], slack(), dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no integration "slack-user".*\n.*integrations: slack-last-login, slack-users/);
  }, 60_000);

  it('an integration into Oomnitza is a draft until the instance\'s URL and API token are set where a scheduled run finds them', async () => {
    const { dir, db } = userFolder();
    cpSync(join(root, 'mappings', 'slack-users-oomnitza.yaml'), join(dir, 'mappings', 'slack-users-oomnitza.yaml'));
    const state = async (env: Record<string, string>) => JSON.parse((await intake(['--db', db, 'integrations', '--json'], { ...slack(), ...env }, dir)).stdout).find((i: { name: string }) => i.name === 'slack-users-oomnitza');
    expect(await state({})).toMatchObject({ state: 'draft', missing: [expect.stringMatching(/^target: --target oomnitza needs the Oomnitza instance's URL.*\(give it with --oomnitza-url, OOMNITZA_URL, or oomnitza: \{ url: … \} in the config file/)] });
    expect(await state({ OOMNITZA_URL: 'https://acme.oomnitza.com' })).toMatchObject({ state: 'draft', missing: [expect.stringMatching(/^target: no API token for --target oomnitza.*intake credentials set oomnitza/)] });
    expect(await state({ OOMNITZA_URL: 'https://acme.oomnitza.com', OOMNITZA_TOKEN: 'oomz-7f3c9a1e5b2d4c68a0f1e2d3c4b5a697' })).toMatchObject({ state: 'ready', missing: [] });
  });

  it('run refuses a draft (exit 2, listing what is missing); run --test shows 10 records and writes nothing', async () => {
    const { dir, db } = userFolder();
    const file = join(dir, 'mappings', 'slack-users.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/\n {2}role: \{ expr: [^\n]*/, ''));
    const refused = await intake(['--db', db, 'run', file, '--set', `base_url=${simulator.url}`], slack(), dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/incomplete \[required_unmapped\] at fields: create_update creates People records, which need "role"/);
    expect(refused.stderr).toMatch(/the integration is a draft/);

    const tried = await intake(['--db', db, 'run', file, '--test', '--json', '--set', `base_url=${simulator.url}`], slack(), dir);
    const result = JSON.parse(tried.stdout);
    expect(result).toMatchObject({ test: true, dry_run: true, run_id: null, read: 10 });
    expect(result.missing).toEqual([expect.stringMatching(/need "role"/)]);
    const persons = result.records.filter((r: { kind: string }) => r.kind === 'people');
    expect(persons).toHaveLength(10);
    for (const r of persons.filter((p: { outcome: string }) => p.outcome !== 'skipped')) {
      expect(r).toMatchObject({ outcome: 'failed', reason: 'cannot create: required field role is empty' });
      expect(r.fields.email).toMatch(/@example\.com$/);
    }
    expect(JSON.parse((await intake(['--db', db, 'runs', '--json'], {}, dir)).stdout)).toEqual([]);
    expect(JSON.parse((await intake(['--db', db, 'records', 'users', '--json'], {}, dir)).stdout)).toEqual([]);

    const text = await intake(['--db', db, 'run', file, '--test', '--set', `base_url=${simulator.url}`], slack(), dir);
    expect(text.stdout).toMatch(/test run, nothing written/);
    expect(text.stdout).toMatch(/records \(test run: nothing was written\):\n {2}U\w+ · person · /);
  }, 60_000);

  it('a test run needs the sync key: without one it says so (exit 2), not "try --test"', async () => {
    const { dir, db } = userFolder();
    const file = join(dir, 'mappings', 'slack-last-login.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/sync_key:\n {2}- [^\n]*\n/, ''));
    const result = await intake(['--db', db, 'run', file, '--test', '--set', `base_url=${simulator.url}`], slack(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error \[sync_key_missing\].*\n.*a test run matches records by it too/);
    expect(result.stderr).not.toMatch(/try it meanwhile/);
  }, 30_000);
});

describe('People plus SaaS user records from the CLI', () => {
  it('slack-users writes People and Slack SaaS users; a second run reports both unchanged; records saas_users --app lists them', async () => {
    const { dir, db } = userFolder();
    const args = ['--db', db, 'run', 'mappings/slack-users.yaml', '--json', '--set', `base_url=${simulator.url}`];
    const first = JSON.parse((await intake(args, slack(), dir)).stdout);
    expect(first.counts.added).toBeGreaterThan(25);
    expect(first.saas_users).toMatchObject({ app: 'Slack', counts: { added: first.counts.added, failed: 0 } });
    const second = JSON.parse((await intake(args, slack(), dir)).stdout);
    expect(second.counts).toMatchObject({ added: 0, updated: 0, unchanged: first.counts.added });
    expect(second.saas_users.counts).toMatchObject({ added: 0, updated: 0, unchanged: first.counts.added });

    const accounts = JSON.parse((await intake(['--db', db, 'records', 'saas_users', '--app', 'slack', '--json'], {}, dir)).stdout);
    const persons = JSON.parse((await intake(['--db', db, 'records', 'users', '--json'], {}, dir)).stdout);
    expect(accounts).toHaveLength(persons.length);
    const byId = new Map(persons.map((p: { id: number }) => [String(p.id), p]));
    for (const account of accounts) expect((byId.get(account.person_id) as { slack_user_id: string }).slack_user_id).toBe(account.external_id);
    const shown = await intake(['--db', db, 'runs', 'show', String(second.run_id)], {}, dir);
    expect(shown.stdout).toMatch(/Slack SaaS users: added 0 · updated 0 · unchanged/);
    const none = await intake(['--db', db, 'records', 'saas_users', '--app', 'Zoom'], {}, dir);
    expect(none.stdout).toMatch(/no SaaS users of Zoom; apps in the store: Slack/);
  }, 60_000);
});

describe('intake mapping suggest', () => {
  it('for Slack last login: User Id → slack_user_id as sync key, Username → username, a datetime custom field for Last Used', async () => {
    const result = await intake(['mapping', 'suggest', 'slack-last-login']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sync_key:\n {2}- \{ source: user_id, target: slack_user_id \}/);
    expect(result.stdout).toMatch(/\n {2}username: username +# high: same name/);
    expect(result.stdout).toMatch(/\n {2}slack_last_used: \{ label: "Slack Last Used Timestamp", type: datetime \}/);
    expect(result.stdout).toMatch(/\n {2}slack_last_used: last_used +# new custom field: Last Used Timestamp \(datetime\)/);
    expect(result.stdout).toMatch(/\n {2}# email: +no connector field matches; People need it/);
    expect(result.stderr).toMatch(/no connector field matches email/);

    // What it prints loads as a draft whose only gap is the e-mail.
    const dir = userFolder().dir;
    const file = join(dir, 'mappings', 'suggested.yaml');
    writeFileSync(file, result.stdout);
    expect(validateFiles([file])[0].issues.map((i) => [i.code, i.draft, i.message.match(/"(\w+)"/)?.[1]])).toEqual([['required_unmapped', true, 'email']]);
  });

  it('for Okta: a complete mapping that validates, with synonyms and confidence', async () => {
    const result = await intake(['mapping', 'suggest', 'okta-users', '--json']);
    const suggestion = JSON.parse(result.stdout);
    expect(suggestion.missing_required).toEqual([]);
    expect(suggestion.pairs).toEqual(expect.arrayContaining([
      { target: 'username', source: 'login', confidence: 'high', why: 'known synonym (login → username)' },
      { target: 'email', source: 'email', confidence: 'high', why: 'same name' },
      { target: 'full_name', source: 'display_name', confidence: 'high', why: 'known synonym (display_name → full_name)' },
    ]));
    const dir = userFolder().dir;
    const file = join(dir, 'mappings', 'okta.yaml');
    writeFileSync(file, suggestion.yaml.replace('connector: okta-users', 'connector: okta-users\nsettings: { base_url: "https://acme.okta.com" }'));
    expect(loadIntegration(file).mapping.sync_key).toEqual([{ source: 'user_id', target: 'okta_user_id' }]);
  });

  it('with credentials, sample values help: an e-mail-looking value pairs with email', async () => {
    const result = await intake(['mapping', 'suggest', 'slack-users', '--json', '--record-type', 'people_and_saas_users', '--set', `base_url=${simulator.url}`], slack());
    const suggestion = JSON.parse(result.stdout);
    expect(suggestion.yaml).toMatch(/# Sample values: \d+ record\(s\) of the first page were read\./);
    expect(suggestion.pairs.find((p: { target: string }) => p.target === 'email')).toEqual({ target: 'email', source: 'email', confidence: 'high', why: 'sample values are e-mail addresses' });
    expect(suggestion.yaml).toMatch(/\nsaas_user:\n {2}app: "Slack"\n {2}fields:\n/);
    expect(result.stdout).not.toContain(simulator.token);
  });
});
