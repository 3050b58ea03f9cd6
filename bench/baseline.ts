/**
 * The reference the performance bar is measured against: the smallest program that does the
 * Slack last-login sync by hand. node:http GET page by page (no prefetch), JSON.parse, a Map
 * of max `date_last` per user, then ONE SQLite transaction of
 * `UPDATE … json_set(data, '$.slack_last_login', ?) … WHERE json_extract(data, '$.slack_user_id') = ?`
 * on the same expression index Intake creates (`records_key_slack_user_id`).
 * No YAML, no validation, no error rules, no run log, no unchanged detection.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { isoSeconds } from './dataset.js';

export interface BaselineResult {
  pages: number;
  entries: number;
  users: number;
  updated: number;
}

function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers: { authorization: 'Bearer xoxp-bench-token', accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode}`))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * The read: page by page through `fetchText` (one GET, the body as text), JSON.parse, and a Map of
 * each user's greatest `date_last`. bench/got-read.ts runs the same loop with Intake's HTTP client.
 */
export async function readLatest(fetchText: (url: string) => Promise<string>, url: string, pageSize: number): Promise<{ pages: number; entries: number; latest: Map<string, number> }> {
  const latest = new Map<string, number>();
  let cursor = '';
  let pages = 0;
  let entries = 0;
  do {
    const page = JSON.parse(await fetchText(`${url}/team.accessLogs?limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as {
      ok: boolean;
      error?: string;
      logins: { user_id: string; date_last: number }[];
      response_metadata?: { next_cursor?: string };
    };
    if (!page.ok) throw new Error(`Slack said ${page.error}`);
    pages++;
    for (const entry of page.logins) {
      entries++;
      const seen = latest.get(entry.user_id);
      if (seen === undefined || entry.date_last > seen) latest.set(entry.user_id, entry.date_last);
    }
    cursor = page.response_metadata?.next_cursor ?? '';
  } while (cursor);
  return { pages, entries, latest };
}

export async function runBaseline(options: { url: string; db: string; pageSize: number }): Promise<BaselineResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { pages, entries, latest } = await readLatest((url) => get(url, agent), options.url, options.pageSize).finally(() => agent.destroy());

  const db = new Database(options.db);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec("CREATE INDEX IF NOT EXISTS records_key_slack_user_id ON records(record_type, json_extract(data, '$.slack_user_id'))");
  const update = db.prepare("UPDATE records SET data = json_set(data, '$.slack_last_login', ?), updated_at = ? WHERE record_type = 'people' AND json_extract(data, '$.slack_user_id') = ?");
  const now = new Date().toISOString();
  let updated = 0;
  db.transaction(() => {
    for (const [user, last] of latest) updated += update.run(isoSeconds(last), now, user).changes;
  })();
  db.close();
  return { pages, entries, users: latest.size, updated };
}

// As a whole process (what the bench measures): node dist/bench/baseline.js <api url> <store file>; prints its result as JSON.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, db] = process.argv.slice(2);
  runBaseline({ url, db, pageSize: 1000 }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: Error) => {
      process.stderr.write(`baseline failed: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
