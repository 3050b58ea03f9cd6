/**
 * Deterministic fake Slack workspace data, served by the local Slack simulator
 * (`./simulator.ts`).
 *
 * THIS IS A DEMO / TEST AID. Nothing here is used when Intake talks to a real
 * Slack workspace: the same connectors run unchanged against https://slack.com/api.
 * The data only has to look like what Slack's `users.list` and `team.accessLogs`
 * return, so the demo and the end-to-end tests exercise realistic shapes.
 *
 * Same `seed` + same `now` => byte-identical data (a seeded mulberry32 PRNG,
 * consumed in a fixed order; no Math.random, no wall clock).
 */

export interface DatasetOptions {
  /** Number of active human users (default 300). About 5% deleted humans and a few bots are added. */
  users?: number;
  /** PRNG seed (default 42). */
  seed?: number;
  /** Anchor for all dates (default: today 00:00 UTC). */
  now?: Date;
}

export interface SlackProfile {
  title: string;
  phone: string;
  skype: string;
  real_name: string;
  real_name_normalized: string;
  display_name: string;
  display_name_normalized: string;
  status_text: string;
  status_emoji: string;
  avatar_hash: string;
  email?: string;
  bot_id?: string;
  api_app_id?: string;
  always_active?: boolean;
  first_name: string;
  last_name: string;
  image_24: string;
  image_48: string;
  image_72: string;
  image_192: string;
  team: string;
}

export interface SlackMember {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  color: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: SlackProfile;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
  is_email_confirmed: boolean;
  has_2fa?: boolean;
}

export interface SlackLogin {
  user_id: string;
  username: string;
  date_first: number;
  date_last: number;
  count: number;
  ip: string;
  user_agent: string;
  isp: string;
  country: string;
  region: string;
}

export interface SlackDataset {
  teamId: string;
  /** `now` in epoch seconds: every date is before it; also used as users.list cache_ts. */
  nowSec: number;
  /** users.list order (sorted by id, as Slack roughly does). */
  members: SlackMember[];
  /** team.accessLogs order: date_last descending. */
  logins: SlackLogin[];
}

const DAY = 86_400;
const LOG_WINDOW_DAYS = 90;

// ---------------------------------------------------------------- PRNG

