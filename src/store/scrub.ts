import type Database from 'better-sqlite3';
import { scrub } from '../credentials/scrub.js';

type Method = 'run' | 'get' | 'all' | 'iterate';

/**
 * Makes the store keep no secret by construction: every statement prepared on this connection
 * scrubs each string it binds (records, run-log reasons, messages, keys), so whatever code writes
 * to the store, no registered credential reaches its file. Look-ups bind the same scrubbed
 * values, so a stored value is found again by the value it came from.
 */
export function scrubBindings(db: Database.Database): Database.Database {
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    for (const method of ['run', 'get', 'all', 'iterate'] as Method[]) {
      const original = (statement[method] as (...params: unknown[]) => unknown).bind(statement);
      (statement as unknown as Record<Method, (...params: unknown[]) => unknown>)[method] = (...params: unknown[]) => {
        for (let i = 0; i < params.length; i++) params[i] = scrubParam(params[i]);
        return original(...params);
      };
    }
    return statement;
  }) as typeof db.prepare;
  return db;
}

function scrubParam(value: unknown): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map(scrubParam);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubParam(v)]));
  }
  return value;
}
