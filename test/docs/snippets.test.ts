import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { configIssues } from '../../src/config/file.js';
import { readCredentialsFile } from '../../src/credentials/file.js';
import { loadConnector, validateFiles } from '../../src/definition/load.js';
import { formatIssue } from '../../src/errors.js';
import { root, workspace } from '../definition/workspace.js';

/**
 * Every YAML snippet in README.md and docs/ is checked like code. A snippet is a whole connector
 * (it has base_url:), a whole mapping (it has connector:), or a part of a shipped file that its
 * first line names — `# in connectors/slack-users.yaml` or `# in mappings/slack-users.yaml` — and
 * that replaces the same top-level keys there. A whole mapping that starts with `# a draft` may
 * only lack what drafts lack (a sync key, a required field). A local credentials file starts with
 * `# credentials.yaml`: it must parse as one, and name only shipped connectors and their fields.
 * A snippet whose first line names the config file (`# ~/.config/intake/config.yaml`) is checked
 * as a config file.
 */
interface Snippet {
  doc: string;
  line: number;
  text: string;
}

function snippets(): Snippet[] {
  const docs = [join(root, 'README.md'), ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f))];
  return docs.flatMap((file) => {
    const lines = readFileSync(file, 'utf8').split('\n');
    const found: Snippet[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '```yaml') continue;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
      found.push({ doc: relative(root, file), line: i + 2, text: lines.slice(i + 1, end).join('\n') });
      i = end;
    }
    return found;
  });
}

const ws = workspace();
afterAll(() => ws.remove());
let count = 0;

/** The file a snippet stands for, written into a workspace with the shipped connectors. */
function fileFor(snippet: Snippet): string | undefined {
  const part = /^# in (connectors|mappings)\/([\w.-]+)\.yaml/.exec(snippet.text);
  if (part) {
    const [, dir, name] = part;
    const base = parseDocument(readFileSync(join(root, dir, `${name}.yaml`), 'utf8'));
    const fragment = parseDocument(snippet.text).toJS() as Record<string, unknown>;
    for (const [key, value] of Object.entries(fragment)) base.set(key, value);
    // a changed connector gets its own file, so the mappings of later snippets still see the shipped one
    return dir === 'connectors' ? ws.connector(`snippet-${++count}`, base.toString()) : ws.mapping(`${name}-${++count}`, base.toString());
  }
  const data = parseDocument(snippet.text).toJS() as Record<string, unknown> | null;
  if (data && 'connector' in data) return ws.mapping(`snippet-${++count}`, snippet.text);
  if (data && 'base_url' in data) return ws.connector(`snippet-${++count}`, snippet.text);
  return undefined;
}

const all = snippets().filter((s) => s.text.split('\n').some((l) => l.trim() !== '' && !l.trim().startsWith('#')));

describe('YAML snippets in the docs', () => {
  it('there are snippets to check', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each(all.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s is valid', (_where, snippet) => {
    if (snippet.text.startsWith('# credentials.yaml')) return checkCredentialsFile(snippet);
    if (/^# ~\/\.config\/intake\/config\.yaml/.test(snippet.text)) {
      const file = ws.mapping(`config-${++count}`, snippet.text);
      expect(configIssues(file).problems.map(formatIssue)).toEqual([]);
      return;
    }
    const file = fileFor(snippet);
    if (!file) throw new Error(`${snippet.doc}:${snippet.line}: a YAML snippet must be a whole connector or mapping, start with "# in connectors/<file>.yaml" or "# in mappings/<file>.yaml", or be a config file ("# ~/.config/intake/config.yaml")`);
    const issues = validateFiles([file])[0].issues.filter((i) => !(snippet.text.startsWith('# a draft') && i.draft));
    expect(issues.map(formatIssue)).toEqual([]);
  });
});

/** A credentials file snippet: read as Intake reads one (from a private file); each connector id and field must exist. */
function checkCredentialsFile(snippet: Snippet): void {
  const dir = mkdtempSync(join(tmpdir(), 'intake-snippet-'));
  try {
    const file = join(dir, 'credentials.yaml');
    writeFileSync(file, snippet.text, { mode: 0o600 });
    const problems: string[] = [];
    for (const [id, fields] of readCredentialsFile(file).connectors) {
      const path = join(root, 'connectors', `${id}.yaml`);
      if (!existsSync(path)) problems.push(`${id}: no shipped connector`);
      else for (const field of fields.keys()) if (!(field in loadConnector(path).credentials.fields)) problems.push(`${id}.${field}: not a credential field`);
    }
    expect(problems).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
