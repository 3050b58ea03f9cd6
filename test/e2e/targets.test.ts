import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackSimulator } from '../../src/demo/simulator.js';
import { intake } from '../helpers/cli.js';
import { OOMNITZA_TOKEN, OomnitzaModel } from '../helpers/oomnitza.js';

/**
 * Targets and the config file through the CLI, as a user meets them: --target, the exit codes of
 * a target that does not fit or lacks its settings, `intake config`, a config file with mistakes.
 */
let simulator: Awaited<ReturnType<typeof startSlackSimulator>>;
beforeAll(async () => {
  simulator = await startSlackSimulator({ users: 20 });
});
afterAll(() => simulator.close());

/** A user's home (with a config file when given; XDG_CONFIG_HOME unset, so ~/.config) and a folder for the store and exports. */
function user(config?: string): { home: string; dir: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'intake-home-'));
  if (config !== undefined) {
    mkdirSync(join(home, '.config', 'intake'), { recursive: true });
    writeFileSync(join(home, '.config', 'intake', 'config.yaml'), config);
  }
  const dir = mkdtempSync(join(tmpdir(), 'intake-work-'));
  return { home, dir, env: { HOME: home, XDG_CONFIG_HOME: '', SLACK_TOKEN: simulator.token } };
}

const slack = () => ['--set', `base_url=${simulator.url}`];

describe('intake run --target', () => {
  it('jsonl:<file>: the records of the run in the file, the run in the log with where it wrote', async () => {
    const { dir, env } = user();
    const db = join(dir, 'intake.db');
    const file = join(dir, 'people.jsonl');
    const result = await intake(['--db', db, 'run', 'mappings/slack-users.yaml', '--target', `jsonl:${file}`, ...slack()], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {2}target: the JSONL file .*people\.jsonl \(--target\)\n/);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record_type: string; outcome: string });
    expect(lines.length).toBeGreaterThan(20);
    expect(new Set(lines.map((l) => l.outcome))).toEqual(new Set(['added']));
    const shown = await intake(['--db', db, 'runs', 'show', '1'], env);
    expect(shown.stdout).toMatch(/\n {2}into the JSONL file .*people\.jsonl\n/);
    expect(readFileSync(file, 'utf8')).not.toContain(simulator.token);
  });

  it.each([
    [['mappings/slack-last-login.yaml', '--target', 'csv:out.csv'], /update_only would write nothing \(--target csv:out.csv\); nothing was run/, /create_only or create_update/],
    [['mappings/slack-users.yaml', '--target', 'oomnitza'], /writes People records only, and this mapping also writes SaaS user records .*nothing was run/, /record_type: people mapping/],
    [['mappings/slack-last-login.yaml', '--target', 'oomnitza'], /--target oomnitza needs the Oomnitza instance's URL, and none was given/, /--oomnitza-url, OOMNITZA_URL, or oomnitza: \{ url: … \} in the config file/],
    [['mappings/slack-last-login.yaml', '--target', 'oomnitza', '--oomnitza-url', 'https://acme.oomnitza.com'], /OOMNITZA_TOKEN is not set and the credentials file holds no oomnitza token; nothing was run/, /Configuration > Security > API tokens.*intake credentials set oomnitza/],
    [['mappings/slack-last-login.yaml', '--target', 'jsnl:out.jsonl'], /--target "jsnl:out.jsonl" is not a target/, /did you mean "jsonl"/],
  ])('%j: exit 2, saying why and what to do; no run, no store', async (args, message, hint) => {
    const { dir, env } = user();
    const db = join(dir, 'intake.db');
    const result = await intake(['--db', db, 'run', ...args, ...slack()], env, undefined);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(new RegExp(`\\n {2}hint: .*${hint.source}`));
    expect(existsSync(db)).toBe(false);
  });
});

