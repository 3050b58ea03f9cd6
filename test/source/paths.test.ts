import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { validateFiles } from '../../src/definition/load.js';
import { getter, pathProblem } from '../../src/source/paths.js';
import { edit, positionOf, shipped, workspace, type Workspace } from '../definition/workspace.js';
import { optionsFor, read, useConnectors } from '../helpers/components.js';
import { useServer } from '../helpers/msw.js';

/** A SCIM user's e-mail addresses as RFC 7643 §8.2 shows them (test/fixtures/scim2/rfc7643-8.2-user-full.json). */
const babs = {
  userName: 'bjensen@example.com',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { displayName: 'John Smith' }, department: 'Tour Operations' },
};

describe('paths with list selectors', () => {
  it.each([
    ['emails[primary eq true].value', 'bjensen@example.com'],
    ['emails[type eq "home"].value', 'babs@jensen.org'],
    ['emails[type EQ "home"].value', 'babs@jensen.org'],
    ['emails[ type eq "work" ].type', 'work'],
    ['emails[0].value', 'bjensen@example.com'],
    ['emails[1].type', 'home'],
    ['emails.1.type', 'home'],
    ['emails[primary eq true]', babs.emails[0]],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager.displayName', 'John Smith'],
  ])('%s reads %j', (path, expected) => {
    expect(pathProblem(path)).toBeUndefined();
    expect(getter(path)(babs)).toEqual(expected);
  });

  it('a filter compares exactly: the string "true" is not true, "Work" is not "work", 1 is not "1"', () => {
    const record = { emails: [{ value: 'a@x.test', primary: 'true', type: 'Work', rank: '1' }] };
    expect(getter('emails[primary eq true].value')(record)).toBeUndefined();
    expect(getter('emails[type eq "work"].value')(record)).toBeUndefined();
    expect(getter('emails[rank eq 1].value')(record)).toBeUndefined();
    expect(getter('emails[rank eq "1"].value')(record)).toBe('a@x.test');
  });

  it('the first matching element wins; an index past the end, a filter on a non-list and a missing list give no value', () => {
    const record = { emails: [{ value: 'one', type: 'work' }, { value: 'two', type: 'work' }], name: { type: 'work' } };
    expect(getter('emails[type eq "work"].value')(record)).toBe('one');
    expect(getter('emails[5].value')(record)).toBeUndefined();
    expect(getter('name[type eq "work"]')(record)).toBeUndefined();
    expect(getter('phones[0].value')(record)).toBeUndefined();
  });

  it('unmatched: first takes the first element when no element matches, and nothing from an empty list', () => {
    const noPrimary = { emails: [{ value: 'only@x.test' }, { value: 'second@x.test' }] };
    expect(getter('emails[primary eq true].value')(noPrimary)).toBeUndefined();
    expect(getter('emails[primary eq true].value', { unmatched: 'first' })(noPrimary)).toBe('only@x.test');
    expect(getter('emails[primary eq true].value', { unmatched: 'first' })(babs)).toBe('bjensen@example.com');
    expect(getter('emails[type eq "home"].value', { unmatched: 'first' })(babs)).toBe('babs@jensen.org');
    expect(getter('emails[primary eq true].value', { unmatched: 'first' })({ emails: [] })).toBeUndefined();
  });

  it('selectors at the start of a path apply to the value itself (a body that is a list)', () => {
    expect(getter('[1].id')([{ id: 'a' }, { id: 'b' }])).toBe('b');
    expect(getter('[id eq "b"].name')([{ id: 'a' }, { id: 'b', name: 'Bee' }])).toBe('Bee');
  });

  it('a key with dots may carry a selector: the longest existing key wins, as for plain paths', () => {
    const record = { 'a.b': [{ v: 1 }], a: { b: [{ v: 2 }] } };
    expect(getter('a.b[0].v')(record)).toBe(1);
    expect(getter('a.b[0].v')({ a: { b: [{ v: 2 }] } })).toBe(2);
  });

  it('a string value may hold dots, spaces and brackets', () => {
    const record = { tags: [{ k: 'a.b [c]', v: 'found' }] };
    expect(getter('tags[k eq "a.b [c]"].v')(record)).toBe('found');
  });

  it.each([
    ['emails[primary eq true.value', 6, /is not closed/],
    ['emails[primary = true].value', 15, /only eq is supported in a filter, not "="/],
    ['emails[type ne "work"].value', 12, /only eq is supported/],
    ['emails[type eq work].value', 15, /work is not a value/],
    ['emails[type eq \'work\'].value', 15, /is not a value/],
    ['emails[-1].value', 7, /counts from the start/],
    ['emails[].value', 7, /empty \[\]/],
    ['emails[primary].value', 7, /neither an index nor a filter/],
    ['emails.[0].value', 7, /must follow a key/],
    ['emails[0]value', 9, /after \]/],
    ['emails]0[.value', 6, /without its \[/],
    ['emails[type eq "work].value', 6, /not closed either/],
  ])('%s is refused at character %i', (path, offset, message) => {
    const problem = pathProblem(path);
    expect(problem?.message).toMatch(message);
    expect(problem?.offset).toBe(offset);
    expect(problem?.hint).toBeTruthy();
  });

  it('a path without a [ is read as before: a lone ] is part of a key, and nothing is refused', () => {
    expect(pathProblem('odd]key')).toBeUndefined();
    expect(getter('odd]key')({ 'odd]key': 1 })).toBe(1);
    expect(getter('response_metadata.next_cursor')({ response_metadata: { next_cursor: 'c' } })).toBe('c');
  });
});

