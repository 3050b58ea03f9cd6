/** A record as the connector declares it: field name → typed value (null when absent). */
export type SourceRecord = Record<string, unknown>;

/** One item of the source stream: a record, or an entry that could not be read (with why). */
export type SourceItem = { record: SourceRecord } | { failed: string; ref: string };

/** Counters the source keeps while it reads, for progress and the run log. */
export interface SourceStats {
  pages: number;
  entries: number;
  requests: number;
  warnings: string[];
}
