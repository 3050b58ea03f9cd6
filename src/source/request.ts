import type { ConnectorSpec } from '../definition/model.js';
import { SourceError } from '../errors.js';
import { send, type HttpRequest, type HttpResponse } from './http.js';
import type { Classify, Verdict } from './rules.js';
import type { Auth } from './auth/types.js';
import { budget } from './budget.js';

export interface RequestPolicy {
  attempts: number;
  maxWaitMs: number;
  baseDelayMs: number;
  /** a header holding the epoch second the rate limit resets (e.g. Okta's X-Rate-Limit-Reset) */
  resetHeader?: string;
  /** waits until the request budget allows one more request */
  budget: () => Promise<void>;
}

export interface JsonResponse {
  status: number;
  headers: HttpResponse['headers'];
  body: unknown;
}

export interface Requester {
  send(request: HttpRequest): Promise<JsonResponse>;
  /** number of HTTP requests sent so far, retries included */
  readonly sent: number;
}

export function policyOf(connector: ConnectorSpec): RequestPolicy {
  return {
    attempts: connector.retry?.attempts ?? 5,
    maxWaitMs: (connector.retry?.max_wait_seconds ?? 300) * 1000,
    baseDelayMs: connector.retry?.base_delay_ms ?? 500,
    resetHeader: connector.rate_limit?.reset_header?.toLowerCase(),
    budget: budget(connector.rate_limit?.requests, connector.rate_limit?.per_seconds),
  };
}

/**
 * Sends one API request with the connector's auth, and applies its error rules: configuration
 * errors fail at once with the rule's hint; rate limits and transient errors wait for
 * `Retry-After` (seconds or an HTTP date) or a reset header when the response has one, else back
 * off exponentially with jitter. Auth headers
 * go only to `origin`, the connector's own host.
 */
export function requester(options: {
  origin: string;
  auth: Auth;
  classify: Classify;
  policy: RequestPolicy;
  scrub: (text: string) => string;
  onWait?: (ms: number, reason: string) => void;
}): Requester {
  let sent = 0;
  const { policy } = options;

  async function attempt(request: HttpRequest): Promise<JsonResponse | Failure> {
    const url = new URL(request.url);
    const headers = { ...request.headers };
    if (url.origin === options.origin) await options.auth.apply({ url, headers });
    await policy.budget();
    sent++;
    let response: HttpResponse;
    try {
      response = await send({ ...request, url, headers });
    } catch (error) {
      return { verdict: { class: 'transient', code: networkCode(error), message: `could not reach ${url.host}: ${networkCode(error)}`, hint: 'check the base_url setting and this machine\'s network connection' } };
    }
    const body = parseBody(response.text);
    const verdict = options.classify(response.status, body);
    if (verdict) return { verdict, response };
    if (body === undefined) {
      return { verdict: { class: 'configuration', code: 'not_json', message: `answered HTTP ${response.status} with a body that is not JSON: ${options.scrub(excerpt(response.text))}`, hint: 'check the base_url setting: it must point at the API root' } };
    }
    return { status: response.status, headers: response.headers, body };
  }

  return {
    get sent() {
      return sent;
    },
    async send(request) {
      let refreshed = false;
      for (let n = 1; ; n++) {
        const result = await attempt(request);
        if (!('verdict' in result)) return result;
        const { verdict, response } = result;
        const context = `${request.method} ${describeUrl(request.url)}`;
        if ((response?.status === 401 || verdict.reauth) && options.auth.refresh && !refreshed && request.url.origin === options.origin && (await options.auth.refresh())) {
          refreshed = true;
          n--;
          continue;
        }
        if (verdict.class === 'configuration') throw fail(verdict, context, options.scrub);
        const asked = retryAfterMs(response?.headers, policy.resetHeader);
        const wait = asked ?? Math.min(backoff(policy, n), policy.maxWaitMs);
        if (n >= policy.attempts) {
          throw fail({ ...verdict, message: `${verdict.message} — gave up after ${n} attempts`, hint: verdict.hint ?? 'the API kept failing; run again later' }, context, options.scrub);
        }
        if (asked !== undefined && asked > policy.maxWaitMs) {
          throw fail({ ...verdict, message: `${verdict.message} — the API asks to wait ${Math.ceil(wait / 1000)} s, more than the ${policy.maxWaitMs / 1000} s allowed`, hint: 'run again later, or raise retry.max_wait_seconds in the connector' }, context, options.scrub);
        }
        options.onWait?.(wait, verdict.message);
        await sleep(wait);
      }
    },
  };
}

interface Failure {
  verdict: Verdict;
  response?: HttpResponse;
}

function fail(verdict: Verdict, context: string, scrub: (t: string) => string): SourceError {
  return new SourceError(`api_${verdict.class}`, scrub(`${context}: ${verdict.message}`), { hint: verdict.hint ? scrub(verdict.hint) : undefined });
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

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

function backoff(policy: RequestPolicy, attempt: number): number {
  const base = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function networkCode(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ?? (error instanceof Error ? error.message : 'network error');
}

/** The URL without its query string: queries may hold cursors, never needed in a message. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
