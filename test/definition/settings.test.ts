import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadConnector } from '../../src/definition/load.js';
import { parseAssignments, resolveSettings, SettingsError } from '../../src/definition/settings.js';
import { root } from './workspace.js';

const connector = loadConnector(join(root, 'connectors', 'slack-last-login.yaml'));
const declared = connector.settings!;

/** The SettingsError thrown by `run`, so its code, message and hint can be checked. */
function settingsError(run: () => unknown): SettingsError {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('resolveSettings', () => {
  it('starts from the connector defaults', () => {
    const defaults = Object.fromEntries(Object.entries(declared).filter(([, s]) => s.default !== undefined).map(([n, s]) => [n, s.default]));
    expect(Object.keys(defaults).length).toBeGreaterThan(0);
    expect(resolveSettings(connector)).toEqual(defaults);
  });

  it('mapping settings override defaults; --set overrides the mapping', () => {
    const fromMapping = { max_pages: declared.max_pages.default === 7 ? 8 : 7 };
    expect(resolveSettings(connector, fromMapping)).toMatchObject({ ...fromMapping, page_size: declared.page_size.default });
    expect(resolveSettings(connector, fromMapping, { max_pages: '9' })).toMatchObject({ max_pages: 9, page_size: declared.page_size.default });
  });

  it('converts --set text to the setting type', () => {
    expect(typeof resolveSettings(connector, {}, { page_size: '50' }).page_size).toBe('number');
  });

  it('--set base_url=http://x is taken as text', () => {
    expect(resolveSettings(connector, {}, parseAssignments(['base_url=http://x'])).base_url).toBe('http://x');
  });

  it.each(['ftp://files.example.com/api', 'file:///etc/passwd', 'https://user:pw@slack.example.com/api', 'slack.com/api'])('--set base_url=%s is refused as a usage error: the connector\'s base_url would not be an http(s) URL', (url) => {
    const error = settingsError(() => resolveSettings(connector, {}, parseAssignments([`base_url=${url}`])));
    expect(error.code).toBe('invalid_setting');
    expect(error.message).toMatch(new RegExp(`^--set base_url=.*: the connector's base_url would be `));
    expect(error.hint).toMatch(/http\(s\) URL/);
  });

  it('--set max_pages=0 is refused, naming the bounds', () => {
    const error = settingsError(() => resolveSettings(connector, {}, parseAssignments(['max_pages=0'])));
    expect(error.code).toBe('invalid_setting');
    expect(error.message).toContain('max_pages=0');
    expect(error.message).toContain(`minimum ${declared.max_pages.minimum}`);
    expect(error.hint).toContain(`≥ ${declared.max_pages.minimum}`);
    expect(error.hint).toContain(`≤ ${declared.max_pages.maximum}`);
  });

  it.each(['abc', '2.5', '0x10', '1e2', 'Infinity', '16 pages'])('--set max_pages=%s is refused as not an integer', (text) => {
    const error = settingsError(() => resolveSettings(connector, {}, { max_pages: text }));
    expect(error.code).toBe('invalid_setting');
    expect(error.message).toMatch(/not an integer/);
  });

  it.each(['', ' '])('--set max_pages=%j is refused: no value given, the default named', (text) => {
    const error = settingsError(() => resolveSettings(connector, {}, { max_pages: text }));
    expect(error.code).toBe('empty_setting');
    expect(error.hint).toContain(`the default ${declared.max_pages.default}`);
  });

  it('a value in decimal digits, with spaces around it, is taken', () => {
    expect(resolveSettings(connector, {}, { max_pages: ' 16 ' }).max_pages).toBe(16);
  });

  it('--set max_pagez=3 names the unknown setting and suggests max_pages', () => {
    const error = settingsError(() => resolveSettings(connector, {}, parseAssignments(['max_pagez=3'])));
    expect(error.code).toBe('unknown_setting');
    expect(error.message).toContain('max_pagez');
    expect(error.hint).toMatch(/^did you mean "max_pages"\?/);
    for (const name of Object.keys(declared)) expect(error.hint).toContain(name);
  });
});

describe('parseAssignments', () => {
  it('splits at the first =, so values may contain =', () => {
    expect(parseAssignments(['max_pages=3', 'base_url=http://x/api?a=b'])).toEqual({ max_pages: '3', base_url: 'http://x/api?a=b' });
  });

  it('the last assignment of a key wins', () => {
    expect(parseAssignments(['max_pages=3', 'max_pages=4'])).toEqual({ max_pages: '4' });
  });

  it.each(['max_pages', '=3'])('refuses %s with an example of key=value', (pair) => {
    const error = settingsError(() => parseAssignments([pair]));
    expect(error.code).toBe('bad_assignment');
    expect(error.message).toContain(pair);
    expect(error.hint).toMatch(/--set \w+=/);
  });
});
