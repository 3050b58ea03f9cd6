import { isAbsolute, resolve } from 'node:path';
import { suggestion } from '../definition/suggest.js';
import { UsageError } from '../errors.js';
import { Registry } from '../registry.js';
import { csv } from './csv.js';
import { jsonl } from './jsonl.js';
import { oomnitza } from './oomnitza.js';
import { store } from './store.js';
import type { Target } from './target.js';
import type { TargetConfig, TargetContext, TargetDefinition } from './types.js';

export type * from './types.js';

/** The target family, keyed by the word before the colon in `--target` (and a mapping's `target:`); one file per type beside this one. */
export const targets = new Registry<TargetConfig, TargetContext, Target, TargetDefinition>('target');
targets.add(store).add(oomnitza).add(jsonl).add(csv);

/** How a target is written: `store`, `oomnitza`, `jsonl:<file>` … — for messages and help. */
export function targetForms(): string[] {
  return targets.types().map((type) => (targets.get(type).argument === 'file' ? `${type}:<file>` : type));
}

/**
 * Reads a target as written on the command line or in a mapping: `<type>` or `<type>:<file>`; a
 * relative file is relative to `base` (the working folder, or the mapping's folder). A word that
 * is not a target, a missing or unexpected file, is a usage error with the nearest target.
 */
export function parseTarget(text: string, base: string, where = '--target'): TargetConfig {
  const colon = text.indexOf(':');
  const type = (colon < 0 ? text : text.slice(0, colon)).trim();
  const argument = colon < 0 ? undefined : text.slice(colon + 1);
  const forms = targetForms();
  if (!targets.has(type)) {
    throw new UsageError('target_unknown', `${where} "${text}" is not a target`, { hint: `${nearestForm(type, forms)}; a target is one of ${forms.join(', ')}` });
  }
  const definition = targets.get(type);
  if (definition.argument === 'none' && argument !== undefined) {
    throw new UsageError('target_argument', `${where} "${text}": the ${type} target takes nothing after "${type}"`, { hint: type === 'store' ? 'the store\'s file is --db (or INTAKE_DB): --target store --db ./intake.db' : `write ${where} ${type}` });
  }
  if (definition.argument === 'file' && !argument?.trim()) {
    throw new UsageError('target_file_missing', `${where} "${text}": the ${type} target needs a file`, { hint: `write ${type}:<file>, e.g. ${type}:people.${type}` });
  }
  return definition.argument === 'file' ? { type, file: isAbsolute(argument!) ? argument! : resolve(base, argument!) } : { type };
}

function nearestForm(type: string, forms: string[]): string {
  const hint = suggestion(type, forms.map((f) => f.split(':')[0]));
  return hint.startsWith('did you mean') ? hint : 'no target has that name';
}
