import type { DefinitionIssue } from '../errors.js';
import type { ConnectorSpec, FieldSpec, MappingSpec, Scalar } from './model.js';
import { compileTemplate, TemplateSyntaxError } from './template.js';
import { suggestion } from './suggest.js';
import { locate, locateInside, dotted, type SourceFile } from './yaml.js';
import { formatProblem } from './formats.js';
import { checkPathSyntax } from './paths.js';
import { compileMapping, type MappingTargets, type Report } from '../mapping/compile.js';
import { leavesBase } from '../source/below.js';
import { builtinFields, type RecordType, type TargetField } from '../targets/fields.js';
import { resolveSettings } from './settings.js';
import { checkConnectorUrls, checkCustomFields, checkInstallation, checkMappingUrls, checkSchedule, checkTarget } from './runnable.js';
import { checkPagination, checkPartitions, checkPartitionSetting, type TemplateCheck } from './paging.js';
import { checkAuthExports, checkCredentialFormats, exportHint, exportNames } from './credentials.js';

function reporter(source: SourceFile, issues: DefinitionIssue[]): Report {
  return (segments, code, message, hint, at) => {
    const { line, col } = typeof at === 'number' ? locateInside(source, segments, at) : locate(source, segments, { key: at === 'key' });
    issues.push({ file: source.file, line, col, code, path: dotted(segments), message, hint });
  };
}

