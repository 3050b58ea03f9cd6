import { isAlias, isMap, isScalar, isSeq, type Alias, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { limits } from './limits.js';

/** A problem found while turning the YAML nodes into data, at a character offset of the file. */
export interface TreeIssue {
  offset: number;
  /** the YAML path of the node at fault */
  path: (string | number)[];
  code: string;
  message: string;
  hint?: string;
}

/** Where a YAML path is written: its key (for a mapping entry) and its value node. */
export interface IndexEntry {
  key?: Node;
  value?: Node | null;
}

/** The data of a document, its problems, and an index from YAML path to nodes (for positions). */
export interface Tree {
  data: unknown;
  issues: TreeIssue[];
  index: Map<string, IndexEntry>;
}

/** The index key of a YAML path: `['errors', 0, 'when']` → `errors\0 0\0when`. */
export function pathKey(segments: readonly (string | number)[]): string {
  return segments.map(String).join('\u0000');
}

/** `pathKey([...path, key])`, from the parent's key without joining the whole path again. */
function childId(parent: string, path: readonly unknown[], key: string | number): string {
  return path.length ? `${parent}\u0000${key}` : String(key);
}

const plainTags = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

interface Anchor {
  node: Node;
  value: unknown;
  /** values the anchored node holds (itself included), and how deep it nests */
  size: number;
  height: number;
  done: boolean;
}

interface Converted {
  value: unknown;
  size: number;
  height: number;
}

/**
 * Turns a composed YAML document into plain data in one pass over its nodes (linear: no quadratic
 * duplicate-key check, no per-alias search of the document), and finds on the way what a
 * definition must not hold: a key written twice, a key that is not plain text, a tag or a value
 * that is not text, a number, a boolean or null, an alias to nothing or to itself, and aliases
 * that repeat more than `limits.aliasValues` values or nest deeper than `limits.depth` (an alias bomb).
 */
export function readTree(contents: Node | null): Tree {
  const issues: TreeIssue[] = [];
  const index = new Map<string, IndexEntry>();
  const anchors = new Map<string, Anchor>();
  let repeated = 0;
  let stopped = false;
  const issue = (node: Node | undefined, path: (string | number)[], code: string, message: string, hint?: string) => issues.push({ offset: node?.range?.[0] ?? 0, path, code, message, hint });

  const convert = (node: Node | null | undefined, path: (string | number)[], id: string, level: number): Converted => {
    if (stopped || node === null || node === undefined) return { value: null, size: 1, height: 1 };
    if (isAlias(node)) return alias(node, path, level);
    const anchor = node.anchor ? { node, value: undefined, size: 1, height: 1, done: false } : undefined;
    if (anchor) anchors.set(node.anchor!, anchor);
    const tag = node.tag;
    if (tag && !plainTags.has(tag)) {
      issue(node, path, 'unsupported_tag', `the tag ${tag.replace('tag:yaml.org,2002:', '!!')} is not allowed here`, 'definitions hold only text, numbers, booleans, lists and mappings: remove the tag');
    }
    const result = isMap(node) ? map(node, path, id, level) : isSeq(node) ? seq(node, path, id, level) : scalar(node, path);
    if (anchor) Object.assign(anchor, result, { done: true });
    return result;
  };

  const scalar = (node: Node, path: (string | number)[]): Converted => {
    const value = isScalar(node) ? node.value : null;
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      issue(node, path, 'unsupported_tag', `this value is read as ${describe(value)}, which a definition cannot hold`, 'write it as text in quotes');
      return { value: null, size: 1, height: 1 };
    }
    return { value, size: 1, height: 1 };
  };

  const map = (node: YAMLMap, path: (string | number)[], id: string, level: number): Converted => {
    const value: Record<string, unknown> = {};
    const seen = new Set<string>();
    let size = 1;
    let height = 1;
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (keyNode && (!isScalar(keyNode) || !['string', 'number', 'boolean'].includes(typeof keyNode.value) && keyNode.value !== null)) {
        issue(keyNode, path, 'complex_key', 'a key must be plain text, not a list, a mapping or an alias', 'write the key as a name, e.g. page_size:');
        continue;
      }
      const key = keyNode === null || keyNode.value === null ? '' : String(keyNode.value);
      if (seen.has(key)) {
        issue(keyNode ?? undefined, [...path, key], 'duplicate_key', `the key "${key}" is written twice in this mapping`, 'remove or rename one of the two keys');
        continue;
      }
      seen.add(key);
      const at = [...path, key];
      const atId = childId(id, path, key);
      index.set(atId, { key: keyNode ?? undefined, value: pair.value as Node | null });
      const child = convert(pair.value as Node | null, at, atId, level + 1);
      if (key === '__proto__') Object.defineProperty(value, key, { value: child.value, enumerable: true, writable: true, configurable: true });
      else value[key] = child.value;
      size += child.size + 1;
      height = Math.max(height, child.height + 1);
    }
    return { value, size, height };
  };

  const seq = (node: YAMLSeq, path: (string | number)[], id: string, level: number): Converted => {
    const value: unknown[] = [];
    let size = 1;
    let height = 1;
    node.items.forEach((item, i) => {
      const at = [...path, i];
      const atId = childId(id, path, i);
      index.set(atId, { value: item as Node | null });
      const child = convert(item as Node | null, at, atId, level + 1);
      value.push(child.value);
      size += child.size;
      height = Math.max(height, child.height + 1);
    });
    return { value, size, height };
  };

  const alias = (node: Alias, path: (string | number)[], level: number): Converted => {
    const anchor = anchors.get(node.source);
    if (!anchor) {
      issue(node, path, 'unknown_anchor', `the alias *${node.source} refers to no anchor &${node.source} above it`, `define &${node.source} on a value before this line, or write the value out`);
      return { value: null, size: 1, height: 1 };
    }
    if (!anchor.done) {
      issue(node, path, 'recursive_alias', `the alias *${node.source} is inside the value it refers to`, 'an alias must refer to a value that is complete before it');
      return { value: null, size: 1, height: 1 };
    }
    repeated += anchor.size;
    if (repeated > limits.aliasValues) {
      issue(node, path, 'alias_limit', `aliases in this file repeat more than ${limits.aliasValues} values (an alias bomb?)`, 'write the values out, or use fewer aliases of large values');
      stopped = true;
    } else if (level + anchor.height > limits.depth) {
      issue(node, path, 'too_deep', `through the alias *${node.source}, the data nests more than ${limits.depth} levels deep`, 'definitions nest a few levels; use fewer nested aliases');
      stopped = true;
    }
    return stopped ? { value: null, size: 1, height: 1 } : { value: anchor.value, size: anchor.size, height: anchor.height };
  };

  index.set(pathKey([]), { value: contents });
  const { value } = convert(contents, [], pathKey([]), 1);
  return { data: value, issues, index };
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'a date (a YAML 1.1 timestamp)';
  if (value instanceof Uint8Array) return 'binary data';
  return `a ${(value as object)?.constructor?.name ?? typeof value}`;
}
