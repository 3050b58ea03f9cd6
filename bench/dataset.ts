/**
 * Deterministic Slack-shaped data for the benchmark: `team.accessLogs` entries and, below,
 * `users.list` members (`forEachMember`).
 *
 * N entries over U users: every user has at least one entry (the first U draws), the other
 * N − U entries go to random users, then the whole list is shuffled so one user's entries are
 * spread across pages, and the entry with a user's max `date_last` is usually not the last one
 * read. Same options ⇒ same data (mulberry32 PRNG, consumed in a fixed order), so the server
 * process and the bench process generate the same list independently.
 */
import { mulberry32, type SlackLogin, type SlackMember } from '../src/demo/people.js';

export interface DatasetOptions {
  entries: number;
  users: number;
  seed?: number;
}

/** One team.accessLogs entry, as Slack sends it (the simulator's type). */
export type AccessLogEntry = SlackLogin;

/** A fixed anchor (2025-06-15T00:00:00Z) so the data does not depend on the clock. */
const NOW = 1_749_945_600;
const YEAR = 365 * 86_400;

const agents = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/128.0.6613.186 Electron/32.2.0 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'com.tinyspeck.chatlyio/24.11.10 (iPhone; iOS 18.1.1; Scale/3.00)',
  'Slack/24.11.10.0 (Google Pixel 8; Android 15)',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/128.0.6613.186 Electron/32.2.0 Safari/537.36',
];
const places: [string, string, string][] = [
  ['US', 'California', 'Comcast Cable'],
  ['US', 'New York', 'Verizon Fios'],
  ['GB', 'England', 'BT'],
  ['DE', 'Berlin', 'Deutsche Telekom AG'],
  ['FR', 'Ile-de-France', 'Orange'],
  ['IN', 'Karnataka', 'Bharti Airtel'],
  ['JP', 'Tokyo', 'NTT'],
  ['BR', 'Sao Paulo', 'Vivo'],
];

export { mulberry32 };

/** Slack-looking user id of user number `i` (unique, upper-case, starts with U). */
export function userId(i: number): string {
  return `U${(0x2000000 + i * 7).toString(36).toUpperCase()}`;
}

export function userName(i: number): string {
  return `user${i}`;
}

/** Calls `each(entry, position)` for the N entries in page order. */
export function forEachEntry(options: DatasetOptions, each: (entry: AccessLogEntry, position: number) => void): void {
  const { entries: n, users: u } = options;
  if (!(u >= 1 && n >= u)) throw new Error(`need entries >= users >= 1 (entries ${n}, users ${u})`);
  const random = mulberry32(options.seed ?? 42);
  const owner = new Int32Array(n);
  for (let i = 0; i < n; i++) owner[i] = i < u ? i : Math.floor(random() * u);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = owner[i];
    owner[i] = owner[j];
    owner[j] = t;
  }
  for (let k = 0; k < n; k++) {
    const user = owner[k];
    const last = NOW - Math.floor(random() * YEAR);
    const first = last - Math.floor(random() * YEAR);
    const [country, region, isp] = places[Math.floor(random() * places.length)];
    each({
      user_id: userId(user),
      username: userName(user),
      date_first: first,
      date_last: last,
      count: 1 + Math.floor(random() * 500),
      ip: `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
      user_agent: agents[Math.floor(random() * agents.length)],
      isp,
      country,
      region,
    }, k);
  }
}

/** The max `date_last` (epoch seconds) of each user, by user number: what the sync must store. */
export function expectedLastLogin(options: DatasetOptions): Float64Array {
  const max = new Float64Array(options.users);
  const index = new Map<string, number>();
  for (let i = 0; i < options.users; i++) index.set(userId(i), i);
  forEachEntry(options, (entry) => {
    const i = index.get(entry.user_id)!;
    if (entry.date_last > max[i]) max[i] = entry.date_last;
  });
  return max;
}

/** Epoch seconds → `YYYY-MM-DDTHH:MM:SSZ`. */
export function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19) + 'Z';
}

// ------------------------------------------------------------------------ users.list members

export interface MembersOptions {
  members: number;
  seed?: number;
}

const firstNames = ['Jane', 'John', 'Aisha', 'Mateo', 'Priya', 'Wei', 'Olga', 'Kwame', 'Yuki', 'Fatima', 'Liam', 'Emma', 'José', 'Zoë', 'Björn', 'Chloé', 'Seán', 'Amélie'];
const lastNames = ['Doe', 'Smith', 'Nguyen', 'García', 'Müller', "O'Brien", 'Kowalski', 'Okafor', 'Tanaka', 'Patel', 'van der Berg', 'López', 'Fernández', 'Andersson'];
const titles = ['Software Engineer', 'Product Manager', 'Data Analyst', 'Account Executive', 'Support Engineer', 'Recruiter', 'Finance Manager', 'Security Engineer', 'IT Administrator', 'Legal Counsel'];
const zones = [['America/Los_Angeles', 'Pacific Daylight Time', -25200], ['America/New_York', 'Eastern Daylight Time', -14400], ['Europe/London', 'British Summer Time', 3600], ['Europe/Berlin', 'Central European Summer Time', 7200], ['Asia/Kolkata', 'India Standard Time', 19800]] as const;

/**
 * Calls `each(member, position)` for M `users.list` members in page order: every one a human
 * (no bots, so no record is filtered out), with about 5% deleted, 3% guests (`is_restricted`,
 * a third of them single-channel) and 3% admins. Every member has a first name, a last name
 * and a title, so each mapping in bench/mappings writes all its fields for every record.
 * `id` is `userId(i)`, `name` is `userName(i)`; the rest comes from a seeded PRNG.
 */
export function forEachMember(options: MembersOptions, each: (member: SlackMember, position: number) => void): void {
  const random = mulberry32((options.seed ?? 42) + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  for (let i = 0; i < options.members; i++) {
    const first = pick(firstNames);
    const last = pick(lastNames);
    const [tz, tzLabel, tzOffset] = pick(zones);
    const restricted = random() < 0.03;
    const hash = Math.floor(random() * 2 ** 48).toString(16).padStart(12, '0');
    const image = (size: number) => `https://avatars.example.com/${hash}_${size}.png`;
    const realName = `${first} ${last}`;
    each({
      id: userId(i),
      team_id: 'T0BENCH42',
      name: userName(i),
      deleted: random() < 0.05,
      color: '9f69e7',
      real_name: realName,
      tz,
      tz_label: tzLabel,
      tz_offset: tzOffset,
      profile: {
        title: pick(titles),
        phone: '',
        skype: '',
        real_name: realName,
        real_name_normalized: realName,
        display_name: random() < 0.5 ? first : '',
        display_name_normalized: '',
        status_text: '',
        status_emoji: '',
        avatar_hash: hash,
        email: `${userName(i)}@example.com`,
        first_name: first,
        last_name: last,
        image_24: image(24),
        image_48: image(48),
        image_72: image(72),
        image_192: image(192),
        team: 'T0BENCH42',
      },
      is_admin: !restricted && random() < 0.03,
      is_owner: false,
      is_primary_owner: false,
      is_restricted: restricted,
      is_ultra_restricted: restricted && random() < 0.3,
      is_bot: false,
      is_app_user: false,
      updated: NOW - Math.floor(random() * YEAR),
      is_email_confirmed: true,
    }, i);
  }
}
