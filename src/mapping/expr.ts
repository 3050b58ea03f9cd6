import { Environment, type ASTNode, type TypeCheckResult } from '@marcbachmann/cel-js';
import type { FieldType, SettingSpec } from '../definition/model.js';
import { nearest } from '../definition/suggest.js';
import type { SourceRecord } from '../source/types.js';
import { epochToIso } from './converters/index.js';
import type { ValueType } from './types.js';

/**
 * Expressions in CEL (Common Expression Language, as in Kubernetes and Google IAM): no `eval`,
 * no loops, no I/O; an expression sees only the record's fields, `meta` and `settings`.
 *
 * ```yaml
 * fields:
 *   okta_active: { expr: 'status == "ACTIVE"' }
 *   email:       { expr: 'mail != null ? mail : user_principal_name' }
 * filters:
 *   - { when: '!deleted && !is_bot', reason: deleted user or bot }
 * ```
 * Every connector field is a variable of its type (null when the record lacks it):
 * string → string, integer → int, number → double, boolean → bool, datetime → timestamp.
 * `meta.sync_time` (timestamp), `meta.credential_name` (string) and `settings.<name>` too.
 * An expression is parsed and type-checked once, at load; it runs per record.
 */
export interface ExprScope {
  /** connector fields by name */
  fields: ReadonlyMap<string, FieldType>;
  /** connector settings by name */
  settings: Readonly<Record<string, Pick<SettingSpec, 'type'>>>;
}

/** The run values an expression may read. */
export interface ExprMeta {
  sync_time: string;
  credential_name: string;
  settings: Record<string, unknown>;
}

export interface CompiledExpr {
  /** the static type of the result */
  readonly type: ValueType;
  /** the connector fields the expression reads */
  readonly refs: string[];
  /** the value for one record: numbers as numbers, timestamps as ISO-8601 UTC; throws with a plain reason */
  evaluate(record: SourceRecord): unknown;
}

/** A load-time problem in an expression, with its offset inside the expression text. */
export class ExprError extends Error {
  constructor(readonly code: string, message: string, readonly offset: number, readonly hint?: string) {
    super(message);
  }
}

/**
 * CEL's name for its timestamp type, as CEL itself gives it (a standard type of the language, not a
 * vendor's rule), with the CEL types of fields and of `meta`. Asked for when a mapping has an
 * expression, not as Intake starts: the check builds an environment of CEL's whole library.
 */
let types: { timestamp: string; fields: Record<FieldType, string>; meta: Record<string, string> } | undefined;
function celTypes(): NonNullable<typeof types> {
  if (types) return types;
  const timestamp = new Environment().check('timestamp("1970-01-01T00:00:00Z")').type!;
  return (types = {
    timestamp,
    fields: { string: 'string', integer: 'int', number: 'double', boolean: 'bool', datetime: timestamp },
    meta: { sync_time: timestamp, credential_name: 'string' },
  });
}
const reserved = new Set(['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import', 'in', 'let', 'loop', 'package', 'namespace', 'null', 'return', 'true', 'var', 'void', 'while', 'meta', 'settings']);

interface Environments {
  /** typed variables, for the load-time check */
  checked: Environment;
  /** the same variables as `dyn`, for evaluation: a field may be null in any record */
  dynamic: Environment;
}

const environments = new WeakMap<ExprScope, Environments>();

function environmentsFor(scope: ExprScope): Environments {
  let envs = environments.get(scope);
  if (envs) return envs;
  const checked = new Environment({ homogeneousAggregateLiterals: false })
    .registerType('Meta', { fields: celTypes().meta })
    .registerType('Settings', { fields: Object.fromEntries(Object.entries(scope.settings).map(([name, s]) => [name, settingCelType(s.type)])) })
    .registerVariable('meta', 'Meta')
    .registerVariable('settings', 'Settings');
  const dynamic = new Environment({ homogeneousAggregateLiterals: false }).registerVariable('meta', 'dyn').registerVariable('settings', 'dyn');
  for (const [name, type] of scope.fields) {
    if (reserved.has(name)) continue;
    checked.registerVariable(name, celTypes().fields[type]);
    dynamic.registerVariable(name, 'dyn');
  }
  // A field is null when the record lacks it, so `field == null` must type-check for every type.
  for (const type of Object.values(celTypes().fields)) checked.registerOperator(`${type} == null`, (a: unknown) => a === null);
  envs = { checked, dynamic };
  environments.set(scope, envs);
  return envs;
}

function settingCelType(type: SettingSpec['type']): string {
  return type === 'integer' ? 'int' : type === 'number' ? 'double' : type === 'boolean' ? 'bool' : 'string';
}

