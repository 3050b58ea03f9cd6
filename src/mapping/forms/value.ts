import type { Scalar } from '../../definition/model.js';
import { typeOfConstant } from '../types.js';
import type { CompiledForm } from './types.js';

/**
 * The same value for every record.
 * ```yaml
 * fields:
 *   source: { value: Slack }
 *   role: { value: Employee }
 * ```
 */
export const value = {
  type: 'value',
  create(spec: { value: Scalar | null }): CompiledForm {
    const constant = spec.value;
    return { type: typeOfConstant(constant), produce: () => constant, refs: [] };
  },
};
