import { Cron } from 'croner';
import type { MappingSpec, ScheduleSpec } from '../definition/model.js';

/**
 * When a launched integration runs. Every form becomes either a cron pattern in a time zone
 * (croner computes the times, daylight saving included) or a fixed interval counted from the
 * Unix epoch, so that every service process on one store computes the same slots.
 *
 * ```yaml
 * schedule: { every: day, at: "02:00", timezone: UTC }         # the default when absent
 * schedule: { every: 6h }                                       # 00:00, 06:00, 12:00, 18:00 UTC
 * schedule: { every: week, on: monday, at: "03:00", timezone: Europe/Berlin }
 * schedule: { cron: "0 *\/15 * * * *", timezone: UTC }          # croner syntax, seconds allowed
 * ```
 */
export interface Schedule {
  /** "daily at 02:00 UTC", "every 6h", "cron 0 *\/15 * * * * (UTC)" */
  describe(): string;
  /** the first slot strictly after `after`, or null when the pattern has no more */
  next(after: Date): Date | null;
  /** the last slot at or before `at`, or null when there was none */
  previous(at: Date): Date | null;
  /** the cron pattern (six fields, seconds first) and its time zone, for the day, week, hour and cron forms */
  cron?: { pattern: string; timezone: string };
  /** the interval in milliseconds, for the `every: 6h` form (slots at multiples of it since the epoch) */
  everyMs?: number;
}

export const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof weekdays)[number];

export const namedEvery = ['hour', 'day', 'week'] as const;
const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const intervalForm = /^([1-9][0-9]*)([smhd])$/;

/** `6h` → 21 600 000; undefined when `every` is not an interval. */
export function intervalMs(every: string): number | undefined {
  const match = intervalForm.exec(every);
  return match ? Number(match[1]) * units[match[2]] : undefined;
}

/** What is wrong with a schedule, for the definition's cross-check: `[key, code, message, hint]` per problem. */
export function scheduleProblems(spec: ScheduleSpec | undefined): { key: keyof ScheduleSpec; code: string; message: string; hint: string }[] {
  if (!spec) return [];
  const problems: ReturnType<typeof scheduleProblems> = [];
  const every = spec.every;
  if (spec.cron !== undefined) {
    for (const key of ['every', 'at', 'on'] as const) {
      if (spec[key] !== undefined) problems.push({ key, code: 'schedule_conflict', message: `${key} does not go with cron: the cron pattern says when`, hint: `remove ${key}, or remove cron and keep every/at/on` });
    }
    const error = cronError(spec.cron);
    if (error) problems.push({ key: 'cron', code: 'invalid_cron', message: `"${spec.cron}" is not a cron pattern: ${error}`, hint: 'five fields (minute hour day month weekday), or six with seconds first, e.g. "0 */15 * * * *" (every 15 minutes) or "30 2 * * 1-5" (02:30 on weekdays)' });
    return problems;
  }
  if (every !== undefined && !(namedEvery as readonly string[]).includes(every) && intervalMs(every) === undefined) {
    const near = nearestEvery(every);
    problems.push({ key: 'every', code: 'invalid_schedule', message: `every: "${every}" is not a schedule`, hint: `${near ? `did you mean "${near}"? ` : ''}hour, day, week, or an interval: a whole number with s, m, h or d (6h, 30m, 90s)` });
    return problems;
  }
  if (spec.on !== undefined && every !== 'week') problems.push({ key: 'on', code: 'schedule_conflict', message: `on: ${spec.on} needs every: week`, hint: `write every: week, or remove on` });
  if (spec.at !== undefined && every !== undefined && intervalMs(every) !== undefined) problems.push({ key: 'at', code: 'schedule_conflict', message: `at does not go with the interval every: ${every} (its slots are counted from the epoch)`, hint: 'remove at, or use every: day|week|hour with at, or a cron pattern' });
  return problems;
}

function nearestEvery(text: string): string | undefined {
  const lower = text.toLowerCase().trim();
  const named = namedEvery.find((n) => lower.startsWith(n) || n.startsWith(lower) || lower === `${n}ly` || (n === 'day' && lower === 'daily'));
  if (named) return named;
  const spaced = /^(\d+)\s*([a-z]+)$/.exec(lower);
  if (spaced && Number(spaced[1]) > 0) {
    const unit = ['s', 'm', 'h', 'd'].find((u) => spaced[2].startsWith(u) || (u === 'm' && spaced[2].startsWith('min')));
    if (unit) return `${Number(spaced[1])}${unit}`;
  }
  return undefined;
}

function cronError(pattern: string): string | undefined {
  try {
    new Cron(pattern, { paused: true, mode: '5-or-6-parts' });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern:\s*/, '');
  }
}

/** The schedule of a mapping (validated by the definition's cross-check): absent means daily at 02:00 UTC. */
export function scheduleOf(spec: MappingSpec['schedule']): Schedule {
  const timezone = spec?.timezone ?? 'UTC';
  if (spec?.cron !== undefined) return cronSchedule(spec.cron, timezone, `cron ${spec.cron} (${timezone})`);
  const every = spec?.every ?? 'day';
  const ms = intervalMs(every);
  if (ms !== undefined) return intervalSchedule(ms, every);
  const [hour, minute] = (spec?.at ?? '02:00').split(':').map(Number);
  if (every === 'hour') return cronSchedule(`0 ${minute} * * * *`, timezone, `hourly at minute ${pad(minute)}`);
  if (every === 'week') {
    const on = spec?.on ?? 'monday';
    return cronSchedule(`0 ${minute} ${hour} * * ${weekdays.indexOf(on)}`, timezone, `weekly on ${on} at ${pad(hour)}:${pad(minute)} ${timezone}`);
  }
  return cronSchedule(`0 ${minute} ${hour} * * *`, timezone, `daily at ${pad(hour)}:${pad(minute)} ${timezone}`);
}

function cronSchedule(pattern: string, timezone: string, text: string): Schedule {
  const cron = new Cron(pattern, { paused: true, timezone, mode: '5-or-6-parts' });
  const sixFields = pattern.trim().split(/\s+/).length === 5 ? `0 ${pattern.trim()}` : pattern.trim();
  return {
    describe: () => text,
    next: (after) => cron.nextRun(after),
    previous: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
    cron: { pattern: sixFields, timezone },
  };
}

function intervalSchedule(ms: number, every: string): Schedule {
  return {
    describe: () => `every ${every}`,
    next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms),
    previous: (at) => new Date(Math.floor(at.getTime() / ms) * ms),
    everyMs: ms,
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