/** Parses and type-checks an expression; throws `ExprError` (with the offset of the fault) when it is wrong. */
export function compileExpr(text: string, scope: ExprScope, meta: ExprMeta): CompiledExpr {
  const envs = environmentsFor(scope);
  if (text.length > maxExprLength) throw new ExprError('expr_too_long', `the expression is ${text.length} characters long; at most ${maxExprLength} are allowed`, maxExprLength, 'split it: compute parts in other fields, or use map: and first_of:');
  let program: ReturnType<Environment['parse']>;
  try {
    program = envs.dynamic.parse(text);
  } catch (error) {
    throw explain(error as CelError, text, scope);
  }
  checkDepth(program.ast);
  checkMemberNames(program.ast, scope);
  let result: TypeCheckResult;
  try {
    result = envs.checked.check(text);
  } catch (error) {
    throw explain(error as CelError, text, scope);
  }
  if (!result.valid) throw explain(result.error!, text, scope);
  checkConstants(program.ast, text, envs.dynamic);
  const type = valueType(result.type!);
  if (!type) throw new ExprError('expr_type', `the expression gives ${result.type}, which no field can store`, 0, 'make it give one value: text, a number, a boolean or a timestamp');
  const refs = [...new Set(identifiers(program.ast))].filter((name) => scope.fields.has(name));
  const readers = refs.map((name) => [name, celValue(scope.fields.get(name)!)] as const);
  const context: Record<string, unknown> = { meta: { sync_time: new Date(meta.sync_time), credential_name: meta.credential_name }, settings: celSettings(meta.settings, scope) };
  return {
    type,
    refs,
    evaluate(record) {
      for (const [name, read] of readers) {
        const value = record[name];
        context[name] = value === null || value === undefined ? null : read(value);
      }
      let value: unknown;
      try {
        value = program(context);
      } catch (error) {
        const summary = (error as CelError).summary ?? (error as Error).message;
        throw new Error(`${summary.replace(/dyn<(\w+)>/g, '$1')}${emptyNote(refs, record)}`);
      }
      return jsValue(value);
    },
  };
}

/** Turns the library's first error into one the user can act on, with the nearest name for an unknown one. */
interface CelError {
  name?: string;
  code?: string;
  summary?: string;
  message: string;
  range?: { start: number };
}

function explain(error: CelError, text: string, scope: ExprScope): ExprError {
  if (error instanceof RangeError) return tooDeep(0);
  const offset = error.range?.start ?? 0;
  const summary = error.summary ?? error.message;
  if (error.code === 'unknown_variable') {
    const name = /Unknown variable: (\S+)/.exec(summary)?.[1] ?? text.slice(offset);
    const near = nearest(name, [...scope.fields.keys(), 'meta', 'settings']);
    return new ExprError('unknown_field', `"${name}" is not a field of the connector`, offset, near ? `did you mean "${near}"?` : `variables: ${[...scope.fields.keys()].join(', ')}, meta, settings`);
  }
  if (error.code === 'incompatible_ternary_branches') {
    return new ExprError('expr_type', summary, offset, 'give both branches the same type; for "no value" use "" (an empty text is stored as empty)');
  }
  if (error.code === 'no_such_overload') {
    return new ExprError('expr_type', summary, offset, 'CEL does not mix types: compare text with text, int with int (1), double with double (1.0); convert with string(), int(), double()');
  }
  const parse = error.name === 'ParseError';
  return new ExprError(parse ? 'expr_syntax' : 'expr_type', summary, offset, parse ? 'CEL syntax: == != && || ! ?: + in, "text" in double quotes, e.g. status == "ACTIVE"' : undefined);
}

/** Expressions are one line of logic: past these the mapping is unreadable, and the parser, checker and evaluator (which recurse) are at risk. 250 levels is CEL's own parser limit. */
const maxExprLength = 10_000;
const maxExprDepth = 250;

function tooDeep(offset: number): ExprError {
  return new ExprError('expr_too_deep', `the expression nests more than ${maxExprDepth} levels deep`, offset, 'split it: compute parts in other fields, or use map: and first_of:');
}

