import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { intake, root } from '../helpers/cli.js';

/**
 * `intake connectors`, and one lookup for every command that takes a connector id, run as a user
 * does: from their own folder (not the Intake checkout), with INTAKE_CONNECTORS set.
 */
const okta = readFileSync(join(root, 'connectors', 'okta-users.yaml'), 'utf8');
const renamed = (id: string, name: string) => okta.replace('id: okta-users', `id: ${id}`).replace('name: Okta users', `name: ${name}`);

let home: string;
let env: Record<string, string>;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'intake-connectors-'));
  const put = (path: string, text: string) => {
    mkdirSync(join(home, path, '..'), { recursive: true });
    writeFileSync(join(home, path), text);
  };
  put('connectors/okta-users.yaml', renamed('okta-users', 'Our Okta'));
  put('connectors/acme_hr-users.yaml', renamed('acme_hr-users', 'Acme HR'));
  put('shared/slack-users.yaml', renamed('slack-users', 'Shared Slack'));
  put('shared/team_directory.yaml', renamed('team_directory', 'Team directory'));
  put('shared/broken.yaml', 'id: broken\n');
  put('mappings/okta.yaml', readFileSync(join(root, 'mappings', 'okta-users.yaml'), 'utf8').replace('connector: okta-users', 'connector: team_directory'));
  env = { INTAKE_CONNECTORS: [join(home, 'shared'), join(home, 'nowhere')].join(delimiter) };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('intake connectors', () => {
  it('--json: every connector with id, name, record type, auth, installation and origin; shadowed ones say by which file', async () => {
    const result = await intake(['connectors', '--json'], env, home);
    expect(result.code).toBe(0);
    const { folders, connectors, warnings } = JSON.parse(result.stdout);
    expect(folders).toEqual([
      { origin: 'user', folder: 'connectors', exists: true },
      { origin: 'shipped', folder: join(root, 'connectors'), exists: true },
      { origin: 'INTAKE_CONNECTORS', folder: 'shared', exists: true },
      { origin: 'INTAKE_CONNECTORS', folder: 'nowhere', exists: false },
    ]);
    expect(warnings).toEqual(['INTAKE_CONNECTORS names nowhere, which is not a folder']);
    const of = (id: string) => connectors.filter((c: { id: string }) => c.id === id);
    expect(of('okta-users')).toEqual([
      { id: 'okta-users', name: 'Our Okta', record_type: 'users', auth: 'api_key', installation: 'local', origin: 'user', folder: 'connectors', file: 'connectors/okta-users.yaml', shadowed_by: null, invalid: null },
      expect.objectContaining({ name: 'Okta users', origin: 'shipped', file: join(root, 'connectors', 'okta-users.yaml'), shadowed_by: 'connectors/okta-users.yaml' }),
    ]);
    expect(of('slack-users').map((c: { origin: string; shadowed_by: string | null }) => [c.origin, c.shadowed_by])).toEqual([
      ['shipped', null],
      ['INTAKE_CONNECTORS', join(root, 'connectors', 'slack-users.yaml')],
    ]);
    expect(of('team_directory')).toEqual([expect.objectContaining({ name: 'Team directory', origin: 'INTAKE_CONNECTORS', folder: 'shared', shadowed_by: null })]);
    expect(of('acme_hr-users')).toEqual([expect.objectContaining({ origin: 'user', shadowed_by: null })]);
    expect(of('ms-graph-users')).toEqual([expect.objectContaining({ auth: 'oauth2_client_credentials', installation: 'cloud', origin: 'shipped' })]);
    expect(of('broken')[0].invalid).toMatch(/problem\(s\), first 1:1 .*intake validate shared\/broken\.yaml/);
  });

  it('text: a table, the shadowed rows marked, then the folders in the order they are searched', async () => {
    const result = await intake(['connectors'], env, home);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^id +name +record type +auth +installation +from$/);
    expect(lines).toContainEqual(expect.stringMatching(/^okta-users +Our Okta +users +api_key +local +user$/));
    expect(lines).toContainEqual(expect.stringMatching(/^okta-users +Okta users +users +api_key +local +shipped, shadowed by connectors\/okta-users\.yaml$/));
    expect(lines).toContainEqual(expect.stringMatching(/^team_directory +Team directory +users +api_key +local +INTAKE_CONNECTORS shared$/));
    expect(lines).toContainEqual(expect.stringMatching(/^zoom-users +Zoom users +users +oauth2_client_credentials +cloud +shipped$/));
    expect(result.stdout).toContain(`searched in this order (the first <id>.yaml wins):\n  1. user               connectors\n  2. shipped            ${join(root, 'connectors')}\n  3. INTAKE_CONNECTORS  shared\n  4. INTAKE_CONNECTORS  nowhere (no such folder)\n`);
    expect(result.stderr).toBe('warning: INTAKE_CONNECTORS names nowhere, which is not a folder\n');
  });
});

describe('one lookup for every command that takes a connector id', () => {
  it('validate: a mapping in the user\'s folder finds an INTAKE_CONNECTORS connector by id', async () => {
    const result = await intake(['validate', 'mappings/okta.yaml', '--json'], env, home);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, files: [{ file: 'mappings/okta.yaml', kind: 'mapping', state: 'ok', issues: [] }] });
    expect(result.code).toBe(0);
  });

  it('mapping suggest <id> and preview <id> find the same files; the user\'s copy wins over the shipped one', async () => {
    const suggested = await intake(['mapping', 'suggest', 'team_directory', '--no-samples'], env, home);
    expect(suggested.code).toBe(0);
    expect(suggested.stdout).toMatch(/^connector: team_directory$/m);
    // preview reads the connector before anything else: the user's Okta copy needs its base_url like the shipped one
    const preview = await intake(['preview', 'okta-users', '--json'], { ...env, OKTA_API_TOKEN: 'a-token-long-enough' }, home);
    expect(JSON.parse(preview.stdout)).toMatchObject({ code: 'setting_required', message: expect.stringContaining('connector okta-users needs a value for "base_url"') });
    expect(preview.code).toBe(2);
  });

  it('an unknown id: exit 2, the folders searched and "did you mean", for preview and mapping suggest alike', async () => {
    for (const args of [['preview', 'team-directory'], ['mapping', 'suggest', 'team-directory']]) {
      const result = await intake(args, env, home);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`intake: no connector "team-directory" in connectors (user), ${join(root, 'connectors')} (shipped), shared (INTAKE_CONNECTORS), nowhere (INTAKE_CONNECTORS)\n`);
      expect(result.stderr).toContain('hint: did you mean "team_directory"? (intake connectors lists every connector and where it comes from)');
    }
  });

  it('validate: an unknown id in a mapping is connector_not_found at its connector: value, with "did you mean"', async () => {
    writeFileSync(join(home, 'mappings', 'typo.yaml'), readFileSync(join(home, 'mappings', 'okta.yaml'), 'utf8').replace('connector: team_directory', 'connector: team_diretcory'));
    const result = await intake(['validate', 'mappings/typo.yaml'], env, home);
    expect(result.code).toBe(2);
    const line = readFileSync(join(home, 'mappings', 'typo.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('connector:')) + 1;
    expect(result.stdout + result.stderr).toContain(`mappings/typo.yaml:${line}:12 error [connector_not_found] at connector: no connector "team_diretcory" in connectors (user)`);
    expect(result.stdout + result.stderr).toContain('hint: did you mean "team_directory"?');
  });
});
