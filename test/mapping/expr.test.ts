import { describe, expect, it } from '@jest/globals';
import type { FieldType } from '../../src/definition/model.js';
import { compileExpr, ExprError, type ExprScope } from '../../src/mapping/expr.js';

/** The fields of a user API as a connector declares them (Okta, Graph, Zendesk-like names). */
const scope: ExprScope = {
  fields: new Map<string, FieldType>([
    ['status', 'string'], ['deleted', 'boolean'], ['active', 'boolean'], ['suspended', 'boolean'],
    ['mail', 'string'], ['user_principal_name', 'string'], ['first_name', 'string'], ['last_name', 'string'],
    ['login_count', 'integer'], ['score', 'number'], ['last_login', 'datetime'],
  ]),
  settings: { page_size: { type: 'integer' }, region: { type: 'string' } },
};
const meta = { sync_time: '2026-11-30T02:00:00Z', credential_name: 'okta-prod', settings: { page_size: 200, region: 'eu' } };
const run = (text: string, record: Record<string, unknown>) => compileExpr(text, scope, meta).evaluate(record);

function compileError(text: string): ExprError {
  try {
    compileExpr(text, scope, meta);
  } catch (error) {
    if (error instanceof ExprError) return error;
    throw error;
  }
  throw new Error(`expected ${text} not to compile`);
}

describe('CEL expressions in mappings', () => {
  it.each([
    ['status == "ACTIVE"', { status: 'ACTIVE' }, true],
    ['status == "ACTIVE"', { status: 'SUSPENDED' }, false],
    ['!deleted', { deleted: false }, true],
    ['active && !suspended', { active: true, suspended: true }, false],
    ['active && !suspended', { active: true, suspended: false }, true],
    ['mail != null ? mail : user_principal_name', { mail: null, user_principal_name: 'ada@contoso.com' }, 'ada@contoso.com'],
    ['mail != null ? mail : user_principal_name', { mail: 'ada@contoso.com', user_principal_name: 'x@contoso.onmicrosoft.com' }, 'ada@contoso.com'],
    ['first_name + " " + last_name', { first_name: 'Ada', last_name: 'Lovelace' }, 'Ada Lovelace'],
  ])('%s on %j gives %j', (text, record, expected) => {
    expect(run(text, record)).toEqual(expected);
  });

  it('reports its static type and the fields it reads', () => {
    const compiled = compileExpr('active && !suspended', scope, meta);
    expect(compiled.type).toBe('boolean');
    expect(compiled.refs.sort()).toEqual(['active', 'suspended']);
    expect(compileExpr('first_name + " " + last_name', scope, meta).type).toBe('string');
  });

  it('integers are ints, datetimes are timestamps, and results come back as plain values', () => {
    expect(run('login_count + 1', { login_count: 41 })).toBe(42);
    expect(compileExpr('login_count + 1', scope, meta).type).toBe('integer');
    expect(run('score * 2.0', { score: 1.25 })).toBe(2.5);
    expect(run('last_login > timestamp("2020-01-01T00:00:00Z")', { last_login: '2021-06-01T10:00:00Z' })).toBe(true);
    expect(run('last_login', { last_login: '2021-06-01T10:00:00Z' })).toBe('2021-06-01T10:00:00Z');
    expect(compileExpr('last_login', scope, meta).type).toBe('datetime');
  });

  it('meta and settings are variables too', () => {
    expect(run('meta.credential_name + "/" + settings.region', {})).toBe('okta-prod/eu');
    expect(run('settings.page_size * 2', {})).toBe(400);
    expect(run('meta.sync_time', {})).toBe('2026-11-30T02:00:00Z');
  });

  it('a null field in an operation fails with a reason that names the empty field', () => {
    expect(() => run('first_name + " " + last_name', { first_name: null, last_name: 'Lovelace' })).toThrow(/first_name is empty in this record/);
    expect(() => run('!deleted', {})).toThrow(/deleted is empty/);
  });

  it('an unknown field is unknown_field at its offset, with the nearest name', () => {
    const error = compileError('active && !suspendd');
    expect(error).toMatchObject({ code: 'unknown_field', offset: 11, hint: 'did you mean "suspended"?' });
  });

  it('a syntax error points at the place the parser stopped', () => {
    const error = compileError('status == "ACTIVE" &&');
    expect(error.code).toBe('expr_syntax');
    expect(error.offset).toBe('status == "ACTIVE" &&'.length);
  });

  it('mixed types are refused at load, with a hint on how to convert', () => {
    const error = compileError('login_count == "3"');
    expect(error.code).toBe('expr_type');
    expect(error.message).toMatch(/int == string/);
    expect(error.hint).toMatch(/string\(\), int\(\)/);
  });

  it('an unknown meta value or setting is named with the nearest one', () => {
    expect(compileError('meta.synctime')).toMatchObject({ code: 'unknown_meta', offset: 5, hint: 'did you mean "meta.sync_time"?' });
    expect(compileError('settings.regoin == "eu"')).toMatchObject({ code: 'unknown_setting', offset: 9, hint: 'did you mean "settings.region"?' });
  });

  it('a list result cannot be stored in a field', () => {
    expect(compileError('[first_name, last_name]')).toMatchObject({ code: 'expr_type' });
  });

  it('has no way out of the record: no globals, no functions beyond CEL', () => {
    expect(compileError('process.exit(1)').code).toBe('unknown_field');
    expect(['expr_type', 'expr_syntax', 'unknown_field']).toContain(compileError('require("fs")').code);
  });
});
