import type { ConnectorSpec, FieldMappingSpec, FieldType, MappingSpec, Scalar, ValueModifiers } from '../definition/model.js';
import { nearest, suggestion } from '../definition/suggest.js';
import type { SourceRecord } from '../source/types.js';
import type { Fields, TargetField } from '../targets/target.js';
import { checkPlausible, converters, decimal, toDatetime, type Convert } from './converters/index.js';
import type { ExprMeta, ExprScope } from './expr.js';
import { compileFilter, type Filter } from './filters.js';
import { forms, isEmpty, type FormContext, type Produce } from './forms/index.js';
import { describeType, fits, typeOfConstant, type ValueType } from './types.js';

/** Values about the run that a mapping may use: `{ meta: … }`, `meta.*` and `settings.*` in expressions. */
export type Meta = ExprMeta;

/** Records a problem at a YAML path of the mapping: at its value, at an offset inside a string value (for expressions), or at its `'key'`. */
export type Report = (segments: (string | number)[], code: string, message: string, hint?: string, at?: number | 'key') => void;

/** The target fields a mapping writes, by record type, as the target describes them. */
export interface MappingTargets {
  people: Map<string, TargetField>;
  saas_users?: Map<string, TargetField>;
}

/** Fields of a SaaS user record that Intake sets itself: the app, the user's key in it, the person. */
export const saasLinkFields = ['saas_name', 'external_id', 'person_id'] as const;

/** A mapping compiled once per load or run: filter, then map a source record to target records. */
export interface CompiledMapping {
  /** why the record is skipped, or undefined to keep it; throws when a filter cannot be evaluated */
  skipReason(record: SourceRecord): string | undefined;
  /** the People fields of a record; throws with a field-naming message when a value does not fit */
  map(record: SourceRecord): Fields;
  /** the SaaS user record of a People plus SaaS user integration */
  saas?: { app: string; map(record: SourceRecord): Fields };
  /** the connector fields the mapping reads (fields, filters, sync key) */
  reads: string[];
}

/**
 * Compiles a mapping against its connector and the target's fields. Every problem goes to
 * `report` with its YAML path; the result is still usable for the parts that compiled, so the
 * loader can report every problem of a file at once.
 *
 * ```yaml
 * fields:
 *   username: username                                     # a connector field
 *   email: { first_of: [mail, user_principal_name], convert: lowercase }
 *   full_name: { template: "{{ first_name }} {{ last_name }}" }
 *   okta_active: { expr: 'status == "ACTIVE"' }
 *   status: { source: status, map: { ACTIVE: Active, "*": Inactive }, default: Unknown }
 *   role: { value: Employee }                              # a constant
 *   synced_at: { meta: sync_time }                         # a run value
 * ```
 * Each value is then coerced to the target field's type (datetimes to ISO-8601 UTC).
 */
export function compileMapping(mapping: MappingSpec, connector: ConnectorSpec, targets: MappingTargets, meta: Meta, report: Report): CompiledMapping {
  const scope = sourceScope(connector);
  const reads = new Set<string>((mapping.sync_key ?? []).map((k) => k.source));
  const context = (at: (string | number)[]): FormContext => ({ scope, meta, report: (segments, ...rest) => report([...at, ...segments], ...rest) });
  const filters: Filter[] = (mapping.filters ?? []).map((spec, i) => {
    const { filter, refs } = compileFilter(spec, context(['filters', i]));
    refs.forEach((r) => reads.add(r));
    return filter;
  });
  const people = compileFields(mapping.fields, targets.people, ['fields'], context, reads);
  const saas = mapping.saas_user && {
    app: mapping.saas_user.app,
    map: compileFields(mapping.saas_user.fields ?? {}, targets.saas_users ?? new Map(), ['saas_user', 'fields'], context, reads, saasLinkFields),
  };
  return {
    skipReason(record) {
      for (const filter of filters) {
        const reason = filter(record);
        if (reason) return reason;
      }
      return undefined;
    },
    map: people,
    saas,
    reads: [...reads],
  };
}

/** The variables of a mapping: every field the connector declares (detail fields too) and its settings. */
export function sourceScope(connector: ConnectorSpec): ExprScope {
  const fields = new Map<string, FieldType>();
  for (const [name, spec] of [...Object.entries(connector.fields), ...Object.entries(connector.detail?.fields ?? {})]) fields.set(name, spec.type);
  return { fields, settings: connector.settings ?? {} };
}

