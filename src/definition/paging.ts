import type { ConnectorSpec, MappingSpec, PaginationSpec, RequestSpec, Scalar, SettingSpec } from './model.js';
import type { Report } from '../mapping/compile.js';
import { settingOptions } from '../source/pagination/numbers.js';
import { splitValues } from '../source/partitions/values.js';

/** What the template checks of crosscheck.ts need: the scope a template may use, the secret names it may not. */
export interface TemplateCheck {
  template(segments: (string | number)[], value: unknown, scope: Record<string, string[] | null>): void;
  request(at: (string | number)[], request: RequestSpec, scope: Record<string, string[] | null>): void;
  /** settings and non-secret credentials */
  scope: Record<string, string[] | null>;
}

/** "an integer", "a string" … */
function kind(setting: SettingSpec): string {
  return `${/^[aeiou]/.test(setting.type) ? 'an' : 'a'} ${setting.type}`;
}

/** `{{ settings.<name> }}` as the whole string: the setting's name, else undefined. */
function wholeSetting(value: string): string | undefined {
  return /^\{\{\s*settings\.([a-z][a-z0-9_]*)\s*\}\}$/.exec(value)?.[1];
}

/**
 * Checks of one pagination (the connector's, or a parent partition's) against its request that a
 * schema cannot express: a numeric option given as a template names one integer setting whose
 * minimum is at least 1, a value sent in the body needs a POST, stop conditions have what they need.
 */
export function checkPagination(spec: ConnectorSpec, at: (string | number)[], pagination: PaginationSpec, request: RequestSpec, report: Report, check: TemplateCheck): void {
  for (const option of settingOptions) {
    const value = pagination[option];
    if (typeof value !== 'string') continue;
    check.template([...at, option], value, check.scope);
    const name = wholeSetting(value);
    const setting = name ? spec.settings?.[name] : undefined;
    if (!name || (setting && setting.type !== 'integer')) {
      report([...at, option], 'invalid_value', `${option} must be a number, or one integer setting as {{ settings.<name> }}; "${value}" ${name ? `names ${kind(setting!)} setting` : 'is not'}`, `e.g. ${option}: "{{ settings.${option} }}" with settings.${option} of type: integer, minimum: 1`);
    } else if (setting && option === 'page_size' && !(setting.minimum !== undefined && setting.minimum >= 1)) {
      report([...at, option], 'invalid_value', `page_size comes from setting ${name}, which allows values below 1`, `give settings.${name} minimum: 1 (and the API's largest page as maximum)`);
    }
  }
  const sendsInBody = Object.values(pagination).some((v) => v && typeof v === 'object' && (v as { in?: string }).in === 'body');
  if (sendsInBody && request.method !== 'POST') {
    report(at, 'body_needs_post', 'the pagination sends a value in the request body, but the request is a GET', 'set request.method: POST, or send the value in: query');
  }
  const stops = (pagination.stop as unknown[] | undefined) ?? [];
  if (stops.includes('short_page') && pagination.page_size === undefined) {
    report([...at, 'stop'], 'missing_option', 'the short_page stop condition needs page_size, the number of records in a full page', 'add page_size: <n> to the pagination');
  }
  const totalOption = pagination.type === 'offset' ? 'total' : pagination.type === 'page_number' ? 'total_pages' : undefined;
  if (stops.includes('total_reached') && (!totalOption || pagination[totalOption] === undefined)) {
    report([...at, 'stop'], 'missing_option', `the total_reached stop condition needs ${totalOption ?? 'a total, which this pagination type does not read'}`, totalOption ? `add ${totalOption}: <body path of the total>` : 'use offset or page_number pagination, or another stop condition');
  }
  if (pagination.type === 'next_url' && pagination.from === 'body' && !pagination.path) {
    report(at, 'missing_option', 'next_url from: body needs "path", the body field that holds the next URL', 'add path:, e.g. path: "@odata.nextLink"');
  }
}

/**
 * Checks of `partitions:`: values from a setting name one string setting whose default gives a
 * value; a parent request's templates, pagination and fields. Returns the names the list request
 * may use as `{{ partition.<name> }}`.
 */
export function checkPartitions(spec: ConnectorSpec, report: Report, check: TemplateCheck): string[] {
  const partitions = spec.partitions;
  if (!partitions) return [];
  if (partitions.type === 'values') {
    const values = partitions.values;
    if (typeof values === 'string') {
      check.template(['partitions', 'values'], values, { settings: check.scope.settings });
      const name = wholeSetting(values);
      const setting = name ? spec.settings?.[name] : undefined;
      if (!name || (setting && setting.type !== 'string')) {
        report(['partitions', 'values'], 'invalid_value', `values must be a list, or one string setting as {{ settings.<name> }} (its value separated by commas); "${values}" ${name ? `names ${kind(setting!)} setting` : 'is not'}`, 'e.g. values: "{{ settings.statuses }}" with settings.statuses of type: string, default: "active,inactive"');
      } else if (setting?.default !== undefined && !splitValues(setting.default).length) {
        report(['settings', name, 'default'], 'invalid_default', `setting ${name} gives the partitions their values, but its default ${JSON.stringify(setting.default)} holds none`, 'give one or more values separated by commas, or no default (required: true)');
      }
    }
    return [String(partitions.name)];
  }
  const request = partitions.request as RequestSpec;
  const pagination = partitions.pagination as PaginationSpec;
  check.request(['partitions', 'request'], request, { ...check.scope, page: null });
  checkPagination(spec, ['partitions', 'pagination'], pagination, request, report, check);
  return Object.keys(partitions.fields as Record<string, unknown>);
}

/** A mapping's value for the setting that gives the partitions their values must hold at least one. */
export function checkPartitionSetting(mapping: MappingSpec, connector: ConnectorSpec, report: Report): void {
  const values = connector.partitions?.type === 'values' ? connector.partitions.values : undefined;
  const name = typeof values === 'string' ? wholeSetting(values) : undefined;
  const value: Scalar | undefined = name ? mapping.settings?.[name] : undefined;
  if (name && typeof value === 'string' && !splitValues(value).length) {
    report(['settings', name], 'invalid_setting', `${JSON.stringify(value)} gives the partitions of connector ${connector.id} no value to read`, describe(connector.settings?.[name]));
  }
}

function describe(setting: SettingSpec | undefined): string {
  return `${setting?.label ?? 'the values'}: one or more values separated by commas`;
}
