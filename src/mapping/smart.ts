import type { ConnectorSpec, FieldType, MappingRecordType, Preference } from '../definition/model.js';
import { cloudOnlyReason } from '../source/auth/index.js';
import type { SourceRecord } from '../source/types.js';
import { builtinFields, type RecordType, type TargetField } from '../targets/fields.js';
import { fits } from './types.js';

/**
 * Smart mapping: pairs a connector's fields with target fields by normalised name, label, known
 * synonyms, type and (when a sample page could be read) the values themselves, and writes a
 * complete mapping YAML with each pair's confidence in a comment. Connector fields with no
 * target become proposed custom fields; target fields with no match stay commented out.
 */
export interface Pair {
  target: string;
  source: string;
  confidence: 'high' | 'medium' | 'low';
  why: string;
}

export interface Suggestion {
  yaml: string;
  record_type: MappingRecordType;
  preference: Preference;
  sync_key: { source: string; target: string };
  pairs: Pair[];
  saas_pairs: Pair[];
  custom_fields: { name: string; source: string; label: string; type: FieldType }[];
  /** target fields left commented out (no connector field fits them) */
  unmatched: string[];
  /** required People fields with no match: the mapping is a draft until they are mapped */
  missing_required: string[];
}

export interface SuggestOptions {
  recordType?: MappingRecordType;
  preference?: Preference;
  /** source records of a first page, when credentials were available */
  samples?: SourceRecord[];
  /** why there are no samples (shown in the YAML) */
  samplesNote?: string;
}

/** Known other names of the built-in target fields, best first. */
const synonyms: Record<string, string[]> = {
  username: ['user_name', 'login', 'login_name', 'handle', 'user_principal_name', 'upn', 'name'],
  email: ['mail', 'email_address', 'primary_email', 'work_email', 'e_mail'],
  full_name: ['real_name', 'display_name', 'name', 'displayname'],
  first_name: ['given_name', 'firstname'],
  last_name: ['surname', 'family_name', 'lastname'],
  title: ['job_title'],
  department: ['dept'],
  status: ['state'],
  role: ['user_role', 'role_name'],
  last_login: ['last_login_time', 'last_used', 'last_sign_in', 'last_seen', 'last_activity', 'last_login_at', 'date_last'],
  first_login: ['first_used', 'first_seen'],
};

