import { Registry } from '../../registry.js';
import { DateTime } from 'luxon';

/** A converter turns one source value into the value a target field stores; it throws on bad input. */
export type Convert = (value: unknown) => unknown;

/** The converter family, keyed by the name used in a mapping's `convert:`. */
export const converters = new Registry<void, void, Convert>('converter');

/**
 * ```yaml
 * fields:
 *   email: { source: email, convert: lowercase }
 *   slack_last_login: { source: last_used, convert: datetime }
 * ```
 */
converters
  .add({ type: 'string', create: () => (v) => String(v) })
  .add({ type: 'lowercase', create: () => (v) => String(v).toLowerCase() })
  .add({ type: 'uppercase', create: () => (v) => String(v).toUpperCase() })
  .add({ type: 'trim', create: () => (v) => String(v).trim() })
  .add({ type: 'integer', create: () => toInteger })
  .add({ type: 'boolean', create: () => toBoolean })
  .add({ type: 'datetime', create: () => toDatetime });

function toInteger(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n)) throw new Error(`${JSON.stringify(value)} is not an integer`);
  return n;
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new Error(`${JSON.stringify(value)} is not a boolean`);
}

/** Any ISO-8601 string (with or without offset) or epoch number → ISO-8601 UTC, e.g. `2015-02-03T00:21:04Z`. */
export function toDatetime(value: unknown): string {
  const parsed = typeof value === 'number'
    ? DateTime.fromSeconds(value > 1e11 ? value / 1000 : value, { zone: 'utc' })
    : DateTime.fromISO(String(value), { zone: 'utc', setZone: false });
  if (!parsed.isValid) throw new Error(`${JSON.stringify(value)} is not a date and time`);
  return isoUtc(parsed);
}

/** The one way Intake writes a datetime: ISO-8601 in UTC, no milliseconds unless present. */
export function isoUtc(value: DateTime): string {
  return value.toUTC().toISO({ suppressMilliseconds: true })!;
}
