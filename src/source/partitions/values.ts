import type { ComponentDefinition } from '../../registry.js';
import type { PartitionsSpec, Scalar } from '../../definition/model.js';
import { compileTemplate } from '../../definition/template.js';
import { SourceError } from '../../errors.js';
import type { Partition, PartitionContext, Partitioner } from './types.js';

/**
 * `type: values` — the list request once per value, in order; the value is `{{ partition.<name> }}`.
 *
 * ```yaml
 * partitions:                     # Zoom's List users takes one status per request
 *   type: values
 *   name: status
 *   values: [active, inactive, pending]      # or "{{ settings.statuses }}": a string setting, comma-separated
 * request:
 *   path: /users
 *   query: { status: "{{ partition.status }}" }
 * ```
 * Values from a setting are split at commas; spaces around a value and empty values are dropped,
 * a value given twice is read once (with a warning), and a setting with no value at all fails
 * the run before any request (validate refuses such a value in a mapping).
 */
interface ValuesSpec extends PartitionsSpec {
  name: string;
  values: Scalar[] | string;
}

export const values: ComponentDefinition<PartitionsSpec, PartitionContext, Partitioner> = {
  type: 'values',
  create(config, ctx) {
    const spec = config as ValuesSpec;
    return {
      list: async () => {
        const list = typeof spec.values === 'string' ? splitValues(compileTemplate(spec.values).render(ctx.vars)) : spec.values;
        if (!list.length) {
          throw new SourceError('partitions_empty', `partitions: "${String(spec.values)}" gives no value to read`, { hint: 'give the setting one or more values separated by commas, e.g. active,inactive' });
        }
        const unique = [...new Set(list)];
        if (unique.length < list.length) ctx.warn(`partitions: a value is given more than once in "${list.join(',')}"; each is read once`);
        return unique.map((value): Partition => ({ key: String(value), label: `${spec.name}=${String(value)}`, values: { [spec.name]: value } }));
      },
    };
  },
};

/** A comma-separated setting value as a list: `active, inactive,` → [active, inactive]. */
export function splitValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return String(value).split(',').map((v) => v.trim()).filter((v) => v !== '');
}
