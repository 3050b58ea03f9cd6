/**
 * Oomnitza's v3 `filter` expression that finds records whose `field` is one of `values`:
 * `slack_user_id IN ['U1','U2']`. Values are single-quoted; a backslash and a single quote inside
 * a value are escaped with a backslash (`O\'Brien`, `back\\slash`).
 */
export function inFilter(field: string, values: string[]): string {
  return `${field} IN [${values.map(quoted).join(',')}]`;
}

export function quoted(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** Splits values into lookups of at most `size` values whose filter, URL-encoded, stays under `maxLength` characters. */
export function lookups(field: string, values: string[], size: number, maxLength: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = encodeURIComponent(inFilter(field, [])).length;
  for (const value of values) {
    const more = encodeURIComponent(`${quoted(value)},`).length;
    if (chunk.length && (chunk.length >= size || length + more > maxLength)) {
      chunks.push(chunk);
      chunk = [];
      length = encodeURIComponent(inFilter(field, [])).length;
    }
    chunk.push(value);
    length += more;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}
