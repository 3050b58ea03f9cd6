import { Registry } from '../../registry.js';
import type { PaginationSpec } from '../../definition/model.js';
import type { Paginator } from './types.js';
import { cursor } from './cursor.js';
import { nextUrl } from './next_url.js';
import { none } from './none.js';
import { offset } from './offset.js';
import { pageNumber } from './page_number.js';

export type * from './types.js';

/** The pagination family, keyed by `pagination.type`; one file per type beside this one. */
export const paginations = new Registry<PaginationSpec, void, Paginator>('pagination');
paginations.add(cursor).add(pageNumber).add(offset).add(nextUrl).add(none);
