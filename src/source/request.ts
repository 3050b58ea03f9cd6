import type { ConnectorSpec } from '../definition/model.js';
import { SourceError } from '../errors.js';
import { defaultTimeouts, send, type HttpRequest, type HttpResponse, type Timeouts } from './http.js';
import { networkVerdict } from './network.js';
import type { Classify, Verdict } from './rules.js';
import type { Auth } from './auth/types.js';
import { budget } from './budget.js';
import { beforeAuth, ExchangeError, sentRequest, type SentRequest } from './exchange.js';
import { notJson, parseBody } from './body.js';
import { askedWait, backoff, sleep, type WaitHeader } from './waits.js';

export { askedWait, backoff } from './waits.js';

export interface RequestPolicy {
  attempts: number;
  maxWaitMs: number;
  baseDelayMs: number;
  /** the header that says how long to wait, and its unit (Okta's X-Rate-Limit-Reset: epoch seconds) */
  waitHeader?: WaitHeader;
  /** waits until the request budget allows one more request; resolves to the milliseconds waited */
  budget: () => Promise<number>;
  /** a description of the budget, for the run log */
  budgetLabel?: string;
  timeouts: Timeouts;
}

export interface JsonResponse {
  status: number;
  headers: HttpResponse['headers'];
  body: unknown;
  /** byte sequences of the body that were not UTF-8 (shown as U+FFFD) */
  invalidUtf8?: number;
  /** the request as it was sent, credentials masked (preview shows it) */
  sent?: SentRequest;
}

export interface Requester {
  send(request: HttpRequest): Promise<JsonResponse>;
  /** number of HTTP requests sent so far, retries included */
  readonly sent: number;
}

/** A request sent again (`retry: true`) or held back by the request budget, with why and for how long. */
export interface RetryEvent {
  reason: string;
  waitMs: number;
  retry: boolean;
}

export function policyOf(connector: ConnectorSpec): RequestPolicy {
  return {
    attempts: connector.retry?.attempts ?? 5,
    maxWaitMs: (connector.retry?.max_wait_seconds ?? 300) * 1000,
    baseDelayMs: connector.retry?.base_delay_ms ?? 500,
    waitHeader: connector.rate_limit?.reset_header && connector.rate_limit.reset_unit ? { name: connector.rate_limit.reset_header, unit: connector.rate_limit.reset_unit } : undefined,
    budget: budget(connector.rate_limit?.requests, connector.rate_limit?.per_seconds),
    budgetLabel: connector.rate_limit?.requests ? `the connector's request budget (${connector.rate_limit.requests} per ${connector.rate_limit.per_seconds} s)` : undefined,
    timeouts: timeoutsOf(connector),
  };
}

/** The connector's `timeouts:` in milliseconds, defaults for what it leaves out. */
export function timeoutsOf(connector: ConnectorSpec): Timeouts {
  const t = connector.timeouts ?? {};
  const ms = (seconds: number | undefined, fallback: number) => (seconds === undefined ? fallback : Math.round(seconds * 1000));
  return {
    connectMs: ms(t.connect_seconds, defaultTimeouts.connectMs),
    idleMs: ms(t.idle_seconds, defaultTimeouts.idleMs),
    requestMs: ms(t.request_seconds, defaultTimeouts.requestMs),
  };
}

/**
 * Sends one API request with the connector's auth, and applies its error rules: configuration
 * errors fail at once with the rule's hint; rate limits and transient errors wait, then retry.
 * A wait is never shorter than what was asked for: `Retry-After` (seconds or a date) or the
 * connector's wait header in its unit (waits.ts) — and at least `retry.base_delay_ms` — else exponential
 * backoff from `base_delay_ms` with jitter above it. Every retry and wait is reported through
 * `onRetry` (the run log counts them). Auth headers go only to `origin`, the connector's own host.
 */
