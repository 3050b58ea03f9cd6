/** The five outcomes; every record read ends in exactly one. */
export const outcomes = ['added', 'updated', 'unchanged', 'skipped', 'failed'] as const;
export type Outcome = (typeof outcomes)[number];

export type Counts = Record<Outcome, number>;

/** A skipped or failed record, with its key (or position) and why. */
export interface Detail {
  key: string;
  outcome: 'skipped' | 'failed';
  reason: string;
}

/** Tallies outcomes and keeps the reason of every skipped or failed record. */
export class Tally {
  readonly counts: Counts = { added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  readonly details: Detail[] = [];

  get read(): number {
    return outcomes.reduce((sum, o) => sum + this.counts[o], 0);
  }

  add(outcome: Outcome, key: string, reason?: string): void {
    this.counts[outcome]++;
    if (outcome === 'skipped' || outcome === 'failed') this.details.push({ key, outcome, reason: reason ?? 'no reason given' });
  }

  /** Adds another tally's outcomes (a committed batch's) to this one. */
  merge(other: Tally): void {
    for (const o of outcomes) this.counts[o] += other.counts[o];
    for (const d of other.details) this.details.push(d);
  }
}

/** The sum of two sets of counts. */
export function addCounts(a: Counts, b: Counts): Counts {
  return { added: a.added + b.added, updated: a.updated + b.updated, unchanged: a.unchanged + b.unchanged, skipped: a.skipped + b.skipped, failed: a.failed + b.failed };
}

/** Reasons grouped with their counts, most frequent first: `{ reason, outcome, count, keys }`. */
export function groupReasons(details: Detail[], sample = 3): { outcome: string; reason: string; count: number; keys: string[] }[] {
  const groups = new Map<string, { outcome: string; reason: string; count: number; keys: string[] }>();
  for (const d of details) {
    const reason = d.reason.replace(/\b[A-Z0-9]{6,}\b/g, '…');
    const id = `${d.outcome}|${reason}`;
    const group = groups.get(id) ?? { outcome: d.outcome, reason, count: 0, keys: [] };
    group.count++;
    if (group.keys.length < sample) group.keys.push(d.key);
    groups.set(id, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
