import { describe, expect, it } from '@jest/globals';
import type { ConnectorSpec, FieldType, MappingSpec } from '../../src/definition/model.js';
import { compileMapping } from '../../src/mapping/compile.js';
import { builtinFields } from '../../src/targets/fields.js';
import type { TargetField } from '../../src/targets/target.js';

const connector = {
  id: 'users-api',
  settings: { region: { type: 'string' } },
  fields: Object.fromEntries(
    ([
      ['user_id', 'string'], ['first_name', 'string'], ['last_name', 'string'], ['mail', 'string'], ['upn', 'string'],
      ['status', 'string'], ['enabled', 'boolean'], ['kind', 'string'], ['created', 'datetime'],
    ] as [string, FieldType][]).map(([name, type]) => [name, { label: name, type }]),
  ),
} as unknown as ConnectorSpec;

const targets = new Map<string, TargetField>(builtinFields('people').map((f) => [f.name, f]));
targets.set('app_active', { name: 'app_active', label: 'App Active', type: 'boolean', required: false, custom: true });
targets.set('app_created', { name: 'app_created', label: 'App Created', type: 'datetime', required: false, custom: true });

/** Maps one record with the given field mappings, as a run does; a load-time problem fails the test. */
function map(fields: MappingSpec['fields'], record: Record<string, unknown>) {
  const mapping = { connector: 'users-api', record_type: 'people', preference: 'update_only', sync_key: [{ source: 'user_id', target: 'app_id' }], fields } as MappingSpec;
  const problems: string[] = [];
  const compiled = compileMapping(mapping, connector, { people: targets }, { sync_time: '2026-11-30T02:00:00Z', credential_name: 'prod', settings: { region: 'eu' } }, (at, _c, message) => problems.push(`${at.join('.')}: ${message}`));
  expect(problems).toEqual([]);
  return compiled.map(record);
}

describe('field mapping forms', () => {
  it('template joins fields, trims, and is empty when every part is', () => {
    const fields = { full_name: { template: '{{ first_name }} {{ last_name }}' } };
    expect(map(fields, { first_name: 'Ada', last_name: 'Lovelace' })).toEqual({ full_name: 'Ada Lovelace' });
    expect(map(fields, { first_name: 'Ada', last_name: null })).toEqual({ full_name: 'Ada' });
    expect(map(fields, { first_name: null, last_name: '' })).toEqual({ full_name: null });
    expect(map({ title: { template: '{{ kind }} ({{ settings.region }})' } }, { kind: 'member' })).toEqual({ title: 'member (eu)' });
  });

  it('first_of takes the first field that has a value, then converts it', () => {
    const fields = { email: { first_of: ['mail', 'upn'], convert: 'lowercase' } };
    expect(map(fields, { mail: 'Ada@Contoso.com', upn: 'x@contoso.onmicrosoft.com' })).toEqual({ email: 'ada@contoso.com' });
    expect(map(fields, { mail: '', upn: 'Ada@Contoso.onmicrosoft.com' })).toEqual({ email: 'ada@contoso.onmicrosoft.com' });
    expect(map(fields, { mail: null, upn: null })).toEqual({ email: null });
  });

  it('map looks the value up; "*" covers the rest; default fills an empty value', () => {
    const fields = { status: { source: 'status', map: { ACTIVE: 'Active', SUSPENDED: 'Inactive', '*': 'Other' }, default: 'Unknown' } };
    expect(map(fields, { status: 'ACTIVE' })).toEqual({ status: 'Active' });
    expect(map(fields, { status: 'LOCKED_OUT' })).toEqual({ status: 'Other' });
    expect(map(fields, { status: null })).toEqual({ status: 'Unknown' });
    expect(map({ app_active: { source: 'enabled', map: { true: true, false: false } } }, { enabled: false })).toEqual({ app_active: false });
  });

  it('a value missing from a map without "*" fails the record with the listed values', () => {
    expect(() => map({ status: { source: 'status', map: { ACTIVE: 'Active' } } }, { status: 'STAGED' })).toThrow('field status: "STAGED" is not in the map (ACTIVE); add it, or a "*" entry for every other value');
  });

  it('convert runs before the map', () => {
    expect(map({ status: { source: 'status', convert: 'uppercase', map: { ACTIVE: 'Active', '*': 'Other' } } }, { status: 'active' })).toEqual({ status: 'Active' });
  });

  it('expr values are coerced to the target type', () => {
    expect(map({ app_active: { expr: 'status == "ACTIVE" && enabled' } }, { status: 'ACTIVE', enabled: true })).toEqual({ app_active: true });
    expect(map({ app_created: { expr: 'created' } }, { created: '2015-02-03T01:21:04+01:00' })).toEqual({ app_created: '2015-02-03T00:21:04Z' });
  });

  it('role takes only the target\'s roles, in any case, stored as listed', () => {
    expect(map({ role: { expr: 'kind == "contractor" ? "contractor" : "EMPLOYEE"' } }, { kind: 'contractor' })).toEqual({ role: 'Contractor' });
    expect(() => map({ role: 'kind' }, { kind: 'Superuser' })).toThrow('field role: "Superuser" is not one of Employee, Contractor, Admin');
  });

  it('meta values and constants', () => {
    expect(map({ source: { value: 'Okta' }, title: { meta: 'credential_name' } }, {})).toEqual({ source: 'Okta', title: 'prod' });
  });
});

describe('filters', () => {
  const compile = (filters: MappingSpec['filters']) => {
    const mapping = { connector: 'users-api', record_type: 'people', preference: 'update_only', sync_key: [{ source: 'user_id', target: 'app_id' }], filters, fields: { username: 'user_id' } } as MappingSpec;
    return compileMapping(mapping, connector, { people: targets }, { sync_time: '', credential_name: '', settings: { region: 'eu' } }, (at, _c, message) => {
      throw new Error(`${at.join('.')}: ${message}`);
    });
  };

  it('when: keeps a record when the condition is true; the skip reason is the filter\'s reason, or the condition', () => {
    const named = compile([{ when: 'enabled && kind != "service"', reason: 'disabled or service account' }]);
    expect(named.skipReason({ enabled: true, kind: 'member' })).toBeUndefined();
    expect(named.skipReason({ enabled: false, kind: 'member' })).toBe('filter: disabled or service account');
    const bare = compile([{ when: 'kind != "service"' }]);
    expect(bare.skipReason({ kind: 'service' })).toBe('filter: kind != "service" is false');
  });

  it('a condition that cannot be evaluated for a record throws a reason naming the filter and the empty field', () => {
    const filter = compile([{ when: '!enabled' }]);
    expect(() => filter.skipReason({ enabled: null })).toThrow(/^filter !enabled: .*enabled is empty in this record/);
  });

  it('comparisons and conditions combine; the first that excludes a record gives the reason', () => {
    const filters = compile([{ field: 'kind', not_equals: 'bot', reason: 'bot' }, { when: 'enabled' }]);
    expect(filters.skipReason({ kind: 'bot', enabled: false })).toBe('filter: bot');
    expect(filters.skipReason({ kind: 'member', enabled: false })).toBe('filter: enabled is false');
  });
});