/** Stage 3a: checks inside a connector that a schema cannot express. */
export function checkConnector(spec: ConnectorSpec, source: SourceFile): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const report = reporter(source, issues);
  const fields = Object.keys(spec.fields);
  const settings = Object.keys(spec.settings ?? {});
  const publicCredentials = Object.entries(spec.credentials.fields).filter(([, f]) => f.secret === false).map(([n]) => n);

  const exported = exportNames(spec);
  const requestScope = { settings, credentials: publicCredentials, page: null, auth: exported };
  const secretNames = new Set(Object.keys(spec.credentials.fields).filter((n) => !publicCredentials.includes(n)));
  checkTemplate(report, ['base_url'], spec.base_url, { settings, credentials: publicCredentials, auth: exported }, secretNames);
  checkConnectorUrls(spec, report);
  const templates: TemplateCheck = {
    scope: { settings, credentials: publicCredentials },
    template: (segments, value, scope) => checkTemplate(report, segments, value, scope, secretNames),
    request: (at, request, scope) => checkRequest(report, at, request, scope, secretNames),
  };
  const partition: Record<string, string[]> = spec.partitions ? { partition: checkPartitions(spec, report, templates) } : {};
  checkRequest(report, ['request'], spec.request, { ...requestScope, ...partition }, secretNames);
  if (spec.detail) checkRequest(report, ['detail', 'request'], spec.detail.request, { ...requestScope, record: fields }, secretNames);
  const authScope = { settings, credentials: Object.keys(spec.credentials.fields) };
  for (const [segments, value] of strings(spec.credentials, ['credentials'])) {
    if (segments.includes('fields')) continue;
    checkTemplate(report, segments, value, authScope);
  }
  for (const option of ['token_field', 'key_field', 'username_field', 'password_field', 'client_id_field', 'client_secret_field', 'refresh_token_field', 'private_key_field', 'issuer_field', 'subject_field']) {
    const name = spec.credentials[option];
    if (typeof name === 'string' && !spec.credentials.fields[name]) {
      report(['credentials', option], 'unknown_field', `"${name}" is not one of the credential fields`, suggestion(name, Object.keys(spec.credentials.fields)));
    }
  }
  const keyField = spec.credentials.private_key_field;
  if (typeof keyField === 'string' && spec.credentials.fields[keyField]?.secret === false) {
    report(['credentials', 'fields', keyField, 'secret'], 'secret_required', `${keyField} holds the private key (private_key_field), so it must be secret`, 'remove secret: false: a private key is masked everywhere and kept in the vault');
  }
  checkCredentialFormats(spec, report);
  checkAuthExports(spec, report);
  checkPaths(spec, report);
  checkPathSyntax(spec, report);
  checkPagination(spec, ['pagination'], spec.pagination, spec.request, report, templates);
  (spec.errors ?? []).forEach((rule, i) => {
    if (rule.when.path && !('equals' in rule.when) && !rule.when.in) {
      report(['errors', i, 'when'], 'missing_option', `the rule tests "${rule.when.path}" but says no value`, 'add equals: <value> or in: [<values>]');
    }
    if (rule.message) checkTemplate(report, ['errors', i, 'message'], rule.message, { code: null, status: null, summary: null });
  });

  const needField = (segments: (string | number)[], name: string) => {
    if (!spec.fields[name]) report(segments, 'unknown_field', `"${name}" is not a field of this connector`, suggestion(name, fields));
  };
  needField(['sync_key'], spec.sync_key);
  if (spec.aggregate) {
    needField(['aggregate', 'by'], spec.aggregate.by);
    if (spec.aggregate.latest_by) needField(['aggregate', 'latest_by'], spec.aggregate.latest_by);
    for (const name of Object.keys(spec.aggregate.take ?? {})) needField(['aggregate', 'take', name], name);
  }
  const declared: [string[], string, FieldSpec][] = [
    ...Object.entries(spec.fields).map(([name, field]): [string[], string, FieldSpec] => [['fields', name], name, field]),
    ...Object.entries(spec.detail?.fields ?? {}).map(([name, field]): [string[], string, FieldSpec] => [['detail', 'fields', name], name, field]),
  ];
  for (const [at, name, field] of declared) {
    if (field.type !== 'datetime' && field.format) report([...at, 'format'], 'format_unused', `"format" only applies to datetime fields, and ${name} is ${field.type}`, 'remove "format" or set type: datetime');
    const problem = field.type === 'datetime' && field.format ? formatProblem(field.format) : undefined;
    if (problem) report([...at, 'format'], 'invalid_format', problem.message, problem.hint);
  }
  for (const [name, setting] of Object.entries(spec.settings ?? {})) {
    if (setting.required && setting.default !== undefined) {
      report(['settings', name, 'default'], 'required_with_default', `setting ${name} is required but has a default, so it is never missing`, 'remove the default, or required: true');
    }
    if (setting.default !== undefined) {
      const problem = settingProblem(setting, setting.default);
      if (problem) report(['settings', name, 'default'], 'invalid_default', `default ${JSON.stringify(setting.default)} ${problem}`, 'make the default fit the setting\'s type and bounds');
    }
  }
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Request, continue and login paths stay below the base URL: ".." that leads out of it is refused (run refuses it too). */
function checkPaths(spec: ConnectorSpec, report: Report): void {
  const login = (spec.credentials.login as { path?: unknown } | undefined)?.path;
  const paths: [(string | number)[], unknown][] = [
    [['request', 'path'], spec.request.path],
    [['detail', 'request', 'path'], spec.detail?.request.path],
    [['pagination', 'continue_path'], spec.pagination.continue_path],
    [['partitions', 'request', 'path'], (spec.partitions?.request as { path?: unknown } | undefined)?.path],
    [['partitions', 'pagination', 'continue_path'], (spec.partitions?.pagination as { continue_path?: unknown } | undefined)?.continue_path],
    [['credentials', 'login', 'path'], login],
  ];
  for (const [segments, path] of paths) {
    if (typeof path === 'string' && leavesBase(path)) {
      report(segments, 'path_outside_base', `the path "${path}" leads outside the base URL once normalised`, 'paths stay below base_url: remove the ".." segments, or change base_url');
    }
  }
}

/**
 * Stage 3b: a mapping against its connector and the embedded store's fields: every field mapping,
 * expression and filter compiles, values fit their target fields, settings fit the connector,
 * the installation type fits the auth type. Issues that only make the mapping incomplete (no sync
 * key, a required field unmapped) are marked `draft`.
 */
