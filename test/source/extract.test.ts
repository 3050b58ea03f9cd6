import { describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { readSource } from '../../src/source/read.js';
import { useServer } from '../helpers/msw.js';
import { accessLogEntries, accessLogsCursorPage, BASE, collect, connectorFile, isoFromEpochSeconds, membersForPage, sourceOptions, usersListPage } from '../helpers/slack.js';

const { server } = useServer();

describe('extraction of odd records', () => {
  it('an access-log entry with date_last "yesterday" is a failed item naming the field; the other users still come through', async () => {
    const [good, odd] = accessLogEntries();
    server.use(http.get(`${BASE}/team.accessLogs`, () => HttpResponse.json(accessLogsCursorPage([good, { ...odd, date_last: 'yesterday' }], ''))));
    const { records, failed } = await collect(readSource(sourceOptions(connectorFile('slack-last-login'))).items);

    expect(records.map((r) => r.user_id)).toEqual([good.user_id]);
    expect(records[0].last_used).toBe(isoFromEpochSeconds(good.date_last));
    expect(failed).toHaveLength(1);
    expect(failed[0].ref).toBe(odd.user_id);
    expect(failed[0].failed).toMatch(/last_used/);
    expect(failed[0].failed).toMatch(/yesterday/);
  });

  it.each([
    ['updated', (m: Record<string, unknown>) => ({ ...m, updated: 'yesterday' }), 'yesterday'],
    ['is_admin', (m: Record<string, unknown>) => ({ ...m, is_admin: 'yes' }), 'yes'],
    ['email', (m: Record<string, unknown>) => ({ ...m, profile: { ...(m.profile as object), email: { primary: 'x@example.com' } } }), 'primary'],
  ])('a users.list member with an odd %s is a failed item naming that field; the others still come through', async (field, spoil, shown) => {
    const members = [...membersForPage(1), ...membersForPage(2)];
    const bad = 1;
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage(members.map((m, i) => (i === bad ? spoil(m) : m)), ''))));
    const { records, failed } = await collect(readSource(sourceOptions(connectorFile('slack-users'))).items);

    expect(records.map((r) => r.user_id)).toEqual(members.filter((_, i) => i !== bad).map((m) => m.id));
    expect(failed).toEqual([{ ref: members[bad].id, failed: expect.stringContaining(field) }]);
    expect(failed[0].failed).toContain(shown);
  });

  it('a record that is not an object is a failed item naming its position', async () => {
    const members = membersForPage(1);
    server.use(http.get(`${BASE}/users.list`, () => HttpResponse.json(usersListPage([members[0], 'not a member', members[1]], ''))));
    const { records, failed } = await collect(readSource(sourceOptions(connectorFile('slack-users'))).items);

    expect(records.map((r) => r.user_id)).toEqual(members.map((m) => m.id));
    expect(failed).toHaveLength(1);
    expect(failed[0].ref).toMatch(/record 2 of page 1/);
  });
});