export function requester(options: {
  origin: string;
  auth: Auth;
  classify: Classify;
  policy: RequestPolicy;
  scrub: (text: string) => string;
  onWait?: (ms: number, reason: string) => void;
  onRetry?: (event: RetryEvent) => void;
}): Requester {
  let sent = 0;
  /** HTTP responses received in this run: once the API has answered, its address is not in doubt */
  let responses = 0;
  let parsed = 0;
  const { policy } = options;

  async function attempt(request: HttpRequest): Promise<JsonResponse | Failure> {
    const url = new URL(request.url);
    const headers = { ...request.headers };
    const before = beforeAuth(url, headers);
    if (url.origin === options.origin) await options.auth.apply({ url, headers });
    const asSent = sentRequest(request, url, headers, before, options.scrub);
    const held = await policy.budget();
    if (held > 0) options.onRetry?.({ reason: policy.budgetLabel ?? 'request budget', waitMs: held, retry: false });
    sent++;
    let response: HttpResponse;
    try {
      response = await send({ ...request, url, headers }, policy.timeouts);
    } catch (error) {
      request.signal?.throwIfAborted(); // the read ended: no verdict, no retry
      return { verdict: networkVerdict(error, url.host, policy.timeouts, responses > 0), sent: asSent };
    }
    responses++;
    // a request sent on this answer's text (the next page) gets a turn of the event loop to go out before the parse
    if (response.status >= 200 && response.status < 300 && request.onAnswer?.(response.text, response.headers)) await new Promise<void>((resolve) => setImmediate(resolve));
    const body = parseBody(response.text);
    const verdict = options.classify(response.status, body === undefined ? undefined : body.value, response.headers);
    if (verdict) return { verdict, response, sent: asSent };
    if (body === undefined) return { verdict: notJson(response, parsed > 0, options.scrub), response, sent: asSent };
    parsed++;
    return { status: response.status, headers: response.headers, body: body.value, ...(response.invalidUtf8 ? { invalidUtf8: response.invalidUtf8 } : {}), sent: asSent };
  }

  return {
    get sent() {
      return sent;
    },
    async send(request) {
      let refreshed = false;
      let waited = 0;
      for (let n = 1; ; n++) {
        const result = await attempt(request);
        if (!('verdict' in result)) return result;
        const { verdict, response } = result;
        const context = `${request.method} ${describeUrl(request.url)}`;
        const fail = (v: Verdict) => new ExchangeError(failure(v, context, options.scrub), { request: result.sent, ...(response ? { response: { status: response.status, headers: response.headers, text: response.text } } : {}) });
        if ((response?.status === 401 || verdict.reauth) && options.auth.refresh && !refreshed && request.url.origin === options.origin && (await options.auth.refresh())) {
          refreshed = true;
          options.onRetry?.({ reason: options.scrub(`${verdict.message}: credentials fetched again`), waitMs: 0, retry: true });
          n--;
          continue;
        }
        if (verdict.class === 'configuration') throw fail(verdict);
        const asked = askedWait(response?.headers, policy.waitHeader);
        if (n >= policy.attempts) {
          const spent = waited ? ` (${seconds(waited)} of waits)` : '';
          throw fail({ ...verdict, message: `${verdict.message} — gave up after ${n} attempt${n === 1 ? '' : 's'}${spent}`, hint: verdict.hint ?? 'the API kept failing; run again later' });
        }
        if (asked !== undefined && asked.ms > policy.maxWaitMs) {
          throw fail({ ...verdict, message: `${verdict.message} — the API asks to wait ${Math.ceil(asked.ms / 1000)} s (${asked.said}), more than the ${policy.maxWaitMs / 1000} s allowed`, hint: 'run again later, or raise retry.max_wait_seconds in the connector (check rate_limit.reset_unit if the wait looks wrong)' });
        }
        const wait = asked === undefined ? backoff(policy, n) : Math.max(asked.ms, policy.baseDelayMs);
        const reason = options.scrub(verdict.message);
        options.onWait?.(wait, reason);
        options.onRetry?.({ reason, waitMs: wait, retry: true });
        await sleep(wait, request.signal);
        waited += wait;
      }
    },
  };
}

interface Failure {
  verdict: Verdict;
  response?: HttpResponse;
  sent: SentRequest;
}

function failure(verdict: Verdict, context: string, scrub: (t: string) => string): SourceError {
  return new SourceError(`api_${verdict.class}`, scrub(`${context}: ${verdict.message}`), { hint: verdict.hint ? scrub(verdict.hint) : undefined });
}

/** The URL without its query string: queries may hold cursors, never needed in a message. */
function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
