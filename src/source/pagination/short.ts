/**
 * Whether a page shorter than `page_size` is the last one. Many APIs cap the page size (ask for
 * 150, get 100): a short page then says nothing about the end, and stopping on it would drop
 * every record after it without a word. So a short page ends the read only when it can be the
 * last one:
 * - the body gives a total, and the records read have reached it;
 * - or an earlier page was full (the API serves `page_size` records, so it does not cap below);
 * - or, for a first short page with neither, the next page is read to find out: empty, it was the
 *   last (one extra request); not empty, the API serves at most that many records per page — the
 *   read goes on, measures later pages against that size, and a warning says to lower `page_size`.
 */
export interface ShortPages {
  /** the page size to measure this page against, or undefined when a short page must not end the read */
  check(records: number, seen: number, total: number | undefined): number | undefined;
  /** the records per page the API turned out to serve, when fewer than `page_size` */
  readonly cap: number | undefined;
}

export function shortPages(pageSize: number, warn: (text: string) => void): ShortPages {
  let cap: number | undefined;
  let full = false;
  let probing: number | undefined;
  let probed = false;
  return {
    get cap() {
      return cap;
    },
    check(records, seen, total) {
      if (probing !== undefined && records > 0) {
        cap = probing;
        warn(`the API served ${cap} records per page where page_size asks for ${pageSize}, and more pages followed: it caps the page size, so the read went on — set page_size: ${cap} to match it`);
      }
      probing = undefined;
      const size = cap ?? pageSize;
      if (records >= size) {
        full = true;
        return size;
      }
      if (records === 0) return size;
      if (total !== undefined) {
        if (seen >= total) return size;
        if (cap === undefined) {
          cap = records;
          warn(`the API served ${records} records where page_size asks for ${pageSize}, and its total says more remain: it caps the page size, so the read went on — set page_size: ${records} to match it`);
        }
        return undefined;
      }
      if (full || cap !== undefined || probed) return size;
      probed = true;
      probing = records;
      return undefined;
    },
  };
}
