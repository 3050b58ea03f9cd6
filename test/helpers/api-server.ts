import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test's API answers to one request. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** a JSON value, or a string sent as it is */
  body: unknown;
}

export interface ApiServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** every request received, in order */
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A local HTTP API on 127.0.0.1 for tests that run the built CLI (msw cannot reach another
 * process): `answer` sees each request's URL (relative to the server) and headers.
 */
export async function apiServer(answer: (url: URL, headers: IncomingHttpHeaders, base: string) => Reply): Promise<ApiServer> {
  const requests: ApiServer['requests'] = [];
  let base = '';
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const reply = answer(new URL(req.url ?? '/', base), req.headers, base);
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json', ...reply.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
