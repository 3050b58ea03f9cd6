import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf } from '../../src/cli/report.js';
import { exitCodes } from '../../src/cli/output.js';
import { startSlackSimulator, type Simulator } from '../../src/demo/simulator.js';
import { runIntegration } from '../../src/runner.js';
import { intake } from '../helpers/cli.js';
import { tempStore } from '../helpers/store.js';

/**
 * Exit codes as README.md documents them: 2 for a command used wrongly (nothing runs, the message
 * names the option or argument), 1 only for a bug — also one that happens during a run.
 */
describe('usage mistakes exit 2 and say what is wrong, before anything runs', () => {
  let simulator: Simulator;
  let dir: string;
  const db = () => join(dir, 'intake.db');
  const slack = () => ({ SLACK_TOKEN: simulator.token });

  beforeAll(async () => {
    simulator = await startSlackSimulator({ users: 5 });
    dir = mkdtempSync(join(tmpdir(), 'intake-usage-'));
  });
  afterAll(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['runs', 'show', 'abc'], /argument 'id'.*whole number of 1 or more/],
    [['runs', 'show', '0'], /argument 'id'.*whole number of 1 or more/],
    [['runs', 'show', '4242'], /there is no run #4242/],
    [['records', 'foo'], /argument 'type'.*expected one of users, people, saas_users/],
    [['records', 'users', '--app', 'Slack'], /--app only applies to saas_users/],
    [['runs', '-n', 'abc'], /'-n, --limit <n>' argument 'abc' is invalid.*whole number of 1 or more/],
    [['runs', '-n', '0'], /'-n, --limit <n>' argument '0' is invalid/],
    [['runs', '-n', '-1'], /'-n, --limit <n>' argument '-1' is invalid/],
    [['records', 'users', '-n', '2.5'], /'-n, --limit <n>' argument '2.5' is invalid/],
    [['preview', 'slack-users', '--pages', 'abc'], /'--pages <n>' argument 'abc' is invalid/],
    [['preview', 'slack-users', '--records', '0'], /'--records <n>' argument '0' is invalid/],
    [['demo', '--users', 'many'], /'--users <n>' argument 'many' is invalid/],
    [['run', 'mappings/slack-users.yaml', '--set', 'base_url='], /--set base_url=: no value given/],
    [['run', 'mappings/slack-users.yaml', '--set', 'max_pages=0x10'], /--set max_pages=0x10: the value is not an integer/],
    [['run', 'mappings/slack-users.yaml', '--set', 'max_pages=1e2'], /--set max_pages=1e2: the value is not an integer/],
    [['pause', 'slack-users'], /never launched/],
    [['launch', 'slack-user'], /no integration "slack-user"/],
  ])('intake %j', async (args, message) => {
    const result = await intake(['--db', db(), ...args], slack());
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(simulator.requests).toBe(0);
  });

  it('--json: a usage mistake found by Intake is a JSON error object, exit 2', async () => {
    const result = await intake(['--db', db(), 'runs', 'show', '4242', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'error', code: 'run_not_found' });
  });

  it('what a valid count gives is what was asked: -n 1 lists one run', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await intake(['--db', db(), 'run', 'mappings/slack-users.yaml', '--set', `base_url=${simulator.url}`, '--set', 'max_pages=16'], slack());
      expect(run.code).toBe(0);
    }
    const listed = JSON.parse((await intake(['--db', db(), 'runs', '-n', '1', '--json'])).stdout);
    expect(listed).toHaveLength(1);
  }, 60_000);
});

describe('an internal error during a run', () => {
  it('is recorded as a failed run, and the CLI exits 1 (a bug), not 3', async () => {
    const simulator = await startSlackSimulator({ users: 5 });
    const store = tempStore();
    try {
      const result = await runIntegration({
        mappingFile: 'mappings/slack-users.yaml', db: store.file, overrides: { base_url: simulator.url }, credentials: { token: simulator.token },
        onProgress: () => {
          throw new TypeError("Cannot read properties of undefined (reading 'x')");
        },
      });
      expect(result).toMatchObject({ status: 'failed', code: 'internal_error', message: expect.stringMatching(/^internal error: Cannot read properties/) });
      expect(exitCodeOf(result)).toBe(exitCodes.internal);
      expect(store.runs()[0]).toMatchObject({ status: 'failed', message: result.message });
    } finally {
      await simulator.close();
      store.remove();
    }
  });

  it('a run the API refused still exits 3', async () => {
    const simulator = await startSlackSimulator({ users: 5, failures: { errorCode: 'invalid_auth' } });
    const store = tempStore();
    try {
      const result = await runIntegration({ mappingFile: 'mappings/slack-users.yaml', db: store.file, overrides: { base_url: simulator.url }, credentials: { token: simulator.token } });
      expect(result).toMatchObject({ status: 'failed', code: 'api_configuration' });
      expect(exitCodeOf(result)).toBe(exitCodes.runFailed);
    } finally {
      await simulator.close();
      store.remove();
    }
  });
});
