import type { FieldType } from '../definition/model.js';

/**
 * The type of a value a mapping produces, known at load time: a field type, `null` (the constant
 * null, fits anywhere) or `any` (only known per record, checked when the record is mapped).
 */
export type ValueType = FieldType | 'null' | 'any';

/**
 * Whether a value of type `value` can be written to a target field of type `target`. Text fits
 * every field (it is parsed per record: "42", "true", an ISO date); a number fits a datetime (an
 * epoch); every value fits a text field. What cannot fit is a boolean in a number or datetime
 * field, a datetime in a number or boolean field, a number in a boolean field.
 */
export function fits(value: ValueType, target: FieldType): boolean {
  if (value === 'any' || value === 'null' || value === 'string' || value === target || target === 'string') return true;
  switch (target) {
    case 'integer':
    case 'number':
      return value === 'integer' || value === 'number';
    case 'datetime':
      return value === 'integer' || value === 'number';
    case 'boolean':
      return false;
  }
}

/** The type of a YAML constant (a `value:` or a `map:` entry). */
export function typeOfConstant(value: unknown): ValueType {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return 'string';
}

/** "a boolean", "an integer", … for messages. */
export function describeType(type: ValueType): string {
  return { string: 'text', integer: 'an integer', number: 'a number', boolean: 'a boolean (true/false)', datetime: 'a date and time', null: 'null', any: 'any value' }[type];
}
