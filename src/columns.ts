import { daysIn, digits, epochToIso } from './mapping/converters/index.js';

/**
 * One field's values by row. While every value is a canonical UTC datetime of whole seconds
 * (`2024-05-01T12:00:00Z`, what the connector's datetime fields produce) or empty, a datetime is
 * kept as its epoch seconds — a number in the array instead of a string on the heap — and
 * numbers compare in the same order as those strings do. The first other value turns the column
 * to plain values for good.
 */
export class Column {
  values: unknown[] = [];
  /** a field some record has had (a table's columns may be made before) */
  seen = false;
  /** a field an aggregation reduces (`take:`): its value is the reducer's, not the latest entry's */
  reduced = false;

  constructor(
    readonly name: string,
    /** whether datetimes may be kept as numbers (not for a column that is summed) */
    private instants: boolean,
  ) {}

  /** A value as this column keeps it. */
  pack(value: unknown): unknown {
    if (!this.instants || value === null || value === undefined) return value;
    if (typeof value === 'string') {
      const seconds = instantSeconds(value);
      if (seconds === seconds) return seconds;
    }
    this.instants = false;
    const values = this.values;
    for (let i = 0; i < values.length; i++) values[i] = this.unpack(values[i], true);
    return value;
  }

  unpack(value: unknown, instants = this.instants): unknown {
    return instants && typeof value === 'number' ? epochToIso(value * 1000) : value;
  }
}

/**
 * The epoch seconds of a canonical `YYYY-MM-DDTHH:MM:SSZ` between 1970 and 9999 (the exact string
 * `epochToIso` gives back for them), else NaN.
 */
export function instantSeconds(s: string): number {
  if (s.length !== 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 90) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (!(year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60)) return NaN;
  // days_from_civil (H. Hinnant)
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}
