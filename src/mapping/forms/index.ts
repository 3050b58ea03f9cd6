import { Registry } from '../../registry.js';
import { expr } from './expr.js';
import { first_of } from './first_of.js';
import { meta } from './meta.js';
import { source } from './source.js';
import { template } from './template.js';
import type { CompiledForm, FormContext } from './types.js';
import { value } from './value.js';

/**
 * The forms of a field mapping, keyed by the YAML key that selects them: exactly one of these
 * keys appears in a field mapping object (`{ expr: … }`, `{ template: … }` …).
 */
export const forms = new Registry<Record<string, unknown>, FormContext, CompiledForm>('field mapping form')
  .add(source)
  .add(value)
  .add(meta)
  .add(template)
  .add(first_of)
  .add(expr);

export { isEmpty, type CompiledForm, type FormContext, type Produce } from './types.js';
