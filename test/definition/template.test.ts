import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateFiles } from '../../src/definition/load.js';
import { compileTemplate, TemplateSyntaxError } from '../../src/definition/template.js';
import { edit, positionOf, shipped, workspace, type Workspace } from './workspace.js';

const base = shipped('connectors', 'slack-last-login');
const limit = 'limit: "{{ settings.page_size }}"';
let ws: Workspace;
let count = 0;

beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.remove());

function check(text: string) {
  return validateFiles([ws.connector(`template-${++count}`, text)])[0].issues;
}

/** The connector with the query template replaced by `template`, and where that value starts. */
function withLimit(template: string) {
  const text = edit(base, limit, `limit: "${template}"`);
  return { text, at: positionOf(text, `limit: "${template}"`, 'limit: '.length) };
}

describe('templates in a connector', () => {
  it('a misspelt scope is unknown_variable at the value, suggesting "settings"', () => {
    const { text, at } = withLimit('{{ setings.page_size }}');
    const issues = check(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unknown_variable', path: 'request.query.limit', ...at });
    expect(issues[0].message).toContain('setings');
    expect(issues[0].hint).toMatch(/^did you mean "settings"\?/);
  });

  it('a misspelt setting name suggests the declared setting', () => {
    const { text, at } = withLimit('{{ settings.page_sise }}');
    const issues = check(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unknown_variable', path: 'request.query.limit', hint: 'did you mean "page_size"?', ...at });
    expect(issues[0].message).toContain('page_sise');
  });

  it('an expression is template_syntax: templates take plain names only', () => {
    const { text, at } = withLimit('{{ settings.a + 1 }}');
    const issues = check(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'template_syntax', path: 'request.query.limit', ...at });
    expect(issues[0].message).toContain('settings.a + 1');
    expect(issues[0].hint).toMatch(/\{\{ settings\./);
  });

  it('a secret credential in a template is refused, and the hint says why', () => {
    const { text, at } = withLimit('{{ credentials.token }}');
    const issues = check(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'request.query.limit', ...at });
    expect(issues[0].hint).toMatch(/secret/);
  });

  it('a credential field marked secret: false may be used in a template', () => {
    const text = edit(withLimit('{{ credentials.token }}').text, '      secret: true\n', '      secret: false\n');
    expect(check(text)).toEqual([]);
  });

  it('an error message template sees only code and status', () => {
    const text = edit(base, 'refused team.accessLogs: {{ code }}', 'refused team.accessLogs: {{ cod }}');
    const issues = check(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unknown_variable', path: 'errors[2].message' });
    expect(issues[0].hint).toMatch(/^did you mean "code"\?/);
  });

  it('templates in base_url, headers and max_pages are checked too, all reported', () => {
    let text = edit(base, 'base_url: "{{ settings.base_url }}"', 'base_url: "{{ settings.base_ur }}"');
    text = edit(text, 'max_pages: "{{ settings.max_pages }}"', 'max_pages: "{{ settings.max_page }}"');
    text = edit(text, `    ${limit}\n`, `    ${limit}\n  headers:\n    X-Team: "{{ setting.team }}"\n`);
    const issues = check(text);
    expect(issues.map((i) => i.path).sort()).toEqual(['base_url', 'pagination.max_pages', 'request.headers.X-Team']);
    expect(issues.find((i) => i.path === 'base_url')?.hint).toBe('did you mean "base_url"?');
  });
});

describe('compileTemplate', () => {
  it('lists the variables it refers to', () => {
    expect(compileTemplate('{{ settings.base_url }}/x?{{settings.page_size}}').refs).toEqual(['settings.base_url', 'settings.page_size']);
  });

  it('a whole-string placeholder keeps the value type', () => {
    expect(compileTemplate('{{ settings.max_pages }}').render({ settings: { max_pages: 7 } })).toBe(7);
  });

  it('a placeholder inside text renders as text; a missing variable renders empty', () => {
    const template = compileTemplate('Slack refused: {{ code }} ({{ status }})');
    expect(template.render({ code: 'invalid_auth', status: 200 })).toBe('Slack refused: invalid_auth (200)');
    expect(template.render({ code: 'x' })).toBe('Slack refused: x ()');
  });

  it('text without placeholders renders unchanged', () => {
    expect(compileTemplate('/users.list').render({})).toBe('/users.list');
  });

  it.each(['{{ settings.a + 1 }}', '{{ 1abc }}', '{{ settings["x"] }}', '{{ }}'])('refuses %s', (text) => {
    expect(() => compileTemplate(text)).toThrow(TemplateSyntaxError);
  });
});
