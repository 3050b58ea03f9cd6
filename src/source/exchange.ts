import { SourceError } from '../errors.js';
import type { HttpRequest, HttpResponse } from './http.js';

/**
 * A request as it went to the API, with what the credentials added masked to its shape
 * (`authorization: Bearer ***`, `private-token: ***`, `query api_key=***`): what `intake preview`
 * shows a connector author, never a credential's value.
 */
export interface SentRequest {
  method: string;
  /** the URL as sent, a query parameter the credentials added shown as `***` */
  url: string;
  /** every header Intake set (connector, pagination, credentials), lower-case, the credentials' masked */
  headers: Record<string, string>;
  /** what the credentials added, masked: `authorization: Bearer ***`, `query api_key=***` */
  auth: string[];
  body?: string;
}

/** One request and what came back: the response is missing when none arrived (a network failure). */
export interface Exchange {
  request: SentRequest;
  response?: { status: number; headers: HttpResponse['headers']; text: string };
}

/**
 * A request the API refused, or that could not be completed, with the exchange that failed
 * (credentials masked), so preview can show the failing request and response.
 */
export class ExchangeError extends SourceError {
  readonly exchange: Exchange;

  constructor(error: SourceError, exchange: Exchange) {
    super(error.code, error.message, { hint: error.hint, cause: error.cause });
    this.exchange = exchange;
  }
}

/** The failed exchange behind an error, found through its causes (read.ts adds the page number around it). */
export function exchangeOf(error: unknown): Exchange | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ExchangeError) return e.exchange;
  }
  return undefined;
}

/** What a request looked like before the credentials were added, to tell what they added. */
export interface BeforeAuth {
  headers: Record<string, string>;
  query: URLSearchParams;
}

export function beforeAuth(url: URL, headers: Record<string, string>): BeforeAuth {
  return { headers: { ...headers }, query: new URLSearchParams(url.search) };
}

/**
 * The request as sent, with every header and query parameter the credentials set or changed
 * masked: the scrubber replaces the credential inside the value (`Bearer ***`, `Token token=***`,
 * `Basic ***`); a value it finds nothing in is masked whole but for a leading scheme word.
 */
export function sentRequest(request: HttpRequest, url: URL, headers: Record<string, string>, before: BeforeAuth, scrub: (text: string) => string): SentRequest {
  const auth: string[] = [];
  const shownHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const added = before.headers[name] !== value;
    shownHeaders[name] = added ? masked(value, scrub) : value;
    if (added) auth.push(`${name}: ${shownHeaders[name]}`);
  }
  const shownUrl = new URL(url);
  for (const [name, value] of url.searchParams) {
    if (before.query.get(name) === value) continue;
    shownUrl.searchParams.set(name, '***');
    auth.push(`query ${name}=***`);
  }
  return { method: request.method, url: scrub(shownUrl.href), headers: shownHeaders, auth, ...(request.body === undefined ? {} : { body: request.body }) };
}

function masked(value: string, scrub: (text: string) => string): string {
  const scrubbed = scrub(value);
  if (scrubbed !== value) return scrubbed;
  const scheme = /^[A-Za-z][\w-]* (?=\S)/.exec(value)?.[0] ?? '';
  return `${scheme}***`;
}
