// The `intake` command as users run it, from the compiled CLI (dist/src/cli/) bundled with its
// dependencies by esbuild. Run by `npm run build`, after tsc.
//
// - dist/cli/program.cjs: the program (src/cli/program.ts, every command and what they use) as
//   one CommonJS script. Modules reached only by a dynamic import() (each command, got, jose)
//   still run only when imported.
// - dist/cli/intake.js (package.json's bin): answers --version, else runs program.cjs through
//   V8's code cache (src/cli/launch.ts), under the program's build id, a hash of its text.
//
// Node's ES module loader resolved, read and linked about 150 files before a run's first request,
// and every process compiled the program again; docs/benchmark.md has the before and after.
//
// Left out of the bundle and loaded from node_modules: better-sqlite3 (a native addon), the Redis
// queue's bullmq and ioredis (only `serve --queue` and `worker` load them), ajv (only to compile a
// schema; a run needs the standalone validators in schemas/compiled/ and ajv's runtime helpers).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(root, 'dist', 'src', 'cli', 'program.js')],
  outfile: join(outdir, 'program.cjs'),
  format: 'cjs',
  external: ['better-sqlite3', 'bullmq', 'ioredis', 'ajv', 'ajv/*', 'playwright-core'],
  // a script has no import.meta: its URL is the bundle's own file
  define: { 'import.meta.url': '__intakeFileUrl' },
  banner: { js: "const __intakeFileUrl = require('node:url').pathToFileURL(__filename).href;" },
});
const id = createHash('sha256').update(readFileSync(join(outdir, 'program.cjs'))).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: join(outdir, 'intake.js'),
  format: 'esm',
  define: { INTAKE_PROGRAM_ID: JSON.stringify(id) },
});
