import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compiledFile, type SchemaName } from './compiled.js';
import type { DefinitionIssue } from '../errors.js';
import { dotted, locate, type SourceFile } from './yaml.js';
import { suggestion } from './suggest.js';

/** The shipped schemas: connector and mapping files, and the config file. */
export type { SchemaName };

const validators = new Map<SchemaName, ValidateFunction>();

/** Reads a shipped JSON schema (schemas/<name>.schema.json) as an object. */
export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(packageRoot(), 'schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

const load = createRequire(import.meta.url);

/**
 * A shipped schema's validator (ajv strict mode, all errors, `type` discriminators), compiled
 * ahead of time: schemas/compiled/<name>.cjs, ajv's standalone code (see ./compiled.ts).
 */
export function validator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const module = load(compiledFile(name)) as { default?: ValidateFunction } & ValidateFunction;
    validate = module.default ?? module;
    validators.set(name, validate);
  }
  return validate;
}

/** Stage 2: validate against the schema; every ajv error becomes an issue with a position and a hint. */
export function validateSchema(name: SchemaName, source: SourceFile): DefinitionIssue[] {
  const validate = validator(name);
  if (validate(source.data)) return [];
  const issues = relevant(validate.errors ?? []).map((error) => toIssue(name, source, error));
  return withoutEchoes(issues).sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A misspelt required key shows up twice (unknown "recrds", missing "records"): keep the first. */
function withoutEchoes(issues: DefinitionIssue[]): DefinitionIssue[] {
  const suggested = new Set(issues.filter((i) => i.code === 'unknown_key').map((i) => `${parentOf(i.path)}|${/"(.*)"\?$/.exec(i.hint ?? '')?.[1]}`));
  return issues.filter((i) => !(i.code === 'missing_key' && suggested.has(`${i.path}|${/"(.*)"$/.exec(i.message)?.[1]}`)));
}

function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut < 0 ? '' : path.slice(0, cut);
}

/**
 * Drops ajv's noise: branch type errors and anyOf/oneOf summaries when a precise error exists.
 * Errors are compared only with those at the same or a deeper path (grouped by path), so a file
 * with thousands of errors is still reported in moments.
 */
