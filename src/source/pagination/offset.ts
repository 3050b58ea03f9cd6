import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { compileStop, numberAt, type StopCondition } from './stop.js';
import { merge, sendAs, type Paginator, type SendAs } from './types.js';

/**
 * `type: offset` — offset/limit paging. Stops when the offset reaches the total the body gives
 * (`total:`), else on an empty page (default) or any other `stop:` condition.
 *
 * ```yaml
 * pagination:
 *   type: offset
 *   offset: { in: query, name: offset }
 *   limit: { in: query, name: limit }
 *   page_size: 100
 *   total: meta.total_count        # optional
 *   stop: [empty_page, short_page] # short_page only for APIs whose short pages are the last
 * ```
 * The offset moves on by `page_size` (right for APIs that filter a page after cutting it, such
 * as Jira's user search); `step: records` moves it by the records received instead, for APIs
 * that may serve fewer records than asked for.
 */
interface OffsetSpec extends PaginationSpec {
  step?: 'page_size' | 'records';
  offset: SendAs;
  limit?: SendAs;
  page_size: number;
  start?: number;
  total?: string;
  stop?: StopCondition[];
}

export const offset: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'offset',
  create(config) {
    const spec = config as OffsetSpec;
    const totalAt = numberAt(spec.total);
    const stop = compileStop([...(spec.stop ?? ['empty_page']), ...(spec.total ? (['total_reached'] as const) : [])]);
    const start = spec.start ?? 0;
    const request = (at: number) => merge(sendAs(spec.offset, at), spec.limit ? sendAs(spec.limit, spec.page_size) : {}, { state: { offset: at, limit: spec.page_size } });
    let seen = 0;
    let position = start;
    return {
      first: () => request(start),
      next({ body, records }) {
        seen += records;
        position += spec.step === 'records' ? records : spec.page_size;
        if (stop({ body, records, seen, pageSize: spec.page_size, total: totalAt(body) })) return { done: true };
        return { request: request(position) };
      },
      resume(from) {
        position = Number(from.state?.offset ?? start);
        seen = Math.max(0, position - start); // the records before that offset were read by the earlier run
      },
    };
  },
};