/** mulberry32: tiny, fast, good enough for fake data. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

// ---------------------------------------------------------------- built-in word lists

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

const FIRST_NAMES = [
  'Jane', 'John', 'Aisha', 'Mateo', 'Priya', 'Wei', 'Olga', 'Kwame', 'Yuki', 'Fatima',
  'Liam', 'Emma', 'Noah', 'Olivia', 'Sofia', 'Lucas', 'Mia', 'Ethan', 'Amelia', 'Hiroshi',
  'Ingrid', 'Raj', 'Anika', 'Diego', 'Camila', 'Thandiwe', 'Omar', 'Leila', 'Niamh', 'Seán',
  'Grace', 'Hannah', 'Daniel', 'Samuel', 'Isabella', 'Elena', 'Marco', 'Giulia', 'Pierre', 'Amélie',
  'Lars', 'Freya', 'Arjun', 'Meera', 'Chen', 'Mei', 'Tomás', 'Lucía', 'Nikolai', 'Anastasia',
  'Kofi', 'Ama', 'Jamal', 'Nia', 'Ahmed', 'Yasmin', 'José', 'Zoë', 'Björn', 'Chloé',
] as const;

const LAST_NAMES = [
  'Doe', 'Smith', 'Johnson', 'Nguyen', 'García', 'Müller', "O'Brien", 'Kowalski', 'Okafor', 'Tanaka',
  'Patel', 'Kim', 'Silva', 'Rossi', 'Dubois', 'Andersson', 'Hansen', 'Ivanova', 'López', 'Martínez',
  'Schmidt', 'Novak', 'Haddad', 'Mensah', 'Chen', 'Wang', 'Singh', 'Khan', 'Cohen', 'MacDonald',
  'van der Berg', 'Jones', 'Brown', 'Taylor', 'Wilson', 'Evans', 'Walker', 'Wright', 'Hughes', 'Yamamoto',
  'Sato', 'Park', 'Choi', 'Ferreira', 'Costa', 'Santos', 'Popescu', 'Horvat', 'Nowak', 'Jensen',
  'Larsen', 'Lindqvist', 'Fischer', 'Weber', 'Moreau', 'Bianchi', 'Esposito', 'Hassan', 'Mwangi', 'Adeyemi',
  'Dlamini', 'Naidoo', 'Sharma', 'Reyes', 'Murphy', 'Kelly', 'Abe', 'Ito', 'Fernández', 'Schulz',
] as const;

const TITLES = [
  '', '', '', 'Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager',
  'Product Manager', 'Product Designer', 'Data Analyst', 'Data Scientist', 'Account Executive',
  'Customer Success Manager', 'Support Engineer', 'Recruiter', 'People Partner', 'Finance Manager',
  'Marketing Manager', 'Content Strategist', 'Security Engineer', 'SRE', 'IT Administrator',
  'QA Engineer', 'Office Manager', 'Legal Counsel', 'Solutions Architect', 'VP Engineering',
] as const;

const COLORS = ['9f69e7', '4bbe2e', 'e7392d', '3c989f', 'e96699', 'aba727', '5b89d5', 'd58247', '684b6c', '99d04a'] as const;

interface Zone {
  tz: string;
  std: string;
  dst: string;
  stdOffset: number;
  country: string;
  region: string;
  isps: readonly string[];
}

const US_ISPS = ['Comcast Cable', 'AT&T Internet', 'Verizon Fios', 'Charter Communications', 'Cox Communications'];

/** Home zones, duplicated to weight them (most people in the US and Europe). */
const ZONES: readonly Zone[] = [
  { tz: 'America/Los_Angeles', std: 'Pacific Standard Time', dst: 'Pacific Daylight Time', stdOffset: -28800, country: 'US', region: 'CA', isps: US_ISPS },
  { tz: 'America/Los_Angeles', std: 'Pacific Standard Time', dst: 'Pacific Daylight Time', stdOffset: -28800, country: 'US', region: 'WA', isps: US_ISPS },
  { tz: 'America/Denver', std: 'Mountain Standard Time', dst: 'Mountain Daylight Time', stdOffset: -25200, country: 'US', region: 'CO', isps: US_ISPS },
  { tz: 'America/Chicago', std: 'Central Standard Time', dst: 'Central Daylight Time', stdOffset: -21600, country: 'US', region: 'IL', isps: US_ISPS },
  { tz: 'America/New_York', std: 'Eastern Standard Time', dst: 'Eastern Daylight Time', stdOffset: -18000, country: 'US', region: 'NY', isps: US_ISPS },
  { tz: 'America/New_York', std: 'Eastern Standard Time', dst: 'Eastern Daylight Time', stdOffset: -18000, country: 'US', region: 'MA', isps: US_ISPS },
  { tz: 'America/Sao_Paulo', std: 'Brasilia Standard Time', dst: 'Brasilia Summer Time', stdOffset: -10800, country: 'BR', region: 'SP', isps: ['Vivo', 'Claro Brasil'] },
  { tz: 'Europe/London', std: 'Greenwich Mean Time', dst: 'British Summer Time', stdOffset: 0, country: 'GB', region: 'ENG', isps: ['BT', 'Virgin Media', 'Sky Broadband'] },
  { tz: 'Europe/Dublin', std: 'Greenwich Mean Time', dst: 'Irish Standard Time', stdOffset: 0, country: 'IE', region: 'D', isps: ['Eir', 'Virgin Media Ireland'] },
  { tz: 'Europe/Berlin', std: 'Central European Time', dst: 'Central European Summer Time', stdOffset: 3600, country: 'DE', region: 'BE', isps: ['Deutsche Telekom', 'Vodafone GmbH'] },
  { tz: 'Europe/Paris', std: 'Central European Time', dst: 'Central European Summer Time', stdOffset: 3600, country: 'FR', region: 'IDF', isps: ['Orange', 'Free SAS'] },
  { tz: 'Asia/Kolkata', std: 'India Standard Time', dst: 'India Standard Time', stdOffset: 19800, country: 'IN', region: 'KA', isps: ['Reliance Jio', 'Bharti Airtel'] },
  { tz: 'Asia/Tokyo', std: 'Japan Standard Time', dst: 'Japan Standard Time', stdOffset: 32400, country: 'JP', region: '13', isps: ['NTT Communications', 'KDDI'] },
  { tz: 'Asia/Singapore', std: 'Singapore Standard Time', dst: 'Singapore Standard Time', stdOffset: 28800, country: 'SG', region: '01', isps: ['Singtel', 'StarHub'] },
  { tz: 'Australia/Sydney', std: 'Australian Eastern Standard Time', dst: 'Australian Eastern Daylight Time', stdOffset: 36000, country: 'AU', region: 'NSW', isps: ['Telstra', 'Optus'] },
  { tz: 'Africa/Lagos', std: 'West Africa Standard Time', dst: 'West Africa Standard Time', stdOffset: 3600, country: 'NG', region: 'LA', isps: ['MTN Nigeria', 'Airtel Nigeria'] },
];

