import { UsageError } from '../errors.js';
import { settingProblem } from './crosscheck.js';
import type { ConnectorSpec, Scalar, SettingSpec } from './model.js';
import { suggestion } from './suggest.js';
import { settingsUsed, urlProblem } from './urls.js';

/** A `--set key=value` that names no setting or does not fit it. */
export class SettingsError extends UsageError {}

/**
 * The settings of one run: connector defaults, then the mapping's `settings:`, then `--set`
 * overrides (text, converted to the setting's type and checked against its bounds).
 */
export function resolveSettings(connector: ConnectorSpec, fromMapping: Record<string, Scalar> = {}, overrides: Record<string, string> = {}): Record<string, Scalar> {
  const declared = connector.settings ?? {};
  const values: Record<string, Scalar> = {};
  for (const [name, setting] of Object.entries(declared)) if (setting.default !== undefined) values[name] = setting.default;
  Object.assign(values, fromMapping);
  for (const [name, text] of Object.entries(overrides)) {
    const setting = declared[name];
    if (!setting) {
      throw new SettingsError('unknown_setting', `--set ${name}=…: connector ${connector.id} has no setting "${name}"`, { hint: `${suggestion(name, Object.keys(declared))} (settings: ${Object.keys(declared).join(', ')})` });
    }
    if (text.trim() === '') throw new SettingsError('empty_setting', `--set ${name}=: no value given`, { hint: `${describe(setting)}; leave the --set out to use ${setting.default !== undefined ? `the default ${JSON.stringify(setting.default)}` : 'the mapping\'s value'}` });
    const value = parse(setting, text);
    const problem = Number.isNaN(value) ? `is not ${setting.type === 'integer' ? 'an integer' : 'a number'} written in decimal digits` : settingProblem(setting, value);
    if (problem) throw new SettingsError('invalid_setting', `--set ${name}=${text}: the value ${problem}`, { hint: describe(setting) });
    values[name] = value;
  }
  const missing = Object.entries(declared).filter(([name, s]) => s.required && values[name] === undefined).map(([name]) => name);
  if (missing.length) {
    throw new SettingsError('setting_required', `connector ${connector.id} needs a value for ${missing.map((m) => `"${m}"`).join(', ')}`, {
      hint: `give it in the mapping (settings: { ${missing[0]}: … }) or with --set ${missing[0]}=…${declared[missing[0]].description ? ` — ${declared[missing[0]].description}` : ''}`,
    });
  }
  checkUrls(connector, values, overrides);
  return values;
}

/** Decimal numbers only: `0x10`, `1e3` for an integer, `Infinity` or ` ` are not what a user means by a number. */
const integer = /^[+-]?\d+$/;
const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A `--set` that makes the connector's base_url (or token_url) something other than an http(s) URL is a usage error, as validate says for the mapping's own values. */
function checkUrls(connector: ConnectorSpec, values: Record<string, Scalar>, overrides: Record<string, string>): void {
  for (const [option, template] of [['base_url', connector.base_url], ['credentials.token_url', connector.credentials.token_url]] as const) {
    if (typeof template !== 'string') continue;
    const name = settingsUsed(template).find((s) => s in overrides);
    if (!name) continue;
    const problem = urlProblem(template, values);
    if (problem) throw new SettingsError('invalid_setting', `--set ${name}=${overrides[name]}: the connector's ${option} would be ${problem}`, { hint: `give an http(s) URL, e.g. --set ${name}=https://api.example.com` });
  }
}

function parse(setting: SettingSpec, text: string): Scalar {
  const trimmed = text.trim();
  if (setting.type === 'integer') return integer.test(trimmed) ? Number(trimmed) : NaN;
  if (setting.type === 'number') return decimal.test(trimmed) ? Number(trimmed) : NaN;
  if (setting.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function describe(setting: SettingSpec): string {
  const bounds = [setting.minimum !== undefined ? `≥ ${setting.minimum}` : '', setting.maximum !== undefined ? `≤ ${setting.maximum}` : ''].filter(Boolean).join(' and ');
  return `${setting.label ?? 'this setting'} takes ${setting.type === 'integer' ? 'an integer' : `a ${setting.type}`}${bounds ? ` ${bounds}` : ''}`;
}

/** Parses `key=value` pairs from `--set`. */
export function parseAssignments(pairs: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new SettingsError('bad_assignment', `--set ${pair}: expected key=value`, { hint: 'for example --set max_pages=5' });
    result[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return result;
}