/** Refuses an expression whose tree is deeper than `maxExprDepth` (measured without recursion: the tree may be thousands deep). */
function checkDepth(ast: ASTNode): void {
  const stack: [unknown, number][] = [[ast, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (Array.isArray(node)) {
      for (const child of node) stack.push([child, depth]);
    } else if (node && typeof node === 'object' && 'op' in node) {
      if (depth > maxExprDepth) throw tooDeep((node as ASTNode).start);
      stack.push([(node as ASTNode).args, depth + 1]);
    }
  }
}

/**
 * What fails for every record fails at load instead: a `matches()` pattern that is not a valid
 * regular expression, and a part without variables that cannot be evaluated
 * (`timestamp("2025-13-01")`, `int("abc")`, `1 / 0`).
 */
function checkConstants(ast: ASTNode, text: string, env: Environment): void {
  visitUntil(ast, (node) => {
    const pattern = regexArgument(node);
    if (pattern) {
      try {
        new RegExp(pattern.args as string);
      } catch (error) {
        throw new ExprError('invalid_regex', `the pattern ${text.slice(pattern.start, pattern.end)} is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, pattern.start, 'matches() takes a JavaScript regular expression: no (?i) flags (use lowerAscii() first), and escape \\ . ( ) [ ]');
      }
    }
    if (node.op === 'value' || identifiers(node).length) return false;
    try {
      env.parse(text.slice(node.start, node.end))({});
    } catch (error) {
      const summary = (error as CelError).summary ?? (error as Error).message;
      throw new ExprError('expr_constant', `${text.slice(node.start, node.end)} fails for every record: ${summary}`, node.start, 'fix the constant (timestamp() takes ISO-8601 text such as "2025-01-31T00:00:00Z")');
    }
    return true;
  });
}

/** The string literal given as the pattern of `x.matches("…")` or `matches(x, "…")`, if there is one. */
function regexArgument(node: ASTNode): ASTNode | undefined {
  const args = node.args as unknown[];
  if (node.op === 'rcall' && args[0] === 'matches') return literal((args[2] as ASTNode[])?.[0]);
  if (node.op === 'call' && args[0] === 'matches') return literal((args[1] as ASTNode[])?.[1]);
  return undefined;
}

function literal(node: ASTNode | undefined): ASTNode | undefined {
  return node?.op === 'value' && typeof node.args === 'string' ? node : undefined;
}

/** Visits nodes top-down; `fn` returning true skips the node's children. */
function visitUntil(node: unknown, fn: (node: ASTNode) => boolean): void {
  if (Array.isArray(node)) {
    for (const child of node) visitUntil(child, fn);
    return;
  }
  if (!node || typeof node !== 'object' || !('op' in node)) return;
  if (!fn(node as ASTNode)) visitUntil((node as ASTNode).args, fn);
}

/** `meta.<name>` and `settings.<name>` must name a known value (CEL would only find out per record). */
function checkMemberNames(ast: ASTNode, scope: ExprScope): void {
  visit(ast, (node) => {
    if (node.op !== '.') return;
    const [object, member] = node.args as [ASTNode, string];
    if (object.op !== 'id') return;
    const known = object.args === 'meta' ? Object.keys(celTypes().meta) : object.args === 'settings' ? Object.keys(scope.settings) : undefined;
    if (known && !known.includes(member)) {
      const near = nearest(member, known);
      throw new ExprError(object.args === 'meta' ? 'unknown_meta' : 'unknown_setting', `"${member}" is not one of ${object.args}: ${known.join(', ') || 'none'}`, node.range.end - member.length, near ? `did you mean "${object.args}.${near}"?` : undefined);
    }
  });
}

function identifiers(ast: ASTNode): string[] {
  const names: string[] = [];
  visit(ast, (node) => {
    if (node.op === 'id') names.push(node.args as string);
  });
  return names;
}

function visit(node: unknown, fn: (node: ASTNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, fn);
    return;
  }
  if (!node || typeof node !== 'object' || !('op' in node)) return;
  fn(node as ASTNode);
  visit((node as ASTNode).args, fn);
}

function valueType(cel: string): ValueType | undefined {
  if (cel === celTypes().timestamp) return 'datetime';
  switch (cel) {
    case 'string':
      return 'string';
    case 'int':
    case 'uint':
      return 'integer';
    case 'double':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'null':
      return 'null';
    case 'dyn':
      return 'any';
    default:
      return undefined;
  }
}

/** A source value as CEL wants it: integers as int (bigint), datetimes as timestamps. */
function celValue(type: FieldType): (value: unknown) => unknown {
  if (type === 'integer') return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v);
  if (type === 'datetime') return (v) => new Date(String(v));
  return (v) => v;
}

function celSettings(values: Record<string, unknown>, scope: ExprScope): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, scope.settings[name]?.type === 'integer' && typeof v === 'number' ? BigInt(v) : v]));
}

/** A CEL result as a plain value a target field can store. */
function jsValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return epochToIso(value.getTime());
  if (value !== null && typeof value === 'object') {
    if ('value' in value && typeof (value as { value: unknown }).value === 'bigint') return Number((value as { value: bigint }).value);
    throw new Error(`the expression gave ${Array.isArray(value) ? 'a list' : 'a map'}, not one value`);
  }
  return value;
}

/** " (first_name is empty)" when fields the expression reads are null in this record: the usual cause. */
function emptyNote(refs: string[], record: SourceRecord): string {
  const empty = refs.filter((name) => record[name] === null || record[name] === undefined);
  return empty.length ? ` (${empty.join(', ')} ${empty.length === 1 ? 'is' : 'are'} empty in this record)` : '';
}
