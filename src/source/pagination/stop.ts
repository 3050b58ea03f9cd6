import type { Scalar } from '../../definition/model.js';
import { getter } from '../paths.js';

/**
 * Stop conditions any pagination type accepts, besides its own end signal:
 *
 * ```yaml
 * stop:
 *   - empty_page                          # a page with no records
 *   - short_page                          # fewer records than page_size (some APIs send short pages that are not the last: leave this out for them)
 *   - total_reached                       # the count read reaches the total the body gives (`total:`)
 *   - { path: has_more, equals: false }   # a body flag
 *   - { path: done, equals: true }
 * ```
 */
export type StopCondition = 'empty_page' | 'short_page' | 'total_reached' | { path: string; equals: Scalar | null };

export interface StopState {
  body: unknown;
  records: number;
  /** records read so far, this page included */
  seen: number;
  pageSize?: number;
  total?: number;
}

/** Compiles stop conditions; the result says which one holds, if any. */
export function compileStop(conditions: StopCondition[]): (state: StopState) => string | undefined {
  const checks = conditions.map((c): ((s: StopState) => string | undefined) => {
    if (c === 'empty_page') return (s) => (s.records === 0 ? 'empty page' : undefined);
    if (c === 'short_page') return (s) => (s.pageSize !== undefined && s.records < s.pageSize ? 'short page' : undefined);
    if (c === 'total_reached') return (s) => (s.total !== undefined && s.seen >= s.total ? 'total reached' : undefined);
    const get = getter(c.path);
    return (s) => (get(s.body) === c.equals ? `${c.path} is ${JSON.stringify(c.equals)}` : undefined);
  });
  return (state) => {
    for (const check of checks) {
      const reason = check(state);
      if (reason) return reason;
    }
    return undefined;
  };
}

/** A number read from the body at `path`, when there is one. */
export function numberAt(path: string | undefined): (body: unknown) => number | undefined {
  if (!path) return () => undefined;
  const get = getter(path);
  return (body) => {
    const n = Number(get(body));
    return Number.isFinite(n) ? n : undefined;
  };
}
