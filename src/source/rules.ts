import type { ErrorClass, ErrorRuleSpec, Scalar } from '../definition/model.js';
import { compileTemplate } from '../definition/template.js';
import { headerTest, valueFrom, type Headers } from './response.js';
import { getter } from './paths.js';

/** What an error rule concluded about a response. */
export interface Verdict {
  class: ErrorClass;
  code: string;
  message: string;
  hint?: string;
  /** fetch fresh credentials (OAuth 2, session) once and retry */
  reauth?: boolean;
}

export type Classify = (status: number, body: unknown, headers?: Headers) => Verdict | undefined;

/**
 * Compiles a connector's `errors:` rules; the first rule that matches wins. A rule matches on the
 * HTTP status, a body value and response headers — every condition it gives must hold. Responses
 * no rule matches fall back to HTTP semantics: 429 rate limit, 5xx transient, other 4xx and 3xx
 * configuration.
 *
 * ```yaml
 * errors:
 *   - when: { status: 429 }
 *     class: rate_limit
 *   - when: { status: [403, 429], headers: { x-ratelimit-remaining: 0 } }   # GitHub's primary rate limit
 *     class: rate_limit
 *   - when: { status: [400, 401, 403, 404] }  # BambooHR: the error text is in a header
 *     class: configuration
 *     summary: { from: header, path: X-BambooHR-Error-Message }
 *     message: "BambooHR refused the request: {{ summary }}"
 *   - when: { status: 403, path: error.errors.0.reason, in: [rateLimitExceeded, userRateLimitExceeded] }
 *     class: rate_limit
 *   - when: { path: ok, equals: false }        # Slack: HTTP 200 with {"ok":false,"error":"…"}
 *     code: error
 *     class: configuration
 *     message: "Slack refused team.accessLogs: {{ code }}"
 *     summary: error_description              # the API's own words, as {{ summary }}
 *     codes:
 *       ratelimited: { class: rate_limit }
 *       token_expired: { reauth: true }          # fetch a fresh token once, then retry
 *       paid_only: { hint: "team.accessLogs needs a paid Slack plan." }
 * ```
 */
export function compileRules(rules: ErrorRuleSpec[] = [], requiredScopes: string[] = []): Classify {
  const compiled = rules.map(compileRule);
  return (status, body, headers) => {
    for (const rule of compiled) {
      const verdict = rule(status, body, headers);
      if (verdict) return verdict;
    }
    return httpDefault(status, requiredScopes, headers?.location);
  };
}

function compileRule(rule: ErrorRuleSpec): Classify {
  const statuses = rule.when.status === undefined ? undefined : new Set([rule.when.status].flat());
  const probe = rule.when.path ? getter(rule.when.path) : undefined;
  const matches = (value: unknown) => ('in' in rule.when && rule.when.in ? rule.when.in.includes(value as Scalar) : value === rule.when.equals);
  const headersMatch = headerTest(rule.when.headers);
  const codeOf = rule.code ? valueFrom(rule.code) : undefined;
  const summaryOf = rule.summary ? valueFrom(rule.summary) : undefined;
  const message = compileTemplate(rule.message ?? `the API answered HTTP {{ status }}${rule.code ? ' ({{ code }})' : ''}${classWords[rule.class]}`);
  return (status, body, headers = {}) => {
    if (statuses && !statuses.has(status)) return undefined;
    if (probe && !matches(probe(body))) return undefined;
    if (!headersMatch(headers)) return undefined;
    const code = String(codeOf?.(body, headers) ?? `http_${status}`);
    const override = rule.codes?.[code];
    const summary = summaryOf?.(body, headers);
    return {
      class: override?.class ?? rule.class,
      code,
      message: String(message.render({ status, code, summary: summary ?? '' })).trim(),
      hint: override?.hint ?? rule.hint,
      reauth: override?.reauth ?? rule.reauth,
    };
  };
}

/** How a message without its own text says what a rule's class means. */
const classWords: Record<ErrorClass, string> = { rate_limit: ', a rate limit', transient: ', a temporary error', configuration: '' };

function httpDefault(status: number, requiredScopes: string[], location: string | string[] | undefined): Verdict | undefined {
  if (status < 300) return undefined;
  if (status < 400) {
    const to = redirectTarget(location);
    return { class: 'configuration', code: `http_${status}`, message: `the API answered HTTP ${status}, a redirect${to ? ` to ${to}` : ''} (Intake does not follow redirects, so credentials stay on the connector's host)`, hint: 'check the base_url setting: set it to the address the API redirects to (e.g. https:// rather than http://)' };
  }
  const code = `http_${status}`;
  if (status === 429) return { class: 'rate_limit', code, message: 'the API answered HTTP 429 (too many requests)' };
  if (status >= 500) return { class: 'transient', code, message: `the API answered HTTP ${status} (server error)` };
  const hint = status === 401 || status === 403
    ? `the credential was refused: check that it is valid${requiredScopes.length ? ` and has the scopes ${requiredScopes.join(', ')}` : ''}`
    : status === 404 ? 'check the base_url setting and the request path' : undefined;
  return { class: 'configuration', code, message: `the API answered HTTP ${status}`, hint };
}

/** Where a redirect points, without its query (which may carry tokens): origin and path. */
function redirectTarget(location: string | string[] | undefined): string | undefined {
  const text = Array.isArray(location) ? location[0] : location;
  if (!text) return undefined;
  try {
    const url = new URL(text, 'http://relative.invalid');
    return url.origin === 'http://relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}
