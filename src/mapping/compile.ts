import type { FieldType, FilterSpec, MappingSpec, Scalar } from '../definition/model.js';
import type { SourceRecord } from '../source/types.js';
import type { Fields } from '../targets/target.js';
import { converters, toDatetime, type Convert } from './converters/index.js';

/** Values about the run that a mapping may use through `{ meta: … }`. */
export interface Meta {
  sync_time: string;
  credential_name: string;
  settings: Record<string, Scalar>;
}

/** A mapping compiled once per run: filter, then map a source record to target fields. */
export interface CompiledMapping {
  /** why the record is skipped, or undefined to keep it */
  skipReason(record: SourceRecord): string | undefined;
  /** the target fields of a record; throws with a field-naming message when a value does not convert */
  map(record: SourceRecord): Fields;
}

type Produce = (record: SourceRecord) => unknown;

/**
 * ```yaml
 * fields:
 *   username: username                                   # a source field
 *   email: { source: email, convert: lowercase }         # with a converter
 *   slack_last_login: { source: last_used, convert: datetime }
 *   source: { value: Slack }                             # a constant
 *   synced_at: { meta: sync_time }                       # a run value
 * ```
 * Each value is then coerced to the target field's type (datetimes to ISO-8601 UTC).
 */
export function compileMapping(mapping: MappingSpec, targetTypes: Map<string, FieldType>, meta: Meta): CompiledMapping {
  const producers = Object.entries(mapping.fields).map(([target, spec]) => {
    const produce = producer(spec, meta);
    const coerce = coercer(targetTypes.get(target) ?? 'string');
    return [target, produce, coerce] as const;
  });
  const filters = (mapping.filters ?? []).map(compileFilter);
  return {
    skipReason(record) {
      for (const filter of filters) {
        const reason = filter(record);
        if (reason) return reason;
      }
      return undefined;
    },
    map(record) {
      const fields: Fields = {};
      for (const [target, produce, coerce] of producers) {
        const value = produce(record);
        try {
          fields[target] = value === null || value === undefined || value === '' ? null : coerce(value);
        } catch (error) {
          throw new Error(`field ${target}: ${(error as Error).message}`);
        }
      }
      return fields;
    },
  };
}

function producer(spec: MappingSpec['fields'][string], meta: Meta): Produce {
  if (typeof spec === 'string') return (r) => r[spec];
  if ('value' in spec) return () => spec.value;
  if ('meta' in spec) {
    const value = spec.meta === 'sync_time' ? meta.sync_time : spec.meta === 'credential_name' ? meta.credential_name : meta.settings[spec.meta.slice('setting.'.length)];
    return () => value;
  }
  const convert: Convert | undefined = spec.convert ? converters.get(spec.convert).create() : undefined;
  const fallback = spec.default;
  return (r) => {
    const value = r[spec.source];
    if (value === null || value === undefined || value === '') return fallback ?? null;
    return convert ? convert(value) : value;
  };
}

function coercer(type: FieldType): Convert {
  switch (type) {
    case 'datetime':
      return toDatetime;
    case 'integer':
      return converters.get('integer').create();
    case 'boolean':
      return converters.get('boolean').create();
    case 'number':
      return (v) => {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`${JSON.stringify(v)} is not a number`);
        return n;
      };
    case 'string':
      return (v) => {
        if (typeof v === 'object') throw new Error(`${JSON.stringify(v)} is not text`);
        return String(v);
      };
  }
}

/**
 * ```yaml
 * filters:
 *   - { field: is_bot, equals: false, reason: bot user }
 *   - { field: email, exists: true }
 * ```
 */
function compileFilter(filter: FilterSpec): (record: SourceRecord) => string | undefined {
  const why = (text: string) => `filter: ${filter.reason ?? text}`;
  return (record) => {
    const value = record[filter.field] ?? null;
    if ('equals' in filter && value !== filter.equals) return why(`${filter.field} is ${JSON.stringify(value)}, not ${JSON.stringify(filter.equals)}`);
    if ('not_equals' in filter && value === filter.not_equals) return why(`${filter.field} is ${JSON.stringify(value)}`);
    if (filter.in && !filter.in.includes(value as Scalar)) return why(`${filter.field} is ${JSON.stringify(value)}, not one of ${filter.in.join(', ')}`);
    if (filter.not_in && filter.not_in.includes(value as Scalar)) return why(`${filter.field} is ${JSON.stringify(value)}`);
    if (filter.exists !== undefined && (value !== null && value !== '') !== filter.exists) return why(`${filter.field} is ${filter.exists ? 'empty' : 'set'}`);
    return undefined;
  };
}
