import type { Report } from '../mapping/compile.js';
import { hasFilter, pathProblem } from '../source/paths.js';
import type { ConnectorSpec } from './model.js';

type At = (string | number)[];

/**
 * Every path into a body or a record that the connector declares, with its YAML position: field
 * paths, `records`, error-rule paths, pagination paths (a header name is not a path).
 */
function bodyPaths(spec: ConnectorSpec): [At, unknown][] {
  const pagination = spec.pagination as Record<string, unknown> & { token?: { from?: string; path?: unknown } };
  const login = (spec.credentials.login as { token?: { from?: string; path?: unknown } } | undefined)?.token;
  const paths: [At, unknown][] = [
    ...Object.entries(spec.fields).map(([name, f]): [At, unknown] => [['fields', name, 'path'], f.path]),
    ...Object.entries(spec.detail?.fields ?? {}).map(([name, f]): [At, unknown] => [['detail', 'fields', name, 'path'], f.path]),
    [['records'], spec.records],
    [['detail', 'records'], spec.detail?.records],
    [['pagination', 'total'], pagination.total],
    [['pagination', 'total_pages'], pagination.total_pages],
    [['pagination', 'path'], pagination.type === 'next_url' ? pagination.path : undefined],
    [['pagination', 'token', 'path'], pagination.token?.from === 'body' ? pagination.token.path : undefined],
    [['credentials', 'login', 'token', 'path'], login?.from === 'body' ? login.path : undefined],
  ];
  ((pagination.stop as unknown[] | undefined) ?? []).forEach((stop, i) => {
    if (stop && typeof stop === 'object') paths.push([['pagination', 'stop', i, 'path'], (stop as { path?: unknown }).path]);
  });
  (spec.errors ?? []).forEach((rule, i) => {
    paths.push([['errors', i, 'when', 'path'], rule.when.path], [['errors', i, 'code'], rule.code], [['errors', i, 'summary'], rule.summary]);
  });
  return paths;
}

/**
 * Stage 3a, paths: a list selector that cannot be read (`emails[primary = true]`, an unclosed
 * `[`, an unquoted text value) is reported at its character, with how to write it; a field's
 * `unmatched: first` needs a filter in its path to apply to.
 */
export function checkPathSyntax(spec: ConnectorSpec, report: Report): void {
  for (const [at, path] of bodyPaths(spec)) {
    if (typeof path !== 'string') continue;
    const problem = pathProblem(path);
    if (problem) report(at, 'invalid_path', problem.message, problem.hint, problem.offset);
  }
  const fields: [At, { path?: string; unmatched?: string }, string][] = [
    ...Object.entries(spec.fields).map(([name, f]): [At, typeof f, string] => [['fields', name], f, name]),
    ...Object.entries(spec.detail?.fields ?? {}).map(([name, f]): [At, typeof f, string] => [['detail', 'fields', name], f, name]),
  ];
  for (const [at, field, name] of fields) {
    const path = field.path ?? name;
    if (field.unmatched && !pathProblem(path) && !hasFilter(path)) {
      report([...at, 'unmatched'], 'modifier_unused', `"unmatched" applies to a [<key> eq <value>] filter, and the path "${path}" has none`, 'remove unmatched, or filter the list: e.g. path: emails[primary eq true].value');
    }
  }
}
