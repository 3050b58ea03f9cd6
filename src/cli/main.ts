#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { launch } from './launch.js';
import { version } from './version.js';

/** The bundled program's build id: set in `dist/cli/intake.js` by scripts/bundle.mjs, absent when this file runs as tsc compiled it. */
declare const INTAKE_PROGRAM_ID: string | undefined;

// `intake --version` answers before anything else loads; every other command line is the program's
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${version}\n`);
else if (typeof INTAKE_PROGRAM_ID === 'string') launch(fileURLToPath(new URL('program.cjs', import.meta.url)), INTAKE_PROGRAM_ID);
else await import(new URL('program.js', import.meta.url).href);
