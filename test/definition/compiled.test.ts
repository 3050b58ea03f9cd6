import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { compiledFile, schemaNames, standaloneSource } from '../../src/definition/compiled.js';
import { validator } from '../../src/definition/schema.js';

describe('schemas compiled ahead of time (schemas/compiled/*.cjs)', () => {
  it.each(schemaNames)('schemas/compiled/%s.cjs is the standalone code of the schema as it is now (run npm run schemas after changing it)', (name) => {
    expect(readFileSync(compiledFile(name), 'utf8')).toBe(standaloneSource(name));
  });

  it('the compiled validator refuses what the schema refuses, with the schema beside each error', () => {
    const validate = validator('mapping');
    expect(validate({ name: 'x', connector: 'slack-users', record_type: 'people', preference: 'sometimes', fields: {} })).toBe(false);
    const error = validate.errors!.find((e) => e.instancePath === '/preference');
    expect(error?.keyword).toBe('enum');
    expect(error?.parentSchema).toBeDefined();
  });
});
