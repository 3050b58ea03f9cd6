import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer, type SetupServer } from 'msw/node';

/** A request as the mock API saw it (every request, handled or not). */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

/**
 * One msw server for the calling test file: listens before the first test, an unhandled request
 * being an error (one to this machine passes through), drops per-test handlers and the request journal after each test,
 * closes after the last. Register handlers per test with `server.use(...)`.
 */
export function useServer(): { server: SetupServer; requests: SeenRequest[] } {
  const server = setupServer();
  const requests: SeenRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    if (loopback(request.url)) return;
    requests.push({ method: request.method, url: new URL(request.url), headers: Object.fromEntries(request.headers) });
  });
  // a mock API is never on this machine: a request to 127.0.0.1 is for a real local server, such as
  // a simulator an earlier test file in this jest worker started (one of its runs retrying after
  // that file ended reached a later file's journal once); it passes through, unrecorded
  beforeAll(() => server.listen({ onUnhandledRequest: (request, print) => (loopback(request.url) ? undefined : print.error()) }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
  });
  afterAll(() => server.close());
  return { server, requests };
}

function loopback(url: string): boolean {
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}
