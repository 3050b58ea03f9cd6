import { parseBody } from '../../source/body.js';
import { defaultTimeouts, send, type HttpResponse, type Timeouts } from '../../source/http.js';
import { networkVerdict } from '../../source/network.js';
import type { RetryEvent } from '../../source/request.js';
import { headerValue } from '../../source/response.js';
import { askedWait, backoff, sleep } from '../../source/waits.js';
import { TargetUnavailable } from '../target.js';

/** How hard the Oomnitza target tries: the same defaults as a connector's `retry:` (5 attempts, waits from 0.5 s, at most 300 s). */
export interface ApiPolicy {
  attempts: number;
  baseDelayMs: number;
  maxWaitMs: number;
  timeouts: Timeouts;
}

export const defaultPolicy: ApiPolicy = { attempts: 5, baseDelayMs: 500, maxWaitMs: 300_000, timeouts: defaultTimeouts };

/** What one API call came to: the instance's answer, a refusal of this request in its own words, or (a POST only) no telling whether it arrived. */
export type Answer =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number; refused: string }
  | { ok: false; unsure: string };

export interface ApiOptions {
  /** the instance's origin: requests go nowhere else, and the token only there */
  base: URL;
  token: string;
  scrub: (text: string) => string;
  policy?: ApiPolicy;
  onRetry?: (event: RetryEvent) => void;
  onWait?: (ms: number, reason: string) => void;
}

/**
 * Oomnitza's REST API v3, as the target calls it: JSON in and out, the token in the
 * `Authorization2` header (only to the instance's own origin; redirects are not followed). The
 * answers are classified the way a connector's are:
 *
 * - 2xx: the body (JSON);
 * - 400, 404, 409, 422 (a refusal of this record): the instance's own words, for the record's reason;
 * - 401, 403: the run cannot go on (`TargetUnavailable`), saying what to fix — the token, or its user's permissions;
 * - 429, 5xx, network failures: wait (at least what `Retry-After` asks) and send again, up to
 *   `attempts`; a POST is never sent again blindly — a 5xx or a failure after it may have arrived
 *   comes back as `unsure`, and the caller looks the record up first.
 */
