import { describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slackDataset, startSlackSimulator } from '../../src/demo/simulator.js';
import { intake, root } from '../helpers/cli.js';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'intake-e2e-')), 'intake.db');


describe('intake demo', () => {
  it('syncs the users, then their last logins; a second demo reports them unchanged', async () => {
    const db = tempDb();
    const first = await intake(['--db', db, 'demo', '--users', '60', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [users1, logins1] = JSON.parse(first.stdout);
    expect(users1.counts.added).toBeGreaterThan(50);
    expect(logins1.counts.updated).toBe(users1.counts.added);

    const second = await intake(['--db', db, 'demo', '--users', '60', '--json']);
    const [users2, logins2] = JSON.parse(second.stdout);
    expect(users2.counts).toMatchObject({ added: 0, updated: 0, unchanged: users1.counts.added });
    expect(logins2.counts).toMatchObject({ added: 0, updated: 0, unchanged: logins1.counts.updated });

    // Every person's Slack Last Login is the latest date_last over all of their access-log entries.
    const data = slackDataset({ users: 60 });
    const latest = new Map<string, number>();
    for (const login of data.logins) latest.set(login.user_id, Math.max(latest.get(login.user_id) ?? 0, login.date_last));
    const records = JSON.parse((await intake(['--db', db, 'records', 'users', '--json'])).stdout) as Record<string, unknown>[];
    expect(records).toHaveLength(users1.counts.added);
    for (const person of records) {
      const expected = latest.get(String(person.slack_user_id));
      expect(person.slack_last_login).toBe(expected ? new Date(expected * 1000).toISOString().replace('.000Z', 'Z') : undefined);
    }
  }, 60_000);

  it('prints both integration logs and a table of last logins', async () => {
    const result = await intake(['--db', tempDb(), 'demo', '--users', '30']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Slack users .*create and update/);
    expect(result.stdout).toMatch(/Slack last login .*update only/);
    expect(result.stdout).toMatch(/Slack Last Login/);
  }, 60_000);
});

describe('intake run', () => {
  it('update only on an empty store: 0 added, every record skipped with a reason in the run log', async () => {
    const simulator = await startSlackSimulator({ users: 40 });
    try {
      const db = tempDb();
      const run = await intake(['--db', db, 'run', 'mappings/slack-last-login.yaml', '--json', '--set', `base_url=${simulator.url}`], { SLACK_TOKEN: simulator.token });
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.counts.added).toBe(0);
      expect(summary.read).toBeGreaterThan(0);
      expect(summary.counts.skipped).toBe(summary.read);
      const shown = JSON.parse((await intake(['--db', db, 'runs', 'show', String(summary.run_id), '--json'])).stdout);
      expect(shown.records).toHaveLength(summary.read);
      for (const record of shown.records) expect(record).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/update only/) });
      expect(run.stdout).not.toContain(simulator.token);
    } finally {
      await simulator.close();
    }
  }, 60_000);

  it('without a token: a plain message naming SLACK_TOKEN, exit code 2 (the integration is not ready), no stack trace', async () => {
    const result = await intake(['--db', tempDb(), 'run', 'mappings/slack-users.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/SLACK_TOKEN/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a misspelt key in a connector: file:line:col, the path and a suggestion, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-bad-'));
    mkdirSync(join(dir, 'connectors'));
    mkdirSync(join(dir, 'mappings'));
    const text = readFileSync(join(root, 'connectors', 'slack-users.yaml'), 'utf8').replace('\nrecords: members', '\nrecrds: members');
    writeFileSync(join(dir, 'connectors', 'slack-users.yaml'), text);
    copyFileSync(join(root, 'mappings', 'slack-users.yaml'), join(dir, 'mappings', 'slack-users.yaml'));
    const line = text.split('\n').findIndex((l) => l.startsWith('recrds:')) + 1;
    const result = await intake(['--db', tempDb(), 'run', join(dir, 'mappings', 'slack-users.yaml')], { SLACK_TOKEN: 'xoxp-never-sent' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`slack-users.yaml:${line}:1`);
    expect(result.stderr).toMatch(/at recrds: unknown key "recrds"/);
    expect(result.stderr).toMatch(/did you mean "records"\?/);
  });

  it('a cloud integration (OAuth 2) reads the vault, not the environment: without vault credentials, exit 2 and how to store them', async () => {
    const db = tempDb();
    const result = await intake(['--db', db, 'run', 'mappings/ms-graph-users.yaml'], { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 'never-sent-secret', XDG_CONFIG_HOME: join(db, '..', 'config') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`not in the vault of ${db}`);
    expect(result.stderr).toMatch(/intake credentials set ms-graph-users --cloud/);
    expect(result.stdout + result.stderr).not.toContain('never-sent-secret');
  });

  it('--dry-run plans without writing anything', async () => {
    const simulator = await startSlackSimulator({ users: 20 });
    try {
      const db = tempDb();
      const plan = JSON.parse((await intake(['--db', db, 'run', 'mappings/slack-users.yaml', '--dry-run', '--json', '--set', `base_url=${simulator.url}`], { SLACK_TOKEN: simulator.token })).stdout);
      expect(plan.dry_run).toBe(true);
      expect(plan.counts.added).toBeGreaterThan(0);
      expect(JSON.parse((await intake(['--db', db, 'records', 'users', '--json'])).stdout)).toEqual([]);
      expect(JSON.parse((await intake(['--db', db, 'runs', '--json'])).stdout)).toEqual([]);
    } finally {
      await simulator.close();
    }
  }, 60_000);
});
