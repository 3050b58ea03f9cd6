import type { PaginationSpec } from '../../definition/model.js';
import { compileTemplate, type Vars } from '../../definition/template.js';

/**
 * The numeric pagination options that may name one integer setting instead of a number, so
 * `--set page_size=…` and `--set max_pages=…` work for every pagination type:
 *
 * ```yaml
 * pagination:
 *   type: offset
 *   offset: { in: query, name: offset }
 *   limit: { in: query, name: limit }
 *   page_size: "{{ settings.page_size }}"     # an integer setting with minimum ≥ 1 (validate checks it)
 *   max_pages: "{{ settings.max_pages }}"
 * ```
 * `start` and `page_limit` describe the API itself, not a choice of the admin: they stay numbers.
 */
export const settingOptions = ['page_size', 'max_pages'] as const;

/** The pagination with those options rendered to numbers (the settings were checked against their bounds). */
export function resolveNumbers(spec: PaginationSpec, vars: Vars): PaginationSpec {
  let out = spec;
  for (const option of settingOptions) {
    const raw = spec[option];
    if (typeof raw === 'string') out = { ...out, [option]: Number(compileTemplate(raw).render(vars)) };
  }
  return out;
}