type Mapper = (record: SourceRecord) => Fields;

function compileFields(
  specs: Record<string, FieldMappingSpec>,
  targets: Map<string, TargetField>,
  at: (string | number)[],
  context: (at: (string | number)[]) => FormContext,
  reads: Set<string>,
  reserved: readonly string[] = [],
): Mapper {
  const saas = at[0] === 'saas_user';
  const producers = Object.entries(specs).map(([name, spec]) => {
    const ctx = context([...at, name]);
    if (reserved.includes(name)) ctx.report([], 'reserved_field', `${name} is set by Intake (the app, the user's key in it, the linked person)`, 'remove this line');
    else if (!targets.has(name)) {
      const known = [...targets.keys()].filter((n) => !reserved.includes(n));
      const near = nearest(name, known);
      ctx.report([], 'unknown_target_field', `${saas ? 'SaaS user' : 'People'} records have no field "${name}"`, `${near ? `did you mean "${near}"? Or declare` : 'declare'} it under ${saas ? 'saas_user.custom_fields' : 'custom_fields'} to have it created (fields: ${known.join(', ')})`, 'key');
    }
    const { produce, refs } = compileField(spec, targets.get(name), ctx);
    refs.forEach((r) => reads.add(r));
    return [name, produce] as const;
  });
  return (record) => {
    const fields: Fields = {};
    for (const [name, produce] of producers) {
      try {
        fields[name] = produce(record);
      } catch (error) {
        throw new Error(`field ${name}: ${(error as Error).message}`);
      }
    }
    return fields;
  };
}

const modifierKeys = ['convert', 'map', 'default'] as const;
const convertedTypes: Record<string, ValueType> = { integer: 'integer', boolean: 'boolean', datetime: 'datetime' };

/** One field mapping: its form, then convert → map → default, then the target field's type. */
function compileField(spec: FieldMappingSpec, target: TargetField | undefined, ctx: FormContext): { produce: Produce; refs: string[] } {
  const form = typeof spec === 'string' ? 'source' : forms.types().find((key) => key in spec)!;
  const formCtx: FormContext = typeof spec === 'string' ? { ...ctx, report: (segments, ...rest) => ctx.report(segments.slice(1), ...rest) } : ctx;
  const compiled = forms.get(form).create(typeof spec === 'string' ? { source: spec } : (spec as Record<string, unknown>), formCtx);
  const modifiers: ValueModifiers = typeof spec === 'string' ? {} : (spec as ValueModifiers);
  if (form === 'value' || form === 'meta') {
    for (const key of modifierKeys) if (key in modifiers) ctx.report([key], 'modifier_unused', `"${key}" does not apply to a { ${form}: … } mapping`, `remove "${key}"`);
  }
  let type = compiled.type;
  let convert: Convert | undefined;
  if (modifiers.convert !== undefined) {
    if (converters.types().includes(modifiers.convert)) {
      convert = converters.get(modifiers.convert).create();
      type = convertedTypes[modifiers.convert] ?? 'string';
    } else ctx.report(['convert'], 'unknown_converter', `unknown converter "${modifiers.convert}"`, suggestion(modifiers.convert, converters.types()));
  }
  if (modifiers.any_date !== undefined && target && target.type !== 'datetime') {
    ctx.report(['any_date'], 'modifier_unused', `any_date applies to datetime fields, and ${target.name} is ${target.type}`, 'remove "any_date"');
  }
  const coerce = coercer(target, modifiers.any_date === true);
  const table = modifiers.map && lookupTable(modifiers.map, target, coerce, ctx);
  if (table) type = table.type;
  if (target) {
    if (!fits(type, target.type)) {
      ctx.report(typeof spec === 'string' ? [] : [form], 'type_mismatch', `${describeForm(form)} gives ${describeType(type)}, which cannot fit ${target.name} (${target.type})`, hintFor(target.type));
    }
    if (form === 'value') checkConstant((spec as { value: Scalar | null }).value, target, coerce, ctx, ['value']);
    if (modifiers.default !== undefined) checkConstant(modifiers.default, target, coerce, ctx, ['default']);
  }
  const produce = compiled.produce;
  const fallback = modifiers.default ?? null;
  return {
    refs: compiled.refs,
    produce: (record) => {
      let value = produce(record);
      if (isEmpty(value)) value = fallback;
      else {
        if (convert) value = convert(value);
        if (table) value = table.lookup(value);
      }
      return isEmpty(value) ? null : coerce(value);
    },
  };
}

