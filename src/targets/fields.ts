import type { FieldType } from '../definition/model.js';

/** A target field as a target describes it. */
export interface TargetField {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  custom: boolean;
}

const people: TargetField[] = [
  { name: 'username', label: 'Username', type: 'string', required: true, custom: false },
  { name: 'full_name', label: 'Full Name', type: 'string', required: false, custom: false },
  { name: 'first_name', label: 'First Name', type: 'string', required: false, custom: false },
  { name: 'last_name', label: 'Last Name', type: 'string', required: false, custom: false },
  { name: 'email', label: 'E-mail', type: 'string', required: false, custom: false },
  { name: 'title', label: 'Title', type: 'string', required: false, custom: false },
  { name: 'department', label: 'Department', type: 'string', required: false, custom: false },
  { name: 'status', label: 'Status', type: 'string', required: false, custom: false },
  { name: 'source', label: 'Source', type: 'string', required: false, custom: false },
];

const saasUsers: TargetField[] = [
  { name: 'saas_name', label: 'SaaS Name', type: 'string', required: true, custom: false },
  { name: 'username', label: 'Username', type: 'string', required: true, custom: false },
  { name: 'email', label: 'E-mail', type: 'string', required: false, custom: false },
  { name: 'last_login', label: 'Last Login', type: 'datetime', required: false, custom: false },
  { name: 'status', label: 'Status', type: 'string', required: false, custom: false },
  { name: 'source', label: 'Source', type: 'string', required: false, custom: false },
];

/** The built-in fields of each target record type (People, SaaS users). */
export function builtinFields(recordType: string): TargetField[] {
  return recordType === 'saas_users' ? saasUsers : people;
}