export function checkMapping(mapping: MappingSpec, connector: ConnectorSpec, source: SourceFile): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const report = reporter(source, issues);
  const draft: Report = (...args) => {
    report(...args);
    issues[issues.length - 1].draft = true;
  };
  const fields = Object.keys(connector.fields);
  if (mapping.sync_key) {
    mapping.sync_key.forEach((pair, i) => {
      if (!connector.fields[pair.source]) report(['sync_key', i, 'source'], 'unknown_field', `"${pair.source}" is not a field of connector ${connector.id}`, suggestion(pair.source, fields));
    });
  } else {
    draft([], 'sync_key_missing', 'no sync_key: nothing tells which target record a source record is', `add sync_key: [{ source: ${connector.sync_key}, target: <the target field that stores it> }]`);
  }
  checkFilters(mapping, report);
  checkSaasUser(mapping, report);
  checkCustomFields(mapping, report);
  compileMapping(mapping, connector, loadTimeTargets(mapping), loadTimeMeta(mapping, connector), report);
  checkSettings(mapping, connector, report);
  checkPartitionSetting(mapping, connector, report);
  checkMappingUrls(mapping, connector, report);
  checkRequiredTargets(mapping, draft);
  checkSchedule(mapping, report);
  checkInstallation(mapping, connector, report);
  checkTarget(mapping, report);
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The target fields `validate` checks a mapping against: the embedded store's, plus the mapping's custom fields. */
export function loadTimeTargets(mapping: MappingSpec): MappingTargets {
  const withCustom = (type: RecordType, custom: MappingSpec['custom_fields']) => {
    const fields = new Map<string, TargetField>(builtinFields(type).map((f) => [f.name, f]));
    for (const [name, spec] of Object.entries(custom ?? {})) if (!fields.has(name)) fields.set(name, { name, label: spec.label, type: spec.type, required: false, custom: true });
    return fields;
  };
  return { people: withCustom('people', mapping.custom_fields), saas_users: mapping.saas_user ? withCustom('saas_users', mapping.saas_user.custom_fields) : undefined };
}

function loadTimeMeta(mapping: MappingSpec, connector: ConnectorSpec) {
  let settings: Record<string, Scalar> = {};
  try {
    settings = resolveSettings(connector, mapping.settings);
  } catch {
    // a required setting without a value is the run's concern; the expressions only need the names
  }
  return { sync_time: new Date().toISOString(), credential_name: mapping.credential ?? connector.id, settings };
}

function checkFilters(mapping: MappingSpec, report: Report): void {
  const comparisons = ['equals', 'not_equals', 'in', 'not_in', 'exists'] as const;
  (mapping.filters ?? []).forEach((filter, i) => {
    const used = comparisons.filter((c) => c in filter);
    if (filter.when !== undefined) {
      for (const c of used) report(['filters', i, c], 'modifier_unused', `"${c}" does not apply to a when: filter`, `remove it, or write the comparison in the condition, e.g. ${filter.when} && …`);
    } else if (!used.length) {
      report(['filters', i], 'missing_option', `the filter on ${filter.field} says no condition`, 'add one of equals, not_equals, in, not_in, exists (or use when: <condition>)');
    }
  });
}

function checkSaasUser(mapping: MappingSpec, report: Report): void {
  if (mapping.record_type === 'people_and_saas_users' && !mapping.saas_user) {
    report(['record_type'], 'missing_option', 'people_and_saas_users needs a saas_user: block with the app\'s name', 'add saas_user: { app: <the SaaS app\'s name>, fields: { … } }');
  }
  if (mapping.record_type === 'people' && mapping.saas_user) {
    report(['saas_user'], 'modifier_unused', 'saas_user: is only written with record_type: people_and_saas_users', 'set record_type: people_and_saas_users, or remove saas_user');
  }
}

function checkSettings(mapping: MappingSpec, connector: ConnectorSpec, report: Report): void {
  const declared = connector.settings ?? {};
  for (const [name, value] of Object.entries(mapping.settings ?? {})) {
    const setting = declared[name];
    if (!setting) {
      report(['settings', name], 'unknown_setting', `"${name}" is not a setting of connector ${connector.id}`, suggestion(name, Object.keys(declared)));
      continue;
    }
    const problem = settingProblem(setting, value);
    if (problem) report(['settings', name], 'invalid_setting', `${JSON.stringify(value)} ${problem}`, setting.label);
  }
}

