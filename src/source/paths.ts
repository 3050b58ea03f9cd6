/**
 * Compiled dot paths (`response_metadata.next_cursor`, `profile.email`, `.` for the value
 * itself). A key that itself contains dots (`@odata.nextLink`) is found when the object has it.
 */
export type Getter = (value: unknown) => unknown;

export function getter(path: string): Getter {
  if (path === '.' || path === '') return (v) => v;
  const keys = path.split('.');
  if (keys.length > 1) {
    const nested = walk(keys);
    return (v) => (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, path) ? (v as Record<string, unknown>)[path] : nested(v));
  }
  {
    const [key] = keys;
    return (v) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);
  }
}

function walk(keys: string[]): Getter {
  return (v) => {
    let value = v;
    for (const key of keys) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[key];
    }
    return value;
  };
}
