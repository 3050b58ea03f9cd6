import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Settings } from 'luxon';
import { http, HttpResponse } from 'msw';
import { optionsFor, read, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

const { server } = useServer();
const connectors = useConnectors();

const API = 'https://api.acme.test/v1';
/** The instant every value below denotes: Slack's team.accessLogs sample `date_last: 1422922864`. */
const INSTANT = '2015-02-03T00:21:04Z';

/** A connector whose `last_login` field is a datetime in `format` (omitted when undefined), with `null_values`. */
function withLastLogin(format: string | undefined, nullValues?: string) {
  return connectors.load(`
    id: acme-users
    name: Acme users
    record_type: users
    credentials: { type: bearer, fields: { token: { label: API token, secret: true, env: ACME_TOKEN } } }
    settings:
      base_url: { label: API URL, type: string, default: "${API}" }
    base_url: "{{ settings.base_url }}"
    request: { method: GET, path: /users }
    pagination: { type: none }
    records: users
    fields:
      user_id:    { label: User Id, path: id, type: string }
      last_login: { label: Last Login, path: activity.last_login, type: datetime${format === undefined ? '' : `, format: ${JSON.stringify(format)}`}${nullValues ? `, null_values: ${nullValues}` : ''} }
    sync_key: user_id
  `);
}

/** The API answers one page with these users (`[id, last_login]`; undefined leaves the key out). */
function usersWithLastLogin(users: [string, unknown][]) {
  server.use(http.get(`${API}/users`, () => HttpResponse.json({ users: users.map(([id, value]) => ({ id, activity: value === undefined ? {} : { last_login: value } })) })));
}

const UTC_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('datetime fields are normalised to ISO-8601 UTC', () => {
  it.each([
    ['unix_seconds (Slack date_last)', 'unix_seconds', 1422922864],
    ['unix_seconds given as text', 'unix_seconds', '1422922864'],
    ['unix_ms (Prisma Cloud lastLoginTs)', 'unix_ms', 1422922864000],
    ['iso8601 with Z', 'iso8601', '2015-02-03T00:21:04Z'],
    ['iso8601 with zero milliseconds (Google lastLoginTime)', 'iso8601', '2015-02-03T00:21:04.000Z'],
    ['iso8601 with a +hh:mm offset', 'iso8601', '2015-02-03T05:51:04+05:30'],
    ['iso8601 with a -hh:mm offset', 'iso8601', '2015-02-02T16:21:04-08:00'],
    ['iso8601 with a +hhmm offset (Salesforce LastLoginDate)', 'iso8601', '2015-02-03T00:21:04.000+0000'],
    ['iso8601 with a -hhmm offset', 'iso8601', '2015-02-02T19:21:04-0500'],
    ['iso8601 without an offset (read as UTC)', 'iso8601', '2015-02-03T00:21:04'],
    ['no format (iso8601 is the default)', undefined, '2015-02-03T05:51:04+05:30'],
    ['a luxon pattern yyyy-MM-dd HH:mm:ss (read as UTC)', 'yyyy-MM-dd HH:mm:ss', '2015-02-03 00:21:04'],
    ['a luxon pattern MM/dd/yyyy hh:mm:ss a', 'MM/dd/yyyy hh:mm:ss a', '02/03/2015 12:21:04 AM'],
    ['a luxon pattern with an offset, dd.MM.yyyy HH:mm:ss ZZ', 'dd.MM.yyyy HH:mm:ss ZZ', '03.02.2015 01:21:04 +01:00'],
  ])('%s', async (_, format, raw) => {
    usersWithLastLogin([['u1', raw]]);
    const { records, failed, error } = await read(optionsFor(withLastLogin(format), { token: 'acme-test-token' }));

    expect(error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(records).toEqual([{ user_id: 'u1', last_login: INSTANT }]);
    expect(records[0].last_login).toMatch(UTC_SECONDS);
  });

  it.each([
    ['Google\'s never-logged-in lastLoginTime', 'iso8601', '["1970-01-01T00:00:00.000Z"]', '1970-01-01T00:00:00.000Z'],
    ['an epoch 0', 'unix_seconds', '[0]', 0],
    ['a zero date in a luxon pattern', 'yyyy-MM-dd HH:mm:ss', '["0000-00-00 00:00:00"]', '0000-00-00 00:00:00'],
    ['a word', 'iso8601', '[Never, "N/A"]', 'Never'],
  ])('a null_values sentinel (%s) becomes null, beside a real value', async (_, format, nullValues, sentinel) => {
    const real = { iso8601: '2015-02-03T00:21:04Z', unix_seconds: 1422922864, 'yyyy-MM-dd HH:mm:ss': '2015-02-03 00:21:04' }[format]!;
    usersWithLastLogin([['never', sentinel], ['seen', real], ['absent', undefined]]);
    const { records, failed, error } = await read(optionsFor(withLastLogin(format, nullValues), { token: 'acme-test-token' }));

    expect(error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(records).toEqual([
      { user_id: 'never', last_login: null },
      { user_id: 'seen', last_login: INSTANT },
      { user_id: 'absent', last_login: null },
    ]);
  });
});

// Slack SCIM: a guest's expiry sits below the extension key "urn:scim:schemas:extension:slack:guest:1.0",
// which has dots of its own: {"urn:scim:schemas:extension:slack:guest:1.0": {"type": "multi", "expiration": "…"}}.
describe('a datetime below a key that contains dots (SCIM extension)', () => {
  it('reads urn:scim:schemas:extension:slack:guest:1.0.expiration', async () => {
    const connector = connectors.load(`
      id: slack-scim-guests
      name: Slack guests (SCIM)
      record_type: users
      credentials: { type: bearer, fields: { token: { label: SCIM token, secret: true, env: SLACK_SCIM_TOKEN } } }
      settings:
        base_url: { label: API URL, type: string, default: "${API}" }
      base_url: "{{ settings.base_url }}"
      request: { method: GET, path: /Users }
      pagination: { type: none }
      records: Resources
      fields:
        user_id:    { label: User Id, path: id, type: string }
        expires_at: { label: Guest Expiration, path: "urn:scim:schemas:extension:slack:guest:1.0.expiration", type: datetime, format: iso8601 }
      sync_key: user_id
    `);
    server.use(
      http.get(`${API}/Users`, () =>
        HttpResponse.json({
          totalResults: 1,
          itemsPerPage: 1,
          startIndex: 1,
          schemas: ['urn:scim:schemas:core:1.0'],
          Resources: [{ schemas: ['urn:scim:schemas:core:1.0', 'urn:scim:schemas:extension:slack:guest:1.0'], id: 'W1234567890', userName: 'guest', 'urn:scim:schemas:extension:slack:guest:1.0': { type: 'multi', expiration: '2015-02-03T05:51:04+05:30' } }],
        })),
    );
    const { records, failed, error } = await read(optionsFor(connector, { token: 'acme-test-token' }));

    expect(error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(records).toEqual([{ user_id: 'W1234567890', expires_at: INSTANT }]);
  });
});

describe('a value that is not a date and time in the declared format', () => {
  it.each([
    ['iso8601', '2015-02-30T00:21:04Z'],
    ['iso8601', 'last Tuesday'],
    ['unix_seconds', 'never'],
    ['unix_ms', true],
    ['yyyy-MM-dd HH:mm:ss', '2015-02-03T00:21:04Z'],
  ])('fails only that record (format %s, value %j), with a reason naming the field and the value', async (format, bad) => {
    const good = { iso8601: '2015-02-03T00:21:04Z', unix_seconds: 1422922864, unix_ms: 1422922864000, 'yyyy-MM-dd HH:mm:ss': '2015-02-03 00:21:04' }[format]!;
    usersWithLastLogin([['u1', good], ['u2', bad], ['u3', good]]);
    const { records, failed, error } = await read(optionsFor(withLastLogin(format), { token: 'acme-test-token' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'u1', last_login: INSTANT }, { user_id: 'u3', last_login: INSTANT }]);
    expect(failed).toHaveLength(1);
    expect(failed[0].ref).toBe('u2');
    expect(failed[0].failed).toMatch(/last_login/);
    expect(failed[0].failed).toContain(JSON.stringify(bad));
  });
});

// The suite runs with TZ=UTC, where "local" and UTC agree; luxon's default (local) zone is moved away
// from UTC here, so a parser that forgot `zone: 'utc'` would shift these values by 5 hours.
describe('when the local time zone is not UTC', () => {
  const original = Settings.defaultZone;
  beforeAll(() => {
    Settings.defaultZone = 'America/New_York';
  });
  afterAll(() => {
    Settings.defaultZone = original;
  });

  it.each([
    ['iso8601', '2015-02-03T00:21:04'],
    ['yyyy-MM-dd HH:mm:ss', '2015-02-03 00:21:04'],
    ['unix_seconds', 1422922864],
  ])('%s values without an offset are still read as UTC', async (format, raw) => {
    expect(Settings.defaultZone.offset(Date.parse(INSTANT))).toBe(-300);
    usersWithLastLogin([['u1', raw]]);
    const { records, error } = await read(optionsFor(withLastLogin(format), { token: 'acme-test-token' }));

    expect(error).toBeUndefined();
    expect(records).toEqual([{ user_id: 'u1', last_login: INSTANT }]);
  });
});