const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'SlackWeb Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'SlackWeb Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'com.tinyspeck.chatlyio/24.12.10 (iPhone; iOS 18.1.1; Scale/3.00)',
  'com.tinyspeck.chatlyio/24.12.10 (iPad; iOS 17.6.1; Scale/2.00)',
  'Slack/24.12.10.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240905.003)',
];

const BOTS = [
  { name: 'google_drive', real: 'Google Drive' },
  { name: 'jira', real: 'Jira Cloud' },
  { name: 'github', real: 'GitHub' },
  { name: 'polly', real: 'Polly' },
] as const;

// ---------------------------------------------------------------- small pure helpers

/** Today 00:00 UTC (or the UTC midnight of `d`). */
export function startOfUtcDay(d: Date = new Date()): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

function stripAccents(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
}

/** "José", "O'Brien" -> "jose.obrien" */
function handleOf(first: string, last: string): string {
  const part = (s: string) => stripAccents(s).toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${part(first)}.${part(last)}`;
}

/** Current UTC offset (seconds) of an IANA zone at `at`, via the built-in ICU data. */
function zoneOffset(tz: string, at: Date, fallback: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at);
  const label = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(label);
  if (label === 'GMT') return 0;
  if (!m) return fallback;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

function zoneFields(zone: Zone, now: Date): Pick<SlackMember, 'tz' | 'tz_label' | 'tz_offset'> {
  const offset = zoneOffset(zone.tz, now, zone.stdOffset);
  return { tz: zone.tz, tz_label: offset === zone.stdOffset ? zone.std : zone.dst, tz_offset: offset };
}

function avatarImages(hash: string): Pick<SlackProfile, 'image_24' | 'image_48' | 'image_72' | 'image_192'> {
  const url = (size: number) => `https://avatars.example.com/${hash}_${size}.png`;
  return { image_24: url(24), image_48: url(48), image_72: url(72), image_192: url(192) };
}

// ---------------------------------------------------------------- generator

interface Person {
  member: SlackMember;
  zone: Zone;
}

/** Owns the PRNG and the uniqueness sets; every draw happens in a fixed order. */
class WorkspaceGenerator {
  readonly rng: Rng;
  readonly nowSec: number;
  readonly teamId: string;
  private readonly ids = new Set<string>(['USLACKBOT']);
  private readonly handles = new Set<string>(['slackbot']);

  constructor(seed: number, readonly now: Date) {
    this.rng = new Rng(seed);
    this.nowSec = Math.floor(now.getTime() / 1000);
    this.teamId = 'T' + this.rng.chars(ALNUM, 8);
  }

  /** "U" + 8-10 uppercase alphanumerics, unique within the dataset. */
  userId(): string {
    for (;;) {
      const id = 'U0' + this.rng.chars(ALNUM, this.rng.int(7, 9));
      if (!this.ids.has(id)) {
        this.ids.add(id);
        return id;
      }
    }
  }

  uniqueHandle(base: string): string {
    let handle = base;
    for (let n = 2; this.handles.has(handle); n++) handle = `${base}${n}`;
    this.handles.add(handle);
    return handle;
  }

