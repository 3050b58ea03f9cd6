/**
 * The read alone through Intake's own HTTP client: the hand-written program's read loop (page by
 * page, JSON.parse, a Map of the latest `date_last` per user) with its node:http GET replaced by
 * `send` from src/source/http.ts (got with Intake's agents and options, the body's bytes released
 * once decoded). No YAML, no extraction, no aggregation table, no store.
 *
 * The large case runs it as a whole process to show the floor under Intake's peak-RSS bar: what
 * reading the pages through got costs in memory before Intake does anything of its own
 * (docs/benchmark.md, "Memory").
 */
import { fileURLToPath } from 'node:url';
import { send } from '../src/source/http.js';

export interface GotReadResult {
  pages: number;
  entries: number;
  users: number;
}

export async function readThroughGot(url: string, pageSize: number): Promise<GotReadResult> {
  const latest = new Map<string, number>();
  let cursor = '';
  let pages = 0;
  let entries = 0;
  do {
    const response = await send({
      method: 'GET',
      url: new URL(`${url}/team.accessLogs?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
      headers: { authorization: 'Bearer xoxp-bench-token' },
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    const page = JSON.parse(response.text) as { ok: boolean; error?: string; logins: { user_id: string; date_last: number }[]; response_metadata?: { next_cursor?: string } };
    if (!page.ok) throw new Error(`Slack said ${page.error}`);
    pages++;
    for (const entry of page.logins) {
      entries++;
      const seen = latest.get(entry.user_id);
      if (seen === undefined || entry.date_last > seen) latest.set(entry.user_id, entry.date_last);
    }
    cursor = page.response_metadata?.next_cursor ?? '';
  } while (cursor);
  return { pages, entries, users: latest.size };
}

// As a whole process: node dist/bench/got-read.js <api url>; prints its result as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  readThroughGot(process.argv[2], 1000).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0); // got's keep-alive sockets would hold the process open
    },
    (error: Error) => {
      process.stderr.write(`the read through got failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
