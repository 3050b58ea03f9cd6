import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import { limits } from '../../src/definition/limits.js';
import { intake } from '../helpers/cli.js';
import { edit, positionOf, shipped, workspace, type Workspace } from './workspace.js';

// Issue 7, item 10: an alias bomb was an internal error (exit 1, no position); a 13 MB connector
// with 300,000 fields ran for over 60 s in validate; 5,000 levels of nesting said "Maximum call
// stack size exceeded". Each is now a positioned error, exit 2, in seconds.

const base = shipped('connectors', 'slack-users');
let ws: Workspace;
let count = 0;

beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());

function write(text: string): string {
  return ws.connector(`limits-${++count}`, text);
}

/** Runs the built CLI's validate on one file and times it. */
async function validate(file: string) {
  const started = Date.now();
  const result = await intake(['validate', file]);
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** The connector with `lines` in place of its fields (and the one field its sync key needs). */
function withFields(lines: string): string {
  return `${base.slice(0, base.indexOf('\nfields:\n'))}\nfields:\n${lines}  user_id: { label: User Id, path: id, type: string }\nsync_key: user_id\n`;
}

const stackTrace = /^\s+at /m;

/**
 * What "in seconds" means here: far below the minute and more these inputs took before the
 * limits (and the quadratic duplicate-key check) were fixed, with room for a loaded 2-core CI
 * machine. This guards against a hang, not for speed: speed is measured by npm run bench.
 */
const hangBoundSeconds = 30;

function expectPositionedRefusal(result: { code: number; stdout: string; stderr: string; seconds: number }, file: string, code: string) {
  expect(result.stderr).not.toMatch(/internal error|Maximum call stack|RangeError/);
  expect(result.stderr + result.stdout).not.toMatch(stackTrace);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ error \\[${code}\\]`));
  expect(result.seconds).toBeLessThan(hangBoundSeconds);
}

describe('definition limits (issue 7, item 10)', () => {
  it('an alias bomb is refused at the alias that crosses the limit: exit 2, alias_limit, no internal error', async () => {
    const bomb = [
      'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
      ...'bcdefghi'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    const file = write(`${bomb}\n`);
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'alias_limit');
    // 9 + 9×9 + 9×81 + … : the limit is crossed inside the 5th line (d: 9 aliases of 819 values each)
    expect(result.stderr).toContain(`${file}:5:`);
  });

  it('a 13 MB connector with 300,000 fields is refused as too large within seconds, at the position of the limit', async () => {
    const fields = Array.from({ length: 300_000 }, (_, i) => `  field_${i}: { label: Field ${i}, path: profile.f${i}, type: string }\n`).join('');
    const text = withFields(fields);
    expect(text.length).toBeGreaterThan(13_000_000);
    const file = write(text);
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'file_too_large');
    const { line } = positionOf(`${Buffer.from(text).subarray(0, limits.fileBytes).toString()}\u0001`, '\u0001');
    expect(result.stderr).toContain(`${file}:${line}:`);
    expect(result.stderr).toContain('larger than 1 MiB');
  });

  it('a connector just under the size limit (27,000 fields) validates in seconds (the duplicate-key check was quadratic)', async () => {
    let fields = '';
    for (let i = 0; fields.length < limits.fileBytes - base.length - 200; i++) fields += `  f${i}: { label: F, type: string }\n`;
    const file = write(withFields(fields));
    const result = await validate(file);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`ok       ${file}`);
    expect(result.code).toBe(0);
    expect(result.seconds).toBeLessThan(hangBoundSeconds);
  });

  it('thousands of schema errors are reported in seconds: the first 100, then how many more', async () => {
    let fields = '';
    for (let i = 0; fields.length < limits.fileBytes - base.length - 200; i++) fields += `  f${i}: { label: F, type: strin }\n`;
    const file = write(withFields(fields));
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'invalid_value');
    expect(result.stderr.match(/error \[invalid_value\]/g)).toHaveLength(100);
    expect(result.stderr).toMatch(/error \[too_many_problems\]: \d+ more problem\(s\) from here on are not shown/);
  });

  it.each([
    ['flow lists', `id: x\nname: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 2],
    ['flow mappings', `id: x\nname: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`, 2],
    ['block lists', `id: x\nname:\n  ${'- '.repeat(5000)}x\n`, 3],
  ])('5,000 levels of %s: too_deep where the limit is crossed, not "Maximum call stack size exceeded"', async (_, text, line) => {
    const file = write(text);
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'too_deep');
    expect(result.stderr).toContain(`${file}:${line}:`);
    expect(result.stderr).toContain(`nests more than ${limits.depth} levels deep`);
  });

  it('aliases that nest deeper than the limit together are refused too', async () => {
    const deep = (name: string, inner: string) => `${name}: &${name} ${'['.repeat(40)}${inner}${']'.repeat(40)}`;
    const text = `${deep('a', '1')}\n${deep('b', '*a')}\n${deep('c', '*b')}\n`;
    const [result] = validateFiles([write(text)]);
    expect(result.issues.map((i) => [i.code, i.line])).toEqual([['too_deep', 2]]);
  });

  it('an expression nested 5,000 deep is expr_too_deep inside the expression, not a stack overflow', async () => {
    const mapping = edit(shipped('mappings', 'slack-users'), "  slack_active: { expr: \"!deleted\" }", `  slack_active: { expr: "${'!'.repeat(5000)}deleted" }`);
    const file = ws.mapping('deep-expr', mapping);
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'expr_too_deep');
  });

  it('a long chain of + is expr_too_deep, not an internal error', async () => {
    const mapping = edit(shipped('mappings', 'slack-users'), '  title: title', `  title: { expr: 'title${' + title'.repeat(1200)}' }`);
    const file = ws.mapping('long-expr', mapping);
    const result = await validate(file);
    expectPositionedRefusal(result, file, 'expr_too_deep');
  });

  it('a device that never ends is read only up to the limit', () => {
    const started = Date.now();
    const [result] = validateFiles(['/dev/zero']);
    expect(result.issues.map((i) => i.code)).toEqual(['file_too_large']);
    expect(Date.now() - started).toBeLessThan(hangBoundSeconds * 1000);
  });
});
