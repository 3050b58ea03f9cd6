#!/usr/bin/env node
import { version } from './version.js';

// `intake --version` answers before anything else loads; every other command line is the program's
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${version}\n`);
else await import('./program.js');
