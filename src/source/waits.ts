import type { HttpResponse } from './http.js';
import type { RequestPolicy } from './request.js';

/** Milliseconds to wait from `Retry-After` (seconds or HTTP date) or an epoch-seconds reset header. */
export function retryAfterMs(headers: HttpResponse['headers'] | undefined, resetHeader?: string, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const retryAfter = first(headers['retry-after']);
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = first((resetHeader ? headers[resetHeader] : undefined) ?? headers['x-ratelimit-reset'] ?? headers['x-rate-limit-reset'] ?? headers['ratelimit-reset']);
  if (reset !== undefined && Number.isFinite(Number(reset))) {
    const value = Number(reset);
    return value > 1e9 ? Math.max(0, value * 1000 - now) : value * 1000;
  }
  return undefined;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Exponential backoff: `base_delay_ms`, doubled after each attempt, plus up to half of it as
 * jitter — never less than the delay itself (APIs such as Google's ask for "1 s, then 2 s, …");
 * the delay stops growing at `max_wait_seconds`.
 */
export function backoff(policy: Pick<RequestPolicy, 'baseDelayMs' | 'maxWaitMs'>, attempt: number, random = Math.random()): number {
  const delay = Math.max(Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxWaitMs), policy.baseDelayMs);
  return Math.ceil(Math.min(delay + random * (delay / 2), Math.max(policy.maxWaitMs, delay)));
}

/** Sleeps at least `ms` (a timer may fire a little early). */
export async function sleep(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) await new Promise((resolve) => setTimeout(resolve, left));
}
