import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { getter } from '../paths.js';
import { compileStop, type StopCondition } from './stop.js';
import type { Paginator } from './types.js';

/**
 * `type: next_url` — the response names the next page's full URL: in a body field (absolute or
 * relative to the base URL) or in an RFC 8288 `Link` header with `rel="next"`. No URL ends the read.
 *
 * ```yaml
 * pagination:                               # Microsoft Graph
 *   type: next_url
 *   from: body
 *   path: "@odata.nextLink"
 *
 * pagination:                               # Okta, GitHub
 *   type: next_url
 *   from: link_header
 * ```
 * A next URL on another host than the base URL is refused: credentials stay on the connector's host.
 */
interface NextUrlSpec extends PaginationSpec {
  from: 'body' | 'link_header';
  path?: string;
  stop?: StopCondition[];
}

export const nextUrl: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'next_url',
  create(config) {
    const spec = config as NextUrlSpec;
    const fromBody = getter(spec.path ?? 'next');
    const stop = compileStop(spec.stop ?? []);
    const source = spec.from === 'link_header' ? 'in a Link header with rel="next"' : `at body path ${spec.path ?? 'next'}`;
    let seen = 0;
    return {
      first: () => ({}),
      next({ body, headers, records }) {
        seen += records;
        const reason = stop({ body, records, seen });
        if (reason) return { done: true, why: reason };
        const raw = spec.from === 'link_header' ? nextLink(headers.link) : fromBody(body);
        if (typeof raw !== 'string' || raw === '') return { done: true, why: `no next URL ${source}` };
        return { request: { url: raw, state: { url: raw } }, why: `URL ${source}: ${raw}` };
      },
    };
  },
};

/** The `rel="next"` target of one or several `Link` headers (RFC 8288), or undefined. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const match = /<([^>]*)>(.*)/.exec(part.trim());
      if (!match) continue;
      const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2]);
      if (rel && rel[1].split(/\s+/).includes('next')) return match[1];
    }
  }
  return undefined;
}
