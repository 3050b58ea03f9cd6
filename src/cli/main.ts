#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { launch } from './launch.js';
import { version } from './version.js';

/** The bundled program's build id: set in `dist/cli/intake.js` by scripts/bundle.mjs, absent when this file runs as tsc compiled it. */
declare const INTAKE_PROGRAM_ID: string | undefined;

// `intake --version` answers before anything else loads; every other command line is the program's
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${version}\n`);
else {
  tuneCompiler();
  if (typeof INTAKE_PROGRAM_ID === 'string') launch(fileURLToPath(new URL('program.cjs', import.meta.url)), INTAKE_PROGRAM_ID);
  else await import(new URL('program.js', import.meta.url).href);
}

/**
 * V8's optimising compiler inlines less into each function it optimises (a cumulative budget of
 * 100 bytes of bytecode instead of 920). A run is short and its hot functions are large (the
 * sync engine, the aggregation, the store's queries): compiling them with deep inlining, and again
 * after each phase of the run changes their types, kept V8's background threads busy for about a
 * quarter of a run's CPU time (320 of 1,400 ms on 100,000 entries), for no measurable gain on the
 * main thread (docs/benchmark.md).
 */
function tuneCompiler(): void {
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=100');
}
