import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateFiles } from '../../src/definition/load.js';
import { readSchema, validator } from '../../src/definition/schema.js';

const root = join(import.meta.dirname, '..', '..');
const yamlIn = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(root, dir, f));

/** Every property schema (under `properties`) with its JSON pointer. */
function properties(node: unknown, pointer = '#'): [string, Record<string, unknown>][] {
  if (!node || typeof node !== 'object') return [];
  const found: [string, Record<string, unknown>][] = [];
  for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'properties' && child && typeof child === 'object') {
      for (const [name, schema] of Object.entries(child as Record<string, Record<string, unknown>>)) found.push([`${pointer}/properties/${name}`, schema]);
    }
    found.push(...properties(child, `${pointer}/${key}`));
  }
  return found;
}

describe('shipped schemas and definitions', () => {
  it.each(['connector', 'mapping'] as const)('the %s schema compiles in ajv strict mode', (name) => {
    expect(() => validator(name)).not.toThrow();
  });

  it.each(['connector', 'mapping'] as const)('every property of the %s schema has a title and a description', (name) => {
    const missing = properties(readSchema(name)).filter(([, s]) => !s.$ref && (!s.title || !s.description)).map(([p]) => p);
    expect(missing).toEqual([]);
  });

  it('every connector and mapping in the repository validates', () => {
    const files = [...yamlIn('connectors'), ...yamlIn('mappings')];
    expect(files.length).toBeGreaterThanOrEqual(4);
    const invalid = validateFiles(files).filter((r) => r.issues.length);
    expect(invalid).toEqual([]);
  });
});
