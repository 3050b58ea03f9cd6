import { suggestion } from '../../definition/suggest.js';
import type { ValueType } from '../types.js';
import type { CompiledForm, FormContext } from './types.js';

/**
 * A value about the run: `sync_time` (when the run started), `credential_name`, `setting.<name>`.
 * ```yaml
 * fields:
 *   synced_at: { meta: sync_time }
 *   workspace: { meta: setting.team_id }
 * ```
 */
export const meta = {
  type: 'meta',
  create(spec: { meta: string }, ctx: FormContext): CompiledForm {
    if (spec.meta === 'sync_time') return constant(ctx.meta.sync_time, 'datetime');
    if (spec.meta === 'credential_name') return constant(ctx.meta.credential_name, 'string');
    const name = spec.meta.slice('setting.'.length);
    const setting = ctx.scope.settings[name];
    if (!setting) ctx.report(['meta'], 'unknown_setting', `"${name}" is not a setting of the connector`, suggestion(name, Object.keys(ctx.scope.settings)));
    return constant(ctx.meta.settings[name], setting?.type ?? 'any');
  },
};

function constant(value: unknown, type: ValueType): CompiledForm {
  return { type, produce: () => value, refs: [] };
}
