import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from 'yaml';
import { CredentialError } from '../errors.js';
import { checkPrivate, exists, writePrivate } from './private.js';

/**
 * The local credentials file: connector id → credential field → value, private to its owner.
 *
 * ```yaml
 * slack-last-login:
 *   token: xoxp-…
 * okta-users:
 *   token: 00a…
 * ```
 * Every value is text, as written (YAML's failsafe schema: `0123` stays `0123`, `true` stays
 * `true`). A problem is reported as `file:line:col` and what is wrong, never with a value.
 */
export interface CredentialsFile {
  path: string;
  exists: boolean;
  /** connector id → field → value */
  connectors: Map<string, Map<string, string>>;
}

const what = 'the credentials file';

/** Reads the file; a missing file holds nothing. Refuses one that others may read, or that does not parse. */
export function readCredentialsFile(path: string): CredentialsFile {
  if (!exists(path)) return { path, exists: false, connectors: new Map() };
  const { doc, lines } = parse(path);
  const connectors = new Map<string, Map<string, string>>();
  const problems: string[] = [];
  const at = (node: Node | null | undefined, text: string) => problems.push(`${position(path, lines, node)} ${text}`);
  const root = doc.contents;
  if (root !== null && !(isScalar(root) && root.value === '')) {
    if (!isMap(root)) at(root, 'the file must map connector ids to their credential fields (<connector id>:, then each field, e.g. token:, on its own line below it, indented)');
    else {
      for (const pair of root.items) {
        const id = String((pair.key as Scalar | null)?.value ?? '');
        const fields = new Map<string, string>();
        connectors.set(id, fields);
        if (!isMap(pair.value)) {
          at((pair.value as Node | null) ?? (pair.key as Node), `${id} must map credential field names to values (token: on the next line, indented)`);
          continue;
        }
        for (const entry of pair.value.items) {
          const field = String((entry.key as Scalar | null)?.value ?? '');
          const value = entry.value as Node | null;
          if (!isScalar(value)) at(value ?? (entry.key as Node), `${id}.${field} must be one value (text), not a list or a map`);
          else if (String(value.value).trim() === '') at(value, `${id}.${field} has no value`);
          else fields.set(field, String(value.value).trim());
        }
      }
    }
  }
  if (problems.length) throw invalid(problems);
  return { path, exists: true, connectors };
}

/** Sets fields of a connector (creating the file 0600, its folder 0700, when missing); other entries and comments are kept. */
export function setInFile(path: string, connector: string, values: Record<string, string>): void {
  if (exists(path)) readCredentialsFile(path); // refuses to write into a file that is not private or does not parse
  const doc = exists(path) ? parse(path).doc : parseDocument(header, { schema: 'failsafe' });
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents; // an empty file
  for (const [field, value] of Object.entries(values)) {
    const scalar = new Scalar(value);
    scalar.type = Scalar.QUOTE_DOUBLE; // any text, line breaks included, reads back as written
    doc.setIn([connector, field], scalar);
  }
  writePrivate(path, doc.toString({ lineWidth: 0 }));
}

/** Removes a connector's entry; false when the file has none. */
export function removeFromFile(path: string, connector: string): boolean {
  if (!exists(path)) return false;
  const { doc } = parse(path);
  if (!doc.hasIn([connector])) return false;
  doc.deleteIn([connector]);
  writePrivate(path, doc.toString({ lineWidth: 0 }));
  return true;
}

const header = `# Intake credentials: connector id, then credential field: value. Keep this file private (chmod 600).
# Write values with: intake credentials set <connector>
`;

function parse(path: string): { doc: Document.Parsed; lines: LineCounter } {
  checkPrivate(path, what);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { schema: 'failsafe', lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw invalid(doc.errors.map((e) => {
      const at = unclosedAt(doc, e.pos[0]) ?? e.pos[0];
      return `${path}:${lines.linePos(at).line}:${lines.linePos(at).col} ${at === e.pos[0] ? syntax[e.code] ?? `YAML syntax error (${e.code})` : 'a quote or bracket opened here is not closed'}`;
    }));
  }
  return { doc, lines };
}

/** Where the quoted value or flow collection that runs into `pos` (the parser noticed only at its end) opens. */
function unclosedAt(doc: Document.Parsed, pos: number): number | undefined {
  let start: number | undefined;
  visit(doc, (_key, node) => {
    const range = (node as Node).range;
    const open = (isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)) || ((isMap(node) || isSeq(node)) && node.flow);
    if (open && range && range[0] < pos && range[1] >= pos && (start === undefined || range[0] > start)) start = range[0];
  });
  return start;
}

/** The YAML parser's problems in words that quote nothing of the file (its own messages may quote a line, and a line may be a secret). */
const syntax: Record<string, string> = {
  BAD_INDENT: 'bad indentation',
  BLOCK_AS_IMPLICIT_KEY: 'a key and its value must be on one line (field: value), or the value indented below the key',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line',
  DUPLICATE_KEY: 'a key given twice',
  TAB_AS_INDENT: 'a tab used for indentation (indent with spaces)',
  MISSING_CHAR: 'a quote or bracket is not closed',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted value',
  UNEXPECTED_TOKEN: 'unexpected text',
  MULTIPLE_DOCS: 'more than one YAML document (a --- line)',
};

function position(path: string, lines: LineCounter, node: Node | null | undefined): string {
  const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
  return `${path}:${line}:${col}`;
}

function invalid(problems: string[]): CredentialError {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})` : '';
  return new CredentialError('credentials_file_invalid', `${problems[0]}${more}`, {
    hint: 'fix the credentials file (connector id, then each credential field indented below it: token: <value>), or write it with intake credentials set <connector>',
  });
}
