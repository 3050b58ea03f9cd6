import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import { edit, positionOf, workspace, type Workspace } from './workspace.js';

/**
 * What `intake validate` says about numeric pagination options taken from settings (issue 8,
 * item 5): `page_size` and `max_pages` may be one integer setting, `{{ settings.<name> }}`, so
 * `--set page_size=…` works for every pagination type; anything else is refused with its position.
 */
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

describe('numeric pagination options from settings (--set page_size=… for every pagination type)', () => {
  const offset = (pageSize: string, setting = 'page_size: { label: Records per page, type: integer, minimum: 1, maximum: 500, default: 100 }') => `id: offset-users
name: Offset users
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: Token, secret: true, env: OFFSET_TOKEN }
settings:
  ${setting}
  base_url: { label: API base URL, type: string, default: "https://api.example.com/v1" }
base_url: https://api.example.com/v1
request: { path: /users }
pagination:
  type: offset
  offset: { in: query, name: offset }
  limit: { in: query, name: limit }
  page_size: ${pageSize}
records: data
fields:
  user_id: { label: User Id, path: id, type: string }
sync_key: user_id
`;

  it('page_size: "{{ settings.page_size }}" over an integer setting with minimum 1 validates, for offset and page_number', () => {
    expect(check(offset('"{{ settings.page_size }}"'))).toEqual([]);
    const pageNumber = edit(offset('"{{ settings.page_size }}"'), '  offset: { in: query, name: offset }\n  limit: { in: query, name: limit }\n', '  send: { in: query, name: page }\n  stop: [short_page]\n');
    expect(check(edit(pageNumber, 'type: offset', 'type: page_number'))).toEqual([]);
  });

  it('page_size over a setting that is not an integer is invalid_value, naming its type', () => {
    const text = offset('"{{ settings.base_url }}"');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'pagination.page_size', message: expect.stringContaining('names a string setting'), ...positionOf(text, '"{{ settings.base_url }}"') })]);
  });

  it('page_size over an integer setting that allows 0 is invalid_value: a page of 0 records reads nothing', () => {
    const text = offset('"{{ settings.page_size }}"', 'page_size: { label: Records per page, type: integer, minimum: 0, default: 100 }');
    expect(check(text)).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'pagination.page_size', hint: expect.stringContaining('minimum: 1') })]);
    const unbounded = offset('"{{ settings.page_size }}"', 'page_size: { label: Records per page, type: integer, default: 100 }');
    expect(check(unbounded)).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'pagination.page_size' })]);
  });

  it('page_size as text that is no template, or as an unknown setting, is refused', () => {
    expect(check(offset('"a hundred"'))).toEqual([expect.objectContaining({ path: 'pagination.page_size' })]);
    expect(check(offset('"{{ settings.pagesize }}"'))).toEqual([expect.objectContaining({ code: 'unknown_variable', path: 'pagination.page_size', hint: 'did you mean "page_size"?' })]);
  });
});