export function oomnitzaApi(options: ApiOptions) {
  const policy = options.policy ?? defaultPolicy;
  const { base, scrub } = options;
  let answered = 0;

  async function call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Answer> {
    const url = new URL(path, base);
    if (url.origin !== base.origin) throw new Error(`internal error: ${url.origin} is not the Oomnitza instance`);
    const what = `${method} ${url.origin}${url.pathname}`;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      try {
        response = await send({
          method, url,
          headers: { authorization2: options.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }, policy.timeouts);
      } catch (error) {
        const verdict = networkVerdict(error, url.host, policy.timeouts, answered > 0);
        if (verdict.class === 'configuration') throw stop('oomnitza_unreachable', `${what}: ${verdict.message}`, 'check the Oomnitza URL for a typo (--oomnitza-url, OOMNITZA_URL, the config file)');
        if (method === 'POST' && mayHaveArrived(verdict.code)) return { ok: false, unsure: scrub(verdict.message) };
        await retry(attempt, `${what}: ${verdict.message}`, undefined, 'check the Oomnitza URL and this machine\'s network; run again later');
        continue;
      }
      answered++;
      const { status } = response;
      const parsed = parseBody(response.text);
      if (status >= 200 && status < 300) {
        if (parsed !== undefined) return { ok: true, status, body: parsed.value };
        throw stop('oomnitza_not_api', `${what} answered HTTP ${status} with something that is not JSON: ${excerpt(scrub(response.text))}`, 'check the Oomnitza URL: it must be the instance\'s address, e.g. https://acme.oomnitza.com');
      }
      const words = wordsOf(parsed?.value, response.text, scrub);
      if (status === 401) throw stop('oomnitza_token_refused', `Oomnitza refused the API token (${what}: HTTP 401${words ? `: ${words}` : ''})`, 'check the API token (OOMNITZA_TOKEN, or the one intake credentials set oomnitza stored): it may be mistyped, revoked or expired; create one in Oomnitza under Configuration > Security > API tokens');
      if (status === 403) throw stop('oomnitza_forbidden', `Oomnitza did not allow ${what} (HTTP 403${words ? `: ${words}` : ''})`, 'the token\'s user needs permission to read, create and edit People (and to read their field metadata): give its role those permissions, or use another user\'s token');
      if (status >= 300 && status < 400) throw stop('oomnitza_redirect', `${what} answered with a redirect (HTTP ${status}) to ${String(headerValue(response.headers, 'location') ?? 'nowhere')}, which Intake does not follow (the token would go along)`, 'give the instance\'s own https address as the Oomnitza URL');
      if (status === 429 || status >= 500) {
        if (method === 'POST' && status >= 500) return { ok: false, unsure: `HTTP ${status}${words ? `: ${words}` : ''}` };
        await retry(attempt, `${what}: HTTP ${status}${status === 429 ? ' (rate limit)' : ''}${words ? `: ${words}` : ''}`, response.headers);
        continue;
      }
      return { ok: false, status, refused: words || `HTTP ${status}` };
    }

    async function retry(attempt: number, reason: string, headers: HttpResponse['headers'] | undefined, hint?: string): Promise<void> {
      const said = scrub(reason);
      if (attempt >= policy.attempts) throw stop('oomnitza_failing', `${said} — gave up after ${attempt} attempts${waited ? ` (${Math.round(waited / 100) / 10} s of waits)` : ''}`, hint ?? 'Oomnitza kept failing: run again later');
      const asked = askedWait(headers);
      if (asked && asked.ms > policy.maxWaitMs) throw stop('oomnitza_failing', `${said} — Oomnitza asks to wait ${Math.ceil(asked.ms / 1000)} s (${asked.said}), more than the ${policy.maxWaitMs / 1000} s allowed`, 'run again later');
      const wait = asked ? Math.max(asked.ms, policy.baseDelayMs) : backoff(policy, attempt);
      options.onWait?.(wait, said);
      options.onRetry?.({ reason: said, waitMs: wait, retry: true });
      await sleep(wait);
      waited += wait;
    }
  }

  /** Waits before sending a POST again, counted as a retry. */
  async function pause(attempt: number, reason: string): Promise<void> {
    const wait = backoff(policy, attempt);
    options.onWait?.(wait, reason);
    options.onRetry?.({ reason, waitMs: wait, retry: true });
    await sleep(wait);
  }

  function stop(code: string, message: string, hint: string): TargetUnavailable {
    return new TargetUnavailable(code, scrub(message), { hint: scrub(hint) });
  }

  return { call, pause, policy };
}


/** A failure after which a POST may have been received: anything but a connection that was never made. */
function mayHaveArrived(code: string): boolean {
  return !['host_not_found', 'eai_again', 'econnrefused', 'ehostunreach', 'enetunreach', 'lookup_timeout', 'connect_timeout', 'secureConnect_timeout'].includes(code);
}

/** The instance's own words from an error body: `message`, `error`, `detail`, or `errors` (per field); else the text itself, shortened. */
export function wordsOf(body: unknown, text: string, scrub: (text: string) => string): string {
  const words = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value.trim() || undefined;
    if (Array.isArray(value)) return value.map(words).filter(Boolean).join('; ') || undefined;
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of ['message', 'error', 'detail', 'error_description']) {
        const found = words(record[key]);
        if (found) return found;
      }
      if (record.errors !== undefined) {
        if (record.errors && typeof record.errors === 'object' && !Array.isArray(record.errors)) {
          return Object.entries(record.errors as Record<string, unknown>).map(([field, what]) => `${field}: ${words(what) ?? ''}`).join('; ');
        }
        return words(record.errors);
      }
    }
    return undefined;
  };
  return scrub(words(body) ?? excerpt(text));
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
