import { afterEach, describe, expect, it } from '@jest/globals';
import {
  expectHonestStore, readStore, run, runArgs, slackUsers, slackUsersMapping, start, TOKEN, tokenEnv, until, usersApi, workspace, type UsersApi,
} from './store-harness.js';

/**
 * Item 4 of issue 7: an interrupted run never stays `running`. SIGINT and SIGTERM stop the read,
 * the run log records the run as `interrupted` with the counts of its committed batches, and the
 * process exits 130 / 143 at once, even while a page request hangs. A run whose process was
 * killed (kill -9) is found dead and marked interrupted by the next command that opens the store.
 * Either way the next run continues from the checkpoint.
 */
describe('an interrupted run', () => {
  let api: UsersApi | undefined;
  let space: ReturnType<typeof workspace> | undefined;
  afterEach(async () => {
    await api?.close();
    space?.remove();
  });

  /** A Slack users run over 12,000 users that commits its first batch (pages 1–5), then hangs on page 7. */
  async function hangingRun() {
    api = await usersApi(12_000);
    space = workspace();
    api.fault = (_path, page) => (page === 6 ? 'hold' : undefined);
    const child = start(runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), tokenEnv);
    await api.held();
    const store = readStore(space.db);
    await until(() => store.runs()[0]?.added === 5_000, 20_000, 'the first batch to commit');
    return child;
  }

  /** The next run continues where the interrupted one stopped, and the two add up to every user once. */
  async function resume(interrupted: number) {
    api!.release();
    api!.asked.length = 0;
    const next = await run([...runArgs(space!.db, slackUsersMapping, api!, '--set', 'page_size=1000'), '--json'], tokenEnv);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'succeeded', read: 7_000, counts: { added: 7_000 }, resumed_from: { run: interrupted, page: 6 } });
    expect(api!.asked[0].page).toBe(5);
    expect(readStore(space!.db).people()).toHaveLength(12_000);
    expectHonestStore(space!.dir, slackUsers);
    return next;
  }

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('%s: stops reading, records the run as interrupted with its counts, exits %i', async (signal, code) => {
    const child = await hangingRun();
    const sent = Date.now();
    child.process.kill(signal);
    const result = await child.done;
    expect(result.code).toBe(code);
    expect(Date.now() - sent).toBeLessThan(5_000); // the hanging request does not hold the stop
    expect(result.stdout).toMatch(new RegExp(`\n  interrupted by ${signal}: stopped reading\n`));
    expect(result.stdout).toMatch(/People: added 5000 · updated 0 · unchanged 0 · skipped 0 · failed 0/);
    expect(result.stdout).toMatch(/next run: continues at page 6/);
    expect(result.stdout).toMatch(/status: interrupted/);
    const [logged] = readStore(space!.db).runs();
    expect(logged).toMatchObject({ status: 'interrupted', read: 5_000, added: 5_000, message: `interrupted by ${signal}: stopped reading` });
    expect(readStore(space!.db).people()).toHaveLength(5_000); // page 6, read but not committed, was not written
    expectHonestStore(space!.dir, slackUsers);
    const next = await resume(logged.id);
    for (const output of [result.stdout, result.stderr, next.stdout, next.stderr]) expect(output).not.toContain(TOKEN);
  }, 60_000);

  it('kill -9: the next command that opens the store marks the run interrupted, keeping its counts; the run after continues', async () => {
    const child = await hangingRun();
    child.process.kill('SIGKILL');
    await child.done;
    expect(readStore(space!.db).runs()[0].status).toBe('running'); // nobody could record it

    const runs = await run(['--db', space!.db, 'runs', '--json']);
    expect(runs.code).toBe(0);
    const [listed] = JSON.parse(runs.stdout);
    expect(listed).toMatchObject({ status: 'interrupted', read: 5_000, counts: { added: 5_000 }, resume: { page: 6, skip: 0 } });
    expect(listed.message).toMatch(/the process running it stopped without recording how the run ended/);
    expect(listed.ended_at).not.toBeNull();
    expectHonestStore(space!.dir, slackUsers);
    await resume(listed.id);
  }, 60_000);

  it('a live run is left alone: intake runs shows it running, with its process', async () => {
    const child = await hangingRun();
    try {
      const runs = await run(['--db', space!.db, 'runs', 'show', '1']);
      expect(runs.stdout).toMatch(/status running/);
      expect(runs.stdout).toMatch(new RegExp(`running in process ${child.process.pid} on `));
      expect(readStore(space!.db).runs()[0].status).toBe('running');
    } finally {
      child.process.kill('SIGTERM');
      await child.done;
    }
  }, 60_000);
});
