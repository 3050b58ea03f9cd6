// The `intake` command as users run it: dist/cli/intake.js, the compiled CLI (dist/src/cli/main.js)
// bundled with its dependencies by esbuild, one chunk per lazily loaded part (each command, got,
// jose). Node's ES module loader resolves, reads and links about 150 files for a run otherwise:
// the bundle starts a run about 90 ms sooner (docs/benchmark.md). Run by `npm run build`, after tsc.
//
// Left out of the bundle and loaded from node_modules: better-sqlite3 (a native addon), the Redis
// queue's bullmq and ioredis (only `serve --queue` and `worker` load them), ajv (only to compile a
// schema; a run needs the standalone validators in schemas/compiled/ and ajv's runtime helpers).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { intake: join(root, 'dist', 'src', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'bullmq', 'ioredis', 'ajv', 'ajv/*', 'playwright-core'],
  // CommonJS dependencies (yaml, got's http2-wrapper) call require(): give each chunk one
  banner: { js: "import { createRequire as __intakeRequire } from 'node:module'; const require = __intakeRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
