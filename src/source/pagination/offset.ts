import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { shortPages } from './short.js';
import { compileStop, numberAt, type StopCondition } from './stop.js';
import { merge, sendAs, sentAs, type Next, type Paginator, type SendAs } from './types.js';

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
 *   stop: [empty_page, short_page] # short_page: a short page may end the read (see short.ts)
 * ```
 * The offset moves on by the records received, so an API that serves fewer records than asked
 * (a capped page size) loses none. `step: page_size` moves it by `page_size` instead, for APIs
 * that filter a page after cutting it (Jira's user search "usually returns fewer users than
 * maxResults"); a short page followed by more records then says, in a warning, that records may
 * have been skipped. A read that ends short of the total the body gives says so too. With
 * `concurrency: 4` and a `total:`, up to 4 pages are requested at a time (full pages assumed; a
 * page served short makes the requests ahead unused, and the read goes on one page at a time).
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
    const step = spec.step ?? 'records';
    const totalAt = numberAt(spec.total);
    const conditions = spec.stop ?? ['empty_page'];
    const stop = compileStop([...conditions, ...(spec.total ? (['total_reached'] as const) : [])]);
    const warnings: string[] = [];
    const short = conditions.includes('short_page') ? shortPages(spec.page_size, (text) => warnings.push(text)) : undefined;
    const start = spec.start ?? 0;
    const request = (at: number) => merge(sendAs(spec.offset, at), spec.limit ? sendAs(spec.limit, spec.page_size) : {}, { state: { offset: at, limit: spec.page_size } });
    let seen = 0;
    let position = start;
    let shortPage: { page: number; records: number } | undefined;
    let skipped = false;
    return {
      first: () => request(start),
      plan({ body }) {
        // full pages from the next offset (next() has moved to it), up to the total: a page the API serves short makes the rest unused
        const total = totalAt(body);
        if (total === undefined) return [];
        const ahead = [];
        for (let at = position; at < start + total; at += spec.page_size) ahead.push(request(at));
        return ahead;
      },
      next({ body, records, page }) {
        seen += records;
        const total = totalAt(body);
        if (step === 'page_size' && records > 0 && shortPage && !skipped) {
          skipped = true;
          warnings.push(`page ${shortPage.page} held ${shortPage.records} records where page_size asks for ${spec.page_size}, and more pages followed: with step: page_size the offset moved on by ${spec.page_size}, so records may have been skipped — remove step: page_size unless the API filters its pages after cutting them`);
        }
        if (records > 0 && records < spec.page_size) shortPage ??= { page, records };
        position += step === 'records' ? records : spec.page_size;
        const pageSize = short ? short.check(records, seen, total) : spec.page_size;
        const reason = stop({ body, records, seen, pageSize, total });
        if (reason && total !== undefined && seen < total) warnings.push(`the read ended (${reason}) after ${seen} records, but the API's total says ${total}`);
        const counted = `${seen} record(s) read${total === undefined ? '' : `, total ${total} at body path ${spec.total}`}`;
        const moved = step === 'records' ? `moved by the ${records} record(s) of this page` : `moved by page_size ${spec.page_size}`;
        const next: Next = reason
          ? { done: true, why: `${reason} (${records} record(s) on this page${reason === 'short page' ? `, page_size ${pageSize}` : ''}; ${counted})` }
          : { request: request(position), why: `offset ${position} (${moved}; ${counted}), sent as ${sentAs(spec.offset)}` };
        return warnings.length ? { ...next, warnings: warnings.splice(0) } : next;
      },
      resume(from) {
        position = Number(from.state?.offset ?? start);
        seen = Math.max(0, position - start); // the records before that offset were read by the earlier run
      },
    };
  },
};
