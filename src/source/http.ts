import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

/**
 * The one HTTP client of the source stage: got with keep-alive agents. Retries are decided by
 * the connector's error rules (see request.ts), so got's own retry is off and every status is
 * returned rather than thrown.
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
  timeout: { request: 120_000 },
  headers: { 'user-agent': 'intake/0.1 (+local installation)', accept: 'application/json' },
});

export async function send(request: HttpRequest): Promise<HttpResponse> {
  const response = await client(request.url, { method: request.method, headers: request.headers });
  return { status: response.statusCode, headers: response.headers, text: response.body };
}
