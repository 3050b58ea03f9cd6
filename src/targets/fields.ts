import type { FieldType } from '../definition/model.js';

/** A target field as a target describes it. */
export interface TargetField {
  name: string;
  label: string;
  type: FieldType;
  /** a record cannot be created without a value for it */
  required: boolean;
  custom: boolean;
  /** the only values the field takes (matched in any case, stored as listed), e.g. the People roles */
  values?: string[];
}

/** The roles a People record can have in the embedded store (as the asset system's default list). */
export const defaultRoles = ['Employee', 'Contractor', 'Admin'];

const people: TargetField[] = [
  { name: 'username', label: 'Username', type: 'string', required: true, custom: false },
  { name: 'email', label: 'E-mail', type: 'string', required: true, custom: false },
  { name: 'role', label: 'Role', type: 'string', required: true, custom: false, values: defaultRoles },
  { name: 'full_name', label: 'Full Name', type: 'string', required: false, custom: false },
  { name: 'first_name', label: 'First Name', type: 'string', required: false, custom: false },
  { name: 'last_name', label: 'Last Name', type: 'string', required: false, custom: false },
  { name: 'title', label: 'Title', type: 'string', required: false, custom: false },
  { name: 'department', label: 'Department', type: 'string', required: false, custom: false },
  { name: 'status', label: 'Status', type: 'string', required: false, custom: false },
  { name: 'source', label: 'Source', type: 'string', required: false, custom: false },
];

/** SaaS user records: one per user per SaaS app; Intake sets saas_name, external_id and person_id. */
const saasUsers: TargetField[] = [
  { name: 'saas_name', label: 'SaaS', type: 'string', required: true, custom: false },
  { name: 'external_id', label: 'User Id in the SaaS', type: 'string', required: true, custom: false },
  { name: 'person_id', label: 'Person', type: 'string', required: true, custom: false },
  { name: 'username', label: 'Username', type: 'string', required: false, custom: false },
  { name: 'email', label: 'E-mail', type: 'string', required: false, custom: false },
  { name: 'role', label: 'Role in the SaaS', type: 'string', required: false, custom: false },
  { name: 'status', label: 'Status', type: 'string', required: false, custom: false },
  { name: 'last_login', label: 'Last Login', type: 'datetime', required: false, custom: false },
  { name: 'first_login', label: 'First Login', type: 'datetime', required: false, custom: false },
  { name: 'source', label: 'Source', type: 'string', required: false, custom: false },
];

export type RecordType = 'people' | 'saas_users';

/** The built-in fields of each target record type (People, SaaS users) in the embedded store. */
export function builtinFields(recordType: RecordType): TargetField[] {
  return recordType === 'saas_users' ? saasUsers : people;
}
