import { Registry } from '../../registry.js';
import type { PartitionsSpec } from '../../definition/model.js';
import type { PartitionContext, Partitioner } from './types.js';
import { parent } from './parent.js';
import { values } from './values.js';

export type * from './types.js';

/** The partitions family, keyed by `partitions.type`; one file per type beside this one. */
export const partitions = new Registry<PartitionsSpec, PartitionContext, Partitioner>('partitions');
partitions.add(values).add(parent);
