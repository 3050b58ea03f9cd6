import type { ComponentDefinition } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import type { Paginator } from './types.js';

/**
 * `type: none` — one request returns every record.
 *
 * ```yaml
 * pagination: { type: none }
 * ```
 */
export const none: ComponentDefinition<PaginationSpec, void, Paginator> = {
  type: 'none',
  create: () => ({ first: () => ({}), next: () => ({ done: true, why: 'pagination type none: one request' }) }),
};
