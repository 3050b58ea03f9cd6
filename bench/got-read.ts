/**
 * The read alone through Intake's own HTTP client: the hand-written program's read loop
 * (`readLatest` in bench/baseline.ts: page by page, JSON.parse, a Map of the latest `date_last`
 * per user) with its node:http GET replaced by `send` from src/source/http.ts (got with Intake's
 * agents and options, the body's bytes released once decoded). No YAML, no extraction, no
 * aggregation table, no store.
 *
 * The large case runs it as a whole process to show the floor under Intake's peak-RSS bar: what
 * reading the pages through got costs in memory before Intake does anything of its own
 * (docs/benchmark.md, "Results on this machine").
 */
import { fileURLToPath } from 'node:url';
import { send } from '../src/source/http.js';
import { readLatest } from './baseline.js';

export interface GotReadResult {
  pages: number;
  entries: number;
  users: number;
}

async function getText(url: string): Promise<string> {
  const response = await send({ method: 'GET', url: new URL(url), headers: { authorization: 'Bearer xoxp-bench-token' } });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  return response.text;
}

// As a whole process: node dist/bench/got-read.js <api url>; prints its result as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  readLatest(getText, process.argv[2], 1000).then(
    ({ pages, entries, latest }) => {
      process.stdout.write(`${JSON.stringify({ pages, entries, users: latest.size } satisfies GotReadResult)}\n`);
      process.exit(0); // got's keep-alive sockets would hold the process open
    },
    (error: Error) => {
      process.stderr.write(`the read through got failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
