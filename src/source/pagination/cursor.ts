import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { getter } from '../paths.js';
import { compileStop, type StopCondition } from './stop.js';
import { sendAs, sentAs, shown, type PageRequest, type PageResponse, type Paginator, type SendAs } from './types.js';

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
    const requestFor = (token: string): PageRequest => {
      const request = sendAs(spec.send, token);
      request.state = { cursor: token };
      if (spec.continue_path) Object.assign(request, { path: spec.continue_path, replaceBody: true });
      return request;
    };
    // a guess only where a page's cursor alone decides that another one follows (no stop: conditions)
    const guessed = spec.stop?.length ? undefined : spec.token.from === 'header' ? (_: string, headers: PageResponse['headers']) => first(headers[header]) : tokenInText(spec.token.path);
    return {
      first: () => ({}),
      next({ body, headers, records }) {
        seen += records;
        const reason = stop({ body, records, seen });
        if (reason) return { done: true, why: reason };
        const token = first(spec.token.from === 'body' ? fromBody(body) : headers[header]);
        if (token === undefined || token === null) return { done: true, why: `no cursor at ${source}` };
        if (token === '') return { done: true, why: `empty cursor at ${source}` };
        return { request: requestFor(String(token)), why: `cursor ${shown(token)} from ${source}, sent as ${sentAs(spec.send)}${spec.continue_path ? ` to ${spec.continue_path}` : ''}` };
      },
      guess: guessed && ((text, headers) => {
        const token = guessed(text, headers);
        return token === undefined || token === null || token === '' ? undefined : requestFor(String(token));
      }),
    };
  },
};

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The cursor a response's text holds at the token path's last key: the value of the key's last
 * occurrence (a cursor usually ends the body, after the records), a string or an integer. Only a
 * guess: the parsed body decides. None for a path whose last part is not a plain name.
 */
function tokenInText(path: string): ((text: string) => string | undefined) | undefined {
  const key = path.split('.').pop()!;
  if (!/^[A-Za-z_][\w-]*$/.test(key)) return undefined;
  const quoted = `"${key}"`;
  const value = /\s*:\s*(?:"((?:[^"\\\u0000-\u001f]|\\.)*)"|(-?\d+)[\s,}])/y;
  return (text) => {
    const at = text.lastIndexOf(quoted);
    if (at < 0) return undefined;
    value.lastIndex = at + quoted.length;
    const match = value.exec(text);
    if (!match) return undefined;
    if (match[2] !== undefined) return match[2];
    try {
      return JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return undefined;
    }
  };
}