/**
 * `map:` — a value table after the source; `"*"` is the value for anything not listed. A value
 * that is neither listed nor covered by `"*"` fails the record (a silent guess would hide it).
 */
function lookupTable(table: Record<string, Scalar | null>, target: TargetField | undefined, coerce: Convert, ctx: FormContext): { type: ValueType; lookup: (value: unknown) => unknown } {
  const types = new Set<ValueType>();
  for (const [key, value] of Object.entries(table)) {
    if (value !== null) types.add(typeOfConstant(value));
    if (target) checkConstant(value, target, coerce, ctx, ['map', key]);
  }
  const entries = new Map(Object.entries(table).filter(([key]) => key !== '*'));
  const hasWildcard = '*' in table;
  const wildcard = table['*'];
  const listed = [...entries.keys()].join(', ');
  return {
    type: types.size === 1 ? [...types][0] : types.size === 0 ? 'null' : 'any',
    lookup: (value) => {
      const key = String(value);
      if (entries.has(key)) return entries.get(key);
      if (hasWildcard) return wildcard;
      throw new Error(`${JSON.stringify(value)} is not in the map (${listed}); add it, or a "*" entry for every other value`);
    },
  };
}

/** A constant (a value, a map entry, a default) must convert to the target field now, not fail every record. */
function checkConstant(value: unknown, target: TargetField, coerce: Convert, ctx: FormContext, at: (string | number)[]): void {
  if (value === null || value === undefined || value === '') return;
  const type = typeOfConstant(value);
  if (!fits(type, target.type)) {
    ctx.report(at, 'type_mismatch', `${JSON.stringify(value)} is ${describeType(type)}, which cannot fit ${target.name} (${target.type})`, hintFor(target.type));
  } else if (target.values && !target.values.some((v) => v.toLowerCase() === String(value).toLowerCase())) {
    ctx.report(at, 'invalid_value', `${JSON.stringify(value)} is not a ${target.label} the target knows (${target.values.join(', ')})`, suggestion(String(value), target.values));
  } else {
    try {
      coerce(value);
    } catch (error) {
      ctx.report(at, 'type_mismatch', `${JSON.stringify(value)} cannot be written to ${target.name} (${target.type}): ${(error as Error).message}`, hintFor(target.type));
    }
  }
}

function describeForm(form: string): string {
  return { source: 'the source field', value: 'the constant', meta: 'the meta value', template: 'the template', first_of: 'first_of', expr: 'the expression' }[form] ?? form;
}

function hintFor(type: FieldType): string {
  switch (type) {
    case 'boolean':
      return 'make it true or false, e.g. { expr: \'status == "ACTIVE"\' } or a map: { ACTIVE: true, "*": false }';
    case 'datetime':
      return 'give a datetime field, an epoch number or an ISO-8601 text';
    default:
      return `make it ${describeType(type)}`;
  }
}

/**
 * Coerces a value to the target field's type; a field with a list of values takes only those (any
 * case); a datetime must be plausible (1970–2200) unless the field mapping says `any_date: true`.
 */
function coercer(target: TargetField | undefined, anyDate: boolean): Convert {
  const type = target?.type ?? 'string';
  const base = type === 'datetime' && !anyDate ? (v: unknown) => checkPlausible(toDatetime(v)) : typeCoercer(type);
  const values = target?.values;
  if (!values) return base;
  const canonical = new Map(values.map((v) => [v.toLowerCase(), v]));
  return (value) => {
    const text = String(base(value));
    const known = canonical.get(text.toLowerCase());
    if (known === undefined) throw new Error(`${JSON.stringify(text)} is not one of ${values.join(', ')}`);
    return known;
  };
}

function typeCoercer(type: FieldType): Convert {
  switch (type) {
    case 'datetime':
      return toDatetime;
    case 'integer':
      return converters.get('integer').create();
    case 'boolean':
      return converters.get('boolean').create();
    case 'number':
      return (v) => {
        const n = decimal(v);
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
