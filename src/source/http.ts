import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

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
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  /** a serialised body; its content-type is in `headers` */
  body?: string;
}

const agent = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16 }),
};

const client: Got = got.extend({
  agent,
  retry: { limit: 0 },
  throwHttpErrors: false,
  followRedirect: false,
  responseType: 'text',
  headers: { 'user-agent': 'intake/0.1 (+local installation)', accept: 'application/json' },
});

/** Timeouts of one attempt, in milliseconds. */
export interface Timeouts {
  connectMs: number;
  idleMs: number;
  requestMs: number;
}

export const defaultTimeouts: Timeouts = { connectMs: 10_000, idleMs: 30_000, requestMs: 300_000 };

export async function send(request: HttpRequest, timeouts: Timeouts = defaultTimeouts): Promise<HttpResponse> {
  const { connectMs, idleMs, requestMs } = timeouts;
  const response = await client(request.url, {
    method: request.method, headers: request.headers, body: request.body,
    timeout: { lookup: connectMs, connect: connectMs, secureConnect: connectMs, socket: idleMs, request: requestMs },
  });
  return { status: response.statusCode, headers: response.headers, text: response.body };
}

/** Serialises a body as JSON or as an HTML form, with the matching content-type. */
export function encodeBody(type: 'json' | 'form', value: Record<string, unknown>): { body: string; contentType: string } {
  if (type === 'json') return { body: JSON.stringify(value), contentType: 'application/json' };
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) form.set(k, String(v));
  return { body: form.toString(), contentType: 'application/x-www-form-urlencoded' };
}
