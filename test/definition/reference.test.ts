import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { referenceFile, schemaReference } from '../../src/definition/reference.js';
import { readSchema } from '../../src/definition/schema.js';

describe('docs/reference', () => {
  it.each(['connector', 'mapping'] as const)('docs/reference/%s.md is the reference generated from the schema (run npm run docs after changing it)', (name) => {
    expect(readFileSync(referenceFile(name), 'utf8')).toBe(schemaReference(name));
  });

  it('documents every component type the connector schema declares', () => {
    const reference = schemaReference('connector');
    const defs = readSchema('connector').$defs as Record<string, { properties?: { type?: { const?: string } } }>;
    const types = Object.values(defs).map((d) => d.properties?.type?.const).filter((t): t is string => Boolean(t));
    expect(types.length).toBeGreaterThanOrEqual(11);
    for (const type of types) expect(reference).toContain(`\`"${type}"\``);
  });
});