function checkRequiredTargets(mapping: MappingSpec, report: Report): void {
  if (mapping.preference === 'update_only') return;
  const mapped = new Set(Object.keys(mapping.fields));
  for (const field of builtinFields('people').filter((f) => f.required)) {
    if (!mapped.has(field.name)) {
      report(['fields'], 'required_unmapped', `${mapping.preference} creates People records, which need "${field.name}" (${field.label}), but no field maps to it`, field.values ? `map it, e.g. ${field.name}: { value: ${field.values[0]} } (one of ${field.values.join(', ')}), or use preference: update_only` : `map it, e.g. ${field.name}: <connector field>, or use preference: update_only`);
    }
  }
}

/** Why a setting value does not fit the setting's type and bounds, or undefined when it does. */
export function settingProblem(setting: { type: string; minimum?: number; maximum?: number; enum?: Scalar[] }, value: Scalar): string | undefined {
  if (setting.type === 'integer' && !Number.isInteger(value)) return 'is not an integer';
  if (setting.type === 'number' && typeof value !== 'number') return 'is not a number';
  if (setting.type === 'boolean' && typeof value !== 'boolean') return 'is not true or false';
  if (setting.type === 'string' && typeof value !== 'string') return 'is not text';
  if (typeof value === 'number' && setting.minimum !== undefined && value < setting.minimum) return `is below the minimum ${setting.minimum}`;
  if (typeof value === 'number' && setting.maximum !== undefined && value > setting.maximum) return `is above the maximum ${setting.maximum}`;
  if (setting.enum && !setting.enum.includes(value)) return `is not one of ${setting.enum.join(', ')}`;
  return undefined;
}

const noSecrets = new Set<string>();

/** Checks every template of a request: query, headers and (nested) body values. */
function checkRequest(report: Report, at: (string | number)[], request: ConnectorSpec['request'], scope: Record<string, string[] | null>, secretNames: Set<string>): void {
  checkTemplate(report, [...at, 'path'], request.path, scope, secretNames);
  for (const part of ['query', 'headers'] as const) {
    for (const [name, value] of Object.entries(request[part] ?? {})) checkTemplate(report, [...at, part, name], value, scope, secretNames);
  }
  for (const [segments, value] of strings(request.body ?? {}, [...at, 'body'])) checkTemplate(report, segments, value, scope, secretNames);
}

/** Every string inside a value, with its path. */
function strings(value: unknown, at: (string | number)[]): [(string | number)[], string][] {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...at, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, [...at, k]));
  return [];
}

function checkTemplate(report: Report, segments: (string | number)[], value: unknown, scope: Record<string, string[] | null>, secretNames: Set<string> = noSecrets): void {
  if (typeof value !== 'string') return;
  let refs: string[];
  try {
    refs = compileTemplate(value).refs;
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return report(segments, 'template_syntax', error.message, 'write {{ scope.name }}, e.g. {{ settings.page_size }}');
    throw error;
  }
  for (const ref of refs) {
    const [root, name] = ref.split('.');
    if (!(root in scope)) {
      report(segments, 'unknown_variable', `{{ ${ref} }} refers to "${root}", which is not available here`, `${suggestion(root, Object.keys(scope))} (available: ${Object.keys(scope).join(', ')})`);
    } else if (scope[root] !== null && !scope[root]!.includes(name)) {
      if (root === 'credentials' && secretNames.has(name)) {
        report(segments, 'secret_in_template', `{{ ${ref} }}: "${name}" is a secret credential field, and secrets can not be used in templates`, 'the credentials: type sends secrets itself, only to the connector\'s host; use a non-secret field (secret: false) if the value is not a secret');
      } else if (root === 'auth') {
        report(segments, 'unknown_variable', `{{ ${ref} }}: the credentials export no value "${name}"`, exportHint(name ?? '', scope[root]!));
      } else report(segments, 'unknown_variable', `{{ ${ref} }}: "${name}" is not declared under ${root}`, suggestion(name ?? '', scope[root]!));
    }
  }
}
