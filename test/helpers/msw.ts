import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { setupServer, type SetupServer } from 'msw/node';

/** A request as the mock API saw it (every request, handled or not). */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

/**
 * One msw server for the calling test file: listens before the first test with
 * `onUnhandledRequest: 'error'`, drops per-test handlers and the request journal after each test,
 * closes after the last. Register handlers per test with `server.use(...)`.
 */
export function useServer(): { server: SetupServer; requests: SeenRequest[] } {
  const server = setupServer();
  const requests: SeenRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    requests.push({ method: request.method, url: new URL(request.url), headers: Object.fromEntries(request.headers) });
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
  });
  afterAll(() => server.close());
  return { server, requests };
}
