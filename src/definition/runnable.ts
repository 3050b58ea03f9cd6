import { IANAZone } from 'luxon';
import type { Report } from '../mapping/compile.js';
import { cloudOnlyReason } from '../source/auth/index.js';
import { builtinFields, type RecordType } from '../targets/fields.js';
import { misfit } from '../targets/fit.js';
import { parseTarget, targets } from '../targets/index.js';
import { IntakeError } from '../errors.js';
import { scheduleProblems } from '../schedule/schedule.js';
import type { ConnectorSpec, MappingSpec, Scalar } from './model.js';
import { settingsUsed, urlProblem } from './urls.js';

/**
 * Cross-checks for what `intake run` would otherwise refuse only once it started (issue 7, item
 * 11): "validate ok" means a run cannot fail on the definition. Called by the cross-check stage.
 */

/** A custom field adds a field: one that redeclares a built-in field would be silently ignored (or clash in type). */
export function checkCustomFields(mapping: MappingSpec, report: Report): void {
  const check = (recordType: RecordType, custom: MappingSpec['custom_fields'], at: string[]) => {
    const builtin = new Map(builtinFields(recordType).map((f) => [f.name, f]));
    for (const [name, spec] of Object.entries(custom ?? {})) {
      const field = builtin.get(name);
      if (field) {
        report([...at, name], 'custom_field_builtin', `${name} is a built-in field of ${recordType === 'people' ? 'People' : 'SaaS user'} records (${field.label}, ${field.type}), not a new one`, `remove it from ${at.join('.')}${spec.type !== field.type ? ` (the built-in field is ${field.type}, not ${spec.type})` : ''}, or give the new field another name`, 'key');
      }
    }
  };
  check('people', mapping.custom_fields, ['custom_fields']);
  if (mapping.saas_user) check('saas_users', mapping.saas_user.custom_fields, ['saas_user', 'custom_fields']);
}

/** base_url and an OAuth token_url with the connector's defaults: at the default when a setting is the whole URL. */
export function checkConnectorUrls(connector: ConnectorSpec, report: Report): void {
  checkUrls(connector, defaults(connector), (segments, problem, setting) => report(setting ? ['settings', setting, 'default'] : segments, 'invalid_url', `${segments.join('.')}: ${problem}`, urlHint));
}

/** The same URLs with the mapping's settings, reported at the mapping's setting that makes them wrong. */
export function checkMappingUrls(mapping: MappingSpec, connector: ConnectorSpec, report: Report): void {
  const given = new Set(Object.keys(mapping.settings ?? {}));
  checkUrls(connector, { ...defaults(connector), ...mapping.settings }, (segments, problem, _setting, used) => {
    const from = used.find((name) => given.has(name));
    if (from) report(['settings', from], 'invalid_url', `with this value, the connector's ${segments.join('.')} is not an http(s) URL: ${problem}`, urlHint);
  });
}

const urlHint = 'give an http(s) URL, e.g. https://api.example.com/v1';

/** The connector's URLs (base_url, an OAuth token_url) with these settings; `problem` gets what is wrong with each, and the setting that is the whole URL, if one is. */
function checkUrls(connector: ConnectorSpec, settings: Record<string, Scalar>, problem: (segments: string[], message: string, setting: string | undefined, used: string[]) => void): void {
  const urls: [string[], unknown][] = [[['base_url'], connector.base_url], [['credentials', 'token_url'], connector.credentials.token_url]];
  for (const [segments, template] of urls) {
    if (typeof template !== 'string') continue;
    const message = urlProblem(template, settings);
    if (!message) continue;
    const used = settingsUsed(template);
    const whole = /^\{\{\s*settings\.([a-z][a-z0-9_]*)\s*\}\}$/.exec(template)?.[1];
    problem(segments, message, whole, used);
  }
}

function defaults(connector: ConnectorSpec): Record<string, Scalar> {
  return Object.fromEntries(Object.entries(connector.settings ?? {}).filter(([, s]) => s.default !== undefined).map(([name, s]) => [name, s.default!]));
}

/** The schedule's forms (every, at, on, cron) fit together and a cron pattern parses; its time zone exists. */
export function checkSchedule(mapping: MappingSpec, report: Report): void {
  for (const p of scheduleProblems(mapping.schedule)) report(['schedule', p.key], p.code, p.message, p.hint);
  const zone = mapping.schedule?.timezone;
  // UTC, the most common zone, is known without asking Intl (its first time-zone query costs 15 ms of every run's start)
  if (zone !== undefined && zone !== 'UTC' && !IANAZone.isValidZone(zone)) {
    report(['schedule', 'timezone'], 'invalid_timezone', `"${zone}" is not an IANA time zone`, 'e.g. UTC, Europe/Berlin, America/New_York (the names of the tz database)');
  }
}

/**
 * A local installation needs an auth type that runs locally: OAuth 2 grants (and AWS) need the
 * cloud installation type, whose vault keeps and refreshes their secrets. (A credential field
 * without `env:` is fine: the local credentials file can hold it.)
 */
export function checkInstallation(mapping: MappingSpec, connector: ConnectorSpec, report: Report): void {
  if ((mapping.installation ?? 'local') !== 'local') return;
  const cloudOnly = cloudOnlyReason(connector.credentials);
  if (cloudOnly) {
    report(['installation'], 'needs_cloud', `connector ${connector.id} authenticates with ${cloudOnly}, which needs the cloud installation type`, `a local installation does not keep OAuth secrets and tokens: choose cloud — write installation: cloud in this mapping, then store the credentials in the vault with: intake credentials set ${connector.id} --cloud (docs/installation.md)`);
  }
}

/**
 * A mapping's `target:`: a target Intake has (with the nearest one when not), its file when it
 * needs one, and one the mapping can run into (People plus SaaS users into a target that keeps
 * SaaS users, update only into a target that has records to update).
 */
export function checkTarget(mapping: MappingSpec, report: Report): void {
  if (mapping.target === undefined) return;
  let type: string;
  try {
    type = parseTarget(mapping.target, '.', 'target:').type;
  } catch (error) {
    if (!(error instanceof IntakeError)) throw error;
    return report(['target'], error.code, error.message, error.hint);
  }
  const problem = misfit(targets.get(type), mapping);
  if (problem) report([problem.key], 'target_misfit', `${problem.message} (target: ${mapping.target})`, problem.hint);
}
