import type { DetailSpec } from '../definition/model.js';
import { call, compileRequest, type Client } from './client.js';
import { compileExtract } from './extract.js';
import { getter } from './paths.js';
import type { SourceItem, SourceStats } from './types.js';

/**
 * Detail calls: one request per record (after aggregation, so each key is fetched once) whose
 * response adds fields. Up to `concurrency` requests are in flight.
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
export async function* enrich(items: AsyncIterable<SourceItem>, spec: DetailSpec, keyField: string, client: Client, stats: SourceStats): AsyncGenerator<SourceItem> {
  const build = compileRequest(spec.request, client);
  const objectOf = getter(spec.records ?? '.');
  const extract = compileExtract(spec.fields, Object.keys(spec.fields)[0]);
  const limit = spec.concurrency ?? 4;
  const one = async (item: SourceItem): Promise<SourceItem> => {
    if (!('record' in item)) return item;
    const response = await call(client, build({}, { record: item.record }));
    stats.requests = client.requester.sent;
    const extra = extract(objectOf(response.body), 'detail response');
    if ('failed' in extra) return { failed: `detail: ${extra.failed}`, ref: String(item.record[keyField] ?? 'record') };
    return { record: { ...item.record, ...extra.record } };
  };
  let window: Promise<SourceItem>[] = [];
  for await (const item of items) {
    window.push(one(item));
    if (window.length >= limit) {
      yield* await Promise.all(window);
      window = [];
    }
  }
  yield* await Promise.all(window);
}