  human(opts: { deleted: boolean }): Person {
    const { rng } = this;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const id = this.userId();
    const name = this.uniqueHandle(handleOf(first, last));
    const zone = rng.pick(ZONES);
    const realName = `${first} ${last}`;
    const displayName = rng.chance(0.45) ? '' : rng.chance(0.5) ? first : name;
    const avatarHash = rng.chars(HEX, 12);
    const restricted = rng.chance(0.03);
    const member: SlackMember = {
      id,
      team_id: this.teamId,
      name,
      deleted: opts.deleted,
      color: rng.pick(COLORS),
      real_name: realName,
      ...zoneFields(zone, this.now),
      profile: {
        title: rng.pick(TITLES),
        phone: '',
        skype: '',
        real_name: realName,
        real_name_normalized: stripAccents(realName),
        display_name: displayName,
        display_name_normalized: stripAccents(displayName),
        status_text: '',
        status_emoji: '',
        avatar_hash: avatarHash,
        email: `${name}@example.com`,
        first_name: first,
        last_name: last,
        ...avatarImages(avatarHash),
        team: this.teamId,
      },
      is_admin: !restricted && rng.chance(0.03),
      is_owner: false,
      is_primary_owner: false,
      is_restricted: restricted,
      is_ultra_restricted: restricted && rng.chance(0.3),
      is_bot: false,
      is_app_user: false,
      updated: this.nowSec - rng.int(DAY, 400 * DAY),
      is_email_confirmed: true,
      has_2fa: rng.chance(0.7),
    };
    return { member, zone };
  }

  bot(spec: (typeof BOTS)[number]): SlackMember {
    const { rng } = this;
    const avatarHash = rng.chars(HEX, 12);
    return {
      id: this.userId(),
      team_id: this.teamId,
      name: this.uniqueHandle(spec.name),
      deleted: false,
      color: rng.pick(COLORS),
      real_name: spec.real,
      ...zoneFields(ZONES[0], this.now),
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: spec.real,
        real_name_normalized: spec.real,
        display_name: '',
        display_name_normalized: '',
        status_text: '',
        status_emoji: '',
        avatar_hash: avatarHash,
        bot_id: 'B0' + rng.chars(ALNUM, 9),
        api_app_id: 'A0' + rng.chars(ALNUM, 9),
        always_active: false,
        first_name: spec.real,
        last_name: '',
        ...avatarImages(avatarHash),
        team: this.teamId,
      },
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: true,
      is_app_user: false,
      updated: this.nowSec - rng.int(DAY, 400 * DAY),
      is_email_confirmed: false,
    };
  }

  /** Real Slack lists Slackbot with is_bot:false; only its fixed id gives it away. */
  slackbot(): SlackMember {
    return {
      id: 'USLACKBOT',
      team_id: this.teamId,
      name: 'slackbot',
      deleted: false,
      color: '757575',
      real_name: 'Slackbot',
      ...zoneFields(ZONES[0], this.now),
      profile: {
        title: '',
        phone: '',
        skype: '',
        real_name: 'Slackbot',
        real_name_normalized: 'Slackbot',
        display_name: 'Slackbot',
        display_name_normalized: 'Slackbot',
        status_text: '',
        status_emoji: '',
        avatar_hash: 'sv41d8cd98f0',
        always_active: true,
        first_name: 'slackbot',
        last_name: '',
        ...avatarImages('sv41d8cd98f0'),
        team: this.teamId,
      },
      is_admin: false,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: false,
      is_app_user: false,
      updated: 0,
      is_email_confirmed: false,
    };
  }

  /** Documentation-range addresses only (RFC 5737 / RFC 3849). */
  ip(): string {
    const { rng } = this;
    if (rng.chance(0.1)) return `2001:db8:${rng.int(1, 0xffff).toString(16)}::${rng.int(1, 0xfff).toString(16)}`;
    const net = rng.pick(['192.0.2', '198.51.100', '203.0.113']);
    return `${net}.${rng.int(1, 254)}`;
  }

  /** 1-6 entries, one per distinct (ip, user agent), dated within [windowStart, windowEnd]. */
  loginsFor(userId: string, username: string, home: Zone, windowStart: number, windowEnd: number, max = 6): SlackLogin[] {
    const { rng } = this;
    const seen = new Set<string>();
    const out: SlackLogin[] = [];
    const wanted = rng.int(1, max);
    while (out.length < wanted) {
      const zone = rng.chance(0.1) ? rng.pick(ZONES) : home;
      const ip = this.ip();
      const ua = rng.pick(USER_AGENTS);
      if (seen.has(`${ip} ${ua}`)) continue;
      seen.add(`${ip} ${ua}`);
      const span = windowEnd - windowStart;
      const last = windowEnd - Math.floor(rng.float() ** 2 * span); // skewed toward recent
      const single = rng.chance(0.25);
      const first = single ? last : last - Math.floor(rng.float() * (last - windowStart));
      const count = single ? 1 : rng.int(2, 400);
      out.push({
        user_id: userId,
        username,
        date_first: first,
        date_last: last,
        count,
        ip,
        user_agent: ua,
        isp: rng.pick(zone.isps),
        country: zone.country,
        region: zone.region,
      });
    }
    return out;
  }
}

