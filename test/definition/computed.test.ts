import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadIntegration, validateFiles } from '../../src/definition/load.js';
import { DefinitionError, type DefinitionIssue } from '../../src/errors.js';
import { edit, positionOf, workspace, type Workspace } from './workspace.js';

/** A complete People mapping for the shipped Okta connector that uses every computed form. */
const base = `connector: okta-users
record_type: people
preference: create_update
settings: { base_url: "https://acme.okta.com" }
sync_key:
  - { source: user_id, target: okta_user_id }
custom_fields:
  okta_user_id: { label: Okta User Id, type: string }
  okta_active: { label: Okta Active, type: boolean }
  okta_seen: { label: Okta Seen, type: datetime }
filters:
  - { when: 'status != "DEPROVISIONED"', reason: deprovisioned }
fields:
  username: login
  email: { first_of: [email, second_email], convert: lowercase }
  role: { value: Employee }
  full_name: { template: "{{ first_name }} {{ last_name }}" }
  okta_active: { expr: 'status == "ACTIVE"' }
  okta_seen: { expr: last_login }
  status: { source: status, map: { ACTIVE: Active, "*": Inactive } }
  department:
    expr: |
      department != null ? department : "none"
`;

let ws: Workspace;
let count = 0;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());

function issuesOf(text: string): DefinitionIssue[] {
  return validateFiles([ws.mapping(`computed-${++count}`, text)])[0].issues;
}

