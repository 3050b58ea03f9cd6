import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { getter } from '../paths.js';
import { compileStop, type StopCondition } from './stop.js';
import { sendAs, sentAs, shown, type Paginator, type SendAs } from './types.js';

/**
 * `type: cursor` — each response carries an opaque token for the next page; a missing or empty
 * token ends the read (so do any `stop:` conditions).
 *
 * ```yaml
 * pagination:                               # Slack
 *   type: cursor
 *   token: { from: body, path: response_metadata.next_cursor }   # or { from: header, path: X-Next-Cursor }
 *   send: { in: query, name: cursor }                            # or header, or body (a JSON field)
 *   max_pages: "{{ settings.max_pages }}"
 *
 * pagination:                               # a POST API with a "continue" endpoint (e.g. Dropbox)
 *   type: cursor
 *   token: { from: body, path: cursor }
 *   send: { in: body, name: cursor }
 *   continue_path: /team/members/list/continue
 *   stop: [{ path: has_more, equals: false }]
 * ```
 * With `continue_path`, pages after the first go to that path with a body of the cursor only.
 */
interface CursorSpec extends PaginationSpec {
  token: { from: 'body' | 'header'; path: string };
  send: SendAs;
  continue_path?: string;
  stop?: StopCondition[];
}

export const cursor: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'cursor',
  create(config) {
    const spec = config as CursorSpec;
    const fromBody = getter(spec.token.path);
    const header = spec.token.path.toLowerCase();
    const stop = compileStop(spec.stop ?? []);
    const source = spec.token.from === 'body' ? `body path ${spec.token.path}` : `header ${spec.token.path}`;
    let seen = 0;
    return {
      first: () => ({}),
      next({ body, headers, records }) {
        seen += records;
        const reason = stop({ body, records, seen });
        if (reason) return { done: true, why: reason };
        const raw = spec.token.from === 'body' ? fromBody(body) : headers[header];
        const token = Array.isArray(raw) ? raw[0] : raw;
        if (token === undefined || token === null) return { done: true, why: `no cursor at ${source}` };
        if (token === '') return { done: true, why: `empty cursor at ${source}` };
        const request = sendAs(spec.send, String(token));
        request.state = { cursor: String(token) };
        if (spec.continue_path) Object.assign(request, { path: spec.continue_path, replaceBody: true });
        return { request, why: `cursor ${shown(token)} from ${source}, sent as ${sentAs(spec.send)}${spec.continue_path ? ` to ${spec.continue_path}` : ''}` };
      },
    };
  },
};
