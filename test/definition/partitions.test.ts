import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import { edit, positionOf, shipped, workspace, type Workspace } from './workspace.js';

/**
 * What `intake validate` says about partitions and about numeric pagination options taken from
 * settings (issue 8, items 1 and 5): every mistake positioned, with a hint, before anything runs.
 */
const zoom = shipped('connectors', 'zoom-users');
const zoomMapping = shipped('mappings', 'zoom-users');
let ws: Workspace;
let count = 0;

beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());

function check(text: string) {
  const file = ws.connector(`case-${++count}`, text);
  return validateFiles([file])[0].issues;
}

function checkMapping(text: string) {
  const file = ws.mapping(`mapping-${++count}`, text);
  return validateFiles([file])[0].issues;
}

/** Zoom's List groups → List group members, as a connector with a parent partition. */
const groupMembers = `id: zoom-group-members
name: Zoom group members
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: Access token, secret: true, env: ZOOM_TOKEN }
settings:
  page_size: { label: Records per page, type: integer, minimum: 1, maximum: 300, default: 300 }
base_url: https://api.zoom.us/v2
partitions:
  type: parent
  request: { method: GET, path: /groups }
  pagination:
    type: cursor
    token: { from: body, path: next_page_token }
    send: { in: query, name: next_page_token }
  records: groups
  fields:
    group_id: { label: Group Id, path: id, type: string }
request:
  path: "/groups/{{ partition.group_id }}/members"
  query: { page_size: "{{ settings.page_size }}" }
pagination:
  type: cursor
  token: { from: body, path: next_page_token }
  send: { in: query, name: next_page_token }
records: members
fields:
  user_id: { label: User Id, path: id, type: string }
sync_key: user_id
`;

describe('partitions of type values', () => {
  it('the shipped Zoom connector and mapping validate', () => {
    expect(check(zoom)).toEqual([]);
    expect(checkMapping(zoomMapping)).toEqual([]);
  });

  it('a misspelt {{ partition.<name> }} is unknown_variable with the nearest name', () => {
    const text = edit(zoom, 'status: "{{ partition.status }}"', 'status: "{{ partition.stauts }}"');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'request.query.status', hint: 'did you mean "status"?', ...positionOf(text, '"{{ partition.stauts }}"') })]);
  });

  it('{{ partition.… }} in a connector without partitions is not available', () => {
    const text = edit(zoom, 'partitions:\n  type: values\n  name: status\n  values: "{{ settings.statuses }}"\n', '');
    const issues = check(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'request.query.status' })]);
    expect(issues[0].message).toMatch(/"partition", which is not available here/);
  });

  it('values from a setting that is not a string setting is invalid_value, naming its type', () => {
    const text = edit(zoom, 'values: "{{ settings.statuses }}"', 'values: "{{ settings.page_size }}"');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'partitions.values', message: expect.stringContaining('names an integer setting'), ...positionOf(text, 'values: "{{ settings.page_size }}"', 'values: '.length) })]);
  });

  it('values from text around a setting is invalid_value; from an unknown setting unknown_variable', () => {
    expect(check(edit(zoom, 'values: "{{ settings.statuses }}"', 'values: "status {{ settings.statuses }}"'))).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'partitions.values' })]);
    expect(check(edit(zoom, 'values: "{{ settings.statuses }}"', 'values: "{{ settings.statusses }}"'))).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'partitions.values', hint: 'did you mean "statuses"?' })]);
  });

  it('a default of the values setting that holds no value is invalid_default', () => {
    const text = edit(zoom, 'default: active,inactive,pending', 'default: " , "');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'invalid_default', path: 'settings.statuses.default', ...positionOf(text, '" , "') })]);
  });

  it('a mapping whose value for the setting holds no value is invalid_setting', () => {
    const text = edit(zoomMapping, 'statuses: active,inactive,pending', 'statuses: ","');
    expect(checkMapping(text)).toEqual([expect.objectContaining({ code: 'invalid_setting', path: 'settings.statuses', ...positionOf(text, '","') })]);
  });

  it('a detail request cannot use {{ partition.… }}: it runs per record, after the partitions are merged', () => {
    const text = `${zoom}\ndetail:\n  request: { path: "/users/{{ record.user_id }}", query: { status: "{{ partition.status }}" } }\n  fields:\n    pmi: { label: PMI, type: integer }\n`;
    expect(check(text)).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'detail.request.query.status', message: expect.stringMatching(/"partition", which is not available here/) })]);
  });

  it('an empty list, a value listed twice, a misspelt type, a missing name: schema errors at their place', () => {
    const block = 'partitions:\n  type: values\n  name: status\n  values: "{{ settings.statuses }}"\n';
    expect(check(edit(zoom, block, 'partitions:\n  type: values\n  name: status\n  values: []\n'))).toEqual([expect.objectContaining({ path: 'partitions.values' })]);
    expect(check(edit(zoom, block, 'partitions:\n  type: values\n  name: status\n  values: [active, active]\n'))).toEqual([expect.objectContaining({ path: 'partitions.values' })]);
    expect(check(edit(zoom, block, 'partitions:\n  type: valeus\n  name: status\n  values: [active]\n'))).toEqual([expect.objectContaining({ code: 'unknown_type', path: 'partitions.type', hint: 'did you mean "values"?' })]);
    expect(check(edit(zoom, block, 'partitions:\n  type: values\n  values: [active]\n'))).toEqual([expect.objectContaining({ code: 'missing_key', path: 'partitions', message: 'missing required key "name"' })]);
  });
});

describe('partitions of type parent', () => {
  it('a parent connector validates', () => {
    expect(check(groupMembers)).toEqual([]);
  });

  it('the parent request cannot use {{ partition.… }} (it makes the partitions); the list request can use only its fields', () => {
    let text = edit(groupMembers, 'request: { method: GET, path: /groups }', 'request: { method: GET, path: "/groups/{{ partition.group_id }}" }');
    text = edit(text, '"/groups/{{ partition.group_id }}/members"', '"/groups/{{ partition.groupid }}/members"');
    expect(check(text)).toEqual([
      expect.objectContaining({ code: 'unknown_variable', path: 'partitions.request.path', message: expect.stringMatching(/"partition", which is not available here/) }),
      expect.objectContaining({ code: 'unknown_variable', path: 'request.path', hint: 'did you mean "group_id"?' }),
    ]);
  });

  it('the parent pagination is checked like the connector\'s: short_page needs page_size, a body value needs a POST', () => {
    const text = edit(groupMembers, '    send: { in: query, name: next_page_token }\n  records: groups', '    send: { in: body, name: next_page_token }\n    stop: [short_page]\n  records: groups');
    expect(check(text)).toEqual([
      expect.objectContaining({ code: 'body_needs_post', path: 'partitions.pagination' }),
      expect.objectContaining({ code: 'missing_option', path: 'partitions.pagination.stop' }),
    ]);
  });

  it('a parent path that leaves the base URL is path_outside_base', () => {
    const text = edit(groupMembers, 'path: /groups }', 'path: /../oauth/token }');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'path_outside_base', path: 'partitions.request.path' })]);
  });

  it('a parent without fields, or without records, is a schema error', () => {
    expect(check(edit(groupMembers, '  records: groups\n', ''))).toEqual([expect.objectContaining({ code: 'missing_key', path: 'partitions', message: 'missing required key "records"' })]);
    expect(check(edit(groupMembers, '  fields:\n    group_id: { label: Group Id, path: id, type: string }\n', '  fields: {}\n'))).toEqual([expect.objectContaining({ path: 'partitions.fields' })]);
  });
});
