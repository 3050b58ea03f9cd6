import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { edit, positionOf, root, shipped, workspace, type Workspace } from '../definition/workspace.js';

const yamlIn = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
let ws: Workspace;

/** Runs `intake validate …` from the repository root, as a user would. */
function validate(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, 'validate', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, INTAKE_DEBUG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const stackLine = /^\s+at /m;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run the tests with npm test, which builds first');
  ws = workspace();
});
afterAll(() => ws?.remove());

describe('intake validate', () => {
  it('the shipped connectors and mappings are valid: exit 0, one ok line per file', () => {
    const files = [...yamlIn('connectors'), ...yamlIn('mappings')];
    const { status, stdout, stderr } = validate(...files);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    for (const file of files) expect(stdout).toContain(`ok       ${file}`);
  });

  it('a misspelt key: exit 2, file:line:col, the YAML path and a suggestion, no stack trace', () => {
    const text = edit(shipped('connectors', 'slack-last-login'), 'pagination:\n  type: cursor', 'paginaton:\n  type: cursor');
    const file = ws.connector('misspelt', text);
    const { line, col } = positionOf(text, 'paginaton:');
    const { status, stdout, stderr } = validate(file);
    expect(status).toBe(2);
    expect(stderr).toContain(`${file}:${line}:${col}`);
    expect(stderr).toContain('paginaton');
    expect(stderr).toContain('did you mean "pagination"?');
    expect(stderr).toContain('unknown_key');
    expect(stdout).toMatch(/invalid/);
    expect(stderr + stdout).not.toMatch(stackLine);
  });

  it('reports every problem of every file, and exits 2 when any file is invalid', () => {
    let text = edit(shipped('connectors', 'slack-last-login'), '  token: { from: body', '  tokn: { from: body');
    text = edit(text, '\nrecords: logins', '\nrecords: 5');
    const bad = ws.connector('two-problems', text);
    const good = join('connectors', 'slack-users.yaml');
    const { status, stdout, stderr } = validate(good, bad);
    expect(status).toBe(2);
    expect(stdout).toContain(`ok       ${good}`);
    expect(stderr).toContain(`${bad}:${positionOf(text, 'tokn:').line}:`);
    expect(stderr).toContain(`${bad}:${positionOf(text, 'records: 5').line}:`);
    expect(stderr).toContain('pagination.tokn');
  });

  it('a mapping is checked with its connector: an unknown field is reported with a suggestion', () => {
    const text = edit(shipped('mappings', 'slack-last-login'), 'source: last_used', 'source: last_usd');
    const file = ws.mapping('unknown-field', text);
    const { line, col } = positionOf(text, 'last_usd');
    const { status, stderr } = validate(file);
    expect(status).toBe(2);
    expect(stderr).toContain(`${file}:${line}:${col}`);
    expect(stderr).toContain('did you mean "last_used"?');
  });

  it('YAML syntax errors and missing files exit 2 without a stack trace', () => {
    const broken = ws.connector('unclosed', edit(shipped('connectors', 'slack-last-login'), '\nrecords: logins', '\nrecords: "logins'));
    const { status, stdout, stderr } = validate(broken, join(ws.dir, 'connectors', 'missing.yaml'));
    expect(status).toBe(2);
    expect(stderr).toContain('yaml_syntax');
    expect(stderr).toContain('file_unreadable');
    expect(stderr + stdout).not.toMatch(stackLine);
    expect(stderr).not.toMatch(/internal error/);
  });

  it('--json prints parseable JSON with valid:false and every issue', () => {
    const text = edit(shipped('connectors', 'slack-last-login'), 'type: cursor', 'type: cursr');
    const file = ws.connector('json', text);
    const { status, stdout } = validate('--json', file);
    expect(status).toBe(2);
    const report = JSON.parse(stdout) as { valid: boolean; files: { file: string; kind: string; issues: Record<string, unknown>[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ file, kind: 'connector' });
    expect(report.files[0].issues).toEqual([
      expect.objectContaining({ file, code: 'unknown_type', path: 'pagination.type', hint: 'did you mean "cursor"?', ...positionOf(text, 'cursr') }),
    ]);
  });

  it('--json on valid files prints valid:true and exits 0', () => {
    const files = yamlIn('mappings');
    const { status, stdout } = validate('--json', ...files);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { valid: boolean; files: { kind: string; issues: unknown[] }[] };
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => [f.kind, f.issues.length])).toEqual(files.map(() => ['mapping', 0]));
  });

  it('no file at all is a usage error: exit 2', () => {
    const { status, stderr } = validate();
    expect(status).toBe(2);
    expect(stderr).toMatch(/files/);
    expect(stderr).not.toMatch(stackLine);
  });
});
