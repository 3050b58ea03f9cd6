import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import { describeSchedule } from '../../src/integrations/catalog.js';
import { scheduleOf } from '../../src/schedule/schedule.js';
import { edit, positionOf, shipped, workspace, type Workspace } from '../definition/workspace.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;

describe('schedule forms', () => {
  it('absent: daily at 02:00 UTC', () => {
    const s = scheduleOf(undefined);
    expect(s.describe()).toBe('daily at 02:00 UTC');
    expect(iso(s.next(at('2026-05-01T01:59:59Z')))).toBe('2026-05-01T02:00:00.000Z');
    expect(iso(s.next(at('2026-05-01T02:00:00Z')))).toBe('2026-05-02T02:00:00.000Z');
    expect(s.cron).toEqual({ pattern: '0 0 2 * * *', timezone: 'UTC' });
    expect(iso(s.previous(at('2026-05-01T02:00:00Z')))).toBe('2026-05-01T02:00:00.000Z');
    expect(iso(s.previous(at('2026-05-01T01:59:59Z')))).toBe('2026-04-30T02:00:00.000Z');
  });

  it('today\'s every: hour|day|week forms stay valid and mean what they said', () => {
    expect(describeSchedule({ every: 'day', at: '01:45', timezone: 'UTC' })).toBe('daily at 01:45 UTC');
    const hourly = scheduleOf({ every: 'hour', at: '00:15' });
    expect(hourly.describe()).toBe('hourly at minute 15');
    expect(iso(hourly.next(at('2026-05-01T10:20:00Z')))).toBe('2026-05-01T11:15:00.000Z');
    const weekly = scheduleOf({ every: 'week', at: '03:00' });
    expect(weekly.describe()).toBe('weekly on monday at 03:00 UTC');
    expect(iso(weekly.next(at('2026-05-01T00:00:00Z')))).toBe('2026-05-04T03:00:00.000Z'); // 1 May 2026 is a Friday
  });

  it('every: week on a day at a time in a time zone', () => {
    const s = scheduleOf({ every: 'week', on: 'friday', at: '18:30', timezone: 'America/New_York' });
    expect(s.describe()).toBe('weekly on friday at 18:30 America/New_York');
    expect(iso(s.next(at('2026-05-01T00:00:00Z')))).toBe('2026-05-01T22:30:00.000Z'); // EDT: UTC-4
  });

  it('intervals are slots counted from the epoch, so two services agree', () => {
    const s = scheduleOf({ every: '6h' });
    expect(s.describe()).toBe('every 6h');
    expect(s.everyMs).toBe(6 * 3_600_000);
    expect(s.cron).toBeUndefined();
    expect(iso(s.next(at('2026-05-01T05:59:59Z')))).toBe('2026-05-01T06:00:00.000Z');
    expect(iso(s.next(at('2026-05-01T06:00:00Z')))).toBe('2026-05-01T12:00:00.000Z');
    expect(iso(s.previous(at('2026-05-01T11:59:59Z')))).toBe('2026-05-01T06:00:00.000Z');
    expect(scheduleOf({ every: '90s' }).everyMs).toBe(90_000);
    expect(scheduleOf({ every: '30m' }).everyMs).toBe(1_800_000);
    expect(scheduleOf({ every: '2d' }).everyMs).toBe(2 * 86_400_000);
  });

  it('cron with seconds, in a time zone', () => {
    const s = scheduleOf({ cron: '*/5 * * * * *' });
    expect(s.describe()).toBe('cron */5 * * * * * (UTC)');
    expect(iso(s.next(at('2026-01-01T00:00:03.500Z')))).toBe('2026-01-01T00:00:05.000Z');
    const five = scheduleOf({ cron: '30 2 * * 1-5', timezone: 'Europe/Berlin' });
    expect(five.cron).toEqual({ pattern: '0 30 2 * * 1-5', timezone: 'Europe/Berlin' });
    expect(iso(five.next(at('2026-01-02T12:00:00Z')))).toBe('2026-01-05T01:30:00.000Z'); // Friday noon → Monday 02:30 CET
  });

  it('daily at a local time follows daylight saving time (Europe/Berlin, spring and autumn)', () => {
    const s = scheduleOf({ every: 'day', at: '03:30', timezone: 'Europe/Berlin' });
    expect(iso(s.next(at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:30:00.000Z'); // CEST from 29 March: UTC+2
    expect(iso(s.next(at('2026-03-27T12:00:00Z')))).toBe('2026-03-28T02:30:00.000Z'); // CET: UTC+1
    expect(iso(s.next(at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T02:30:00.000Z'); // CET again from 25 October
  });

  it('a time that does not exist on the spring-forward day runs once, just after the gap', () => {
    const s = scheduleOf({ every: 'day', at: '02:30', timezone: 'Europe/Berlin' });
    const first = s.next(at('2026-03-28T12:00:00Z'))!;
    expect(iso(first)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST: 02:30 does not exist that night
    expect(iso(s.next(first))).toBe('2026-03-30T00:30:00.000Z');
  });
});

describe('schedule errors in a mapping', () => {
  const users = shipped('mappings', 'slack-users');
  const line = 'schedule: { every: day, at: "01:00", timezone: UTC }';
  let ws: Workspace;
  let count = 0;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws.remove());
  const check = (schedule: string) => {
    const text = edit(users, line, schedule);
    return { text, issues: validateFiles([ws.mapping(`schedule-${++count}`, text)])[0].issues };
  };

  it('the new forms validate', () => {
    for (const form of ['schedule: { every: 6h }', 'schedule: { every: week, on: monday, at: "03:00", timezone: Europe/Berlin }', 'schedule: { cron: "0 */15 * * * *", timezone: UTC }', 'schedule: { every: hour }']) {
      expect(check(form).issues).toEqual([]);
    }
  });

  it('an invalid cron pattern is reported at its position, with what is wrong and an example', () => {
    const { text, issues } = check('schedule: { cron: "0 61 * * *" }');
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_cron', path: 'schedule.cron', ...positionOf(text, '"0 61') })]);
    expect(issues[0].message).toContain('hour: 61');
    expect(issues[0].hint).toContain('0 */15 * * * *');
    expect(check('schedule: { cron: "every day" }').issues[0].message).toContain('five, six, or seven');
  });

  it('a misspelt every suggests the nearest form', () => {
    const { text, issues } = check('schedule: { every: daily, at: "02:00" }');
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_schedule', path: 'schedule.every', ...positionOf(text, 'daily') })]);
    expect(issues[0].hint).toMatch(/^did you mean "day"\?/);
    expect(check('schedule: { every: 6 hours }').issues[0].hint).toMatch(/^did you mean "6h"\?/);
  });

  it('a misspelt day or key suggests the nearest one', () => {
    expect(check('schedule: { every: week, on: munday }').issues).toEqual([expect.objectContaining({ path: 'schedule.on', hint: 'did you mean "monday"?' })]);
    expect(check('schedule: { evry: day }').issues).toEqual([expect.objectContaining({ code: 'unknown_key', hint: 'did you mean "every"?' })]);
  });

  it('forms that do not go together are refused', () => {
    expect(check('schedule: { cron: "0 * * * *", every: day }').issues).toEqual([expect.objectContaining({ code: 'schedule_conflict', path: 'schedule.every' })]);
    expect(check('schedule: { every: day, on: monday }').issues).toEqual([expect.objectContaining({ code: 'schedule_conflict', path: 'schedule.on' })]);
    expect(check('schedule: { every: 6h, at: "02:00" }').issues).toEqual([expect.objectContaining({ code: 'schedule_conflict', path: 'schedule.at' })]);
    expect(check('schedule: { cron: "0 * * * *", timezone: Mars/Olympus }').issues).toEqual([expect.objectContaining({ code: 'invalid_timezone', path: 'schedule.timezone' })]);
  });
});
