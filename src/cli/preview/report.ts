import type { ConnectorSpec } from '../../definition/model.js';
import type { Exchange, SentRequest } from '../../source/exchange.js';
import type { HttpResponse } from '../../source/http.js';
import { keysAt } from '../../source/paths.js';
import type { Page } from '../../source/read.js';

/**
 * What `intake preview` shows of one page — for the connector author: the request as sent (the
 * credentials' part masked to its shape), the response headers, the body around the records (the
 * whole envelope, the records list replaced by `[… 100 records]`), the first raw records, the
 * source records, and what the pager decided. Strings are shown as they came; the output gate
 * masks every credential in them.
 */
export interface PreviewPage {
  number: number;
  /** a partitioned read: the partition this page belongs to (`number` counts within it), e.g. `status=inactive` */
  partition?: string;
  request: ShownRequest;
  response: { status: number; headers: Record<string, string | string[]>; records: number; envelope: unknown; raw_records: unknown[] };
  pager: { decision: 'next' | 'stop'; reason: string } | null;
  source_records: unknown[];
}

export interface ShownRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** what the credentials added, masked: `Authorization: Bearer ***`, `PRIVATE-TOKEN: ***`, `query api_key=***` */
  auth: string[];
  body?: string;
}

/** The request that failed and the response to it, when one came (its body cut after `bodyLimit` characters). */
export interface PreviewFailure {
  request: ShownRequest;
  response: { status: number; headers: Record<string, string | string[]>; body: string; body_cut: number } | null;
}

export const bodyLimit = 4000;

/** Builds the shown pages and failures of one connector: header names as the connector writes them. */
export function previewer(connector: ConnectorSpec, shown: number) {
  const name = headerNames(connector);
  const request = (sent: SentRequest | undefined, page?: Page['request']): ShownRequest => {
    const base = sent ?? { method: page!.method, url: page!.url, headers: page!.headers, auth: [], body: page!.body };
    return {
      method: base.method,
      url: base.url,
      headers: Object.fromEntries(Object.entries(base.headers).map(([k, v]) => [name(k), v])),
      auth: base.auth.map((line) => line.replace(/^([^:]+): /, (_, header: string) => `${name(header)}: `)),
      ...(base.body === undefined ? {} : { body: base.body }),
    };
  };
  return {
    page(page: Page, sourceRecords: unknown[]): PreviewPage {
      return {
        number: page.number,
        ...(page.partition ? { partition: page.partition.label } : {}),
        request: request(page.response.sent, page.request),
        response: {
          status: page.response.status,
          headers: responseHeaders(page.response.headers),
          records: page.records.length,
          envelope: envelope(page.response.body, connector.records, page.records.length),
          raw_records: page.records.slice(0, shown),
        },
        pager: page.decision ? { decision: page.decision.next ? 'next' : 'stop', reason: page.decision.why } : null,
        source_records: sourceRecords,
      };
    },
    failure(exchange: Exchange): PreviewFailure {
      const response = exchange.response;
      return {
        request: request(exchange.request),
        response: response ? { status: response.status, headers: responseHeaders(response.headers), body: response.text.slice(0, bodyLimit), body_cut: Math.max(0, response.text.length - bodyLimit) } : null,
      };
    },
  };
}

/**
 * The body with the records list replaced by `[… N records]`: every key around it, whole — the
 * paging fields (`more`, `total`, `offset`, `response_metadata`) are what an author looks for.
 */
export function envelope(body: unknown, recordsPath: string, count: number): unknown {
  const marker = `[… ${count} records]`;
  const keys = keysAt(recordsPath, body);
  if (!keys) return body; // no list there (records_missing: empty)
  if (!keys.length) return marker;
  const copy = structuredClone(body) as Record<string, unknown>;
  let at = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys[keys.length - 1]] = marker;
  return copy;
}

/** Response headers as they came (lower-case names), a cookie's value masked: a session cookie is a credential too. */
function responseHeaders(headers: HttpResponse['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === 'set-cookie' ? [value].flat().map((c) => c.replace(/^(\s*[^=;]+=)[^;]*/, '$1***')) : value;
  }
  return out;
}

/**
 * Request header names as the connector writes them (`PRIVATE-TOKEN`, `X-Cursor`), or in the
 * usual capitals (`Authorization`, `Content-Type`): the client sends them lower-case.
 */
function headerNames(connector: ConnectorSpec): (name: string) => string {
  const declared = new Map<string, string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') declared.set(value.toLowerCase(), value);
  };
  add(connector.credentials.in === 'header' ? connector.credentials.name : undefined);
  add(connector.credentials.header);
  for (const name of Object.keys(connector.request.headers ?? {})) add(name);
  const send = (connector.pagination as { send?: { in?: string; name?: string } }).send;
  if (send?.in === 'header') add(send.name);
  return (name) => declared.get(name) ?? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
