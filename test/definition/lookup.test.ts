import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadIntegration, validateFiles } from '../../src/definition/load.js';
import { allConnectors, connectorArgument, connectorFolders } from '../../src/definition/lookup.js';
import { DefinitionError, UsageError, type DefinitionIssue } from '../../src/errors.js';
import { edit, positionOf, root, shipped } from './workspace.js';

/**
 * Connector lookup: a mapping in the user's own folder (outside the Intake checkout) names a
 * connector by id; the id is looked up in the user's connectors/ (beside the mapping's folder),
 * then the shipped connectors, then each folder of INTAKE_CONNECTORS, in order.
 */
let home: string;
let saved: string | undefined;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'intake-lookup-'));
  mkdirSync(join(home, 'work', 'mappings'), { recursive: true });
  saved = process.env.INTAKE_CONNECTORS;
  delete process.env.INTAKE_CONNECTORS;
});
afterEach(() => {
  if (saved === undefined) delete process.env.INTAKE_CONNECTORS;
  else process.env.INTAKE_CONNECTORS = saved;
  rmSync(home, { recursive: true, force: true });
});

const shippedFile = (id: string) => join(root, 'connectors', `${id}.yaml`);
const okta = shipped('connectors', 'okta-users');

/** A file under the temporary home folder. */
function put(path: string, text: string): string {
  const file = join(home, path);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** The shipped Okta mapping, naming `connector`, in the user's folder. */
function userMapping(connector: string): { file: string; text: string } {
  const text = edit(shipped('mappings', 'okta-users'), 'connector: okta-users', `connector: ${connector}`);
  return { file: put('work/mappings/okta.yaml', text), text };
}

function issuesOf(file: string): DefinitionIssue[] {
  try {
    loadIntegration(file, { draft: true });
    return [];
  } catch (error) {
    if (error instanceof DefinitionError) return error.issues;
    throw error;
  }
}

describe('a mapping outside the project', () => {
  it('names a shipped connector by id and gets the shipped file', () => {
    const { file } = userMapping('okta-users');
    expect(loadIntegration(file).connectorFile).toBe(shippedFile('okta-users'));
    expect(validateFiles([file])[0].issues).toEqual([]);
  });

  it('the user\'s connectors/ beside the mapping\'s folder comes first: a copy overrides the shipped one', () => {
    const { file } = userMapping('okta-users');
    const own = put('work/connectors/okta-users.yaml', edit(okta, 'name: Okta users', 'name: Our Okta'));
    const integration = loadIntegration(file);
    expect(integration.connectorFile).toBe(own);
    expect(integration.connector.name).toBe('Our Okta');
  });

  it('INTAKE_CONNECTORS adds folders after the shipped ones, searched in order; it never replaces a shipped id', () => {
    const first = put('env1/acme_hr.yaml', edit(okta, 'id: okta-users', 'id: acme_hr'));
    put('env2/acme_hr.yaml', edit(edit(okta, 'id: okta-users', 'id: acme_hr'), 'name: Okta users', 'name: Second'));
    put('env2/okta-users.yaml', edit(okta, 'name: Okta users', 'name: Not the shipped one'));
    process.env.INTAKE_CONNECTORS = [join(home, 'env1'), '', join(home, 'missing'), join(home, 'env2')].join(delimiter);

    const { file } = userMapping('acme_hr');
    expect(loadIntegration(file).connectorFile).toBe(first);
    const shippedId = userMapping('okta-users');
    expect(loadIntegration(shippedId.file).connector.name).toBe('Okta users');
    expect(connectorFolders(join(home, 'work', 'connectors')).map((f) => f.origin)).toEqual(['user', 'shipped', 'INTAKE_CONNECTORS', 'INTAKE_CONNECTORS', 'INTAKE_CONNECTORS']);
  });

  it('an unknown id is connector_not_found at the connector: value, naming the folders searched, with "did you mean"', () => {
    process.env.INTAKE_CONNECTORS = join(home, 'env1');
    const { file, text } = userMapping('okta-user');
    const issues = issuesOf(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'connector_not_found', path: 'connector', ...positionOf(text, 'okta-user\n') });
    expect(issues[0].message).toContain('no connector "okta-user" in ');
    expect(issues[0].message).toMatch(/work\/connectors \(user\), .*connectors \(shipped\), .*env1 \(INTAKE_CONNECTORS\)/);
    expect(issues[0].hint).toMatch(/^did you mean "okta-users"\?/);
  });

  it('a connector: that is no id is never used as a path: "../secrets" reads nothing above the folders', () => {
    put('work/secrets.yaml', okta);
    const issues = issuesOf(userMapping('../secrets').file);
    expect(issues[0]).toMatchObject({ code: 'connector_not_found' });
    expect(issues[0].message).toMatch(/is not a connector id/);
  });

  it('a path ending in .yaml is relative to the mapping, as before', () => {
    const own = put('work/elsewhere/okta.yaml', okta);
    expect(loadIntegration(userMapping('../elsewhere/okta.yaml').file).connectorFile).toBe(own);
  });
});

describe('connector ids with "_"', () => {
  it('validate accepts id acme_hr-users and a mapping names it', () => {
    const connector = put('work/connectors/acme_hr-users.yaml', edit(okta, 'id: okta-users', 'id: acme_hr-users'));
    expect(validateFiles([connector])[0].issues).toEqual([]);
    expect(loadIntegration(userMapping('acme_hr-users').file).connector.id).toBe('acme_hr-users');
  });

  it('an id with a capital letter or a dot is still refused, at the id', () => {
    const connector = put('work/connectors/Acme.yaml', edit(okta, 'id: okta-users', 'id: Acme.hr'));
    expect(validateFiles([connector])[0].issues.map((i) => [i.path, i.code])).toEqual([['id', 'invalid_value']]);
  });
});

describe('listing and command arguments', () => {
  it('allConnectors lists every file in lookup order; a later file with an earlier id is shadowed by it', () => {
    put('work/connectors/okta-users.yaml', okta);
    put('env1/okta-users.yaml', okta);
    put('env1/acme_hr.yaml', edit(okta, 'id: okta-users', 'id: acme_hr'));
    put('env1/notes.txt', 'not a connector');
    process.env.INTAKE_CONNECTORS = join(home, 'env1');
    const list = allConnectors(connectorFolders(join(home, 'work', 'connectors')));
    const okt = list.filter((c) => c.id === 'okta-users');
    expect(okt.map((c) => [c.origin, c.shadowedBy])).toEqual([
      ['user', undefined],
      ['shipped', join(home, 'work', 'connectors', 'okta-users.yaml')],
      ['INTAKE_CONNECTORS', join(home, 'work', 'connectors', 'okta-users.yaml')],
    ]);
    expect(list.find((c) => c.id === 'acme_hr')).toMatchObject({ origin: 'INTAKE_CONNECTORS' });
    expect(list.find((c) => c.id === 'acme_hr')?.shadowedBy).toBeUndefined();
    expect(list.some((c) => c.file.endsWith('notes.txt'))).toBe(false);
  });

  it('connectorArgument: an unknown id is a usage error with the nearest id; a path is taken as it is', () => {
    let error: unknown;
    try {
      connectorArgument('slack-user');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toMatch(/^did you mean "slack-users"\?/);
    expect(connectorArgument('okta-users')).toMatchObject({ file: shippedFile('okta-users'), origin: 'shipped' });
    expect(connectorArgument(shippedFile('zoom-users')).file).toBe(shippedFile('zoom-users'));
  });
});
