import { describe, expect, it } from '@jest/globals';
import type { ConnectorSpec, FieldSpec, MappingSpec } from '../../src/definition/model.js';
import { compileMapping } from '../../src/mapping/compile.js';
import { compileExtract } from '../../src/source/extract.js';
import type { TargetField } from '../../src/targets/target.js';

/**
 * Regression (issue 7, item 3): implausible values were written — epoch milliseconds read as
 * seconds became year 47060, [1] became 1970-01-01T00:00:01Z, "0x10" became 16. Each now fails
 * the record with a reason naming the field.
 */
const fields: Record<string, FieldSpec> = {
  user_id: { label: 'User Id', type: 'string' },
  last_used: { label: 'Last Used', type: 'datetime', format: 'unix_seconds' },
  seen: { label: 'Seen', type: 'datetime', format: 'iso8601' },
  logins: { label: 'Logins', type: 'integer' },
  score: { label: 'Score', type: 'number' },
};
const extract = compileExtract(fields, 'user_id');
const failure = (raw: Record<string, unknown>) => {
  const item = extract({ user_id: 'U1', ...raw }, 'record 1');
  return 'failed' in item ? item.failed : undefined;
};

describe('odd values read from an API fail the record, naming the field', () => {
  it.each([
    [{ last_used: [1] }, /^field last_used: \[1\] is not an epoch timestamp/],
    [{ last_used: '0x10' }, /^field last_used: "0x10" is not an epoch timestamp/],
    [{ last_used: true }, /^field last_used: true is not an epoch timestamp/],
    [{ seen: 20150203 }, /^field seen: expected a date and time as text, found 20150203/],
    [{ seen: ['2015-02-03'] }, /^field seen: expected a date and time as text/],
    [{ logins: '0x10' }, /^field logins: expected an integer, found "0x10"/],
    [{ logins: '0b11' }, /^field logins: expected an integer/],
    [{ score: 'Infinity' }, /^field score: expected a number, found "Infinity"/],
    [{ score: { value: 1 } }, /^field score: expected a number/],
  ])('%j', (raw, reason) => {
    expect(failure(raw)).toMatch(reason);
  });

  it('plain decimal numbers, as text or numbers, still read', () => {
    expect(extract({ user_id: 'U1', last_used: '1422923264', logins: ' 42 ', score: '-1.5e1' }, 'r')).toEqual({
      record: { user_id: 'U1', last_used: '2015-02-03T00:27:44Z', seen: null, logins: 42, score: -15 },
    });
  });
});

describe('an implausible datetime fails the record unless the mapping allows any date', () => {
  const connector = { id: 'c', fields } as unknown as ConnectorSpec;
  const target = (name: string): TargetField => ({ name, label: name, type: 'datetime', required: false, custom: true });
  const compile = (spec: MappingSpec['fields']) => {
    const mapping = { connector: 'c', record_type: 'people', preference: 'update_only', sync_key: [{ source: 'user_id', target: 'k' }], fields: spec } as MappingSpec;
    const problems: string[] = [];
    const compiled = compileMapping(mapping, connector, { people: new Map([['app_last_login', target('app_last_login')], ['app_born', target('app_born')], ['app_name', { ...target('app_name'), type: 'string' }]]) }, { sync_time: '', credential_name: '', settings: {} }, (at, code, message) => problems.push(`${at.join('.')} ${code}: ${message}`));
    return { compiled, problems };
  };

  it('epoch milliseconds read as seconds (year 47060) fail, naming the field and the likely cause', () => {
    const extracted = extract({ user_id: 'U1', last_used: 1422923264000 }, 'r');
    expect('record' in extracted && extracted.record.last_used).toMatch(/^\+047060-/);
    const { compiled } = compile({ app_last_login: 'last_used' });
    expect(() => compiled.map((extracted as { record: Record<string, unknown> }).record)).toThrow(/^field app_last_login: \+047060-.* is not a plausible date \(outside 1970–2200; epoch milliseconds read as seconds\?\)/);
  });

  it('any_date: true accepts it; 1970 and 2200 themselves are plausible', () => {
    const { compiled, problems } = compile({ app_born: { source: 'seen', any_date: true }, app_last_login: 'last_used' });
    expect(problems).toEqual([]);
    expect(compiled.map({ seen: '1958-06-01T00:00:00Z', last_used: '1970-01-01T00:00:00Z' })).toEqual({ app_born: '1958-06-01T00:00:00Z', app_last_login: '1970-01-01T00:00:00Z' });
    expect(compiled.map({ seen: null, last_used: '2200-12-31T23:59:59Z' }).app_last_login).toBe('2200-12-31T23:59:59Z');
  });

  it('an implausible constant is a load-time error; any_date on a non-datetime field is modifier_unused', () => {
    expect(compile({ app_born: { value: '1958-06-01T00:00:00Z' } }).problems).toEqual([expect.stringMatching(/^fields.app_born.value type_mismatch: .*not a plausible date/)]);
    expect(compile({ app_born: { value: '1958-06-01T00:00:00Z', any_date: true } }).problems).toEqual([]);
    expect(compile({ app_name: { source: 'user_id', any_date: true } }).problems).toEqual(['fields.app_name.any_date modifier_unused: any_date applies to datetime fields, and app_name is string']);
  });
});
