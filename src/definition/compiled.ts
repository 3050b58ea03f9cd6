import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import type standaloneModule from 'ajv/dist/standalone/index.js';
import { packageRoot } from '../paths.js';

// ajv itself (about 60 CommonJS modules) is loaded only to compile or generate: a run or `intake validate`
// needs only compiledFile(), and the compiled validators require ajv's small runtime helpers themselves
const load = createRequire(import.meta.url);

/**
 * The shipped schemas compiled ahead of time with ajv's standalone code: a run or `intake
 * validate` loads `schemas/compiled/<name>.cjs` (plain JavaScript, a few milliseconds) instead
 * of compiling the schema at start-up (about 0.4 s for the connector schema). The files are
 * checked in; `npm run schemas` writes them after a schema changes, and a test
 * (test/definition/compiled.test.ts) fails while one is stale.
 */
export type SchemaName = 'connector' | 'mapping' | 'config';

export const schemaNames: readonly SchemaName[] = ['connector', 'mapping', 'config'];

/** ajv's options for every shipped schema: strict mode, all errors, `type` discriminators, errors with their schema. */
const options = { allErrors: true, strict: true, strictRequired: false, discriminator: true, verbose: true, allowUnionTypes: true } as const;

/** Compiles a shipped schema at run time (what the standalone code is generated from; throws in strict mode). */
export function compileSchema(name: SchemaName, code?: { source: true }): { ajv: Ajv; validate: ValidateFunction } {
  const { Ajv: AjvClass } = load('ajv') as { Ajv: typeof Ajv };
  const ajv = new AjvClass({ ...options, ...(code ? { code } : {}) });
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
  return { ajv, validate: ajv.compile(schema) };
}

/** The file the standalone validator of a schema lives in. */
export function compiledFile(name: SchemaName): string {
  return join(packageRoot(), 'schemas', 'compiled', `${name}.cjs`);
}

/** The standalone validator's source (CommonJS: ajv's runtime helpers are `require`d) with a header saying where it comes from. */
export function standaloneSource(name: SchemaName): string {
  const { ajv, validate } = compileSchema(name, { source: true });
  const header = `// Generated from schemas/${name}.schema.json by \`npm run schemas\` (ajv standalone code); do not edit by hand.\n`;
  const standalone = load('ajv/dist/standalone/index.js') as typeof standaloneModule;
  return `${header}${standalone.default(ajv, validate)}\n`;
}

// `node dist/src/definition/compiled.js --write` (npm run schemas)
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes('--write')) {
  for (const name of schemaNames) {
    writeFileSync(compiledFile(name), standaloneSource(name));
    process.stdout.write(`wrote ${compiledFile(name)}\n`);
  }
}
