import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultUser, Paging } from '../helpers/faults.js';

/** A token planted in the environment: it must appear nowhere a user or the store can see. */
export const PLANTED = 'planted-Tok3n-7f3a9c2e1b';

/** How the test connector pages, per paging style of the fault API (test/helpers/faults.ts). */
const paginations: Record<Paging, string> = {
  cursor: `
request: { method: GET, path: /users, query: { limit: "{{ settings.page_size }}" } }
pagination:
  type: cursor
  token: { from: body, path: next_cursor }
  send: { in: query, name: cursor }`,
  next_url: `
request: { method: GET, path: /users, query: { limit: "{{ settings.page_size }}" } }
pagination: { type: next_url, from: body, path: next }`,
  // asks for 150 records a page, as the report did; stop: short_page makes a short page a candidate end
  offset: `
request: { method: GET, path: /users }
pagination:
  type: offset
  offset: { in: query, name: offset }
  limit: { in: query, name: limit }
  page_size: 150
  stop: [empty_page, short_page]`,
};

/**
 * A folder with connectors/fault-users.yaml and mappings/fault-users.yaml for the fault API, as a
 * connector author would write them: base_url is a setting (the tests pass --set base_url=…),
 * small retry and timeout values keep each case short.
 */
export function faultWorkspace(paging: Paging): string {
  const dir = mkdtempSync(join(tmpdir(), 'intake-faults-'));
  mkdirSync(join(dir, 'connectors'));
  mkdirSync(join(dir, 'mappings'));
  writeFileSync(join(dir, 'connectors', 'fault-users.yaml'), `# yaml-language-server: $schema=../schemas/connector.schema.json
id: fault-users
name: Fault users
record_type: users
credentials:
  type: bearer
  fields:
    token: { label: API token, secret: true, env: FAULT_TOKEN }
settings:
  base_url: { label: API base URL, type: string, required: true }
  page_size: { label: Records per page, type: integer, minimum: 1, maximum: 1000, default: 50 }
base_url: "{{ settings.base_url }}"
${paginations[paging].trim()}
records: users
retry: { attempts: 3, base_delay_ms: 50, max_wait_seconds: 2 }
timeouts: { connect_seconds: 2, idle_seconds: 0.5, request_seconds: 5 }
fields:
  user_id:  { label: User Id, path: id, type: string }
  username: { label: Username, path: username, type: string }
  email:    { label: Email, path: email, type: string }
  name:     { label: Name, path: name, type: string }
sync_key: user_id
`);
  writeFileSync(join(dir, 'mappings', 'fault-users.yaml'), `# yaml-language-server: $schema=../schemas/mapping.schema.json
name: Fault users
connector: fault-users
installation: local
record_type: people
preference: create_update
sync_key:
  - { source: user_id, target: fault_user_id }
custom_fields:
  fault_user_id: { label: Fault User Id, type: string }
fields:
  username: username
  email: { source: email, convert: lowercase }
  full_name: name
  role: { value: Employee }
`);
  return dir;
}

/** The People record a complete sync of a fault API user stores (no more, no fewer fields). */
export function expectedPerson(user: FaultUser): Record<string, unknown> {
  return { fault_user_id: user.id, username: user.username, email: user.email.toLowerCase(), full_name: user.name, role: 'Employee' };
}
