/**
 * Compiled dot paths (`response_metadata.next_cursor`, `profile.email`, `emails.0.value`, `.` for
 * the value itself). Keys that themselves contain dots are found too: `@odata.nextLink`, or SCIM's
 * `urn:scim:schemas:extension:slack:guest:1.0.expiration` (the longest existing key wins). A key
 * that starts with a dot follows the separating dot: Dropbox's `{"status": {".tag": "active"}}`
 * is `status..tag` (and a top-level `.tag` is `.tag`). docs/connectors.md, "Paths", says so.
 */
export type Getter = (value: unknown) => unknown;

export function getter(path: string): Getter {
  if (path === '.' || path === '') return (v) => v;
  const keys = path.split('.');
  if (keys.length === 1) {
    const [key] = keys;
    return (v) => (isObject(v) ? v[key] : undefined);
  }
  // joined[from][to] = keys from..to-1 joined with dots, computed once
  const joined = keys.map((_, from) => keys.map((__, i) => keys.slice(from, i + 1).join('.')));
  const walk = (value: unknown, from: number): unknown => {
    if (from === keys.length) return value;
    if (!isObject(value)) return undefined;
    for (let to = keys.length; to > from; to--) {
      const key = joined[from][to - 1];
      if (Object.prototype.hasOwnProperty.call(value, key)) return walk(value[key], to);
    }
    return undefined;
  };
  return (v) => walk(v, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/**
 * The keys a path resolves to in `value`, found as `getter` finds them (the longest existing key
 * first), or undefined where the path leads nowhere: `keysAt('status..tag', v)` → `['status', '.tag']`.
 * For tools that show where a value sits (preview's envelope around the records); not for hot paths.
 */
export function keysAt(path: string, value: unknown): string[] | undefined {
  if (path === '.' || path === '') return [];
  const keys = path.split('.');
  const walk = (current: unknown, from: number): string[] | undefined => {
    if (from === keys.length) return [];
    if (!isObject(current)) return undefined;
    for (let to = keys.length; to > from; to--) {
      const key = keys.slice(from, to).join('.');
      if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
      const rest = walk(current[key], to);
      return rest && [key, ...rest];
    }
    return undefined;
  };
  return walk(value, 0);
}
