import type { FieldSpec } from '../definition/model.js';
import { decimal } from '../mapping/converters/index.js';
import { datetimeParser } from './datetime.js';
import { getter } from './paths.js';
import type { SourceItem, SourceRecord } from './types.js';

type Reader = (raw: unknown) => unknown;

/**
 * Compiles the connector's `fields:` once into one function that turns a raw API record into a
 * typed source record, or a failed item that names the field and the bad value.
 */
export function compileExtract(fields: Record<string, FieldSpec>, refField: string): (raw: unknown, position: string | (() => string)) => SourceItem {
  const names = Object.keys(fields);
  const readers = names.map((name) => fieldReader(name, fields[name]));
  const refPath = getter(fields[refField]?.path ?? refField);
  // the position is text only a failure needs: a hot loop passes a function and builds no string per record
  const where = (position: string | (() => string)) => (typeof position === 'string' ? position : position());
  return (raw, position) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      const at = where(position);
      return { failed: `${at} is not an object but ${JSON.stringify(raw)}`, ref: at };
    }
    const record: SourceRecord = {};
    for (let i = 0; i < names.length; i++) {
      try {
        record[names[i]] = readers[i](raw);
      } catch (error) {
        const ref = refPath(raw);
        return { failed: `field ${names[i]}: ${(error as Error).message}`, ref: ref === undefined || ref === null ? where(position) : String(ref) };
      }
    }
    return { record };
  };
}

function fieldReader(name: string, spec: FieldSpec): Reader {
  const get = getter(spec.path ?? name, { unmatched: spec.unmatched });
  const convert = converter(spec);
  const nulls = spec.null_values ? new Set<unknown>(spec.null_values) : undefined;
  return (raw) => {
    const value = get(raw);
    if (value === undefined || value === null || nulls?.has(value)) return null;
    return convert(value);
  };
}

function converter(spec: FieldSpec): Reader {
  switch (spec.type) {
    case 'string':
      return (v) => {
        if (typeof v === 'object') throw new Error(`expected text, found ${JSON.stringify(v)}`);
        return String(v);
      };
    case 'integer':
      return (v) => {
        const n = decimal(v);
        if (!Number.isInteger(n)) throw new Error(`expected an integer, found ${JSON.stringify(v)}`);
        return n;
      };
    case 'number':
      return (v) => {
        const n = decimal(v);
        if (!Number.isFinite(n)) throw new Error(`expected a number, found ${JSON.stringify(v)}`);
        return n;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (v === 'true' || v === 'false') return v === 'true';
        throw new Error(`expected true or false, found ${JSON.stringify(v)}`);
      };
    case 'datetime':
      return datetimeParser(spec.format);
  }
}