describe('the config file', () => {
  it('intake config shows each value and where it came from, --json the same', async () => {
    const { home, dir, env } = user('store: data/intake.db\ntarget: jsonl:exports/people.jsonl\noomnitza: { url: https://acme.oomnitza.com }\n');
    const config = join(home, '.config', 'intake');
    const text = await intake(['config'], { ...env, OOMNITZA_URL: 'https://sandbox.oomnitza.com' }, dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`config file: ${join(config, 'config.yaml')}\n`);
    expect(text.stdout).toMatch(new RegExp(`\\nstore +config file +${join(config, 'data', 'intake.db')}\\n`));
    expect(text.stdout).toMatch(/\ntarget +config file +jsonl:.*exports\/people\.jsonl \(a mapping's target: wins over it\)\n/);
    expect(text.stdout).toMatch(/\noomnitza\.url +environment \(OOMNITZA_URL\) +https:\/\/sandbox\.oomnitza\.com\n/);
    expect(text.stdout).toMatch(/\nconnectors +default +\(none: your connectors\/ and the shipped ones\)\n/);
    const json = JSON.parse((await intake(['--db', 'other.db', 'config', '--json', '--target', 'oomnitza'], env, dir)).stdout);
    expect(json).toMatchObject({
      file: { path: join(config, 'config.yaml'), from: 'default', exists: true },
      store: { value: join(dir, 'other.db'), source: 'flag', via: '--db' },
      target: { value: 'oomnitza', source: 'flag', via: '--target' },
      oomnitza_url: { value: 'https://acme.oomnitza.com', source: 'config file' },
    });
  });

  it('its store and target are what a run uses when the command line says nothing', async () => {
    const { home, env } = user('store: data/intake.db\ntarget: csv:exports/people.csv\n');
    const config = join(home, '.config', 'intake');
    const result = await intake(['run', 'mappings/slack-users.yaml', ...slack()], env, undefined);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/target: the CSV file .*people\.csv \(the config file\)/);
    expect(readFileSync(join(config, 'exports', 'people.csv'), 'utf8')).toMatch(/^record_type,id,outcome,/);
    expect(existsSync(join(config, 'data', 'intake.db'))).toBe(true);
  });

  it('a mistake in it stops every command with its position, and exit 2', async () => {
    const { home, env } = user('store: ./intake.db\ntarget: oomnitz\n');
    const file = join(home, '.config', 'intake', 'config.yaml');
    for (const args of [['config'], ['runs'], ['run', 'mappings/slack-users.yaml']]) {
      const result = await intake(args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${file}:2:9 error [target_unknown] at target: target: "oomnitz" is not a target\n    hint: did you mean "oomnitza"?`);
    }
  });
});

describe('the Oomnitza API token in the credential store', () => {
  it('intake credentials set oomnitza keeps it in the private file; list, test and a run use it; it is shown nowhere', async () => {
    const model = new OomnitzaModel();
    const instance = await model.serve();
    try {
      const { home, dir, env } = user();
      const db = join(dir, 'intake.db');
      const set = await intake(['credentials', 'set', 'oomnitza'], env, undefined, `token=${OOMNITZA_TOKEN}\n`);
      expect(set).toMatchObject({ code: 0, stderr: '' });
      const file = join(home, '.config', 'intake', 'credentials.yaml');
      expect(set.stdout).toBe(`stored token of oomnitza in ${file}\n`);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const listed = await intake(['credentials', 'list'], env);
      expect(listed.stdout).toMatch(/\noomnitza +token +file +OOMNITZA_TOKEN +file\n/);

      const tested = await intake(['credentials', 'test', 'oomnitza', '--oomnitza-url', instance.url], env);
      expect(tested).toMatchObject({ code: 0, stderr: '' });
      expect(tested.stdout).toMatch(new RegExp(`^ok: Oomnitza at ${instance.url} accepted the API token: it described \\d+ People field\\(s\\)\\n$`));

      const run = await intake(['--db', db, 'run', 'mappings/slack-users-oomnitza.yaml', '--oomnitza-url', instance.url, '--create-fields', ...slack()], env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/\n {2}added 21 · updated 0 · unchanged 0 · skipped 5 · failed 0\n/);
      expect(model.people()).toHaveLength(21);
      expect(new Set(model.journal.map((r) => r.token))).toEqual(new Set([OOMNITZA_TOKEN]));
      for (const output of [set, listed, tested, run]) expect(output.stdout + output.stderr).not.toContain(OOMNITZA_TOKEN);
      expect(readFileSync(db).includes(OOMNITZA_TOKEN)).toBe(false);

      model.token = 'oomz-a-token-that-was-revoked-000000';
      const refused = await intake(['credentials', 'test', 'oomnitza', '--oomnitza-url', instance.url], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Oomnitza refused the API token .*HTTP 401/);
      expect(refused.stderr).toMatch(/\n {2}hint: .*API tokens/);
    } finally {
      await instance.close();
    }
  });
});
