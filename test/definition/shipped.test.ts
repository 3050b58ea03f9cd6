import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadIntegration, validateFiles } from '../../src/definition/load.js';
import { cloudOnlyAuth } from '../../src/source/auth/index.js';
import { compileSchema } from '../../src/definition/compiled.js';
import { readSchema } from '../../src/definition/schema.js';

const root = join(import.meta.dirname, '..', '..');
const yamlIn = (dir: string) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.yaml')).map((f) => join(root, dir, f));

/** Every property schema (under `properties`) with its JSON pointer. */
function properties(node: unknown, pointer = '#'): [string, Record<string, unknown>][] {
  if (!node || typeof node !== 'object') return [];
  const found: [string, Record<string, unknown>][] = [];
  for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'properties' && child && typeof child === 'object') {
      for (const [name, schema] of Object.entries(child as Record<string, Record<string, unknown>>)) found.push([`${pointer}/properties/${name}`, schema]);
    }
    found.push(...properties(child, `${pointer}/${key}`));
  }
  return found;
}

describe('shipped schemas and definitions', () => {
  it.each(['connector', 'mapping', 'config'] as const)('the %s schema compiles in ajv strict mode', (name) => {
    expect(() => compileSchema(name)).not.toThrow();
  });

  it.each(['connector', 'mapping', 'config'] as const)('every property of the %s schema has a title and a description', (name) => {
    const missing = properties(readSchema(name)).filter(([, s]) => !s.$ref && (!s.title || !s.description)).map(([p]) => p);
    expect(missing).toEqual([]);
  });

  it('every connector and mapping in the repository validates (the benchmark\'s and the tests\' too)', () => {
    const files = [...yamlIn('connectors'), ...yamlIn('mappings'), ...yamlIn('bench/mappings'), ...yamlIn('test/fixtures/connectors'), ...yamlIn('test/fixtures/mappings')];
    expect(files.length).toBeGreaterThanOrEqual(4);
    const invalid = validateFiles(files).filter((r) => r.issues.length);
    expect(invalid).toEqual([]);
  });
});

describe('installation types of the shipped mappings', () => {
  const mappings = yamlIn('mappings').map((file) => ({ file, ...loadIntegration(file) }));
  const oauth = mappings.filter((m) => cloudOnlyAuth.has(m.connector.credentials.type));

  it('some shipped connectors use OAuth 2', () => {
    expect(oauth.map((m) => m.connector.id).sort()).toEqual(['google-workspace-users', 'ms-graph-users', 'zoom-users']);
  });

  it.each(oauth.map((m) => [m.connector.id, m.file] as const))('%s: the mapping declares cloud, and a local copy is refused with needs_cloud', (_, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^installation: cloud$/m);
    const dir = mkdtempSync(join(tmpdir(), 'intake-installation-'));
    cpSync(join(root, 'connectors'), join(dir, 'connectors'), { recursive: true });
    mkdirSync(join(dir, 'mappings'));
    const copy = join(dir, 'mappings', basename(file));
    writeFileSync(copy, text.replace(/^installation: cloud$/m, 'installation: local'));
    const [result] = validateFiles([copy]);
    expect(result.issues.map((i) => [i.code, i.path])).toEqual([['needs_cloud', 'installation']]);
    expect(result.issues[0].hint).toMatch(/installation: cloud/);
    rmSync(dir, { recursive: true, force: true });
  });
});