/** The one issue of a mapping text, which must be the only one. */
function onlyIssue(text: string): DefinitionIssue {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('computed values: load-time checks with positions', () => {
  it('the base mapping with every form validates', () => {
    expect(issuesOf(base)).toEqual([]);
  });

  it('an unknown field inside an expression points inside the expression, with the nearest name', () => {
    const text = edit(base, `'status == "ACTIVE"'`, `'statuss == "ACTIVE"'`);
    expect(onlyIssue(text)).toMatchObject({ code: 'unknown_field', path: 'fields.okta_active.expr', hint: 'did you mean "status"?', ...positionOf(text, 'statuss ==') });
  });

  it('a syntax error in an expression points where the parser stopped', () => {
    const text = edit(base, `'status == "ACTIVE"'`, `'status == "ACTIVE" &&'`);
    expect(onlyIssue(text)).toMatchObject({ code: 'expr_syntax', path: 'fields.okta_active.expr', ...positionOf(text, `'status == "ACTIVE" &&'`, 'status == "ACTIVE" &&'.length + 1) });
  });

  it('an expression whose type cannot fit the target field is type_mismatch at the expression', () => {
    const text = edit(base, '{ expr: last_login }', '{ expr: \'status == "ACTIVE"\' }');
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'type_mismatch', path: 'fields.okta_seen.expr' });
    expect(issue.message).toBe('the expression gives a boolean (true/false), which cannot fit okta_seen (datetime)');
  });

  it('a filter condition must be true or false', () => {
    const text = edit(base, `'status != "DEPROVISIONED"'`, `'status'`);
    expect(onlyIssue(text)).toMatchObject({ code: 'expr_type', path: 'filters[0].when', ...positionOf(text, `'status'`) });
  });

  it('an unknown field in a filter condition, a template, first_of or a map source', () => {
    let text = edit(base, 'when: \'status != "DEPROVISIONED"\'', 'when: \'stat != "DEPROVISIONED"\'');
    text = edit(text, '{{ last_name }}', '{{ lastname }}');
    text = edit(text, '[email, second_email]', '[email, secnd_email]');
    text = edit(text, '{ source: status, map', '{ source: stauts, map');
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.code, i.path, i.hint])).toEqual([
      ['unknown_field', 'filters[0].when', 'did you mean "status"?'],
      ['unknown_field', 'fields.email.first_of[1]', 'did you mean "second_email"?'],
      ['unknown_field', 'fields.full_name.template', 'did you mean "last_name"?'],
      ['unknown_field', 'fields.status.source', 'did you mean "status"?'],
    ]);
    expect(issues[0]).toMatchObject(positionOf(text, 'stat !='));
    expect(issues[1]).toMatchObject(positionOf(text, 'secnd_email'));
    expect(issues[2]).toMatchObject(positionOf(text, 'lastname'));
  });

  it('inside a block scalar too, the position is the line and column of the fault', () => {
    const text = edit(base, 'department != null ? department : "none"', 'department != null ? departmnt : "none"');
    expect(onlyIssue(text)).toMatchObject({ code: 'unknown_field', path: 'fields.department.expr', hint: 'did you mean "department"?', ...positionOf(text, 'departmnt') });
  });

  it('a map value that cannot fit the target field is reported at that value', () => {
    const text = edit(base, '  okta_active: { expr: \'status == "ACTIVE"\' }', '  okta_active: { source: status, map: { ACTIVE: true, "*": "maybe" } }');
    expect(onlyIssue(text)).toMatchObject({ code: 'type_mismatch', path: 'fields.okta_active.map.*', ...positionOf(text, '"maybe"') });
  });

  it('a role the target does not know is invalid_value with the nearest role', () => {
    const text = edit(base, '{ value: Employee }', '{ value: Employe }');
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ code: 'invalid_value', path: 'fields.role.value', hint: 'did you mean "Employee"?', ...positionOf(text, 'Employe }') });
    expect(issue.message).toContain('Employee, Contractor, Admin');
  });

  it('convert, map or default on a constant is modifier_unused', () => {
    const text = edit(base, '{ value: Employee }', '{ value: Employee, convert: lowercase }');
    expect(onlyIssue(text)).toMatchObject({ code: 'modifier_unused', path: 'fields.role.convert' });
  });

  it('two forms in one field mapping are ambiguous', () => {
    const text = edit(base, '{ expr: last_login }', '{ expr: last_login, source: last_login }');
    expect(onlyIssue(text)).toMatchObject({ code: 'ambiguous', path: 'fields.okta_seen' });
  });

  it('a missing required field or sync key makes a draft: validate refuses it, a test run may load it', () => {
    let text = edit(base, '  role: { value: Employee }\n', '');
    text = edit(text, 'sync_key:\n  - { source: user_id, target: okta_user_id }\n', '');
    const file = ws.mapping('draft', text);
    const issues = validateFiles([file])[0].issues;
    expect(issues.map((i) => [i.code, i.draft])).toEqual([['sync_key_missing', true], ['required_unmapped', true]]);
    expect(() => loadIntegration(file)).toThrow(DefinitionError);
    expect(loadIntegration(file, { draft: true }).missing.map((i) => i.code)).toEqual(['sync_key_missing', 'required_unmapped']);
  });

  it('a draft that is also wrong does not load even for a test run', () => {
    const text = edit(edit(base, '  role: { value: Employee }\n', ''), '{{ last_name }}', '{{ lastname }}');
    expect(() => loadIntegration(ws.mapping('draft-and-wrong', text), { draft: true })).toThrow(DefinitionError);
  });
});

describe('People plus SaaS user mappings', () => {
  const saas = edit(base, 'record_type: people', 'record_type: people_and_saas_users') + 'saas_user:\n  app: Okta\n  fields:\n    status: status\n    last_login: last_login\n';

  it('validates with a saas_user block', () => {
    expect(issuesOf(saas)).toEqual([]);
  });

  it('people_and_saas_users without saas_user says what to add', () => {
    const text = edit(base, 'record_type: people', 'record_type: people_and_saas_users');
    expect(onlyIssue(text)).toMatchObject({ code: 'missing_option', path: 'record_type' });
  });

  it('fields Intake sets itself are refused, and unknown SaaS user fields are checked like People fields', () => {
    const text = edit(saas, '    status: status\n', '    person_id: user_id\n    last_login: { expr: \'status == "x"\' }\n').replace('    last_login: last_login\n', '');
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.code, i.path])).toEqual([['reserved_field', 'saas_user.fields.person_id'], ['type_mismatch', 'saas_user.fields.last_login.expr']]);
  });
});
