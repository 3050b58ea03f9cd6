import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../paths.js';
import { readSchema, type SchemaName } from './schema.js';

type Schema = Record<string, unknown>;

/**
 * The reference of a file format, generated from its JSON schema (the single source of truth):
 * one section per object — the file itself and each definition — with a row per key.
 * `npm run docs` writes docs/reference/<name>.md; a test checks the committed files are current.
 */
export function schemaReference(name: SchemaName): string {
  const root = readSchema(name);
  const defs = (root.$defs ?? {}) as Record<string, Schema>;
  const out = [
    `# ${String(root.title)} reference`,
    '',
    `Generated from [schemas/${name}.schema.json](../../schemas/${name}.schema.json) by \`npm run docs\`; do not edit by hand.`,
    '',
    String(root.description),
    '',
    ...section(`The ${name} file`, root, defs),
  ];
  for (const [id, def] of Object.entries(defs)) {
    if (def.properties || def.oneOf || def.anyOf) out.push(...section(`\`${id}\`: ${String(def.title ?? id)}`, def, defs, id));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function section(title: string, schema: Schema, defs: Record<string, Schema>, anchor?: string, prefix = ''): string[] {
  const lines = [`## ${title}`, ''];
  if (anchor) lines.splice(0, 0, `<a id="${anchor}"></a>`, '');
  if (schema.description && anchor) lines.push(String(schema.description), '');
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (choices && !schema.properties) {
    lines.push(`One of: ${choices.map((c) => describeType(c, defs)).join(' · ')}`, '');
    const object = choices.find((c) => c.properties);
    if (!object) return lines;
    schema = object;
  }
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  if (!Object.keys(properties).length) return lines;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  lines.push('| key | type | required | description |', '|---|---|---|---|');
  for (const [key, property] of Object.entries(properties)) {
    const resolved = property.$ref ? { ...defs[refName(property.$ref)], ...property } : property;
    const parts = [String(resolved.description ?? resolved.title ?? '')];
    if (resolved.default !== undefined) parts.push(`Default: \`${JSON.stringify(resolved.default)}\`.`);
    const examples = resolved.examples as unknown[] | undefined;
    if (examples?.length) parts.push(`Example: \`${JSON.stringify(examples[0])}\`.`);
    lines.push(`| \`${prefix}${key}\` | ${describeType(property, defs)} | ${required.has(key) ? 'yes' : ''} | ${parts.join(' ').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
  }
  const extra = schema.additionalProperties as Schema | undefined;
  if (extra && typeof extra === 'object') lines.push(`| *any name* | ${describeType(extra, defs)} | | ${String(extra.description ?? '')} |`);
  lines.push('');
  for (const [key, property] of Object.entries(properties)) {
    const inner = property.type === 'object' && property.properties ? property : (property.items as Schema | undefined)?.properties ? (property.items as Schema) : undefined;
    if (inner) lines.push(...section(`\`${prefix}${key}\``, inner, defs, undefined, `${prefix}${key}.`).map((l) => l.replace(/^## /, '### ')));
  }
  return lines;
}

function describeType(schema: Schema, defs: Record<string, Schema>): string {
  if (schema.$ref) return `[${refName(schema.$ref)}](#${refName(schema.$ref)})`;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return (schema.enum as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (choices) return choices.map((c) => describeType(c, defs)).join(' or ');
  if (schema.type === 'array') return `list of ${schema.items ? describeType(schema.items as Schema, defs) : 'values'}`;
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') return `map of ${describeType(schema.additionalProperties as Schema, defs)}`;
  return [schema.type].flat().filter(Boolean).join(' \\| ') || (schema.required ? `with \`${(schema.required as string[]).join('`, `')}\`` : 'value');
}

function refName(ref: unknown): string {
  return String(ref).split('/').pop() ?? String(ref);
}

/** Where the generated reference of a schema lives. */
export function referenceFile(name: SchemaName): string {
  return join(packageRoot(), 'docs', 'reference', `${name}.md`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--write')) {
  for (const name of ['connector', 'mapping'] as const) writeFileSync(referenceFile(name), schemaReference(name));
}
