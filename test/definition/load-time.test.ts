import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { validateFiles } from '../../src/definition/load.js';
import { intake } from '../helpers/cli.js';
import { edit, positionOf, shipped, workspace, type Workspace } from './workspace.js';

// Issue 7, item 11: `validate` said ok and `run` then failed on a definition problem. Each of
// these is now found at load, with a position; `run` refuses the same file the same way (exit 2,
// nothing run), instead of starting a run that fails.

const users = shipped('mappings', 'slack-users');
const connector = shipped('connectors', 'slack-users');
let ws: Workspace;
let count = 0;

beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());

function mappingIssues(text: string) {
  const file = ws.mapping(`case-${++count}`, text);
  const [result] = validateFiles([file]);
  return { file, issues: result.issues };
}

function connectorIssues(text: string) {
  const file = ws.connector(`case-${++count}`, text);
  const [result] = validateFiles([file]);
  return { file, issues: result.issues };
}

describe('a mapped target field must exist (issue 7, item 11)', () => {
  it('fields: { titel: title } is unknown_target_field at the key, with the nearest field', () => {
    const text = edit(users, '  title: title', '  titel: title');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_target_field', path: 'fields.titel', ...positionOf(text, 'titel:') })]);
    expect(issues[0].hint).toMatch(/^did you mean "title"\? Or declare it under custom_fields/);
  });

  it('synced_at: { meta: sync_time } without custom_fields is unknown; declared under custom_fields it is fine', () => {
    const text = edit(users, '  source: { value: Slack }\n\nsaas_user:', '  synced_at: { meta: sync_time }\n\nsaas_user:');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_target_field', path: 'fields.synced_at', ...positionOf(text, 'synced_at:') })]);
    const declared = edit(text, '  slack_active: { label: Slack Active, type: boolean }', '  slack_active: { label: Slack Active, type: boolean }\n  synced_at: { label: Synced At, type: datetime }');
    expect(mappingIssues(declared).issues).toEqual([]);
  });

  it('a SaaS user field that does not exist points to saas_user.custom_fields', () => {
    const text = edit(users, '    status: { expr:', '    state: { expr:');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_target_field', path: 'saas_user.fields.state', ...positionOf(text, 'state:') })]);
    expect(issues[0].hint).toContain('did you mean "status"? Or declare it under saas_user.custom_fields');
  });
});

describe('custom fields add fields (issue 7, item 11)', () => {
  it('a custom field that redeclares a built-in People field is custom_field_builtin at its name', () => {
    const text = edit(users, '  slack_active: { label: Slack Active, type: boolean }', '  slack_active: { label: Slack Active, type: boolean }\n  title: { label: Title, type: datetime }');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'custom_field_builtin', path: 'custom_fields.title', ...positionOf(text, 'title: { label: Title') })]);
    expect(issues[0].hint).toContain('the built-in field is string, not datetime');
  });

  it('a SaaS user custom field that redeclares a built-in SaaS user field too', () => {
    const text = edit(users, '  app: Slack\n', '  app: Slack\n  custom_fields:\n    last_login: { label: Last Login, type: datetime }\n');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'custom_field_builtin', path: 'saas_user.custom_fields.last_login' })]);
  });
});

describe('URLs are http(s) (issue 7, item 11)', () => {
  it.each(['ftp://slack.com/api', 'file:///etc/passwd', 'slack.com/api'])('base_url set to %s in the mapping is invalid_url at that setting', (url) => {
    const text = edit(users, 'settings:\n  max_pages: 100', `settings:\n  max_pages: 100\n  base_url: "${url}"`);
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_url', path: 'settings.base_url', ...positionOf(text, `"${url}"`) })]);
  });

  it('a literal base_url of ftp:// is invalid_url at base_url; a default of file:// at the default', () => {
    const literal = edit(connector, 'base_url: "{{ settings.base_url }}"', 'base_url: ftp://slack.com/api');
    expect(connectorIssues(literal).issues).toEqual([expect.objectContaining({ code: 'invalid_url', path: 'base_url', ...positionOf(literal, 'ftp://') })]);
    const byDefault = edit(connector, 'default: https://slack.com/api', 'default: file:///srv/slack');
    expect(connectorIssues(byDefault).issues).toEqual([expect.objectContaining({ code: 'invalid_url', path: 'settings.base_url.default', ...positionOf(byDefault, 'file:///srv/slack') })]);
  });

  it('a URL that depends on a credential is checked around it; one that is a credential is left to the run', () => {
    const around = edit(connector, 'base_url: "{{ settings.base_url }}"', 'base_url: "ftp://{{ credentials.host }}/api"');
    const withHost = edit(around, '      env: SLACK_TOKEN', '      env: SLACK_TOKEN\n    host: { label: Host, secret: false, env: SLACK_HOST }');
    expect(connectorIssues(withHost).issues.map((i) => i.code)).toEqual(['invalid_url']);
    const whole = edit(withHost, 'base_url: "ftp://{{ credentials.host }}/api"', 'base_url: "{{ credentials.host }}"');
    expect(connectorIssues(whole).issues).toEqual([]);
  });

  it('an OAuth token_url of ftp:// is invalid_url', () => {
    const zoom = shipped('connectors', 'zoom-users');
    const from = /token_url: .*/.exec(zoom)![0];
    const text = edit(zoom, from, 'token_url: ftp://zoom.us/oauth/token');
    expect(connectorIssues(text).issues).toEqual([expect.objectContaining({ code: 'invalid_url', path: 'credentials.token_url' })]);
  });
});

