import { DateTime } from 'luxon';
import type { RequestPolicy } from './request.js';
import { headerValue, type Headers } from './response.js';

/** What a wait header holds (`rate_limit.reset_unit`). */
export type WaitUnit = 'seconds' | 'milliseconds' | 'epoch_seconds' | 'epoch_milliseconds' | 'date';

/** The connector's wait header and its unit (`rate_limit.reset_header`, `rate_limit.reset_unit`). */
export interface WaitHeader {
  name: string;
  unit: WaitUnit;
}

/** A wait the API asked for: how long, and the header that said so (for messages). */
export interface AskedWait {
  ms: number;
  said: string;
}

/**
 * How long the API asks to wait: `Retry-After` first (RFC 9110: seconds or an HTTP date; Zoom
 * sends an ISO 8601 date), else the connector's wait header read in its stated unit. Undefined
 * when neither is sent or readable: the caller backs off.
 *
 * ```yaml
 * rate_limit:
 *   reset_header: X-HubSpot-RateLimit-Interval-Milliseconds   # HubSpot: 1000 means one second
 *   reset_unit: milliseconds
 * ```
 */
export function askedWait(headers: Headers | undefined, header?: WaitHeader, now = Date.now()): AskedWait | undefined {
  if (!headers) return undefined;
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const ms = readWait(retryAfter, isNumber(retryAfter) ? 'seconds' : 'date', now);
    if (ms !== undefined) return { ms, said: `Retry-After: ${retryAfter}` };
  }
  const value = header ? headerValue(headers, header.name) : undefined;
  if (header && value !== undefined) {
    const ms = readWait(value, header.unit, now);
    if (ms !== undefined) return { ms, said: `${header.name}: ${value}, read as ${unitWords[header.unit]}` };
  }
  return undefined;
}

/** Milliseconds to wait from the API's value in `unit`, or undefined when the value does not read in it. */
export function readWait(value: string, unit: WaitUnit, now = Date.now()): number | undefined {
  if (unit === 'date') {
    const at = parseDate(value);
    return at === undefined ? undefined : Math.max(0, at - now);
  }
  if (!isNumber(value)) return undefined;
  const n = Number(value);
  if (unit === 'seconds') return n * 1000;
  if (unit === 'milliseconds') return n;
  const at = unit === 'epoch_seconds' ? n * 1000 : n;
  // an "epoch" before 2001 is a count of seconds or a value in another unit, not a moment: ignore it
  return at < earliestEpochMs ? undefined : Math.max(0, at - now);
}

const earliestEpochMs = Date.UTC(2001, 0, 1);

const unitWords: Record<WaitUnit, string> = {
  seconds: 'seconds to wait',
  milliseconds: 'milliseconds to wait',
  epoch_seconds: 'epoch seconds',
  epoch_milliseconds: 'epoch milliseconds',
  date: 'a date',
};

function isNumber(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text);
}

/** An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) or ISO 8601 (UTC when it names no offset), in epoch ms. */
function parseDate(text: string): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const iso = DateTime.fromISO(text, { zone: 'utc' });
    return iso.isValid ? iso.toMillis() : undefined;
  }
  const http = Date.parse(text);
  return Number.isFinite(http) && /[a-z]/i.test(text) ? http : undefined;
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

/** Sleeps at least `ms` (a timer may fire a little early); an aborted `signal` ends it at once with its reason. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    signal?.throwIfAborted();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
  }
  signal?.throwIfAborted();
}

/**
 * The requests of one part of a read (its pages, its detail calls): they stop when the run stops
 * (`signal`), and when the part ends (`end`: done, failed, or its consumer stopped), with their
 * retries and waits.
 */
export function requestsOf(signal: AbortSignal | undefined): { signal: AbortSignal; end: () => void } {
  const requests = new AbortController();
  const stop = () => requests.abort();
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) requests.abort();
  return {
    signal: requests.signal,
    end: () => {
      requests.abort();
      signal?.removeEventListener('abort', stop);
    },
  };
}