describe('paths in a connector file: checked when it loads, with positions', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws.remove());
  const base = shipped('connectors', 'okta-users');
  const check = (text: string) => validateFiles([ws.connector(`paths-${Math.random().toString(36).slice(2)}`, text)])[0].issues;

  it('a field path with a bad filter is reported at the faulty character, with a hint', () => {
    const text = edit(base, 'path: profile.email,', 'path: "profile.emails[type eq work].value",');
    const issues = check(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_path', path: 'fields.email.path', hint: 'e.g. [type eq "work"]', ...positionOf(text, 'work].value') })]);
    expect(issues[0].message).toMatch(/work is not a value/);
  });

  it('every problem at once: a field path and the records path', () => {
    let text = edit(base, 'path: profile.email,', 'path: "emails[0",');
    text = edit(text, 'records: "."', 'records: "[x]"');
    const issues = check(text);
    expect(issues.map((i) => [i.code, i.path])).toEqual(expect.arrayContaining([['invalid_path', 'fields.email.path'], ['invalid_path', 'records']]));
  });

  it('unmatched: first on a path without a filter is refused (it would do nothing)', () => {
    const text = edit(base, 'path: profile.email,', 'path: profile.email, unmatched: first,');
    const issues = check(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'modifier_unused', path: 'fields.email.unmatched' })]);
  });

  it('a good filter with unmatched: first validates', () => {
    const text = edit(base, 'path: profile.email,', 'path: "profile.emails[primary eq true].value", unmatched: first,');
    expect(check(text)).toEqual([]);
  });
});

describe('list selectors in extraction (a connector read end to end)', () => {
  const { server } = useServer();
  const connectors = useConnectors();
  const API = 'https://scim.selectors.test/v2';
  const connector = () => connectors.load(`
    id: selectors
    name: Selectors
    record_type: users
    credentials:
      type: bearer
      fields:
        token: { label: Token, secret: true, env: SEL_TOKEN }
    base_url: ${API}
    request: { method: GET, path: /Users }
    pagination: { type: none }
    records: Resources
    fields:
      user_id:       { label: Id, path: id, type: string }
      primary_email: { label: Primary Email, path: "emails[primary eq true].value", type: string }
      email:         { label: Email, path: "emails[primary eq true].value", unmatched: first, type: string }
      work_phone:    { label: Work Phone, path: "phoneNumbers[type eq \\"work\\"].value", type: string }
    sync_key: user_id
  `);

  it('reads the primary e-mail, falls back to the first where the field says so, and leaves the rest empty', async () => {
    server.use(
      http.get(`${API}/Users`, () =>
        HttpResponse.json({
          Resources: [
            { id: '1', emails: babs.emails, phoneNumbers: [{ value: '555-555-5555', type: 'work' }] },
            { id: '2', emails: [{ value: 'only@example.com' }] },
            { id: '3' },
          ],
        }),
      ),
    );
    const { records, failed, error } = await read(optionsFor(connector(), { token: 'selectors-token' }));

    expect(error).toBeUndefined();
    expect(failed).toEqual([]);
    expect(records).toEqual([
      { user_id: '1', primary_email: 'bjensen@example.com', email: 'bjensen@example.com', work_phone: '555-555-5555' },
      { user_id: '2', primary_email: null, email: 'only@example.com', work_phone: null },
      { user_id: '3', primary_email: null, email: null, work_phone: null },
    ]);
  });
});
