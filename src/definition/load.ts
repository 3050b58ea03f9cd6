import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { DefinitionError, type DefinitionIssue } from '../errors.js';
import { checkConnector, checkMapping } from './crosscheck.js';
import type { ConnectorSpec, MappingSpec } from './model.js';
import { readBounded } from './limits.js';
import { connectorFolders, connectorHint, connectorIdPattern, describeFolders, findConnector, userFolderOf } from './lookup.js';
import { validateSchema, type SchemaName } from './schema.js';
import { locate, parseYaml, type SourceFile } from './yaml.js';

/** A connector and a mapping that passed every stage, with the files they came from. */
export interface Integration {
  connector: ConnectorSpec;
  mapping: MappingSpec;
  connectorFile: string;
  mappingFile: string;
  /** what a draft lacks (no sync key, a required field unmapped); empty when the mapping is complete */
  missing: DefinitionIssue[];
}

/**
 * Loads a definition file in named stages: read → parse (positions kept) → schema (ajv, all
 * errors) → cross-check. Returns every issue of the file at once; `value` only when none.
 */
function loadFile<T>(file: string, schema: SchemaName, check: (value: T, source: SourceFile) => DefinitionIssue[]): { value?: T; source?: SourceFile; issues: DefinitionIssue[] } {
  const shown = displayPath(file);
  let read: { text: string; tooLarge: boolean };
  try {
    read = readBounded(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { issues: [{ file: shown, line: 1, col: 1, code: 'file_unreadable', path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code})`, hint: 'check the path; connectors live in connectors/, mappings in mappings/' }] };
  }
  const parsed = parseYaml(shown, read.text, { tooLarge: read.tooLarge });
  if (!parsed.source) return { issues: capped(parsed.issues) };
  const schemaIssues = validateSchema(schema, parsed.source);
  if (schemaIssues.length) return { source: parsed.source, issues: capped(schemaIssues) };
  const value = parsed.source.data as T;
  const issues = capped(check(value, parsed.source));
  return issues.length ? { source: parsed.source, issues } : { value, source: parsed.source, issues };
}

/** Issues reported per file at most: past it, one more issue (at the first one left out) says how many were left out. */
export const maxIssues = 100;

function capped(issues: DefinitionIssue[]): DefinitionIssue[] {
  if (issues.length <= maxIssues) return issues;
  const next = issues[maxIssues];
  return [...issues.slice(0, maxIssues), { ...next, code: 'too_many_problems', path: '', message: `${issues.length - maxIssues} more problem(s) from here on are not shown`, hint: 'fix the problems above first; the same mistake is often repeated' }];
}

export function loadConnector(file: string): ConnectorSpec {
  const { value, issues } = loadFile<ConnectorSpec>(file, 'connector', checkConnector);
  if (!value) throw new DefinitionError(issues);
  return value;
}

/**
 * Loads a mapping and the connector it names; throws one DefinitionError with all issues of both.
 * A draft (complete but for a sync key or a required field) throws too, unless `draft: true`:
 * then it loads, with what it lacks in `missing`.
 */
export function loadIntegration(mappingFile: string, options: { draft?: boolean; connectors?: ConnectorLoads } = {}): Integration {
  const mapping = loadFile<MappingSpec>(mappingFile, 'mapping', () => []);
  if (!mapping.value) throw new DefinitionError(mapping.issues);
  const connectorFile = connectorPath(mappingFile, mapping.value.connector);
  if (!connectorFile) throw new DefinitionError([connectorNotFound(mappingFile, mapping.value.connector, mapping.source!)]);
  const connector = loadConnectorFile(connectorFile, options.connectors);
  if (!connector.value) throw new DefinitionError(connector.issues);
  const issues = checkMapping(mapping.value, connector.value, mapping.source!);
  if (connector.value.id !== mapping.value.connector && !isConnectorPath(mapping.value.connector)) {
    issues.push({ file: displayPath(connectorFile), line: 1, col: 1, code: 'id_mismatch', path: 'id', message: `the file declares id "${connector.value.id}" but the mapping asks for "${mapping.value.connector}"`, hint: 'make the file name and the id agree' });
  }
  const missing = issues.filter((i) => i.draft);
  if (issues.length > missing.length || (missing.length && !options.draft)) throw new DefinitionError(capped(issues));
  return { connector: connector.value, mapping: mapping.value, connectorFile, mappingFile, missing };
}

/** `connector:` names no file: where Intake looked, and the nearest id, at the value's position. */
function connectorNotFound(mappingFile: string, connector: string, source: SourceFile): DefinitionIssue {
  const { line, col } = locate(source, ['connector']);
  const at = { file: displayPath(mappingFile), line, col, code: 'connector_not_found', path: 'connector' };
  if (isConnectorPath(connector)) {
    return { ...at, message: `connector file ${displayPath(resolve(dirname(resolve(mappingFile)), connector))} not found`, hint: 'a path ending in .yaml is relative to the mapping\'s folder; or give a connector id' };
  }
  const folders = connectorFolders(userFolderOf(mappingFile));
  if (!connectorIdPattern.test(connector)) {
    return { ...at, message: `"${connector}" is not a connector id (lower-case letters, digits, "-" and "_") nor a path ending in .yaml`, hint: connectorHint(connector, folders) };
  }
  return { ...at, message: `no connector "${connector}" in ${describeFolders(folders, displayPath)}`, hint: connectorHint(connector, folders) };
}

/** Validates any mix of connector and mapping files; returns the issues per file (empty when valid). */
export function validateFiles(files: string[]): { file: string; kind: SchemaName; issues: DefinitionIssue[] }[] {
  // a connector is read once however many of the files name it (and when it is among them too)
  const connectors: ConnectorLoads = new Map();
  return files.map((file) => {
    const kind = kindOf(file);
    if (kind === 'connector') return { file: displayPath(file), kind, issues: loadConnectorFile(resolve(file), connectors).issues };
    try {
      loadIntegration(file, { connectors });
      return { file: displayPath(file), kind, issues: [] };
    } catch (error) {
      if (error instanceof DefinitionError) return { file: displayPath(file), kind, issues: error.issues };
      throw error;
    }
  });
}

/** Connector files loaded in one command, by absolute path (the connector, or its issues). */
type ConnectorLoads = Map<string, ReturnType<typeof loadFile<ConnectorSpec>>>;

function loadConnectorFile(file: string, loads?: ConnectorLoads): ReturnType<typeof loadFile<ConnectorSpec>> {
  let loaded = loads?.get(file);
  if (!loaded) {
    loaded = loadFile<ConnectorSpec>(file, 'connector', checkConnector);
    loads?.set(file, loaded);
  }
  return loaded;
}

/** A file is a mapping when it names a `connector:`; otherwise a connector. */
function kindOf(file: string): SchemaName {
  try {
    return /^connector\s*:/m.test(readBounded(file).text) ? 'mapping' : 'connector';
  } catch {
    return file.includes('mapping') ? 'mapping' : 'connector';
  }
}

/**
 * The file a mapping's `connector:` names: a path ending in .yaml, relative to the mapping; or an
 * id, looked up in the user's folder (`connectors/` beside the mapping's folder), the shipped
 * connectors, then each INTAKE_CONNECTORS folder (see lookup.ts). Undefined when there is none.
 */
export function connectorPath(mappingFile: string, connector: string): string | undefined {
  if (isConnectorPath(connector)) {
    const file = resolve(dirname(resolve(mappingFile)), connector);
    return existsSync(file) ? file : undefined;
  }
  return findConnector(connector, connectorFolders(userFolderOf(mappingFile)))?.file;
}

const isConnectorPath = (connector: string) => /\.ya?ml$/.test(connector);

/** A path as the user should read it: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.startsWith('..') ? resolve(file) : rel;
}
