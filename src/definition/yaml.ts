import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import type { DefinitionIssue } from '../errors.js';

/** A parsed YAML file that still knows where each node came from. */
export interface SourceFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

/** Stage 1: parse YAML keeping node positions. Syntax errors come back as issues, all at once. */
export function parseYaml(file: string, text: string): { source?: SourceFile; issues: DefinitionIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: DefinitionIssue[] = doc.errors.map((error) => {
    const [start] = error.pos;
    const { line, col } = lines.linePos(start);
    const duplicate = error.code === 'DUPLICATE_KEY';
    return {
      file,
      line,
      col,
      code: duplicate ? 'duplicate_key' : 'yaml_syntax',
      path: '',
      message: firstLine(error.message),
      hint: duplicate ? 'remove or rename one of the two keys' : 'fix the YAML syntax at this position (indentation, quotes, colons)',
    };
  });
  if (issues.length) return { issues };
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { issues: [{ file, line: 1, col: 1, code: 'not_a_mapping', path: '', message: 'the file must hold a YAML mapping (key: value pairs)', hint: 'start from an example in connectors/ or mappings/' }] };
  }
  return { source: { file, text, doc, lines, data }, issues: [] };
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Finds the node at `segments`; with `key: true` the position of the last segment's key. */
export function locate(source: SourceFile, segments: (string | number)[], opts: { key?: boolean } = {}): { line: number; col: number } {
  let node: unknown = source.doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      if (last && opts.key && keyStart !== undefined) {
        best = keyStart;
        break;
      }
      node = pair.value;
      best = rangeStart(node) ?? keyStart ?? best;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      best = rangeStart(node) ?? best;
    } else {
      break;
    }
  }
  return source.lines.linePos(best);
}

/**
 * The position of character `offset` inside the string value at `segments` (an expression's
 * fault): exact for plain, quoted and block scalars whose text is written as is in the file;
 * the value's start otherwise (an escape or a folded line moves the characters).
 */
export function locateInside(source: SourceFile, segments: (string | number)[], offset: number): { line: number; col: number } {
  const node = nodeAt(source, segments);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return locate(source, segments);
  const value = node.value;
  const start = node.range[0];
  if (node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') {
    const at = start + (node.type === 'PLAIN' ? 0 : 1);
    if (source.text.slice(at, at + value.length) === value) return source.lines.linePos(at + offset);
  }
  if (node.type === 'BLOCK_LITERAL') {
    const lineIndex = value.slice(0, offset).split('\n').length - 1;
    const column = offset - (value.lastIndexOf('\n', offset - 1) + 1);
    const body = source.text.slice(start).split('\n').slice(1);
    const line = body[lineIndex];
    const expected = value.split('\n')[lineIndex];
    if (line !== undefined && line.endsWith(expected)) {
      const headerLine = source.lines.linePos(start).line;
      return { line: headerLine + 1 + lineIndex, col: line.length - expected.length + column + 1 };
    }
  }
  return locate(source, segments);
}

function nodeAt(source: SourceFile, segments: (string | number)[]): unknown {
  let node: unknown = source.doc.contents;
  for (const segment of segments) {
    if (isMap(node)) node = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment))?.value;
    else if (isSeq(node)) node = node.items[Number(segment)];
    else return undefined;
  }
  return node;
}

function rangeStart(node: unknown): number | undefined {
  return node && typeof node === 'object' && 'range' in node ? (node as Node).range?.[0] : undefined;
}

/** `a.b[2].c` for messages, from path segments. */
export function dotted(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
