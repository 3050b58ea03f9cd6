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
  const n = decimal(value);
  if (!Number.isInteger(n)) throw new Error(`${JSON.stringify(value)} is not an integer`);
  return n;
}

const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A number, or a text that is a plain decimal number ("42", "-1.5", "1e3"); NaN for anything else:
 * hex ("0x10"), binary, "Infinity", "", a list ([1]) or an object are not numbers here, although
 * JavaScript's Number() would take some of them.
 */
export function decimal(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string' && decimalText.test(value.trim())) return Number(value.trim());
  return NaN;
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
  if (typeof value === 'string' && isCanonical(value)) return value;
  if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`${JSON.stringify(value)} is not a date and time`);
  const parsed = typeof value === 'number'
    ? DateTime.fromSeconds(value > 1e11 ? value / 1000 : value, { zone: 'utc' })
    : DateTime.fromISO(String(value), { zone: 'utc', setZone: false });
  if (!parsed.isValid) throw new Error(`${JSON.stringify(value)} is not a date and time`);
  return isoUtc(parsed);
}

/** Whether a text already is a valid datetime as Intake writes it (the fast path of the hot loop). */
function isCanonical(text: string): boolean {
  const length = text.length;
  if (length !== 20 && length !== 24) return false;
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z, by character codes: no parse, no string built
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(length - 1) !== 90) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (!(digits(text, 11, 2) <= 23 && digits(text, 14, 2) <= 59 && digits(text, 17, 2) <= 59)) return false;
  if (digits(text, 11, 2) < 0 || digits(text, 14, 2) < 0 || digits(text, 17, 2) < 0) return false;
  if (length === 20) return true;
  // milliseconds are written only when they are not zero
  const ms = digits(text, 20, 3);
  return text.charCodeAt(19) === 46 && ms > 0;
}

/** The number written by `count` ASCII digits from `from`, or -1 when one is not a digit. */
export function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days in a month of the Gregorian calendar. */
export function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds → ISO-8601 UTC without milliseconds when they are zero (as luxon's suppressMilliseconds). */
export function epochToIso(ms: number): string {
  if (ms % 1000 === 0 && ms >= 0 && ms < 253402300800000) return wholeSeconds(ms / 1000);
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Whole epoch seconds (years 1970–9999) → `YYYY-MM-DDTHH:MM:SSZ`, by arithmetic: the hot path of access logs. */
function wholeSeconds(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  let rest = seconds - days * 86400;
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const second = rest - minute * 60;
  // civil_from_days (H. Hinnant), days since 1970-01-01 → year, month, day
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000) return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}Z`;
  // one flat string from its character codes: a template builds a rope, which every comparison
  // (aggregation compares each entry's datetime) would first copy into a flat string
  return String.fromCharCode(
    48 + Math.floor(year / 1000), 48 + (Math.floor(year / 100) % 10), 48 + (Math.floor(year / 10) % 10), 48 + (year % 10), 45,
    48 + Math.floor(month / 10), 48 + (month % 10), 45, 48 + Math.floor(day / 10), 48 + (day % 10), 84,
    48 + Math.floor(hour / 10), 48 + (hour % 10), 58, 48 + Math.floor(minute / 10), 48 + (minute % 10), 58,
    48 + Math.floor(second / 10), 48 + (second % 10), 90,
  );
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** Years a datetime is plausible in, unless a mapping allows any (`any_date: true`). */
export const plausibleYears = { from: 1970, to: 2200 } as const;

/** Fails an ISO-8601 UTC datetime outside the plausible years: epoch milliseconds read as seconds land in year 47060. */
export function checkPlausible(iso: string): string {
  const year = Number(iso.slice(0, iso.indexOf('-', 1)));
  if (!(year >= plausibleYears.from && year <= plausibleYears.to)) {
    throw new Error(`${iso} is not a plausible date (outside ${plausibleYears.from}–${plausibleYears.to}; epoch milliseconds read as seconds?); if it is right, add any_date: true to this field`);
  }
  return iso;
}

/** The one way Intake writes a datetime: ISO-8601 in UTC, no milliseconds unless present. */
export function isoUtc(value: DateTime): string {
  return value.toUTC().toISO({ suppressMilliseconds: true })!;
}