describe('tags and date formats (issue 7, item 11)', () => {
  it('a !!js/function tag is unsupported_tag at the tag', () => {
    const text = edit(connector, 'base_url: "{{ settings.base_url }}"', 'base_url: !!js/function "function () { return \'https://slack.com/api\' }"');
    const { issues } = connectorIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'unsupported_tag', ...positionOf(text, '!!js/function') })]);
    expect(issues[0].message).toContain('!!js/function');
  });

  it('a strftime pattern as a date format is invalid_format, with the luxon pattern to write instead', () => {
    const text = edit(connector, 'format: unix_seconds', 'format: "%Y-%m-%d %H:%M:%S"');
    const { issues } = connectorIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_format', path: 'fields.updated.format', ...positionOf(text, '"%Y-%m-%d') })]);
    expect(issues[0].hint).toBe('write it as a luxon pattern: format: "yyyy-MM-dd HH:mm:ss"');
  });

  it.each([
    ['YYYY-MM-DD', 'luxon writes years as y and days as d'],
    ['yyyy-MM-ddTHH:mm:ss', "quote literal text: 'T'"],
    ['yyyy-mm-dd', 'mm is minutes; months are MM'],
    ['HH:mm', 'needs the year, month and day'],
    ['unix_second', 'did you mean "unix_seconds"?'],
  ])('the date format %s is invalid_format (%s)', (format, says) => {
    const text = edit(connector, 'format: unix_seconds', `format: "${format}"`);
    const { issues } = connectorIssues(text);
    expect(issues.map((i) => i.code)).toEqual(['invalid_format']);
    expect(`${issues[0].message} ${issues[0].hint}`).toContain(says);
  });

  it('a detail field\'s format is reported at detail.fields, not at fields', () => {
    const text = shipped('connectors', 'slack-last-login').replace(/\nsync_key:/, '\ndetail:\n  request: { path: /users.info, query: { user: "{{ record.user_id }}" } }\n  records: user\n  fields:\n    seen: { label: Seen, type: datetime, format: "%d/%m/%Y" }\nsync_key:');
    const { issues } = connectorIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_format', path: 'detail.fields.seen.format', ...positionOf(text, '"%d/%m/%Y"') })]);
  });
});

describe('what fails for every record fails at load (issue 7, item 11)', () => {
  it('a matches() pattern that is not a regular expression is invalid_regex at the pattern', () => {
    const text = edit(users, '  slack_active: { expr: "!deleted" }', '  slack_active: { expr: \'email.matches("[a-z")\' }');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_regex', path: 'fields.slack_active.expr', ...positionOf(text, '"[a-z"') })]);
  });

  it('a constant that cannot be evaluated is expr_constant', () => {
    const text = edit(users, '  slack_active: { expr: "!deleted" }', '  slack_active: { expr: \'updated > timestamp("2025-13-01")\' }');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'expr_constant', ...positionOf(text, 'timestamp("2025-13-01")') })]);
  });

  it('a sync key target that is not a field name (the store refused it at run time) is invalid_value', () => {
    const text = edit(users, '{ source: user_id, target: slack_user_id }', '{ source: user_id, target: Slack User Id }');
    const { issues } = mappingIssues(text);
    expect(issues).toEqual([expect.objectContaining({ code: 'invalid_value', path: 'sync_key[0].target', ...positionOf(text, 'target: Slack User Id', 8) })]);
  });

  it('max_pages of 0 (read as "no limit") or over a text setting is refused', () => {
    const zero = edit(connector, 'max_pages: "{{ settings.max_pages }}"', 'max_pages: 0');
    expect(connectorIssues(zero).issues.map((i) => [i.code, i.path])).toEqual([['invalid_value', 'pagination.max_pages']]);
    const text = edit(connector, 'max_pages: "{{ settings.max_pages }}"', 'max_pages: "{{ settings.base_url }}"');
    expect(connectorIssues(text).issues.map((i) => [i.code, i.path])).toEqual([['invalid_value', 'pagination.max_pages']]);
  });
});

describe('credentials a local run can read (issue 7, item 11; issue 9)', () => {
  it('a local mapping of a connector whose credential field names no env: variable validates: the credentials file can hold it', () => {
    const noEnv = edit(edit(connector, '      env: SLACK_TOKEN\n', ''), 'id: slack-users', 'id: slack-no-env');
    ws.connector('slack-no-env', noEnv);
    const text = edit(users, 'connector: slack-users', 'connector: slack-no-env');
    expect(mappingIssues(text).issues).toEqual([]);
    expect(mappingIssues(edit(text, 'installation: local', 'installation: cloud')).issues).toEqual([]);
  });
});

describe('run refuses what validate refuses, the same way (issue 7, item 11)', () => {
  it.each([
    ['a mapped field that does not exist', (t: string) => edit(t, '  title: title', '  titel: title'), 'unknown_target_field'],
    ['base_url of ftp://', (t: string) => edit(t, 'settings:\n  max_pages: 100', 'settings:\n  max_pages: 100\n  base_url: ftp://slack.com/api'), 'invalid_url'],
  ])('%s: intake run exits 2 with the positioned error and records no run', async (_, change, code) => {
    const file = ws.mapping(`run-${++count}`, change(users));
    const db = join(ws.dir, `run-${count}.db`);
    const run = await intake(['run', file, '--db', db], { SLACK_TOKEN: 'xoxp-not-used' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`:\\d+:\\d+ error \\[${code}\\]`));
    expect(run.stderr).toContain('nothing was run');
    const validate = await intake(['validate', file]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(`[${code}]`);
    const runs = await intake(['runs', '--json', '--db', db]);
    expect(runs.stdout).not.toContain(file.split('/').pop());
  });
});
