import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import { getter } from '../paths.js';
import { sendAs, type Paginator } from './types.js';

/**
 * `type: page_number` — pages are numbered. Stops at the total page count when the body gives
 * one, else on an empty page; never asks past `page_limit` (Slack's classic paging serves at
 * most 100 pages).
 *
 * ```yaml
 * pagination:
 *   type: page_number
 *   send: { in: query, name: page }
 *   start: 1
 *   total_pages: paging.pages
 *   page_limit: 100
 *   max_pages: "{{ settings.max_pages }}"
 * ```
 */
interface PageNumberSpec extends PaginationSpec {
  send: { in: 'query' | 'header'; name: string };
  start?: number;
  total_pages?: string;
  page_limit?: number;
}

export const pageNumber: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'page_number',
  create(config) {
    const spec = config as PageNumberSpec;
    const start = spec.start ?? 1;
    const totalPages = spec.total_pages ? getter(spec.total_pages) : undefined;
    return {
      first: () => sendAs(spec.send, String(start)),
      next({ body, records, page }) {
        const current = start + page - 1;
        if (records === 0) return { done: true };
        if (totalPages) {
          const total = Number(totalPages(body));
          if (Number.isFinite(total) && current >= total) return { done: true };
        }
        if (spec.page_limit !== undefined && current >= spec.page_limit) {
          return { limit: `the API serves no page after ${spec.page_limit}; switch to cursor pagination to read the rest` };
        }
        return { request: sendAs(spec.send, String(current + 1)) };
      },
    };
  },
};
