/**
 * Compiled paths into a response body or a record: dot paths (`response_metadata.next_cursor`,
 * `profile.email`, `.` for the value itself), with list selectors after a key:
 *
 * ```yaml
 * path: emails[primary eq true].value        # the first element whose primary is true (SCIM)
 * path: emails[type eq "work"].value         # string values in double quotes
 * path: phoneNumbers[0].value                # an index, from 0
 * ```
 *
 * A filter `[<key> eq <value>]` compares the element's key with a JSON value (`true`, `false`,
 * `null`, a number, or a string in double quotes) exactly, and takes the first element that
 * matches; a field with `unmatched: first` takes the list's first element when none does. Keys
 * that themselves contain dots are found too: `@odata.nextLink`, or SCIM's
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department` (the longest existing
 * key wins). Paths are checked when the connector loads (`pathProblem`), so `getter` trusts them.
 */
export type Getter = (value: unknown) => unknown;

export interface PathOptions {
  /** `first`: a filter that matches no element of a list takes its first element */
  unmatched?: 'first';
}

type Selector = { index: number } | { key: string; equals: unknown; text: string };

interface Segment {
  key: string;
  selectors: Selector[];
}

/** A path that cannot be read: what is wrong, at which character, and how to write it. */
export class PathSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint: string,
  ) {
    super(message);
  }
}

export function getter(path: string, options: PathOptions = {}): Getter {
  if (path === '.' || path === '') return (v) => v;
  if (!path.includes('[')) return dotted(path.split('.'));
  const segments = parsePath(path);
  return (v) => walk(segments, v, 0, options);
}

/** Why a path cannot be read, or undefined when it can. */
export function pathProblem(path: string): PathSyntaxError | undefined {
  try {
    if (path.includes('[')) parsePath(path);
    return undefined;
  } catch (error) {
    if (error instanceof PathSyntaxError) return error;
    throw error;
  }
}

/** Whether a path holds a `[<key> eq <value>]` filter (what `unmatched` applies to). */
export function hasFilter(path: string): boolean {
  return path.includes('[') && parsePath(path).some((s) => s.selectors.some((sel) => 'key' in sel));
}

/** The plain dot path (no selectors): the fast path, unchanged since the first connectors. */
function dotted(keys: string[]): Getter {
  if (keys.length === 1) {
    const [key] = keys;
    return (v) => (isObject(v) ? v[key] : undefined);
  }
  // joined[from][to] = keys from..to-1 joined with dots, computed once
  const joined = keys.map((_, from) => keys.map((__, i) => keys.slice(from, i + 1).join('.')));
  const walkKeys = (value: unknown, from: number): unknown => {
    if (from === keys.length) return value;
    if (!isObject(value)) return undefined;
    for (let to = keys.length; to > from; to--) {
      const key = joined[from][to - 1];
      if (Object.prototype.hasOwnProperty.call(value, key)) return walkKeys(value[key], to);
    }
    return undefined;
  };
  return (v) => walkKeys(v, 0);
}

/** Walks segments from `from`: keys joined across dots (longest first) up to the first segment with selectors. */
function walk(segments: Segment[], value: unknown, from: number, options: PathOptions): unknown {
  if (from === segments.length) return value;
  const first = segments[from];
  if (first.key === '' && first.selectors.length) return walk(segments, select(value, first.selectors, options), from + 1, options);
  if (!isObject(value)) return undefined;
  let last = from;
  while (last < segments.length - 1 && !segments[last].selectors.length) last++;
  for (let to = last + 1; to > from; to--) {
    const key = segments.slice(from, to).map((s) => s.key).join('.');
    if (Object.prototype.hasOwnProperty.call(value, key)) return walk(segments, select(value[key], segments[to - 1].selectors, options), to, options);
  }
  return undefined;
}

function select(value: unknown, selectors: Selector[], options: PathOptions): unknown {
  let current = value;
  for (const selector of selectors) {
    if (!Array.isArray(current)) return undefined;
    if ('index' in selector) {
      current = current[selector.index];
      continue;
    }
    const match = current.find((element) => isObject(element) && element[selector.key] === selector.equals);
    current = match === undefined && options.unmatched === 'first' ? current[0] : match;
  }
  return current;
}

const selectorHint = 'write [<n>] (an index from 0) or [<key> eq <value>], e.g. emails[primary eq true].value or emails[type eq "work"].value';

/** Splits a path into keys and their selectors; throws PathSyntaxError with the offset of the fault. */
function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let key = '';
  let selectors: Selector[] = [];
  let i = 0;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      segments.push({ key, selectors });
      key = '';
      selectors = [];
      i++;
    } else if (char === '[') {
      if (key === '' && !selectors.length && segments.length) {
        throw new PathSyntaxError(`a [ must follow a key, not a dot, in "${path}"`, i, 'write emails[0].value, not emails.[0].value');
      }
      const close = closing(path, i);
      selectors.push(parseSelector(path.slice(i + 1, close), i + 1, path));
      i = close + 1;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') {
        throw new PathSyntaxError(`"${path[i]}" after ] in "${path}": a selector ends a key`, i, 'after ] write . and the next key, or another [selector]');
      }
    } else if (char === ']') {
      throw new PathSyntaxError(`a ] without its [ in "${path}"`, i, selectorHint);
    } else {
      key += char;
      i++;
    }
  }
  segments.push({ key, selectors });
  return segments;
}

/** The index of the ] that closes the [ at `open`, skipping double-quoted strings. */
function closing(path: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < path.length; i++) {
    if (quoted) {
      if (path[i] === '\\') i++;
      else if (path[i] === '"') quoted = false;
    } else if (path[i] === '"') quoted = true;
    else if (path[i] === ']') return i;
  }
  throw new PathSyntaxError(`the [ at character ${open + 1} of "${path}" is not closed${quoted ? ' (a string in it is not closed either)' : ''}`, open, selectorHint);
}

function parseSelector(text: string, at: number, path: string): Selector {
  const body = text.trim();
  const start = at + text.indexOf(body);
  if (/^\d+$/.test(body)) return { index: Number(body) };
  if (/^-\d+$/.test(body)) throw new PathSyntaxError(`[${body}]: an index counts from the start of the list`, start, '[0] is the first element; there is no index from the end');
  const filter = /^(\S+)\s+(\S+)\s+(.+)$/s.exec(body);
  if (!filter) {
    throw new PathSyntaxError(body === '' ? `empty [] in "${path}"` : `[${body}] is neither an index nor a filter`, start, selectorHint);
  }
  const [, key, op, literal] = filter;
  if (op.toLowerCase() !== 'eq') {
    throw new PathSyntaxError(`[${body}]: only eq is supported in a filter, not "${op}"`, start + key.length + body.slice(key.length).indexOf(op), 'a path selects with [<key> eq <value>] or [<n>]; other SCIM operators (ne, co, sw, pr, gt, and, or) are not evaluated');
  }
  const valueAt = start + body.lastIndexOf(literal);
  return { key, equals: parseLiteral(literal, valueAt), text: body };
}

function parseLiteral(literal: string, at: number): unknown {
  if (/^(true|false|null)$/.test(literal) || /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(literal) || /^".*"$/s.test(literal)) {
    try {
      return JSON.parse(literal);
    } catch {
      // falls through to the message below
    }
  }
  const quoted = JSON.stringify(literal.replace(/^"|"$/g, ''));
  throw new PathSyntaxError(`${literal} is not a value: write true, false, null, a number, or text in double quotes`, at, `e.g. [type eq ${quoted}]`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