function compareLogins(a: SlackLogin, b: SlackLogin): number {
  return b.date_last - a.date_last || cmp(a.user_id, b.user_id) || cmp(a.ip, b.ip) || cmp(a.user_agent, b.user_agent);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Give the workspace a primary owner and one more owner, as every real workspace has. */
function assignOwners(people: Person[]): void {
  people.slice(0, 2).forEach(({ member }, i) => {
    member.is_owner = true;
    member.is_primary_owner = i === 0;
    member.is_admin = true;
    member.is_restricted = false;
    member.is_ultra_restricted = false;
  });
}

/** Deleted humans logged in before they were deactivated; `updated` is the deactivation time. */
function deletedPersonLogins(gen: WorkspaceGenerator, person: Person, windowStart: number): SlackLogin[] {
  const deactivatedAt = gen.nowSec - gen.rng.int(20 * DAY, 60 * DAY);
  const logins = gen.loginsFor(person.member.id, person.member.name, person.zone, windowStart, deactivatedAt - 3600);
  person.member.updated = deactivatedAt;
  return logins;
}

/** ~3% of entries belong to users missing from users.list (e.g. guests from shared channels). */
function strangerLogins(gen: WorkspaceGenerator, target: number, windowStart: number): SlackLogin[] {
  const out: SlackLogin[] = [];
  while (out.length < target) {
    const guest = gen.human({ deleted: false });
    const name = gen.uniqueHandle(`ext.${guest.member.name}`);
    out.push(...gen.loginsFor(guest.member.id, name, guest.zone, windowStart, gen.nowSec - 60, 3));
  }
  return out.slice(0, target);
}

/**
 * The whole fake workspace, computed purely from (users, seed, now).
 * Tests use it to compute expected values, e.g. the max date_last per user.
 */
export function slackDataset(opts: DatasetOptions = {}): SlackDataset {
  const userCount = opts.users ?? 300;
  const gen = new WorkspaceGenerator(opts.seed ?? 42, opts.now ?? startOfUtcDay());
  const windowStart = gen.nowSec - LOG_WINDOW_DAYS * DAY;

  const active = Array.from({ length: userCount }, () => gen.human({ deleted: false }));
  assignOwners(active);
  const deleted = Array.from({ length: Math.round(userCount * 0.05) }, () => gen.human({ deleted: true }));
  const bots = BOTS.map((spec) => gen.bot(spec));

  const logins = active.flatMap((p) => gen.loginsFor(p.member.id, p.member.name, p.zone, windowStart, gen.nowSec - 60));
  logins.push(...deleted.flatMap((p) => deletedPersonLogins(gen, p, windowStart)));
  logins.push(...strangerLogins(gen, Math.max(1, Math.round(logins.length * 0.03)), windowStart));

  const members = [...active, ...deleted].map((p) => p.member).concat(bots, gen.slackbot());
  members.sort((a, b) => cmp(a.id, b.id));
  logins.sort(compareLogins);
  return { teamId: gen.teamId, nowSec: gen.nowSec, members, logins };
}
