import { dirname } from 'node:path';
import type { MappingSpec } from '../definition/model.js';
import { UsageError } from '../errors.js';
import { misfit } from './fit.js';
import { parseTarget, targets } from './index.js';
import type { TargetConfig, TargetDefinition } from './types.js';

/** The target of a run, and where the choice came from. */
export interface ChosenTarget {
  definition: TargetDefinition;
  config: TargetConfig;
  from: 'command line' | 'mapping' | 'config file' | 'default';
}

/**
 * The target a run writes to: `--target` on the command line, else the mapping's `target:`, else
 * the config file's `target:`, else the embedded store. One the mapping cannot run into (SaaS user
 * records into a People-only target, update only into an export) is refused here, before anything
 * is read, saying where the choice came from.
 */
export function chooseTarget(options: { target?: string; defaultTarget?: string }, mapping: MappingSpec, mappingFile: string): ChosenTarget {
  const [text, from, base, where]: [string, ChosenTarget['from'], string, string] =
    options.target !== undefined ? [options.target, 'command line', process.cwd(), '--target']
      : mapping.target !== undefined ? [mapping.target, 'mapping', dirname(mappingFile), 'target:']
        : options.defaultTarget !== undefined ? [options.defaultTarget, 'config file', process.cwd(), 'the config file\'s target:']
          : ['store', 'default', process.cwd(), '--target'];
  const config = parseTarget(text, base, where);
  const definition = targets.get(config.type);
  const problem = misfit(definition, mapping);
  if (problem) {
    const said = from === 'command line' ? `--target ${text}` : from === 'mapping' ? `the mapping's target: ${text}` : `the config file's target: ${text}`;
    throw new UsageError('target_misfit', `${problem.message} (${said}); nothing was run`, { hint: problem.hint });
  }
  return { definition, config, from };
}
