import { DateTime } from 'luxon';
import { datetimeFormats, validPattern } from '../source/datetime.js';
import { nearest } from './suggest.js';

/** strftime directives (Python, C, Ruby) and the luxon tokens that read the same thing. */
const strftime: Record<string, string> = {
  Y: 'yyyy', y: 'yy', m: 'MM', d: 'dd', e: 'd', H: 'HH', I: 'hh', M: 'mm', S: 'ss', f: 'SSS', p: 'a',
  b: 'MMM', h: 'MMM', B: 'MMMM', a: 'EEE', A: 'EEEE', j: 'ooo', z: 'ZZZ', Z: 'z', F: 'yyyy-MM-dd', T: 'HH:mm:ss', s: 'X', '%': '%',
};

/** Letters luxon reads as date parts when parsing; any other unquoted letter is a mistake (luxon would expect it literally, or expand it by locale). */
const parseTokens = /^(G{1,5}|y{1,6}|k{1,4}|W{1,2}|o{1,3}|q{1,2}|M{1,4}|L{1,4}|d{1,2}|c{1,4}|E{1,4}|h{1,2}|H{1,2}|m{1,2}|s{1,2}|S{1,3}|u{1,3}|a|Z{1,3}|z|X|x)$/;

/**
 * Why a datetime field's `format` cannot read the API's values, or undefined when it can: one of
 * `unix_seconds`, `unix_ms`, `iso8601`, or a luxon pattern that reads a whole date.
 *
 * ```yaml
 * fields:
 *   seen: { label: Seen, type: datetime, format: "yyyy-MM-dd HH:mm:ss" }   # not "%Y-%m-%d %H:%M:%S"
 * ```
 */
export function formatProblem(format: string): { message: string; hint: string } | undefined {
  if ((datetimeFormats as readonly string[]).includes(format)) return undefined;
  const known = `${datetimeFormats.join(', ')} or a luxon date pattern`;
  if (/%[a-zA-Z%]/.test(format)) {
    const luxon = format.split(/(%[a-zA-Z%])/).map((part, i) => (i % 2 ? strftime[part[1]] ?? part : part.replace(/[a-zA-Z]+/g, (text) => `'${text}'`))).join('');
    return { message: `"${format}" is a strftime pattern; formats are ${known}`, hint: `write it as a luxon pattern: format: "${luxon}"` };
  }
  const named = /^[a-zA-Z0-9_]+$/.test(format) ? nearest(format, datetimeFormats) : undefined;
  if (named) return { message: `"${format}" is not a format; formats are ${known}`, hint: `did you mean "${named}"?` };
  for (const run of unquoted(format)) {
    if (!parseTokens.test(run)) {
      const note = /^[YD]+$/.test(run) ? ` (luxon writes years as y and days as d: ${run.replace(/Y/g, 'y').replace(/D/g, 'd')})` : run === 'T' ? " (quote literal text: 'T')" : '';
      return { message: `"${run}" in "${format}" is not a luxon date token${note}`, hint: 'luxon tokens: yyyy MM dd HH mm ss SSS ZZ; put literal letters in single quotes, e.g. "yyyy-MM-dd\'T\'HH:mm:ss"' };
    }
  }
  if (format === 'X' || format === 'x') return { message: `"${format}" is an epoch timestamp`, hint: `use format: ${format === 'X' ? 'unix_seconds' : 'unix_ms'}` };
  if (!validPattern(format) || !readsWholeDate(format)) {
    return { message: `"${format}" is neither ${known} that reads a whole date`, hint: /y/.test(format) && /mm/.test(format) && !/M/.test(format) ? 'mm is minutes; months are MM (yyyy-MM-dd)' : 'a pattern needs the year, month and day, e.g. yyyy-MM-dd HH:mm:ss' };
  }
  return undefined;
}

/** Runs of one letter outside single quotes: `yyyy-MM-dd'T'HH` → yyyy, MM, dd, HH. */
function unquoted(format: string): string[] {
  const runs: string[] = [];
  const outside = format.split("'").filter((_, i) => i % 2 === 0).join(' ');
  for (const match of outside.matchAll(/([a-zA-Z])\1*/g)) runs.push(match[0]);
  return runs;
}

/** Formatting a known instant and reading it back gives that instant, at least to the day. */
function readsWholeDate(format: string): boolean {
  const probe = DateTime.fromObject({ year: 2015, month: 2, day: 3, hour: 4, minute: 5, second: 6, millisecond: 7 }, { zone: 'utc' });
  const back = DateTime.fromFormat(probe.toFormat(format), format, { zone: 'utc' });
  if (!back.isValid) return false;
  return (['millisecond', 'second', 'minute', 'hour', 'day'] as const).some((unit) => back.toMillis() === probe.startOf(unit).toMillis()) || back.toMillis() === probe.toMillis();
}
