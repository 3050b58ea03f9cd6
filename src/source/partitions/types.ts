import type { PaginationSpec, RequestSpec } from '../../definition/model.js';
import type { Vars } from '../../definition/template.js';

/** One run of the list request: a value of a list, or a parent record. */
export interface Partition {
  /** what identifies it across runs (the value, or the parent record's first field) */
  key: string;
  /** how messages and duplicate reasons name it: `status=inactive` */
  label: string;
  /** what templates see as `{{ partition.<name> }}` */
  values: Record<string, unknown>;
}

/** A request read page by page with its own pagination (the parent request of `type: parent`). */
export interface PagedRequest {
  request: RequestSpec;
  pagination: PaginationSpec;
  records: string;
  records_missing?: 'error' | 'empty';
  /** names the request in messages: "page 2 of the parent request" */
  label: string;
}

/** What a partitions component may use: the templates' variables, the paged reader, the run's warnings. */
export interface PartitionContext {
  /** settings and non-secret credential fields, as request templates see them */
  vars: Vars;
  /** reads a request to its last page (or its max_pages); each page's raw records */
  readPages(source: PagedRequest): AsyncIterable<{ number: number; records: unknown[] }>;
  warn(text: string): void;
}

export interface Partitioner {
  /** the partitions, in the order they are read; the same for the same settings and API data */
  list(): Promise<Partition[]>;
}
