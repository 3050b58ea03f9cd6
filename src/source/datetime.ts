import { DateTime } from 'luxon';
import { decimal, epochToIso, isoUtc } from '../mapping/converters/index.js';

/**
 * Parses a source datetime in a declared format and returns ISO-8601 UTC.
 *
 * ```yaml
 * fields:
 *   last_used: { label: Last Used Timestamp, path: date_last, type: datetime, format: unix_seconds }
 *   created:   { label: Created, type: datetime, format: iso8601 }            # Z, +hh:mm or +hhmm
 *   seen:      { label: Seen, type: datetime, format: "yyyy-MM-dd HH:mm:ss" } # luxon pattern, read as UTC
 * ```
 */
export type DatetimeParser = (value: unknown) => string;

export const datetimeFormats = ['unix_seconds', 'unix_ms', 'iso8601'] as const;

export function datetimeParser(format: string | undefined): DatetimeParser {
  switch (format ?? 'iso8601') {
    case 'unix_seconds':
      return (v) => fromEpoch(v, 1);
    case 'unix_ms':
      return (v) => fromEpoch(v, 1000);
    case 'iso8601':
      return (v) => check(DateTime.fromISO(normaliseOffset(text(v)), { zone: 'utc' }), v);
    default:
      return (v) => check(DateTime.fromFormat(text(v), format!, { zone: 'utc' }), v);
  }
}

/** Whether a custom pattern is one luxon can use (it must format and re-parse a known date). */
export function validPattern(pattern: string): boolean {
  const probe = DateTime.fromObject({ year: 2015, month: 2, day: 3, hour: 4, minute: 5, second: 6 }, { zone: 'utc' });
  const text = probe.toFormat(pattern);
  return text !== pattern && DateTime.fromFormat(text, pattern, { zone: 'utc' }).isValid;
}

function fromEpoch(value: unknown, divisor: number): string {
  const n = decimal(value);
  if (!Number.isFinite(n)) throw new Error(`${JSON.stringify(value)} is not an epoch timestamp`);
  const ms = (n * 1000) / divisor;
  if (Math.abs(ms) > 8.64e15) throw new Error(`${JSON.stringify(value)} is out of range for a timestamp`);
  return epochToIso(Math.round(ms));
}

/** A datetime written as text; a number, list or object is not one (String([1]) would be "1"). */
function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a date and time as text, found ${JSON.stringify(value)}`);
  return value;
}

/** `+0530` → `+05:30` (luxon's ISO parser wants the colon). */
function normaliseOffset(text: string): string {
  return text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

function check(parsed: DateTime, raw: unknown): string {
  if (!parsed.isValid) throw new Error(`${JSON.stringify(raw)} is not a date and time (${parsed.invalidExplanation ?? parsed.invalidReason})`);
  return isoUtc(parsed);
}