function relevant(all: ErrorObject[]): ErrorObject[] {
  const byPath = groupBy(all, (e) => e.instancePath);
  const errors = all.filter((e) => !echoed(e, byPath.get(e.instancePath)!));
  const summary = (e: ErrorObject) => ['type', 'anyOf', 'oneOf'].includes(e.keyword) || isBranchRequired(e);
  const underPrecise = new Set<string>();
  for (const p of errors) {
    if (summary(p) || p.keyword === 'if') continue;
    for (let path = p.instancePath; !underPrecise.has(path); path = path.slice(0, Math.max(0, path.lastIndexOf('/')))) {
      underPrecise.add(path);
      if (path === '') break;
    }
  }
  const kept = errors.filter((e) => !summary(e) || !underPrecise.has(e.instancePath));
  const oneOfAt = new Set(kept.filter((k) => k.keyword === 'oneOf').map((k) => k.instancePath));
  const seen = new Set<string>();
  return kept.filter((e) => {
    const id = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  }).filter((e) => !((isBranchRequired(e) || e.keyword === 'anyOf') && oneOfAt.has(e.instancePath)));
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Errors that repeat another one at the same path (`samePath`): the type or form mismatch of each `anyOf` branch (the anyOf
 * error says it once, unless a branch of the right type has a precise error), a `required: type` beside the discriminator's own error, and a
 * `propertyNames` summary beside the precise error about the name.
 */
function echoed(e: ErrorObject, samePath: ErrorObject[]): boolean {
  const params = e.params as Record<string, unknown>;
  return samePath.some((o) => {
    if (o === e) return false;
    if (o.keyword === 'anyOf' && e.schemaPath.startsWith(`${o.schemaPath}/`)) return e.keyword === 'type' || e.keyword === 'pattern';
    if (e.keyword === 'required' && o.keyword === 'discriminator') return (o.params as Record<string, unknown>).tag === params.missingProperty;
    if (e.keyword === 'propertyNames') return o.propertyName !== undefined;
    return false;
  });
}

/** `required` errors raised inside a `oneOf: [{required: [a]}, {required: [b]}]` choice. */
function isBranchRequired(e: ErrorObject): boolean {
  return e.keyword === 'required' && /\/oneOf\/\d+\/required$/.test(e.schemaPath);
}

function segmentsOf(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function toIssue(name: SchemaName, source: SourceFile, error: ErrorObject): DefinitionIssue {
  const segments = segmentsOf(error.instancePath);
  const described = describe(name, error);
  const extra = described.key ?? described.child ?? error.propertyName;
  const target = extra !== undefined ? [...segments, extra] : segments;
  const { line, col } = locate(source, target, { key: described.key !== undefined || error.propertyName !== undefined });
  return { file: source.file, line, col, code: described.code, path: dotted(target), message: described.message, hint: described.hint };
}

interface Described {
  code: string;
  message: string;
  hint?: string;
  /** the offending key (position of the key itself) */
  key?: string;
  /** a child whose value is at fault (position of the value) */
  child?: string;
}

function describe(name: SchemaName, error: ErrorObject): Described {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent.properties as object) ?? {});
      return { code: 'unknown_key', key, message: `unknown key "${key}"`, hint: suggestion(key, known) };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const property = ((parent.properties as Record<string, Record<string, unknown>>) ?? {})[key];
      const about = property?.description ? ` (${String(property.description)})` : '';
      return { code: 'missing_key', message: `missing required key "${key}"`, hint: `add "${key}:"${about}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return { code: 'invalid_value', message: `${JSON.stringify(error.data)} is not allowed`, hint: suggestion(String(error.data), allowed) };
    }
    case 'discriminator': {
      const allowed = discriminatorValues(name, parent);
      if (params.error === 'mapping') {
        return { code: 'unknown_type', child: String(params.tag), message: `unknown type ${JSON.stringify(params.tagValue)}`, hint: suggestion(String(params.tagValue), allowed) };
      }
      return { code: 'missing_key', message: 'missing required key "type"', hint: `add "type:" with one of ${allowed.join(', ')}` };
    }
    case 'oneOf': {
      const choices = ((parent.oneOf as { required?: string[] }[]) ?? []).flatMap((b) => b.required ?? []);
      return { code: 'ambiguous', message: `needs exactly one of ${choices.join(', ')}`, hint: `keep one of ${choices.join(', ')}` };
    }
    case 'anyOf':
      return { code: 'wrong_type', message: `${kindOf(error.data)} does not fit here`, hint: hintFrom(parent) };
    case 'type':
      return { code: 'wrong_type', message: `must be ${String(params.type).replace(/,/g, ' or ')}, found ${kindOf(error.data)}`, hint: hintFrom(parent) };
    case 'pattern':
      return { code: 'invalid_value', message: `${JSON.stringify(error.data)} has the wrong form`, hint: hintFrom(parent) };
    default:
      return { code: 'invalid_value', message: error.message ?? 'invalid value', hint: hintFrom(parent) };
  }
}

/** The `type` values a discriminated `oneOf` accepts, read from its `$ref` branches. */
function discriminatorValues(name: SchemaName, schema: Record<string, unknown>): string[] {
  const branches = (schema.oneOf as { $ref?: string }[]) ?? [];
  const root = readSchema(name);
  return branches.map((b) => {
    const name = b.$ref?.split('/').pop() ?? '';
    const def = ((root.$defs as Record<string, { properties?: { type?: { const?: string } } }>) ?? {})[name];
    return def?.properties?.type?.const ?? name;
  });
}

function hintFrom(schema: Record<string, unknown>): string | undefined {
  const parts = [schema.description ? String(schema.description) : undefined];
  const examples = schema.examples as unknown[] | undefined;
  if (examples?.length) parts.push(`example: ${JSON.stringify(examples[0])}`);
  const text = parts.filter(Boolean).join(' — ');
  return text || undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
