import type { MappingSpec } from '../definition/model.js';
import type { TargetDefinition } from './types.js';

/** Why a mapping cannot run into a target, and the mapping key it is about; undefined when it fits. */
export interface Misfit {
  key: 'record_type' | 'preference';
  message: string;
  hint: string;
}

/**
 * A mapping that cannot run into a target type, found before anything is read: SaaS user records
 * into a target that keeps none, and update only into an export (an export holds no records from
 * before the run, so an update only run would write nothing).
 */
export function misfit(definition: TargetDefinition, mapping: Pick<MappingSpec, 'record_type' | 'preference'>): Misfit | undefined {
  if (mapping.record_type === 'people_and_saas_users' && !definition.recordTypes.includes('saas_users')) {
    return {
      key: 'record_type',
      message: `the ${definition.type} target writes People records only, and this mapping also writes SaaS user records (record_type: people_and_saas_users)`,
      hint: definition.noSaasUsers ?? 'use record_type: people, or another target',
    };
  }
  if (mapping.preference === 'update_only' && !definition.keepsRecords) {
    return {
      key: 'preference',
      message: `an export (${definition.type}) holds no records from before the run, so update_only would write nothing`,
      hint: 'export with create_only or create_update (every record is added), or update records in --target store or --target oomnitza',
    };
  }
  return undefined;
}
