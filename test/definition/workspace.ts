import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (holds connectors/, mappings/, schemas/). */
export const root = join(import.meta.dirname, '..', '..');

/** The text of a shipped definition, e.g. `shipped('connectors', 'slack-last-login')`. */
export function shipped(dir: 'connectors' | 'mappings', id: string): string {
  return readFileSync(join(root, dir, `${id}.yaml`), 'utf8');
}

/** Replaces the one occurrence of `from`; fails loudly when the shipped file no longer has it exactly once. */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  if (text.indexOf(from, at + 1) >= 0) throw new Error(`fixture edit: ${JSON.stringify(from)} occurs more than once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the unique occurrence of `needle` (plus `offset` characters), as an editor shows it. */
export function positionOf(text: string, needle: string, offset = 0): { line: number; col: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`positionOf: ${JSON.stringify(needle)} not found`);
  if (text.indexOf(needle, at + 1) >= 0) throw new Error(`positionOf: ${JSON.stringify(needle)} occurs more than once`);
  const before = text.slice(0, at + offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

/** A temporary folder laid out like the repository: `connectors/` (with the shipped connectors) and `mappings/`. */
export interface Workspace {
  dir: string;
  connector(id: string, text: string): string;
  mapping(name: string, text: string): string;
  remove(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'intake-definition-'));
  mkdirSync(join(dir, 'mappings'));
  cpSync(join(root, 'connectors'), join(dir, 'connectors'), { recursive: true });
  const write = (sub: string, name: string, text: string) => {
    const file = join(dir, sub, `${name}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  return {
    dir,
    connector: (id, text) => write('connectors', id, text),
    mapping: (name, text) => write('mappings', name, text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
