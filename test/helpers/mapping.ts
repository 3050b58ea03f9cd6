import type { ConnectorSpec, FieldType, MappingSpec } from '../../src/definition/model.js';
import { compileMapping, type CompiledMapping } from '../../src/mapping/compile.js';

/** A connector with these fields (each labelled with its name), as a mapping test needs one: no requests, no pagination. */
export function connectorOf(id: string, fields: Record<string, FieldType>): ConnectorSpec {
  return { id, fields: Object.fromEntries(Object.entries(fields).map(([name, type]) => [name, { label: name, type }])) } as unknown as ConnectorSpec;
}

/**
 * A mapping compiled as a run compiles it, against People fields of these types (custom, not
 * required); a problem in it is a mistake in the test, thrown with its YAML path.
 */
export function compiledMapping(spec: MappingSpec, connector: ConnectorSpec, people: Record<string, FieldType>): CompiledMapping {
  const targets = new Map(Object.entries(people).map(([name, type]) => [name, { name, label: name, type, required: false, custom: false }]));
  return compileMapping(spec, connector, { people: targets }, { sync_time: '2026-01-01T00:00:00Z', credential_name: 'test', settings: {} }, (at, _code, message) => {
    throw new Error(`test mapping: ${at.join('.')}: ${message}`);
  });
}
