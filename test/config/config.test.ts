import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configPath, loadConfig } from '../../src/config/file.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { connectorFolders } from '../../src/definition/lookup.js';
import { DefinitionError, formatIssue } from '../../src/errors.js';

/**
 * The config file: where it is, how it is checked (positions, every problem at once), and how each
 * value is resolved — flag, then environment, then config file, then default.
 */
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'intake-config-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Writes the config file at the default place of a user whose home is `home`; returns its environment. */
function userWith(text: string | undefined): NodeJS.ProcessEnv {
  if (text !== undefined) {
    mkdirSync(join(home, '.config', 'intake'), { recursive: true });
    writeFileSync(join(home, '.config', 'intake', 'config.yaml'), text);
  }
  return { HOME: home };
}

describe('where the config file is', () => {
  it('INTAKE_CONFIG, else $XDG_CONFIG_HOME/intake/config.yaml, else ~/.config/intake/config.yaml (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(configPath({ HOME: home, INTAKE_CONFIG: '~/my.yaml', XDG_CONFIG_HOME: '/xdg' })).toEqual({ path: join(home, 'my.yaml'), from: 'INTAKE_CONFIG' });
    expect(configPath({ HOME: home, XDG_CONFIG_HOME: '/xdg' })).toEqual({ path: '/xdg/intake/config.yaml', from: 'XDG_CONFIG_HOME' });
    expect(configPath({ HOME: home, XDG_CONFIG_HOME: 'relative' })).toEqual({ path: join(home, '.config', 'intake', 'config.yaml'), from: 'default' });
    expect(configPath({ HOME: home })).toEqual({ path: join(home, '.config', 'intake', 'config.yaml'), from: 'default' });
  });

  it('no file sets no default; a file INTAKE_CONFIG names must exist', () => {
    expect(loadConfig(userWith(undefined))).toMatchObject({ exists: false, values: {} });
    expect(() => loadConfig({ HOME: home, INTAKE_CONFIG: join(home, 'none.yaml') })).toThrow(expect.objectContaining({ code: 'config_not_found', message: expect.stringMatching(/INTAKE_CONFIG names .*none\.yaml, which does not exist/) }));
  });

  it('an empty file sets no default', () => {
    expect(loadConfig(userWith(''))).toMatchObject({ exists: true, values: {} });
  });
});

describe('the config file is checked like a mapping', () => {
  it('every problem at once, at its line and column, with the nearest name', () => {
    const env = userWith([
      'store: ./intake.db',
      'targt: oomnitza',
      'oomnitza:',
      '  url: http://acme.oomnitza.com',
      'connectors: ~/intake/connectors',
      '',
    ].join('\n'));
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    const file = join(home, '.config', 'intake', 'config.yaml');
    expect((error as DefinitionError).issues.map(formatIssue)).toEqual([
      `${file}:2:1 error [unknown_key] at targt: unknown key "targt"\n    hint: did you mean "target"?`,
      `${file}:5:13 error [wrong_type] at connectors: must be array, found string "~/intake/connectors"\n    hint: Folders of connector files, searched in order after your connectors/ and the shipped connectors; INTAKE_CONNECTORS wins over this list. — example: [\"~/intake/connectors\"]`,
    ]);
  });

  it('a target Intake does not have, and an Oomnitza URL it would not send a token to, at their positions', () => {
    const env = userWith('target: jsnol:out.jsonl\noomnitza: { url: "http://acme.oomnitza.com" }\n');
    const issues = (() => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as DefinitionError).issues;
      }
    })();
    expect(issues.map((i) => [i.line, i.col, i.path, i.code])).toEqual([[1, 9, 'target', 'target_unknown'], [2, 18, 'oomnitza.url', 'oomnitza_url_invalid']]);
    expect(issues[0].hint).toMatch(/did you mean "jsonl"/);
    expect(issues[1].message).toMatch(/is not https/);
  });
});

describe('each value comes from a flag, the environment, the config file, or the default — the first that gives it', () => {
  const file = [
    'store: data/intake.db',
    'target: csv:exports/people.csv',
    'oomnitza: { url: https://acme.oomnitza.com }',
    'connectors: [~/intake/connectors, ../shared]',
    '',
  ].join('\n');

  it('the config file\'s values, relative paths from its folder and ~/ from the home folder', () => {
    const settings = resolveSettings({}, userWith(file));
    const dir = join(home, '.config', 'intake');
    expect(settings).toMatchObject({
      file: { path: join(dir, 'config.yaml'), from: 'default', exists: true },
      store: { value: join(dir, 'data', 'intake.db'), source: 'config file' },
      target: { value: `csv:${join(dir, 'exports', 'people.csv')}`, source: 'config file' },
      oomnitza_url: { value: 'https://acme.oomnitza.com', source: 'config file' },
      connectors: { value: [join(home, 'intake', 'connectors'), join(home, '.config', 'shared')], source: 'config file' },
    });
  });

  it('the environment wins over the file, and a flag over both; an empty variable counts as unset', () => {
    const env = { ...userWith(file), INTAKE_DB: '/env/intake.db', OOMNITZA_URL: 'https://env.oomnitza.com', INTAKE_CONNECTORS: '/env/a:/env/b' };
    expect(resolveSettings({}, env)).toMatchObject({
      store: { value: '/env/intake.db', source: 'environment', via: 'INTAKE_DB' },
      oomnitza_url: { value: 'https://env.oomnitza.com', source: 'environment', via: 'OOMNITZA_URL' },
      connectors: { value: ['/env/a', '/env/b'], source: 'environment', via: 'INTAKE_CONNECTORS' },
      target: { source: 'config file' },
    });
    expect(resolveSettings({ db: 'flag.db', target: 'oomnitza', oomnitzaUrl: 'https://flag.oomnitza.com' }, env)).toMatchObject({
      store: { value: resolve('flag.db'), source: 'flag', via: '--db' },
      target: { value: 'oomnitza', source: 'flag', via: '--target' },
      oomnitza_url: { value: 'https://flag.oomnitza.com', source: 'flag', via: '--oomnitza-url' },
    });
    expect(resolveSettings({}, { ...userWith(file), INTAKE_DB: '', OOMNITZA_URL: '' })).toMatchObject({ store: { source: 'config file' }, oomnitza_url: { source: 'config file' } });
  });

  it('without a config file: the defaults', () => {
    expect(resolveSettings({}, userWith(undefined))).toMatchObject({
      store: { value: resolve('intake.db'), source: 'default' },
      target: { value: 'store', source: 'default' },
      oomnitza_url: { value: undefined, source: 'default' },
      connectors: { value: [], source: 'default' },
    });
  });

  it('connector lookup searches the config file\'s folders when INTAKE_CONNECTORS is not set', () => {
    const env = userWith('connectors: [/srv/intake/connectors]\n');
    expect(connectorFolders(join(home, 'connectors'), env).slice(2)).toEqual([{ origin: 'config', dir: '/srv/intake/connectors' }]);
    expect(connectorFolders(join(home, 'connectors'), { ...env, INTAKE_CONNECTORS: '/env/connectors' }).slice(2)).toEqual([{ origin: 'INTAKE_CONNECTORS', dir: '/env/connectors' }]);
  });
});
