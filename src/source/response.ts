import type { HeaderCondition, ValueFrom } from '../definition/model.js';
import { getter } from './paths.js';

/** Response headers as Node gives them: names in lower case, a list for a repeated header. */
export type Headers = Record<string, string | string[] | undefined>;

/** A header's values by name, in any case (a repeated header gives several). */
export function headerValues(headers: Headers, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return [value].flat().map((v) => v.trim());
}

/** A header's value by name, in any case: repeated headers joined by ", " (RFC 9110 §5.3); undefined when not sent. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length ? values.join(', ') : undefined;
}

/**
 * Compiles an error rule's `when.headers`: every header listed must match — a value (compared as
 * text: YAML's `0` matches the header `0`), one of a list, or `{ present: true | false }`.
 *
 * ```yaml
 * when: { status: [403, 429], headers: { x-ratelimit-remaining: 0, retry-after: { present: false } } }
 * ```
 */
export function headerTest(conditions: Record<string, HeaderCondition> | undefined): (headers: Headers) => boolean {
  if (!conditions) return () => true;
  const tests = Object.entries(conditions).map(([name, condition]): ((headers: Headers) => boolean) => {
    if (typeof condition === 'object' && !Array.isArray(condition)) return (headers) => (headerValues(headers, name).length > 0) === condition.present;
    const allowed = new Set([condition].flat().map(String));
    return (headers) => headerValues(headers, name).some((value) => allowed.has(value));
  });
  return (headers) => tests.every((test) => test(headers));
}

/** Compiles where a value is read: a body path (a plain string), or `{ from: body | header, path }`. */
export function valueFrom(spec: ValueFrom): (body: unknown, headers: Headers) => unknown {
  const { from, path } = typeof spec === 'string' ? { from: 'body', path: spec } : spec;
  if (from === 'header') return (_body, headers) => headerValue(headers, path);
  const get = getter(path);
  return (body) => get(body);
}
