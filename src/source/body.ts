import type { HttpResponse } from './http.js';
import type { Verdict } from './rules.js';

/** The parsed body (null when empty), or undefined when the text is not JSON. */
export function parseBody(text: string): { value: unknown } | undefined {
  if (text.trim() === '') return { value: null };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * A successful status with a body that is not JSON. JSON cut short (a dropped connection behind
 * a proxy, a server that died mid-write) is transient: the page is asked for again. Anything else
 * (an HTML page) means a wrong base URL when the API never answered with JSON in this run, and
 * something in between (a proxy, a maintenance or login page) when it did: that is retried too.
 */
export function notJson(response: HttpResponse, answeredBefore: boolean, scrub: (t: string) => string): Verdict {
  const type = String(response.headers['content-type'] ?? '');
  const text = response.text;
  if (/^\s*[[{]/.test(text) || (/json/i.test(type) && !/^\s*</.test(text))) {
    return { class: 'transient', code: 'json_incomplete', message: `answered HTTP ${response.status} with JSON that is cut off or malformed (${jsonProblem(text)}, ${Buffer.byteLength(text)} bytes)`, hint: 'the response arrived incomplete: run again later' };
  }
  const what = /^\s*<(!doctype html|html|head|body)/i.test(text) || /html/i.test(type) ? 'an HTML page' : 'a body';
  const message = `answered HTTP ${response.status} with ${what}, not JSON: ${excerpt(scrub(text))}`; // scrubbed whole: a cut could split a token
  if (answeredBefore) {
    return { class: 'transient', code: 'not_json', message, hint: 'the API answered earlier requests of this run with JSON; something in between (a proxy, a maintenance or login page) answered this one: run again later' };
  }
  return { class: 'configuration', code: 'not_json', message, hint: 'check the base_url setting: it must point at the API root' };
}

function jsonProblem(text: string): string {
  try {
    JSON.parse(text);
    return 'valid';
  } catch (error) {
    return (error as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'it ends too early');
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
