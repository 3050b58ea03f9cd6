import { describe, expect, it } from '@jest/globals';
import { getter, keysAt } from '../../src/source/paths.js';

/**
 * How paths are written (docs/connectors.md, "Paths"): dots between keys, `.` for the value
 * itself, list positions as numbers, and keys that contain dots found as they are — the longest
 * existing key first — so `@odata.nextLink` is one key and Dropbox's `.tag` is `status..tag`.
 */
const body = {
  '@odata.nextLink': 'https://graph.microsoft.com/v1.0/users?$skiptoken=X',
  status: { '.tag': 'active' },
  '.tag': 'member',
  emails: [{ value: 'ann@example.com', primary: true }],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
  'a.b': 'the key "a.b"',
  a: { b: 'a, then b' },
};

describe('paths', () => {
  it.each([
    ['.', body, []],
    ['status..tag', 'active', ['status', '.tag']],
    ['.tag', 'member', ['.tag']],
    ['@odata.nextLink', body['@odata.nextLink'], ['@odata.nextLink']],
    ['emails.0.value', 'ann@example.com', ['emails', '0', 'value']],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager.value', '26118915-6090-4610-87e4-49d8ca9f808d', ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'manager', 'value']],
    // both exist: the longest existing key wins, so a.b cannot reach a → b here
    ['a.b', 'the key "a.b"', ['a.b']],
  ])('%s', (path, value, keys) => {
    expect(getter(path)(body)).toEqual(value);
    expect(keysAt(path, body)).toEqual(keys);
  });

  it('a path that leads nowhere is undefined, never an error', () => {
    for (const path of ['status.tag', 'status...tag', 'emails.1.value', 'missing.deeper']) {
      expect(getter(path)(body)).toBeUndefined();
      expect(keysAt(path, body)).toBeUndefined();
    }
  });
});
