import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { shortPages } from './short.js';
import { compileStop, numberAt, type StopCondition } from './stop.js';
import { sendAs, sentAs, type Next, type Paginator, type SendAs } from './types.js';

/**
 * `type: page_number` — numbered pages. Stops at the total page count when the body gives one,
 * on an empty page (default), on any other `stop:` condition, and never asks past `page_limit`.
 *
 * ```yaml
 * pagination:                               # Slack classic paging: at most 100 pages
 *   type: page_number
 *   send: { in: query, name: page }
 *   start: 1
 *   total_pages: paging.pages
 *   page_limit: 100
 *   max_pages: "{{ settings.max_pages }}"
 * ```
 * With `concurrency: 4`, once the first page has given the total, up to 4 pages are requested at
 * a time (within the connector's request budget); records and checkpoints keep the page order.
 * `page_size` (with `stop: [short_page]`) ends the read on a page shorter than a full one — when
 * that page can be the last: an API that caps the page size below `page_size` is detected, read
 * to the end, and named in a warning (see short.ts).
 */
interface PageNumberSpec extends PaginationSpec {
  send: SendAs;
  start?: number;
  total_pages?: string;
  page_limit?: number;
  page_size?: number;
  stop?: StopCondition[];
}

export const pageNumber: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'page_number',
  create(config) {
    const spec = config as PageNumberSpec;
    const start = spec.start ?? 1;
    const totalPages = numberAt(spec.total_pages);
    const conditions = spec.stop ?? ['empty_page'];
    const stop = compileStop(conditions);
    const warnings: string[] = [];
    const short = conditions.includes('short_page') && spec.page_size !== undefined ? shortPages(spec.page_size, (text) => warnings.push(text)) : undefined;
    const request = (n: number) => ({ ...sendAs(spec.send, n), state: { page: n } });
    let seen = 0;
    const decide = (body: unknown, records: number, page: number): Next => {
      const current = start + page - 1;
      seen += records;
      const total = totalPages(body);
      const last = total === undefined ? undefined : current - start + 1 >= total;
      // a total page count says whether more remain: as a record total, "reached" or "not yet"
      const pageSize = short ? short.check(records, seen, last === undefined ? undefined : last ? seen : Infinity) : spec.page_size;
      const reason = stop({ body, records, seen, pageSize });
      if (reason) return { done: true, why: `${reason} (page ${current}: ${records} record(s)${reason === 'short page' ? `, page_size ${pageSize}` : ''})` };
      if (total !== undefined && current - start + 1 >= total) return { done: true, why: `page ${current} is the last: ${total} page(s) in all at body path ${spec.total_pages}` };
      if (spec.page_limit !== undefined && current >= spec.page_limit) {
        const limit = `the API serves no page after ${spec.page_limit}; switch to cursor pagination to read the rest`;
        return { limit, why: `page_limit ${spec.page_limit} reached: ${limit}` };
      }
      return { request: request(current + 1), why: `page ${current + 1}${total === undefined ? '' : ` of ${total}`}, sent as ${sentAs(spec.send)}` };
    };
    return {
      first: () => request(start),
      plan({ body, page }) {
        const total = totalPages(body);
        if (total === undefined) return [];
        const last = Math.min(start + total - 1, spec.page_limit ?? Infinity);
        const ahead = [];
        for (let n = start + page; n <= last; n++) ahead.push(request(n));
        return ahead;
      },
      next({ body, records, page }) {
        const next = decide(body, records, page);
        return warnings.length ? { ...next, warnings: warnings.splice(0) } : next;
      },
    };
  },
};
