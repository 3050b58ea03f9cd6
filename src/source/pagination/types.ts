/** What a paginator sets on the request for one page. */
export interface PageRequest {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** fields merged into the JSON body (POST requests) */
  body?: Record<string, unknown>;
  /** with `body`: send only these fields, not the connector's body (a "continue" call) */
  replaceBody?: boolean;
  /** a path below the base URL that replaces the request path (a "continue" endpoint) */
  path?: string;
  /** a complete URL for the next page (next-URL pagination): query and path come from it */
  url?: string;
  /** values templates may use as `{{ page.<name> }}` */
  state?: Record<string, unknown>;
}

/** What a paginator sees of the page just read. */
export interface PageResponse {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** number of records extracted from this page */
  records: number;
  /** 1-based number of this page in the run */
  page: number;
}

/**
 * The request for the next page, `done` (no more data), or `limit` (the API serves no further
 * page); with warnings for the run log (records the paging may have missed, a capped page size),
 * and `why`: the decision in a few words, for the connector author (`intake preview`) — what the
 * next page is and where it came from (`cursor "dXNlcjpVMEc5…" from body path
 * response_metadata.next_cursor`), or what ended the read (`empty cursor at body path …`).
 */
export type Next = ({ request: PageRequest } | { done: true } | { limit: string }) & { warnings?: string[]; why?: string };

export interface Paginator {
  first(): PageRequest;
  next(response: PageResponse): Next;
  /**
   * continue a read at the page `request` asks for (a request this paginator made in an earlier
   * run): restores what `next` needs beyond the page number; paginators whose state travels in
   * the request itself (cursor, next URL) and page numbers (from the page number) need none
   */
  resume?(request: PageRequest): void;
  /**
   * called after `next` asked for the next page: the requests of the pages after the one just
   * read (the next one first), in order, as far as the response tells them already (a total page
   * count, a total record count): what `next` will ask for if every page comes back full. The
   * reader requests them ahead, up to the pagination's `concurrency`, and uses one only when
   * `next` asks for exactly that request; never changes any state
   */
  plan?(response: PageResponse): PageRequest[];
  /**
   * the next page's request as a successful response's text and headers already show it, before
   * the body is parsed (a cursor at the end of the text): the reader, waiting for this page, sends
   * it at once, and uses its answer only when `next` asks for exactly that request (a wrong guess
   * costs one request, dropped); undefined when the text does not tell. Never changes any state
   */
  guess?(text: string, headers: PageResponse['headers']): PageRequest | undefined;
}

/** Where a pagination value travels in the request. */
export interface SendAs {
  in: 'query' | 'header' | 'body';
  name: string;
}

/** Builds the request part that carries a pagination value. */
export function sendAs(send: SendAs, value: string | number): PageRequest {
  if (send.in === 'body') return { body: { [send.name]: value } };
  return send.in === 'query' ? { query: { [send.name]: String(value) } } : { headers: { [send.name]: String(value) } };
}

/** Merges request parts (later ones win). */
export function merge(...parts: PageRequest[]): PageRequest {
  const out: PageRequest = {};
  for (const p of parts) {
    if (p.query) out.query = { ...out.query, ...p.query };
    if (p.headers) out.headers = { ...out.headers, ...p.headers };
    if (p.body) out.body = { ...out.body, ...p.body };
    if (p.state) out.state = { ...out.state, ...p.state };
    if (p.replaceBody) out.replaceBody = true;
    if (p.path) out.path = p.path;
    if (p.url) out.url = p.url;
  }
  return out;
}

/** A value from an API as a decision shows it: quoted, and cut after 12 characters (`"dXNlcjpVMEc5…"`). */
export function shown(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 16 ? `${text.slice(0, 12)}…` : text);
}

/** Where a pagination value is sent, in words: `query parameter cursor`, `header X-Cursor`, `body field cursor`. */
export function sentAs(send: SendAs): string {
  return `${send.in === 'query' ? 'query parameter' : send.in === 'header' ? 'header' : 'body field'} ${send.name}`;
}
