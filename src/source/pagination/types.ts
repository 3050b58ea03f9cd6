/** What a paginator adds to the list request for one page. */
export interface PageRequest {
  query?: Record<string, string>;
  headers?: Record<string, string>;
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

/** The request for the next page, `done` (no more data), or `limit` (the API serves no further page). */
export type Next = { request: PageRequest } | { done: true } | { limit: string };

export interface Paginator {
  first(): PageRequest;
  next(response: PageResponse): Next;
}

/** Builds the request part that carries a pagination value. */
export function sendAs(send: { in: 'query' | 'header'; name: string }, value: string): PageRequest {
  return send.in === 'query' ? { query: { [send.name]: value } } : { headers: { [send.name]: value } };
}
