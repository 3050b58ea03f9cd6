import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { validateFiles } from '../../src/definition/load.js';
import { formatIssue } from '../../src/errors.js';
import { runIntegration } from '../../src/runner.js';
import { edit, positionOf, shipped, workspace } from '../definition/workspace.js';
import { useServer } from '../helpers/msw.js';
import { BASE, mappingFile, membersForPage, TOKEN, usersListPage } from '../helpers/slack.js';
import { tempStore, type TempStore } from '../helpers/store.js';

/**
 * Choosing a target: --target wins over the mapping's target:, which wins over the default (the
 * config file's target, else the embedded store); the run log lives in the embedded store
 * whatever the target; a mapping that cannot fit a target is refused before anything is read.
 */
const { server, requests } = useServer();
const ws = workspace();
afterAll(() => ws.remove());
let store: TempStore;
beforeEach(() => {
  store = tempStore();
  server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(membersForPage(1), ''))));
});
afterEach(() => store.remove());

const run = (mapping: string, options: { target?: string; defaultTarget?: string } = {}) =>
  runIntegration({ mappingFile: mapping, db: store.file, overrides: { base_url: BASE }, credentials: { token: TOKEN }, ...options });

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record_type: string; outcome: string; fields: Record<string, unknown> });

describe('--target jsonl:<file>', () => {
  it('writes the records of the run to the file, one line each, and keeps the run log (only) in the store', async () => {
    const file = join(store.dir, 'exports', 'slack-users.jsonl');
    const result = await run(mappingFile('slack-users'), { target: `jsonl:${file}` });
    expect(result.status).toBe('succeeded');
    expect(result.target).toEqual({ name: 'jsonl', where: expect.stringContaining('slack-users.jsonl'), atomic: true, from: 'command line' });
    const written = lines(file);
    const people = written.filter((l) => l.record_type === 'people');
    expect(people).toHaveLength(result.counts.added);
    expect(result.counts.added).toBeGreaterThan(0);
    expect(written.filter((l) => l.record_type === 'saas_users')).toHaveLength(result.saas_users!.counts.added);
    expect(written.every((l) => l.outcome === 'added')).toBe(true);
    expect(people[0].fields).toMatchObject({ slack_user_id: expect.any(String), role: expect.stringMatching(/Employee|Contractor/) });
    expect(store.people()).toEqual([]);
    const [logged] = store.runs();
    expect(logged).toMatchObject({ id: result.run_id, status: 'succeeded', counts: result.counts, target: { name: 'jsonl', atomic: true } });
    expect(JSON.stringify(readFileSync(file, 'utf8'))).not.toContain(TOKEN);
  });

  it('a second run writes the file afresh: every record is added again, nothing is appended to the first run\'s lines', async () => {
    const file = join(store.dir, 'people.jsonl');
    const first = await run(mappingFile('slack-users'), { target: `jsonl:${file}` });
    const before = readFileSync(file, 'utf8');
    const second = await run(mappingFile('slack-users'), { target: `jsonl:${file}` });
    expect(second.counts).toEqual(first.counts);
    expect(second.counts.unchanged).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('update only into an export is refused before anything is read, saying why; no run, no store, no file', async () => {
    const file = join(store.dir, 'people.jsonl');
    await expect(run(mappingFile('slack-last-login'), { target: `jsonl:${file}` })).rejects.toMatchObject({
      code: 'target_misfit',
      message: expect.stringMatching(/holds no records from before the run, so update_only would write nothing \(--target jsonl:.*\); nothing was run/),
      hint: expect.stringMatching(/create_only or create_update/),
    });
    expect(requests).toHaveLength(0);
    expect(existsSync(store.file)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe('which target a run writes to', () => {
  const withTarget = (name: string, target: string) => ws.mapping(name, edit(shipped('mappings', 'slack-users'), 'installation: local\n', `installation: local\ntarget: ${target}\n`));

  it('the mapping\'s target: when the command line names none, its file relative to the mapping\'s folder', async () => {
    const mapping = withTarget('to-jsonl', 'jsonl:../exports/people.jsonl');
    const result = await run(mapping, { defaultTarget: 'store' });
    expect(result.target.from).toBe('mapping');
    expect(lines(join(ws.dir, 'exports', 'people.jsonl')).length).toBeGreaterThan(0);
    expect(store.people()).toEqual([]);
  });

  it('--target wins over the mapping\'s target:', async () => {
    const mapping = withTarget('to-jsonl-2', 'jsonl:../exports/other.jsonl');
    const result = await run(mapping, { target: 'store' });
    expect(result.target).toMatchObject({ name: 'store', from: 'command line' });
    expect(store.people().length).toBe(result.counts.added);
    expect(existsSync(join(ws.dir, 'exports', 'other.jsonl'))).toBe(false);
  });

  it('the default (the config file\'s target:) when neither names one, else the embedded store', async () => {
    const file = join(store.dir, 'default.csv');
    const viaDefault = await run(mappingFile('slack-users'), { defaultTarget: `csv:${file}` });
    expect(viaDefault.target).toMatchObject({ name: 'csv', from: 'config file' });
    expect(readFileSync(file, 'utf8')).toMatch(/^record_type,id,outcome,/);
    const plain = await run(mappingFile('slack-users'));
    expect(plain.target).toMatchObject({ name: 'store', from: 'default', atomic: true });
  });
});

describe('intake validate checks a mapping\'s target:', () => {
  it.each([
    ['target: jsnol:people.jsonl', 'target', /"jsnol:people.jsonl" is not a target/, /did you mean "jsonl"/],
    ['target: jsonl:people.jsonl', 'preference', /update_only would write nothing \(target: jsonl:people.jsonl\)/, /create_only or create_update/],
  ])('%s in an update only mapping', (line, key, message, hint) => {
    const text = edit(shipped('mappings', 'slack-last-login'), 'installation: local\n', `installation: local\n${line}\n`);
    const [{ issues }] = validateFiles([ws.mapping(`validate-${key}`, text)]);
    expect(issues).toHaveLength(1);
    const at = key === 'target' ? positionOf(text, 'jsnol:') : positionOf(text, 'update_only');
    expect(issues[0]).toMatchObject({ path: key, line: at.line, col: at.col, message: expect.stringMatching(message), hint: expect.stringMatching(hint) });
    expect(formatIssue(issues[0])).toContain(`:${at.line}:${at.col}`);
  });
});
