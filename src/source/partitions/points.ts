import { createHash } from 'node:crypto';
import type { SourcePosition } from '../read.js';
import type { Partition } from './types.js';

/**
 * A partition as a checkpoint names it: its place in the list, its key, and a digest of the keys
 * of the partitions before it. A resumed read continues inside it only when the list it reads
 * now has the same partitions before it (a parent request may list other teams by then);
 * otherwise it reads every partition again, so a changed list never makes it skip records.
 */
export interface PartitionPoint {
  index: number;
  key: string;
  label: string;
  before: string;
}

/** Each partition's checkpoint name: index, key, and a digest of the keys before it. */
export function pointsOf(all: Partition[]): PartitionPoint[] {
  const hash = createHash('sha256');
  return all.map((partition, index) => {
    const point = { index, key: partition.key, label: partition.label, before: hash.copy().digest('hex') };
    hash.update(`${JSON.stringify(partition.key)}\n`);
    return point;
  });
}

/**
 * The checkpoint, when its partition has the same place and the same partitions before it in the
 * list read now; else undefined (read every partition), with a warning.
 */
export function resumedPartition(points: PartitionPoint[], resume: SourcePosition, warnings: string[]): SourcePosition | undefined {
  const at = resume.partition && points[resume.partition.index];
  if (at && at.key === resume.partition!.key && at.before === resume.partition!.before) return resume;
  const where = resume.partition ? `partition ${resume.partition.label}` : 'a read without partitions';
  warnings.push(`the earlier run stopped in ${where}, but the partitions before it are not the same now: this run reads every partition from the first, so no record is skipped`);
  return undefined;
}
