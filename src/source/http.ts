import http from 'node:http';
import https from 'node:https';
import type { Got } from 'got';

/**
 * The one HTTP client of the source stage: got with keep-alive agents. Retries are decided by
 * the connector's error rules (see request.ts), so got's own retry is off, redirects are not
 * followed (credentials must not travel to another host) and every status is returned.
 *
 * Three timeouts bound one attempt (the connector's `timeouts:`): connecting (DNS lookup, TCP and
 * TLS), idle (no byte sent or received for that long; every read starts it again, so a large page
 * that keeps arriving is never cut) and the whole exchange, from sending to the last byte.
 */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** byte sequences that were not UTF-8 and became U+FFFD in `text` (0 for a valid body) */
  invalidUtf8: number;
}

export interface HttpRequest {
  /** PATCH: a target's updates (Oomnitza); the source only reads, with GET and POST */
  method: 'GET' | 'POST' | 'PATCH';
  url: URL;
  headers: Record<string, string>;
  /** a serialised body; its content-type is in `headers` */
  body?: string;
  /** stops the request (and its retries and waits) when the read that wanted it has ended */
  signal?: AbortSignal;
  /**
   * sees the text of each successful (2xx) answer before it is parsed (the read guesses the next
   * page from it); true: it sent a request, which goes out before this answer is parsed
   */
  onAnswer?: (text: string, headers: HttpResponse['headers']) => boolean;
}

const agent = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

// got is loaded with the first request: commands that send none (validate, runs, --help) start without it
let client: Promise<Got> | undefined;
const gotClient = (): Promise<Got> =>
  (client ??= import('got').then(({ default: got }) =>
    got.extend({
      agent,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      headers: { 'user-agent': 'intake/0.1 (+local installation)', accept: 'application/json' },
    }),
  ));

/** Timeouts of one attempt, in milliseconds. */
export interface Timeouts {
  connectMs: number;
  idleMs: number;
  requestMs: number;
}

export const defaultTimeouts: Timeouts = { connectMs: 10_000, idleMs: 30_000, requestMs: 300_000 };

export async function send(request: HttpRequest, timeouts: Timeouts = defaultTimeouts): Promise<HttpResponse> {
  const { connectMs, idleMs, requestMs } = timeouts;
  const response = await (await gotClient())(request.url, {
    method: request.method, headers: request.headers, body: request.body, responseType: 'buffer', signal: request.signal,
    timeout: { lookup: connectMs, connect: connectMs, secureConnect: connectMs, socket: idleMs, request: requestMs },
  });
  const text = decode(response.body);
  release(response.body);
  return { status: response.statusCode, headers: response.headers, ...text };
}

/**
 * Frees a body's bytes once its text is made, instead of at V8's next full collection. got's
 * response outlives the young collections that free node:http's (it is referenced from got's
 * request until that is collected), so each page's bytes stayed outside the heap until a full
 * collection: 999 pages of 1,000 entries held up to 68 MB of them, against 32 MB released here
 * (docs/benchmark.md). Moving the bytes into an array buffer that nothing references detaches
 * got's copy (it reads as empty), and a young collection frees them. A body that shares its
 * array buffer with other data (a small one, from node's pool) is left as it is.
 */
function release(body: Buffer): void {
  const bytes = body.buffer;
  if (body.byteOffset === 0 && body.byteLength === bytes.byteLength && bytes.byteLength > 0) structuredClone(bytes, { transfer: [bytes] });
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** A body as text, and how many of its byte sequences were not UTF-8 (each becomes U+FFFD, as a browser shows it). */
export function decode(bytes: Uint8Array): { text: string; invalidUtf8: number } {
  try {
    return { text: strict.decode(bytes), invalidUtf8: 0 };
  } catch {
    const text = lenient.decode(bytes);
    let replaced = 0;
    for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) replaced++;
    return { text, invalidUtf8: replaced };
  }
}

/** Serialises a body as JSON or as an HTML form, with the matching content-type. */
export function encodeBody(type: 'json' | 'form', value: Record<string, unknown>): { body: string; contentType: string } {
  if (type === 'json') return { body: JSON.stringify(value), contentType: 'application/json' };
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) form.set(k, String(v));
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}
