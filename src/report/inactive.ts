import type Database from 'better-sqlite3';
import { listRecords } from '../targets/sqlite.js';

/**
 * Last-login insights: who has not logged in to a SaaS app for a while, to reclaim licences.
 * Pure functions over the embedded store (no output, no clock of their own: `now` is given).
 *
 * Where a last login comes from (the rule docs/service.md states):
 * - a People custom field of type `datetime` whose name ends in `_last_login` (`slack_last_login`,
 *   label "Slack Last Login"): the app is the label minus " Last Login", else the name minus
 *   `_last_login`. The app's users are the People records with a value in any field that starts
 *   with the same prefix (`slack_user_id`, `slack_active`, `slack_last_login`);
 * - SaaS user records: every record is a user of its `saas_name`, its `last_login` the last login.
 * One person counts once per app (apps matched in any case): the latest last login of both sources.
 */

/** The age buckets: active (under 30 days), 30–59, 60–89, 90 days or more, and never logged in. */
export interface Buckets {
  active: number;
  days_30: number;
  days_60: number;
  days_90: number;
  never: number;
}

export interface AppInsight extends Buckets {
  app: string;
  users: number;
}

export interface InactiveUser {
  name: string;
  email: string;
  app: string;
  /** ISO-8601 UTC, or null: never logged in */
  last_login: string | null;
  /** whole days since the last login, or null: never logged in */
  days: number | null;
}

export interface InactiveReport {
  now: string;
  /** the list holds users whose last login is at least this many days old, and those who never logged in */
  days: number;
  /** the app the report is limited to, if any */
  app: string | null;
  apps: AppInsight[];
  users: InactiveUser[];
}

export interface ReportOptions {
  days?: number;
  app?: string;
  now?: Date;
}

/** One user of one app as the store holds it. */
interface AppUser {
  person: string;
  name: string;
  email: string;
  app: string;
  last_login: string | null;
}

const suffix = '_last_login';
const dayMs = 86_400_000;

/** The People custom fields that hold a last login: `{ field, prefix, app }`. */
export function lastLoginFields(db: Database.Database): { field: string; prefix: string; app: string }[] {
  const rows = db.prepare("SELECT name, label FROM custom_fields WHERE record_type = 'people' AND type = 'datetime' ORDER BY name").all() as { name: string; label: string }[];
  return rows.filter((r) => r.name.endsWith(suffix) && r.name.length > suffix.length).map((r) => {
    const prefix = r.name.slice(0, -suffix.length);
    const fromLabel = /^(.+?)\s+last\s+login$/i.exec(r.label.trim())?.[1];
    return { field: r.name, prefix: `${prefix}_`, app: fromLabel ?? prefix };
  });
}

/** Every user of every app with a last-login source, one per person and app. */
export function appUsers(db: Database.Database): AppUser[] {
  const fields = lastLoginFields(db);
  const people = listRecords(db, 'people');
  const byId = new Map(people.map((p) => [String(p.id), p]));
  const users = new Map<string, AppUser>();
  const add = (user: AppUser) => {
    const id = `${user.app.toLowerCase()}\u0000${user.person}`;
    const known = users.get(id);
    if (!known) return void users.set(id, user);
    if (user.last_login && (!known.last_login || Date.parse(user.last_login) > Date.parse(known.last_login))) known.last_login = user.last_login;
  };
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const nameOf = (record: Record<string, unknown>) => text(record.full_name) || text(record.username) || text(record.email);
  for (const person of people) {
    for (const { field, prefix, app } of fields) {
      const uses = Object.entries(person).some(([name, value]) => name.startsWith(prefix) && value !== null && value !== '');
      if (!uses) continue;
      add({ person: `p${person.id}`, name: nameOf(person), email: text(person.email), app, last_login: dateOrNull(person[field]) });
    }
  }
  for (const user of listRecords(db, 'saas_users')) {
    if (!text(user.saas_name)) continue;
    const person = user.person_id !== undefined && user.person_id !== null ? byId.get(String(user.person_id)) : undefined;
    add({
      person: person ? `p${person.id}` : `s${user.id}`,
      name: (person && nameOf(person)) || nameOf(user),
      email: text(person?.email) || text(user.email),
      app: text(user.saas_name),
      last_login: dateOrNull(user.last_login),
    });
  }
  return [...users.values()];
}

/** Whole days from `last` to `now` (0 for a date after now), or null: never. */
export function daysSince(last: string | null, now: Date): number | null {
  if (!last) return null;
  return Math.max(0, Math.floor((now.getTime() - Date.parse(last)) / dayMs));
}

/** The bucket a number of days (or never) falls in. */
export function bucketOf(days: number | null): keyof Buckets {
  if (days === null) return 'never';
  if (days >= 90) return 'days_90';
  if (days >= 60) return 'days_60';
  if (days >= 30) return 'days_30';
  return 'active';
}

/**
 * The report: per app, its users by bucket; and the inactive users (last login at least `days`
 * days before `now`, or never), longest inactive first, never-logged-in last.
 */
export function inactiveReport(db: Database.Database, options: ReportOptions = {}): InactiveReport {
  const now = options.now ?? new Date();
  const days = options.days ?? 90;
  const wanted = options.app?.toLowerCase();
  const all = appUsers(db).filter((u) => !wanted || u.app.toLowerCase() === wanted);
  const apps = new Map<string, AppInsight>();
  const users: InactiveUser[] = [];
  for (const user of all) {
    const key = user.app.toLowerCase();
    const app = apps.get(key) ?? { app: user.app, users: 0, active: 0, days_30: 0, days_60: 0, days_90: 0, never: 0 };
    apps.set(key, app);
    const age = daysSince(user.last_login, now);
    app.users++;
    app[bucketOf(age)]++;
    if (age === null || age >= days) users.push({ name: user.name, email: user.email, app: user.app, last_login: user.last_login, days: age });
  }
  users.sort((a, b) => (b.days ?? -1) - (a.days ?? -1) || a.app.localeCompare(b.app) || a.email.localeCompare(b.email) || a.name.localeCompare(b.name));
  return {
    now: now.toISOString(),
    days,
    app: options.app ?? null,
    apps: [...apps.values()].sort((a, b) => a.app.localeCompare(b.app)),
    users,
  };
}

/** The apps the store holds last logins for (for a filter's choices, and a hint when --app names none). */
export function knownApps(db: Database.Database): string[] {
  return [...new Set(appUsers(db).map((u) => u.app))].sort((a, b) => a.localeCompare(b));
}

/** The inactive users as CSV (RFC 4180: quoted where needed; CRLF, or `eol`), with a header row. */
export function inactiveCsv(report: InactiveReport, eol = '\r\n'): string {
  const rows = [['name', 'email', 'app', 'last_login', 'days'], ...report.users.map((u) => [u.name, u.email, u.app, u.last_login ?? '', u.days === null ? '' : String(u.days)])];
  return rows.map((row) => row.map(csvCell).join(',')).join(eol) + eol;
}

function csvCell(value: string): string {
  // a cell a spreadsheet would run as a formula starts with a quote mark
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function dateOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || Number.isNaN(Date.parse(value))) return null;
  return value;
}
