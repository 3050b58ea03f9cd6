import { describe, expect, it } from '@jest/globals';
import { envelope } from '../../../src/cli/preview/report.js';

/** The body around the records, as preview shows it: every key whole, the records list replaced by a count. */
describe('envelope', () => {
  it('a bare list is just the count', () => {
    expect(envelope([{ id: 1 }, { id: 2 }], '.', 2)).toBe('[… 2 records]');
  });

  it('nested records: the keys around them at every level stay, the body itself is not changed', () => {
    const body = { data: { users: [{ id: 1 }], page: { next: 'n2' } }, meta: { total_count: 40 } };
    expect(envelope(body, 'data.users', 1)).toEqual({ data: { users: '[… 1 records]', page: { next: 'n2' } }, meta: { total_count: 40 } });
    expect(body.data.users).toEqual([{ id: 1 }]);
  });

  it('records under a key with dots (found as paths find it) and paging keys with dots beside them', () => {
    const body = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users', '@odata.nextLink': 'https://graph.microsoft.com/v1.0/users?$skiptoken=X', value: [{ id: 'a' }] };
    expect(envelope(body, 'value', 1)).toEqual({ ...body, value: '[… 1 records]' });
    expect(envelope({ 'urn:x:1.0:Users': [{}], totalResults: 1 }, 'urn:x:1.0:Users', 1)).toEqual({ 'urn:x:1.0:Users': '[… 1 records]', totalResults: 1 });
  });

  it('no list at the path (records_missing: empty): the body as it came', () => {
    const body = { kind: 'admin#directory#users', etag: '"x"' };
    expect(envelope(body, 'users', 0)).toEqual(body);
  });
});
