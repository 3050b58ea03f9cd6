/**
 * The two file formats as TypeScript types. They mirror schemas/connector.schema.json and
 * schemas/mapping.schema.json, which are the source of truth; values of these types have
 * passed schema validation and the cross-check.
 */
export type Scalar = string | number | boolean;
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'datetime';
export type ErrorClass = 'configuration' | 'transient' | 'rate_limit';

export interface CredentialFieldSpec {
  label: string;
  secret?: boolean;
  env?: string;
}

export interface CredentialsSpec {
  type: string;
  fields: Record<string, CredentialFieldSpec>;
  required_scopes?: string[];
  [option: string]: unknown;
}

/**
 * What holds credentials: a connector, or a target that needs its own (the Oomnitza API token,
 * kept under the id `oomnitza`). The credential stores and `intake credentials` need no more.
 */
export type CredentialOwner = Pick<ConnectorSpec, 'id' | 'name' | 'credentials'>;

export interface SettingSpec {
  label?: string;
  description?: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  minimum?: number;
  maximum?: number;
  enum?: Scalar[];
  default?: Scalar;
  required?: boolean;
}

export interface RequestSpec {
  method?: 'GET' | 'POST';
  path: string;
  query?: Record<string, Scalar>;
  headers?: Record<string, Scalar>;
  body_type?: 'json' | 'form';
  body?: Record<string, unknown>;
}

export interface DetailSpec {
  request: RequestSpec;
  records?: string;
  concurrency?: number;
  fields: Record<string, FieldSpec>;
}

export interface RateLimitSpec {
  requests?: number;
  per_seconds?: number;
  reset_header?: string;
  reset_unit?: 'seconds' | 'milliseconds' | 'epoch_seconds' | 'epoch_milliseconds' | 'date';
}

export interface PaginationSpec {
  type: string;
  max_pages?: number | string;
  /** a number, or `{{ settings.<name> }}` of an integer setting (resolved before the paginator is built) */
  page_size?: number | string;
  [option: string]: unknown;
}

/** `partitions:` — the list request once per value (`type: values`) or per parent record (`type: parent`). */
export interface PartitionsSpec {
  type: string;
  [option: string]: unknown;
}

/** What a response header must be: a value, one of several, or present / absent. */
export type HeaderCondition = string | number | (string | number)[] | { present: boolean };

/** A value read from a response: a body path (the plain string form) or a header. */
export type ValueFrom = string | { from: 'body' | 'header'; path: string };

export interface ErrorRuleSpec {
  when: { status?: number | number[]; path?: string; equals?: Scalar | null; in?: Scalar[]; headers?: Record<string, HeaderCondition> };
  class: ErrorClass;
  code?: ValueFrom;
  summary?: ValueFrom;
  message?: string;
  hint?: string;
  reauth?: boolean;
  codes?: Record<string, { class?: ErrorClass; hint?: string; reauth?: boolean }>;
}

export interface FieldSpec {
  label: string;
  path?: string;
  type: FieldType;
  format?: string;
  null_values?: Scalar[];
  /** `first`: a `[key eq value]` filter in the path that matches no element takes the list's first */
  unmatched?: 'first';
}

export type Reducer = 'max' | 'min' | 'sum' | 'latest';

export interface AggregateSpec {
  by: string;
  latest_by?: string;
  take?: Record<string, Reducer>;
}

export interface ConnectorSpec {
  id: string;
  name: string;
  description?: string;
  record_type: string;
  credentials: CredentialsSpec;
  settings?: Record<string, SettingSpec>;
  base_url: string;
  request: RequestSpec;
  pagination: PaginationSpec;
  partitions?: PartitionsSpec;
  records: string;
  records_missing?: 'error' | 'empty';
  errors?: ErrorRuleSpec[];
  retry?: { attempts?: number; max_wait_seconds?: number; base_delay_ms?: number };
  timeouts?: { connect_seconds?: number; idle_seconds?: number; request_seconds?: number };
  rate_limit?: RateLimitSpec;
  fields: Record<string, FieldSpec>;
  aggregate?: AggregateSpec;
  detail?: DetailSpec;
  sync_key: string;
}

export type Preference = 'create_only' | 'update_only' | 'create_update';

/** How a computed value is finished: converted, looked up in a table, defaulted when empty. */
export interface ValueModifiers {
  convert?: string;
  map?: Record<string, Scalar | null>;
  default?: Scalar;
  /** accept a datetime outside 1970–2200 */
  any_date?: boolean;
}

export type FieldMappingSpec =
  | string
  | ({ source: string } & ValueModifiers)
  | ({ template: string } & ValueModifiers)
  | ({ first_of: string[] } & ValueModifiers)
  | ({ expr: string } & ValueModifiers)
  | { value: Scalar | null }
  | { meta: string };

export interface FilterSpec {
  field?: string;
  when?: string;
  equals?: Scalar | null;
  not_equals?: Scalar | null;
  in?: Scalar[];
  not_in?: Scalar[];
  exists?: boolean;
  reason?: string;
}

export interface CustomFieldSpec {
  label: string;
  type: FieldType;
}

/** The SaaS user records of a People plus SaaS user integration: one per user of the app. */
export interface SaasUserSpec {
  app: string;
  custom_fields?: Record<string, CustomFieldSpec>;
  fields?: Record<string, FieldMappingSpec>;
}

export type MappingRecordType = 'people' | 'people_and_saas_users';

export interface MappingSpec {
  name?: string;
  connector: string;
  installation?: 'local' | 'cloud';
  /** where the records go unless the command line says otherwise: `store`, `oomnitza`, `jsonl:<file>`, `csv:<file>` */
  target?: string;
  record_type: MappingRecordType;
  saas_user?: SaasUserSpec;
  preference: Preference;
  /** absent only in a draft */
  sync_key?: { source: string; target: string; match?: 'exact' | 'case_insensitive' }[];
  custom_fields?: Record<string, CustomFieldSpec>;
  filters?: FilterSpec[];
  fields: Record<string, FieldMappingSpec>;
  settings?: Record<string, Scalar>;
  credential?: string;
  schedule?: ScheduleSpec;
}

/** When a launched integration runs (src/schedule/schedule.ts): `every` hour|day|week (with `at`, `on`) or an interval (6h, 30m, 90s), or a `cron` pattern; absent: daily at 02:00 UTC. */
export interface ScheduleSpec {
  every?: string;
  at?: string;
  on?: 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
  cron?: string;
  timezone?: string;
}
