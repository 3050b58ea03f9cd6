import type { FieldType } from '../../definition/model.js';
import type { TargetField } from '../fields.js';
import type { Fields } from '../target.js';

/**
 * The People fields of an Oomnitza instance, read from its field metadata (`GET /api/v3/users/meta`).
 * Assumed shape (docs/targets.md, test/fixtures/oomnitza/README.md): an object keyed by each field's
 * external id, the v3 API's "Metadata field" objects as values — `label`, `data_type`, `optional`,
 * `searchhelp` (a dropdown's values: `[{ key, value }]`) — or a list of them, each with its
 * `external_id`.
 */
export function fieldsOf(metadata: unknown): TargetField[] {
  const entries: [string, Record<string, unknown>][] = Array.isArray(metadata)
    ? metadata.filter(isObject).map((m) => [String(m.external_id ?? m.name ?? ''), m])
    : isObject(metadata) ? Object.entries(metadata).filter((e): e is [string, Record<string, unknown>] => isObject(e[1])) : [];
  return entries.filter(([name]) => name !== '').map(([name, meta]) => {
    const values = Array.isArray(meta.searchhelp) ? meta.searchhelp.filter(isObject).map((s) => String(s.value ?? s.key)).filter((v) => v !== '') : [];
    return {
      name,
      label: typeof meta.label === 'string' && meta.label !== '' ? meta.label : name,
      type: typeOf(meta.data_type),
      required: isNo(meta.optional),
      custom: !builtin.has(name),
      ...(values.length ? { values } : {}),
    };
  });
}

/**
 * The fields of the documented v3 User model (the API's `User` schema): the instance's other
 * People fields are custom ones.
 */
const builtin = new Set(['username', 'full_name', 'first_name', 'last_name', 'email', 'suspended', 'address', 'phone_number', 'position', 'change_date', 'changed_by',
  'creation_date', 'created_by', 'external_id', 'email_subscription', 'version', 'role', 'last_login_date', 'deleted', 'uid', 'user_id']);

/** An Oomnitza data type as an Intake field type: DateTime, Checkbox, Numeric, Decimal, text (Short Text, Long Text, dropdowns, lookups). */
export function typeOf(dataType: unknown): FieldType {
  const type = String(dataType ?? '').toLowerCase();
  if (/date|time/.test(type)) return 'datetime';
  if (/bool|check/.test(type)) return 'boolean';
  if (/decimal|float|double|currency|money/.test(type)) return 'number';
  if (/int|numeric|number/.test(type)) return 'integer';
  return 'string';
}

/** The data type Intake asks for when it creates a field (`--create-fields`). */
export function dataTypeOf(type: FieldType): string {
  return { string: 'string', integer: 'integer', number: 'decimal', boolean: 'boolean', datetime: 'datetime' }[type];
}

/** `optional: "0"` (or false, "false", "no"): the field is mandatory. */
function isNo(value: unknown): boolean {
  return value === false || value === 0 || (typeof value === 'string' && ['0', 'false', 'no'].includes(value.trim().toLowerCase()));
}

/**
 * A People record as Intake compares it with the mapped values: datetimes as ISO-8601 UTC (the API
 * may answer epoch seconds, as its documented date fields do), booleans and numbers as such, an
 * empty text as empty (null). So a value that has not changed reads back equal, and a second run
 * writes nothing.
 */
export function normalized(record: Record<string, unknown>, types: Map<string, FieldType>): Fields {
  const fields: Fields = {};
  for (const [name, value] of Object.entries(record)) fields[name] = normalize(value, types.get(name));
  return fields;
}

function normalize(value: unknown, type: FieldType | undefined): unknown {
  if (value === '' || value === undefined) return null;
  if (value === null || type === undefined) return value;
  switch (type) {
    case 'datetime':
      return isoOf(value) ?? value;
    case 'boolean':
      if (typeof value === 'string' && /^(true|1)$/i.test(value)) return true;
      if (typeof value === 'string' && /^(false|0)$/i.test(value)) return false;
      return value;
    case 'integer':
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    default:
      return value;
  }
}

/** Epoch seconds (a number, or digits) or an ISO-8601 text as `2015-02-03T00:21:04Z`; undefined for anything else. */
function isoOf(value: unknown): string | undefined {
  const epoch = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  const ms = epoch !== undefined ? epoch * 1000 : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.000Z$/, 'Z') : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
