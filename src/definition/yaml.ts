import { Composer, Lexer, LineCounter, Parser, YAMLParseError, isScalar, type CST, type Document, type Node, type YAMLError } from 'yaml';
import type { DefinitionIssue } from '../errors.js';
import { limits } from './limits.js';
import { pathKey, readTree, type IndexEntry } from './tree.js';

/** A parsed YAML file that still knows where each node came from. */
export interface SourceFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
  /** YAML path → its key and value nodes */
  index: Map<string, IndexEntry>;
}

/**
 * Stage 1: parse YAML keeping node positions. Every problem comes back as an issue with a
 * position, all at once: syntax, a key written twice, a tag, an alias to nothing, and a file
 * past the limits (too large, too deep, an alias bomb) — never an exception or a long wait.
 */
export function parseYaml(file: string, text: string, options: { tooLarge?: boolean } = {}): { source?: SourceFile; issues: DefinitionIssue[] } {
  const lines = new LineCounter();
  const at = (offset: number) => lines.linePos(Math.min(offset, text.length));
  const issue = (offset: number, code: string, message: string, hint?: string): DefinitionIssue => ({ file, ...at(offset), code, path: '', message, hint });
  if (options.tooLarge || text.length > limits.fileBytes) {
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return { issues: [issue(Math.min(text.length, limits.fileBytes), 'file_too_large', `the file is larger than ${limits.fileBytes / 1024 / 1024} MiB; a definition is a few kilobytes`, 'this is not a connector or mapping file, or it declares far too much: split it, or keep only the fields a mapping uses')] };
  }
  const composed = compose(text, lines);
  if ('tooDeep' in composed) {
    return { issues: [issue(composed.tooDeep, 'too_deep', `the YAML nests more than ${limits.depth} levels deep here`, 'definitions nest a few levels: check the indentation and the brackets')] };
  }
  const { doc } = composed;
  const syntax = [...doc.errors, ...doc.warnings].map((error) => fromYamlError(error, issue));
  if (syntax.length) return { issues: firstAtEachPosition(sorted(syntax)) };
  const tree = readTree(doc.contents as Node | null);
  if (tree.issues.length) return { issues: sorted(tree.issues.map((i) => ({ ...issue(i.offset, i.code, i.message, i.hint), path: dotted(i.path) }))) };
  const data = tree.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { issues: [{ file, line: 1, col: 1, code: 'not_a_mapping', path: '', message: 'the file must hold a YAML mapping (key: value pairs)', hint: 'start from an example in connectors/ or mappings/' }] };
  }
  return { source: { file, text, doc, lines, data, index: tree.index }, issues: [] };
}

/**
 * Lexes, parses and composes one document, as `parseDocument` does, but stops at the first place
 * that nests deeper than `limits.depth`: the YAML library (and every stage after it) recurses
 * once per level, and a file nested thousands deep would exhaust the stack.
 */
function compose(text: string, lines: LineCounter): { doc: Document.Parsed } | { tooDeep: number } {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: false, resolveKnownTags: false, merge: false });
  function* tokens(): Generator<CST.Token> {
    lines.addNewLine(0);
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length > limits.depth) throw new TooDeep(parser.offset);
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  try {
    for (const next of composer.compose(tokens(), true, text.length)) {
      if (!doc) doc = next;
      else {
        doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'the file holds more than one YAML document (a --- line)'));
        break;
      }
    }
  } catch (error) {
    if (error instanceof TooDeep) return { tooDeep: error.offset };
    throw error;
  }
  return { doc: doc! };
}

class TooDeep extends Error {
  constructor(readonly offset: number) {
    super('too deep');
  }
}

/** Hints for the YAML library's error codes: what the usual cause is. */
const yamlHints: Record<string, string> = {
  TAB_AS_INDENT: 'YAML indents with spaces, never tabs: replace the tabs at the start of the line',
  BAD_INDENT: 'check the indentation (spaces; the items of one mapping or list start in the same column) and that every [ and { is closed',
  MISSING_CHAR: 'something is missing here: a closing quote or bracket, or the ": " after a key',
  BLOCK_AS_IMPLICIT_KEY: 'a value with ": " in it must be quoted (key: "a: b"), or a line here is indented deeper than the keys beside it',
  MULTILINE_IMPLICIT_KEY: 'a key must be on one line; a value with ": " in it must be quoted',
  UNEXPECTED_TOKEN: 'quote values that start with @, `, %, or contain ": " or " #"',
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  MULTIPLE_DOCS: 'a definition is one YAML document: remove the --- line and what follows, or split the file',
  TAG_RESOLVE_FAILED: 'definitions hold only text, numbers, booleans, lists and mappings: remove the tag',
  BAD_COLLECTION_TYPE: 'definitions hold only text, numbers, booleans, lists and mappings: remove the tag',
  BAD_ALIAS: 'anchor and alias names must not end in a colon',
};

function fromYamlError(error: YAMLError, issue: (offset: number, code: string, message: string, hint?: string) => DefinitionIssue): DefinitionIssue {
  const code = error.code === 'TAG_RESOLVE_FAILED' || error.code === 'BAD_COLLECTION_TYPE' ? 'unsupported_tag' : error.code === 'DUPLICATE_KEY' ? 'duplicate_key' : 'yaml_syntax';
  const message = error.code === 'TAG_RESOLVE_FAILED' ? firstLine(error.message).replace('Unresolved tag: tag:yaml.org,2002:', 'the tag !!').replace(/^Unresolved tag: (.*)$/, 'the tag $1') + ' is not allowed here' : firstLine(error.message);
  return issue(error.pos[0], code, message, yamlHints[error.code] ?? 'fix the YAML syntax at this position (indentation, quotes, colons)');
}

/** The YAML library often reports one mistake twice at one position (two ways to read it): keep the first. */
function firstAtEachPosition(issues: DefinitionIssue[]): DefinitionIssue[] {
  return issues.filter((issue, i) => i === 0 || issue.line !== issues[i - 1].line || issue.col !== issues[i - 1].col);
}

function sorted(issues: DefinitionIssue[]): DefinitionIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

function firstLine(text: string): string {
  return text.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Finds the node at `segments`; with `key: true` the position of the last segment's key. */
export function locate(source: SourceFile, segments: (string | number)[], opts: { key?: boolean } = {}): { line: number; col: number } {
  for (let n = segments.length; n >= 0; n--) {
    const entry = source.index.get(pathKey(segments.slice(0, n)));
    if (!entry) continue;
    const key = rangeStart(entry.key);
    const at = n === segments.length && opts.key && key !== undefined ? key : rangeStart(entry.value) ?? key ?? 0;
    return source.lines.linePos(at);
  }
  return source.lines.linePos(0);
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
  return source.index.get(pathKey(segments))?.value ?? undefined;
}

function rangeStart(node: unknown): number | undefined {
  return node && typeof node === 'object' && 'range' in node ? (node as Node).range?.[0] : undefined;
}

/** `a.b[2].c` for messages, from path segments. */
export function dotted(segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
