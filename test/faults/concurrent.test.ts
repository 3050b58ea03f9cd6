import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { readdirSync, readlinkSync } from 'node:fs';
import {
  expectHonestStore, readStore, run, runArgs, slackLastLoginMapping, slackUsers, slackUsersMapping, start, TOKEN, tokenEnv, until, usersApi,
  workspace, type UsersApi,
} from './store-harness.js';

/**
 * Item 5 of issue 7: two runs on one store. A second run of the same integration is refused at
 * once, saying which run holds it, in which process, since when. Runs of different integrations
 * both succeed: each batch is a short write transaction, so neither waits for the other's run,
 * and a new store's schema is set up by one of them only.
 */
describe('two runs on one store', () => {
  let api: UsersApi | undefined;
  let space: ReturnType<typeof workspace> | undefined;
  afterEach(async () => {
    await api?.close();
    space?.remove();
  });

  /** A Slack users run that has committed its first batch and hangs on its 7th page. */
  async function hangingUsersRun() {
    api = await usersApi(12_000);
    space = workspace();
    api.fault = (path, page) => (path === 'users.list' && page === 6 ? 'hold' : undefined);
    const child = start([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv);
    await api.held();
    await until(() => readStore(space!.db).runs()[0]?.added === 5_000, 20_000, 'the first batch to commit');
    return child;
  }

  it('the same integration: the second run is refused at once with who runs it and since when; the first goes on', async () => {
    const first = await hangingUsersRun();
    const [running] = readStore(space!.db).runs();
    const began = Date.now();
    const second = await run(runArgs(space!.db, slackUsersMapping, api!, '--set', 'page_size=1000'), tokenEnv);
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`Slack users is already running in this store: run #${running.id}, started ${(running as unknown as { started_at: string }).started_at} by process ${first.process.pid}`);
    expect(second.stderr).toMatch(/hint: wait for run #1 to end \(intake runs shows it\), or stop it \(kill \d+/);
    expect(readStore(space!.db).runs()).toHaveLength(1); // the refused run wrote nothing, not even a run

    api!.release();
    const done = await first.done;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ status: 'succeeded', read: 12_000, counts: { added: 12_000 } });
    expectHonestStore(space!.dir, slackUsers);
    for (const output of [second.stdout, second.stderr, done.stdout, done.stderr]) expect(output).not.toContain(TOKEN);
  }, 60_000);

  it('different integrations: one writes and finishes while the other is between batches; both succeed', async () => {
    const users = await hangingUsersRun();
    const logins = await run([...runArgs(space!.db, slackLastLoginMapping, api!), '--json'], tokenEnv);
    expect(logins.stderr).toBe('');
    expect(logins.code).toBe(0);
    // the first batch's 5,000 people get their last login; the others are not people yet
    expect(JSON.parse(logins.stdout)).toMatchObject({ status: 'succeeded', read: 12_000, counts: { updated: 5_000, skipped: 7_000 } });

    api!.release();
    const done = await users.done;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ status: 'succeeded', counts: { added: 12_000 } });
    const people = readStore(space!.db).people();
    expect(people.filter((p) => p.slack_last_login)).toHaveLength(5_000);
    expectHonestStore(space!.dir, slackUsers);
  }, 60_000);

  it('a new store set up by two processes at once: both wait for the write lock, one creates the schema, both succeed', async () => {
    space = workspace();
    // an empty store whose write lock this test holds, so that both commands reach the schema set-up before either can write
    const blocker = new Database(space.db);
    blocker.pragma('journal_mode = WAL');
    blocker.exec('BEGIN IMMEDIATE');
    const env = { SLACK_TOKEN: TOKEN };
    const children = ['slack-users', 'slack-last-login'].map((name) => start(['--db', space!.db, 'launch', name], env));
    const opened = (pid: number) => readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === `${space!.db}-shm`;
      } catch {
        return false;
      }
    });
    await until(() => children.every((c) => opened(c.process.pid!)), 20_000, 'both commands to open the store');
    blocker.exec('COMMIT');
    blocker.close();
    for (const result of await Promise.all(children.map((c) => c.done))) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const db = new Database(space.db, { readonly: true });
    expect(db.prepare('SELECT name, state FROM integrations ORDER BY name').all()).toEqual([{ name: 'slack-last-login', state: 'launched' }, { name: 'slack-users', state: 'launched' }]);
    db.close();
  });
});
