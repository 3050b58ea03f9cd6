import { afterEach, describe, expect, it } from '@jest/globals';
import {
  expectHonestStore, pagedUsers, pagedUsersIntegration, readStore, run, runArgs, slackLastLoginMapping, slackUsers, slackUsersMapping,
  TOKEN, tokenEnv, usersApi, workspace, type UsersApi,
} from './store-harness.js';

/**
 * Item 7 of issue 7: what a failed run kept. Writes are atomic per batch (5,000 records, ending at
 * a page's end); a failed run keeps its committed batches, its run log counts exactly those, and
 * the next run continues from its checkpoint (cursor, offset, page number), counting no record
 * twice. An aggregated connector reads everything before it writes, so it starts over.
 */
describe('a failed run and its checkpoint', () => {
  let api: UsersApi | undefined;
  let space: ReturnType<typeof workspace> | undefined;
  afterEach(async () => {
    await api?.close();
    space?.remove();
  });

  const noLeak = (...outputs: string[]) => {
    for (const output of outputs) expect(output).not.toContain(TOKEN);
  };

  it('cursor paging: a run that fails after 12,000 records keeps its two committed batches, says so, and the next run continues at page 11', async () => {
    api = await usersApi(12_500);
    space = workspace();
    api.fault = (path, page) => (page === 12 ? 'fail' : undefined); // the 13th page is refused

    const failed = await run([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv);
    expect(failed.code).toBe(3);
    const first = JSON.parse(failed.stdout);
    expect(first).toMatchObject({ status: 'failed', read: 10_000, counts: { added: 10_000, updated: 0, unchanged: 0, skipped: 0, failed: 0 } });
    expect(first.saas_users.counts.added).toBe(10_000);
    expect(first.message).toMatch(/invalid_auth/);
    expect(first.resume).toEqual({ page: 11, skip: 0 });
    const [logged] = readStore(space.db).runs();
    expect(logged).toMatchObject({ status: 'failed', read: 10_000, added: 10_000 });
    expect(readStore(space.db).people()).toHaveLength(10_000);
    expectHonestStore(space.dir, slackUsers);

    const text = await run(['--db', space.db, 'runs', 'show', String(first.run_id)]);
    expect(text.stdout).toMatch(/kept: the batches committed before it stopped/);
    expect(text.stdout).toMatch(/next run: continues at page 11/);

    api.fault = () => undefined;
    api.asked.length = 0;
    const resumed = await run([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv);
    expect(resumed.code).toBe(0);
    const second = JSON.parse(resumed.stdout);
    expect(second).toMatchObject({ status: 'succeeded', read: 2_500, counts: { added: 2_500, updated: 0, unchanged: 0 }, resumed_from: { run: first.run_id, page: 11 } });
    expect(api.asked.map((a) => a.page)).toEqual([10, 11, 12]); // pages 11 to 13, nothing before
    expect(readStore(space.db).people()).toHaveLength(12_500);
    expectHonestStore(space.dir, slackUsers);

    // the resumed run succeeded: the one after it reads everything, and finds it unchanged
    const again = JSON.parse((await run([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv)).stdout);
    expect(again).toMatchObject({ status: 'succeeded', read: 12_500, counts: { unchanged: 12_500 } });
    expect(again.resumed_from).toBeUndefined();
    noLeak(failed.stdout, failed.stderr, resumed.stdout, resumed.stderr, text.stdout);
  }, 60_000);

  it.each(['offset', 'page_number'] as const)('%s paging: the next run continues at the page after the last committed batch', async (type) => {
    api = await usersApi(7_000);
    space = workspace();
    const mapping = pagedUsersIntegration(space.dir, type);
    api.fault = (_path, page) => (page === 6 ? 'fail' : undefined);

    const failed = await run([...runArgs(space.db, mapping, api), '--json'], tokenEnv);
    expect(failed.code).toBe(3);
    const first = JSON.parse(failed.stdout);
    expect(first).toMatchObject({ status: 'failed', read: 5_000, counts: { added: 5_000 }, resume: { page: 6, skip: 0 } });
    expect(first.message).toMatch(/the users API refused the request: invalid_auth/);
    expectHonestStore(space.dir, pagedUsers);

    api.fault = () => undefined;
    api.asked.length = 0;
    const resumed = await run([...runArgs(space.db, mapping, api), '--json'], tokenEnv);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded', read: 2_000, counts: { added: 2_000 }, resumed_from: { page: 6 } });
    expect(api.asked.map((a) => a.page)).toEqual([5, 6]); // pages 6 and 7, nothing before
    expect(readStore(space.db).people()).toHaveLength(7_000);
    expectHonestStore(space.dir, pagedUsers);
    noLeak(failed.stdout, failed.stderr, resumed.stdout, resumed.stderr);
  }, 60_000);

  it('--from-start reads everything again instead of continuing', async () => {
    api = await usersApi(7_000);
    space = workspace();
    const mapping = pagedUsersIntegration(space.dir, 'offset');
    api.fault = (_path, page) => (page === 6 ? 'fail' : undefined);
    expect((await run(runArgs(space.db, mapping, api), tokenEnv)).code).toBe(3);
    api.fault = () => undefined;
    api.asked.length = 0;
    const again = JSON.parse((await run([...runArgs(space.db, mapping, api), '--json', '--from-start'], tokenEnv)).stdout);
    expect(again).toMatchObject({ status: 'succeeded', read: 7_000, counts: { added: 2_000, unchanged: 5_000 } });
    expect(again.resumed_from).toBeUndefined();
    expect(api.asked[0].page).toBe(0);
    expectHonestStore(space.dir, pagedUsers);
  }, 60_000);

  it('a changed connector setting is not continued: the next run reads from the first page and says why', async () => {
    api = await usersApi(7_000);
    space = workspace();
    const mapping = pagedUsersIntegration(space.dir, 'page_number');
    api.fault = (_path, page) => (page === 6 ? 'fail' : undefined);
    expect((await run(runArgs(space.db, mapping, api), tokenEnv)).code).toBe(3);
    api.fault = () => undefined;
    api.asked.length = 0;
    const other = await usersApi(7_000); // another base_url: another read
    try {
      const again = JSON.parse((await run([...runArgs(space.db, mapping, other), '--json'], tokenEnv)).stdout);
      expect(again).toMatchObject({ status: 'succeeded', read: 7_000 });
      expect(again.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/run #1 stopped at page 6, but the connector, mapping or settings have changed since/)]));
      expect(other.asked[0].page).toBe(0);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('an aggregated connector keeps nothing of a read that failed, and the next run starts over, as its run log says', async () => {
    api = await usersApi(3_000);
    space = workspace();
    expect((await run(runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), tokenEnv)).code).toBe(0);
    api.fault = (path, page) => (path === 'team.accessLogs' && page === 4 ? 'fail' : undefined);
    const failed = await run([...runArgs(space.db, slackLastLoginMapping, api), '--json'], tokenEnv);
    expect(failed.code).toBe(3);
    const first = JSON.parse(failed.stdout);
    expect(first).toMatchObject({ status: 'failed', read: 0, counts: { updated: 0 } });
    expect(first.resume).toBeNull(); // no batch was committed: nothing to continue from
    const text = await run(['--db', space.db, 'runs', 'show', String(first.run_id)]);
    expect(text.stdout).toMatch(/kept: nothing was written/);
    expect(text.stdout).toMatch(/next run: reads from the first page/);

    api.fault = () => undefined;
    api.asked.length = 0;
    const second = JSON.parse((await run([...runArgs(space.db, slackLastLoginMapping, api), '--json'], tokenEnv)).stdout);
    expect(second).toMatchObject({ status: 'succeeded', read: 3_000, counts: { updated: 3_000 } });
    expect(api.asked[0]).toMatchObject({ path: 'team.accessLogs', page: 0, cursor: false });
    expectHonestStore(space.dir, slackUsers);
  }, 60_000);
});
