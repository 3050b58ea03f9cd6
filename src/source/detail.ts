import type { DetailSpec } from '../definition/model.js';
import { call, compileRequest, type Client } from './client.js';
import { compileExtract } from './extract.js';
import { getter } from './paths.js';
import type { Chunk } from './read.js';
import type { SourceItem, SourceStats } from './types.js';
import { requestsOf } from './waits.js';

/**
 * Detail calls: one request per record (after aggregation, so each key is fetched once) whose
 * response adds fields. Up to `concurrency` requests are in flight, in a sliding pool: each slot
 * takes the next record as soon as its call is answered, so one slow call does not hold back the
 * others; records still come out in the order they went in.
 *
 * ```yaml
 * detail:
 *   request: { method: GET, path: /users.info, query: { user: "{{ record.user_id }}" } }
 *   records: user                    # path to the object in the response
 *   concurrency: 4
 *   fields:
 *     tz: { label: Time Zone, path: tz, type: string }
 * ```
 * A configuration error (bad token, missing scope) fails the run; a record whose detail does not
 * read fails alone, with the reason.
 */
export async function* enrich(chunks: AsyncIterable<Chunk>, spec: DetailSpec, keyField: string, client: Client, stats: SourceStats, signal?: AbortSignal): AsyncGenerator<Chunk> {
  const build = compileRequest(spec.request, client);
  // the calls still in flight when the read ends or the run stops are aborted, retries and waits included
  const requests = requestsOf(signal);
  const objectOf = getter(spec.records ?? '.');
  const extract = compileExtract(spec.fields, Object.keys(spec.fields)[0]);
  const limit = spec.concurrency ?? 4;
  // results wait here in the order of their records; a slow call holds back the output, not the other slots
  const window = Math.max(limit * 8, 32);
  const one = async (item: SourceItem): Promise<SourceItem> => {
    if (!('record' in item)) return item;
    const response = await call(client, { ...build({}, { record: item.record }), signal: requests.signal });
    stats.requests = client.requester.sent;
    const extra = extract(objectOf(response.body), 'detail response');
    if ('failed' in extra) return { failed: `detail: ${extra.failed}`, ref: String(item.record[keyField] ?? 'record') };
    return { record: { ...item.record, ...extra.record } };
  };
  interface Slot {
    chunk: Chunk;
    index: number;
    done: boolean;
    result: Promise<SourceItem>;
  }
  const queue: Slot[] = [];
  let inFlight = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settled = () => new Promise<void>((resolve) => (wake = resolve));
  const start = (chunk: Chunk, index: number): Slot => {
    inFlight++;
    const slot: Slot = { chunk, index, done: false, result: one(chunk.items[index]) };
    slot.result.then(
      () => undefined,
      (error: unknown) => (failure ??= { error }),
    ).finally(() => {
      slot.done = true;
      inFlight--;
      wake?.();
    });
    return slot;
  };
  const out = async (slot: Slot): Promise<Chunk> => ({ page: slot.chunk.page, first: slot.chunk.first + slot.index, items: [await slot.result] });
  try {
    for await (const chunk of chunks) {
      for (let j = 0; j < chunk.items.length; j++) {
        // a free slot, and room in the window: hand on what is ready at the front meanwhile
        while (inFlight >= limit || queue.length >= window) {
          if (failure) throw failure.error;
          if (queue[0].done) yield await out(queue.shift()!);
          else await settled();
        }
        if (failure) throw failure.error;
        queue.push(start(chunk, j));
        while (queue.length && queue[0].done) yield await out(queue.shift()!);
      }
    }
    while (queue.length) yield await out(queue.shift()!);
  } finally {
    for (const slot of queue) slot.result.catch(() => undefined);
    requests.end();
  }
}
