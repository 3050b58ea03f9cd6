import type { ComponentDefinition } from '../../registry.js';
import type { FieldSpec, PaginationSpec, PartitionsSpec, RequestSpec } from '../../definition/model.js';
import { compileExtract } from '../extract.js';
import type { Partition, PartitionContext, Partitioner } from './types.js';

/**
 * `type: parent` — a parent request (teams, groups, workspaces) is read first, with its own
 * pagination; the list request then runs once per parent record, whose fields are
 * `{{ partition.<field> }}`.
 *
 * ```yaml
 * partitions:
 *   type: parent
 *   request: { method: GET, path: /teams, query: { per_page: 100 } }
 *   pagination: { type: page_number, send: { in: query, name: page }, page_size: 100, stop: [short_page] }
 *   records: "."
 *   fields:
 *     team_id: { label: Team Id, path: id, type: string }     # the first field identifies the partition
 * request:
 *   path: "/teams/{{ partition.team_id }}/members"
 * ```
 * The parent list is read whole before the first member request (a parent cursor cannot expire
 * while members are read; memory holds one record per parent). A parent record without the first
 * field, or whose fields do not read, is left out with a warning; one listed twice is read once.
 */
interface ParentSpec extends PartitionsSpec {
  request: RequestSpec;
  pagination: PaginationSpec;
  records: string;
  records_missing?: 'error' | 'empty';
  fields: Record<string, FieldSpec>;
}

export const parent: ComponentDefinition<PartitionsSpec, PartitionContext, Partitioner> = {
  type: 'parent',
  create(config, ctx) {
    const spec = config as ParentSpec;
    const [keyField] = Object.keys(spec.fields);
    const extract = compileExtract(spec.fields, keyField);
    return {
      list: async () => {
        const partitions: Partition[] = [];
        const seen = new Set<string>();
        let twice = 0;
        const source = { request: spec.request, pagination: spec.pagination, records: spec.records, records_missing: spec.records_missing, label: 'the parent request' };
        for await (const page of ctx.readPages(source)) {
          page.records.forEach((raw, i) => {
            const where = `parent record ${i + 1} of page ${page.number}`;
            const item = extract(raw, where);
            if ('failed' in item) return ctx.warn(`partitions: ${where} is left out, so its records are not read: ${item.failed}`);
            const key = item.record[keyField];
            if (key === null || key === '') return ctx.warn(`partitions: ${where} has no ${keyField}, so its records are not read`);
            if (seen.has(String(key))) return void twice++;
            seen.add(String(key));
            partitions.push({ key: String(key), label: `${keyField}=${String(key)}`, values: item.record });
          });
        }
        if (twice) ctx.warn(`partitions: the parent request listed ${twice} record(s) more than once; each ${keyField} is read once`);
        return partitions;
      },
    };
  },
};
