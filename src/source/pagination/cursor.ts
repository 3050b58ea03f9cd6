import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { getter } from '../paths.js';
import { sendAs, type Paginator } from './types.js';

/**
 * `type: cursor` — each response carries an opaque token for the next page; an empty or missing
 * token means the last page.
 *
 * ```yaml
 * pagination:
 *   type: cursor
 *   token: { from: body, path: response_metadata.next_cursor }   # or { from: header, path: X-Next-Cursor }
 *   send: { in: query, name: cursor }
 *   max_pages: "{{ settings.max_pages }}"
 * ```
 */
interface CursorSpec extends PaginationSpec {
  token: { from: 'body' | 'header'; path: string };
  send: { in: 'query' | 'header'; name: string };
}

export const cursor: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'cursor',
  create(config) {
    const spec = config as CursorSpec;
    const fromBody = getter(spec.token.path);
    const header = spec.token.path.toLowerCase();
    return {
      first: () => ({}),
      next({ body, headers }) {
        const raw = spec.token.from === 'body' ? fromBody(body) : headers[header];
        const token = Array.isArray(raw) ? raw[0] : raw;
        if (token === undefined || token === null || token === '') return { done: true };
        return { request: sendAs(spec.send, String(token)) };
      },
    };
  },
};
