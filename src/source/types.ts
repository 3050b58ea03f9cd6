/** A record as the connector declares it: field name → typed value (null when absent). */
export type SourceRecord = Record<string, unknown>;

/**
 * One item of the source stream: a record (with the partition it was listed under, in a
 * partitioned read), or an entry that could not be read (with why).
 */
export type SourceItem = { record: SourceRecord; partition?: string } | { failed: string; ref: string };

/** Counters the source keeps while it reads, for progress and the run log. */
export interface SourceStats {
  pages: number;
  entries: number;
  requests: number;
  warnings: string[];
  /** requests sent again and time spent waiting, with why */
  retries: RetryStats;
}

/** The retries and waits of a run, for the run log: how many, why, how long. */
export interface RetryStats {
  /** requests sent again after a failure (a rate limit, a server error, a stall, a refused token) */
  count: number;
  /** milliseconds spent waiting: before retries, and for the connector's request budget */
  wait_ms: number;
  /** by reason, most frequent first */
  reasons: { reason: string; retries: number; wait_ms: number }[];
}

export function noRetries(): RetryStats {
  return { count: 0, wait_ms: 0, reasons: [] };
}
