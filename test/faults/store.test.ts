import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  expectHonestStore, readStore, run, runArgs, slackUsers, slackUsersMapping, TOKEN, tokenEnv, usersApi, workspace, type UsersApi,
} from './store-harness.js';

/**
 * Item 6 of issue 7: a store that cannot be used is a clear error that names its path and what to
 * do, exit 3, never "internal error"; the run is recorded as failed where the store can still be
 * written. Reading commands and `--db ''` create no store and no folder.
 *
 * Read-only files and folders are tried as an unprivileged user (root writes through permission
 * bits): when the tests run as root, the CLI runs under `setpriv` as nobody. An immutable file
 * (`chattr +i`, which only root may set: the tests run as root here and in CI) stops root too.
 * A full disk is a limit on the size of the files the process may write (`prlimit --fsize`): its
 * writes fail as on a full disk, mid-run, with no hook in Intake. (SQLite's max_page_count is a
 * setting of one connection, which a test cannot set in the CLI's process; a small file system
 * needs a mount, which needs root tricks.)
 */
describe('a store that cannot be used', () => {
  let api: UsersApi | undefined;
  let space: ReturnType<typeof workspace> | undefined;
  const root = process.getuid?.() === 0;
  afterEach(async () => {
    await api?.close();
    if (root && space && existsSync(space.db)) execFileSync('chattr', ['-i', space.db]); // a failed immutable-file case
    space?.remove();
  });

  /** Runs the CLI as an unprivileged user that owns the test's folder. */
  const unprivileged = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const handOver = (dir: string) => {
    if (!root) return;
    for (const name of ['', ...readdirSync(dir)]) chownSync(join(dir, name), 65534, 65534);
  };

  const expectStoreError = (result: { code: number; stdout: string; stderr: string }, message: RegExp, hint: RegExp) => {
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(hint);
    expect(result.stderr).not.toMatch(/internal error|this is a bug/);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  };

  /** A store with one successful run of 300 Slack users. */
  async function storeWithARun() {
    api = await usersApi(300);
    space = workspace();
    const first = await run(runArgs(space.db, slackUsersMapping, api), tokenEnv);
    expect(first.code).toBe(0);
    return space;
  }

  it('a file that is not a database: every command names it and says what to do; the file is left as it was', async () => {
    api = await usersApi(10);
    space = workspace();
    writeFileSync(space.db, 'my notes, not a store\n');
    for (const args of [runArgs(space.db, slackUsersMapping, api), ['--db', space.db, 'runs'], ['--db', space.db, 'records', 'users']]) {
      const result = await run(args, tokenEnv);
      expectStoreError(result, new RegExp(`intake: ${space.db} is not an Intake store: the file is not an SQLite database`), /hint: point --db \(or INTAKE_DB\) at the store's file, or at a new file name/);
    }
    expect(readFileSync(space.db, 'utf8')).toBe('my notes, not a store\n');
    expect(api.asked).toEqual([]); // nothing was read for a run that could not be recorded
  });

  it('a folder: named, with a file name to use instead', async () => {
    api = await usersApi(10);
    space = workspace();
    const folder = join(space.dir, 'stores');
    mkdirSync(folder);
    const result = await run(runArgs(folder, slackUsersMapping, api), tokenEnv);
    expectStoreError(result, new RegExp(`the store ${folder} cannot be opened: it is a folder, not a file`), new RegExp(`hint: give the store's file, e.g. --db ${folder}/intake.db`));
    expect(readdirSync(folder)).toEqual([]);
  });

  it("--db '' is a usage error, and reading commands create no store and no folder", async () => {
    space = workspace();
    const empty = await run(['--db', '', 'runs'], {}, { cwd: space.dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the store's file name is empty/);
    const missing = join(space.dir, 'not', 'yet', 'intake.db');
    const runs = await run(['--db', missing, 'runs']);
    expect(runs).toMatchObject({ code: 0, stdout: 'no runs yet: try intake demo, or intake run <mapping>\n' });
    expect(JSON.parse((await run(['--db', missing, 'runs', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await run(['--db', missing, 'records', 'users', '--json'])).stdout)).toEqual([]);
    expect((await run(['--db', missing, 'integrations'])).code).toBe(0);
    expect(readdirSync(space.dir)).toEqual([]);
  });

  it('a read-only file: a run is refused before reading, naming the file; the run log can still be read', async () => {
    const { dir, db } = await storeWithARun();
    api!.asked.length = 0;
    handOver(dir);
    chmodSync(db, 0o444);
    const result = await run(runArgs(db, slackUsersMapping, api!), tokenEnv, { as: unprivileged });
    expectStoreError(result, new RegExp(`the store ${db} cannot be written: the file is read-only for this user`), /hint: make .* and its folder writable by this user/);
    expect(api!.asked).toEqual([]);
    const runs = await run(['--db', db, 'runs', '--json'], {}, { as: unprivileged });
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ status: 'succeeded', counts: { added: 300 } }]);
    expectHonestStore(dir, slackUsers);
  });

  it('a read-only folder: the run names the folder, since SQLite writes its -wal file beside the store', async () => {
    const { dir, db } = await storeWithARun();
    handOver(dir);
    chmodSync(dir, 0o555);
    try {
      const result = await run(runArgs(db, slackUsersMapping, api!), tokenEnv, { as: unprivileged });
      expectStoreError(result, new RegExp(`the store ${db} cannot be written: its folder ${dir} is read-only for this user \\(SQLite creates intake.db-wal`), /hint: make/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expectHonestStore(dir, slackUsers);
  });

  it('an immutable file (chattr +i): refused even to root, and said so', async () => {
    const { dir, db } = await storeWithARun();
    execFileSync('chattr', ['+i', db]);
    const result = await run(runArgs(db, slackUsersMapping, api!), tokenEnv);
    expectStoreError(result, new RegExp(`the store ${db} cannot be written: the file is protected against changes \\(immutable`), /chattr -i/);
    execFileSync('chattr', ['-i', db]);
    expectHonestStore(dir, slackUsers);
  });

  it('a full disk mid-run: the run fails naming the store, its run log keeps the committed batch, the next run continues', async () => {
    await api?.close();
    api = await usersApi(12_000);
    space = workspace();
    const full = await run([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv, { as: ['prlimit', '--fsize=4000000'] });
    expect(full.code).toBe(3);
    const failed = JSON.parse(full.stdout);
    expect(failed).toMatchObject({ status: 'failed', read: 5_000, counts: { added: 5_000 }, resume: { page: 6, skip: 0 } });
    expect(failed.message).toContain(`the store ${space.db} could not be written`);
    expect(failed.message).toMatch(/a full disk, a file-size limit, or a failing drive/);
    expect(readStore(space.db).runs()[0]).toMatchObject({ status: 'failed', added: 5_000, message: failed.message });
    expectHonestStore(space.dir, slackUsers);

    const next = await run([...runArgs(space.db, slackUsersMapping, api, '--set', 'page_size=1000'), '--json'], tokenEnv);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ status: 'succeeded', read: 7_000, counts: { added: 7_000 }, resumed_from: { page: 6 } });
    expectHonestStore(space.dir, slackUsers);
    expect(full.stdout + full.stderr + next.stdout + next.stderr).not.toContain(TOKEN);
  }, 60_000);
});