const emailLike = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** `Last Used Timestamp` → `last_used_timestamp`; `userPrincipalName` → `user_principal_name`. */
export function normalise(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export function suggestMapping(connector: ConnectorSpec, options: SuggestOptions = {}): Suggestion {
  const recordType = options.recordType ?? 'people';
  const preference = options.preference ?? 'create_update';
  const app = appName(connector);
  const prefix = normalise(app);
  const fields = Object.entries({ ...connector.fields, ...(connector.detail?.fields ?? {}) }).map(([name, spec]) => ({ name, label: spec.label, type: spec.type }));
  const keyField = fields.find((f) => f.name === connector.sync_key)!;
  const keyTarget = prefixed(prefix, keyField.name);
  const used = new Set<string>([keyField.name]);
  const people = builtinFields('people').filter((f) => f.name !== 'source');
  const pairs = match(people, fields.filter((f) => !used.has(f.name)), options.samples);
  for (const p of pairs) used.add(p.source);
  const saasPairs = recordType === 'people_and_saas_users' ? match(saasTargets(), fields.filter((f) => f.name !== keyField.name), options.samples) : [];
  for (const p of saasPairs) used.add(p.source);
  const custom = [
    { name: keyTarget, source: keyField.name, label: `${app} ${keyField.label}`, type: keyField.type },
    ...fields.filter((f) => !used.has(f.name)).map((f) => ({ name: prefixed(prefix, f.name), source: f.name, label: `${app} ${f.label}`, type: f.type })),
  ];
  const matched = new Set(pairs.map((p) => p.target));
  const unmatched = people.filter((f) => !matched.has(f.name) && f.name !== 'role').map((f) => f.name);
  const creates = preference !== 'update_only';
  const missingRequired = creates ? people.filter((f) => f.required && f.name !== 'role' && !matched.has(f.name)).map((f) => f.name) : [];
  const suggestion: Omit<Suggestion, 'yaml'> = {
    record_type: recordType, preference, sync_key: { source: keyField.name, target: keyTarget }, pairs, saas_pairs: saasPairs,
    custom_fields: custom, unmatched, missing_required: missingRequired,
  };
  return { ...suggestion, yaml: render(connector, app, suggestion, options) };
}

/** The SaaS user fields a suggestion fills (Intake sets the app, the user's key and the person). */
function saasTargets(): TargetField[] {
  return builtinFields('saas_users' as RecordType).filter((f) => !['saas_name', 'external_id', 'person_id', 'source'].includes(f.name));
}

interface SourceField {
  name: string;
  label: string;
  type: FieldType;
}

/** Scores every (target, connector field) pair and keeps the best, each connector field once (an e-mail may also be the user name). */
function match(targets: TargetField[], fields: SourceField[], samples: SourceRecord[] | undefined): Pair[] {
  const scored: (Pair & { score: number })[] = [];
  for (const target of targets) {
    for (const field of fields) {
      if (!fits(field.type, target.type)) continue;
      const s = score(target, field, samples);
      if (s) scored.push({ target: target.name, source: field.name, ...s });
    }
  }
  scored.sort((a, b) => b.score - a.score);
  const pairs: Pair[] = [];
  const taken = new Set<string>();
  const done = new Set<string>();
  for (const s of scored) {
    if (done.has(s.target) || taken.has(s.source)) continue;
    pairs.push({ target: s.target, source: s.source, confidence: s.confidence, why: s.why });
    done.add(s.target);
    taken.add(s.source);
  }
  const email = pairs.find((p) => p.target === 'email');
  if (!done.has('username') && email && targets.some((t) => t.name === 'username')) {
    pairs.push({ target: 'username', source: email.source, confidence: 'medium', why: 'no user name field: the e-mail address is the sign-in name' });
  }
  return pairs.sort((a, b) => targets.findIndex((t) => t.name === a.target) - targets.findIndex((t) => t.name === b.target));
}

function score(target: TargetField, field: SourceField, samples: SourceRecord[] | undefined): { score: number; confidence: Pair['confidence']; why: string } | undefined {
  const name = normalise(field.name);
  const label = normalise(field.label);
  if (target.name === 'email' && looksLikeEmail(field.name, samples)) return { score: 1, confidence: 'high', why: 'sample values are e-mail addresses' };
  if (name === target.name || label === target.name || label === normalise(target.label)) return { score: 0.98, confidence: 'high', why: 'same name' };
  const known = synonyms[target.name] ?? [];
  const at = Math.min(...[name, label].map((n) => known.indexOf(n)).filter((i) => i >= 0));
  if (Number.isFinite(at)) return { score: 0.9 - at * 0.01, confidence: 'high', why: `known synonym (${field.name} → ${target.name})` };
  const tokens = new Set(target.name.split('_'));
  const shared = name.split('_').filter((t) => tokens.has(t)).length;
  if (shared && shared === tokens.size && target.type !== 'string') return { score: 0.5, confidence: 'low', why: `similar name (${field.label})` };
  return undefined;
}

/** Whether most sample values of a field look like e-mail addresses. */
function looksLikeEmail(field: string, samples: SourceRecord[] | undefined): boolean {
  const values = (samples ?? []).map((r) => r[field]).filter((v): v is string => typeof v === 'string' && v !== '');
  return values.length > 0 && values.filter((v) => emailLike.test(v)).length / values.length >= 0.8;
}

/** "Slack last login" → Slack: the first word of the connector's name. */
function appName(connector: ConnectorSpec): string {
  return connector.name.split(/\s+/)[0];
}

function prefixed(prefix: string, name: string): string {
  const n = normalise(name);
  return n.startsWith(`${prefix}_`) ? n : `${prefix}_${n}`;
}

function render(connector: ConnectorSpec, app: string, s: Omit<Suggestion, 'yaml'>, options: SuggestOptions): string {
  const cloud = cloudOnlyReason(connector.credentials) !== undefined;
  const lines = [
    '# yaml-language-server: $schema=../schemas/mapping.schema.json',
    `# Suggested by: intake mapping suggest ${connector.id}. Check every line, then:`,
    '#   intake validate <this file> && intake run <this file> --test',
    '# Confidence: high = same name or label, a known synonym, or sample values that fit;',
    '# medium = a reasonable default to confirm; low = similar name only.',
    options.samples ? `# Sample values: ${options.samples.length} record(s) of the first page were read.` : `# Sample values: none (${options.samplesNote ?? 'not read'}).`,
    `name: ${JSON.stringify(connector.name)}`,
    `connector: ${connector.id}`,
    `installation: ${cloud ? 'cloud' : 'local'}${cloud ? `   # ${connector.credentials.type} needs the instance's vault` : ''}`,
    `record_type: ${s.record_type}`,
    `preference: ${s.preference}`,
    '',
    'sync_key:',
    `  - { source: ${s.sync_key.source}, target: ${s.sync_key.target} }   # the connector's key → a new custom field`,
    '',
    'custom_fields:',
    ...s.custom_fields.map((c) => `  ${c.name}: { label: ${JSON.stringify(c.label)}, type: ${c.type} }`),
    '',
    'fields:',
    ...s.pairs.map((p) => line(p.target, p.source, `${p.confidence}: ${p.why}`)),
  ];
  if (s.preference !== 'update_only') lines.push(line('role', '{ value: Employee }', 'medium: a constant; one of Employee, Contractor, Admin, or an expr:'));
  for (const name of s.missing_required) lines.push(`  # ${name}:    no connector field matches; People need it to be created (or use preference: update_only)`);
  lines.push(...s.custom_fields.slice(1).map((c) => line(c.name, c.source, `new custom field: ${c.label.slice(app.length + 1)} (${c.type})`)));
  lines.push(line('source', `{ value: ${JSON.stringify(app)} }`, 'a constant: where the record came from'));
  for (const name of s.unmatched.filter((n) => !s.missing_required.includes(n))) lines.push(`  # ${name}:    no connector field matches`);
  if (s.record_type === 'people_and_saas_users') {
    lines.push('', 'saas_user:', `  app: ${JSON.stringify(app)}`, '  fields:', ...s.saas_pairs.map((p) => `  ${line(p.target, p.source, `${p.confidence}: ${p.why}`)}`));
  }
  lines.push('', `schedule: { every: day, at: "02:00", timezone: UTC }`, '');
  return lines.join('\n');
}

function line(target: string, value: string, comment: string): string {
  return `  ${`${target}: ${value}`.padEnd(40)} # ${comment}`;
}
