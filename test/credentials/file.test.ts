import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCredentialsFile, removeFromFile, setInFile } from '../../src/credentials/file.js';
import { credentialsFile, vaultKeyFile } from '../../src/credentials/paths.js';
import { CredentialError } from '../../src/errors.js';

/** The local credentials file: where it is, who may read it, how it parses, how it is written. */

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'intake-credfile-'));
  mkdirSync(join(dir, 'intake'), { mode: 0o700 });
  file = join(dir, 'intake', 'credentials.yaml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'xoxp-planted-secret-4711';
const write = (text: string, mode = 0o600) => {
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
};
const refusal = (read: () => unknown): CredentialError => {
  try {
    read();
  } catch (error) {
    if (error instanceof CredentialError) return error;
    throw error;
  }
  throw new Error('expected a CredentialError');
};
const mode = (path: string) => statSync(path).mode & 0o777;

describe('where the credentials file and the vault key are', () => {
  it('INTAKE_CREDENTIALS, else $XDG_CONFIG_HOME/intake/credentials.yaml, else ~/.config/intake/credentials.yaml; the key file beside it', () => {
    expect(credentialsFile({ INTAKE_CREDENTIALS: '/srv/creds.yaml', XDG_CONFIG_HOME: '/x' })).toBe('/srv/creds.yaml');
    expect(credentialsFile({ XDG_CONFIG_HOME: '/x' })).toBe('/x/intake/credentials.yaml');
    expect(credentialsFile({ HOME: '/home/ann' })).toBe('/home/ann/.config/intake/credentials.yaml');
    // a relative XDG_CONFIG_HOME is ignored, as the XDG specification says
    expect(credentialsFile({ HOME: '/home/ann', XDG_CONFIG_HOME: 'relative' })).toBe('/home/ann/.config/intake/credentials.yaml');
    expect(vaultKeyFile({ XDG_CONFIG_HOME: '/x' })).toBe('/x/intake/vault.key');
    expect(vaultKeyFile({ INTAKE_CREDENTIALS: '/srv/creds.yaml' })).toBe('/srv/vault.key');
  });
});

describe('reading the credentials file', () => {
  it('maps connector ids to fields; every value is text as written (0123 stays 0123), trimmed', () => {
    write(`slack-users:\n  token: ${SECRET}\nokta-users:\n  token: "  00abc-def-123  "\npin-app:\n  pin: 0123\n  flag: true\n`);
    const read = readCredentialsFile(file);
    expect(read.exists).toBe(true);
    expect(Object.fromEntries([...read.connectors].map(([id, f]) => [id, Object.fromEntries(f)]))).toEqual({
      'slack-users': { token: SECRET },
      'okta-users': { token: '00abc-def-123' },
      'pin-app': { pin: '0123', flag: 'true' },
    });
  });

  it('a missing file holds nothing; an empty or comment-only file too', () => {
    expect(readCredentialsFile(file)).toEqual({ path: file, exists: false, connectors: new Map() });
    write('# nothing yet\n');
    expect(readCredentialsFile(file).connectors.size).toBe(0);
  });

  it.each([
    [0o644, 'readable by group and others (mode 0644)'],
    [0o640, 'readable by its group (mode 0640)'],
    [0o604, 'readable by others (mode 0604)'],
    [0o620, 'writable by its group (mode 0620)'],
  ])('a file with mode %o is refused with the exact chmod 600 that fixes it', (bits, words) => {
    write(`slack-users:\n  token: ${SECRET}\n`, bits);
    const error = refusal(() => readCredentialsFile(file));
    expect(error.code).toBe('credentials_not_private');
    expect(error.message).toBe(`the credentials file ${file} is ${words}; it is not read`);
    expect(error.hint).toBe(`make it private: chmod 600 ${file}`);
  });

  it('a folder that group or others may enter is refused with chmod 700; a path with a space is quoted for the shell', () => {
    const folder = join(dir, 'my creds');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const spaced = join(folder, 'credentials.yaml');
    writeFileSync(spaced, `slack-users:\n  token: ${SECRET}\n`, { mode: 0o600 });
    const error = refusal(() => readCredentialsFile(spaced));
    expect(error.message).toBe(`the folder of the credentials file ${folder} is open to group and others (mode 0755); it is not read`);
    expect(error.hint).toBe(`make it private: chmod 700 '${folder}'`);
    chmodSync(folder, 0o700);
    expect(readCredentialsFile(spaced).connectors.get('slack-users')?.get('token')).toBe(SECRET);
  });

  it('a file in a shared folder (sticky, writable by all, like /tmp) is refused with a move, not a chmod of the folder', () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const inShared = join(shared, 'credentials.yaml');
    writeFileSync(inShared, `slack-users:\n  token: ${SECRET}\n`, { mode: 0o600 });
    const error = refusal(() => readCredentialsFile(inShared));
    expect(error.message).toBe(`the folder of the credentials file ${shared} is open to group and others (mode 0777); it is not read`);
    expect(error.hint).toBe(`keep it in a folder of your own that only you can enter, not in ${shared}: mkdir -m 700 <folder>, then move it there`);
  });

  it.each([
    ['a line indented deeper than the value before it (read as its continuation)', `slack-users:\n  token: ${SECRET}\n   other: x\n`, 2],
    ['an unclosed quote: where it opens', `slack-users:\n  token: "${SECRET}\n`, 2],
    ['an unclosed bracket: where it opens', `slack-users:\n  token: [${SECRET}\n`, 2],
    ['a key given twice', `slack-users:\n  token: ${SECRET}\n  token: ${SECRET}-2\n`, 3],
    ['a tab as indentation', `slack-users:\n\ttoken: ${SECRET}\n`, 2],
  ])('%s: file:line:col and what is wrong, never the value', (_what, text, line) => {
    write(text);
    const error = refusal(() => readCredentialsFile(file));
    expect(error.code).toBe('credentials_file_invalid');
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:${line}:\\d+ `));
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET.slice(5));
  });

  it.each([
    ['a list at the top', `- ${SECRET}\n`, 1, 'the file must map connector ids to their credential fields'],
    ['a connector with a bare value', `slack-users: ${SECRET}\n`, 1, 'slack-users must map credential field names to values'],
    ['a field holding a list', `slack-users:\n  token:\n    - ${SECRET}\n`, 3, 'slack-users.token must be one value (text), not a list or a map'],
    ['a field with no value', 'slack-users:\n  token:\n', 2, 'slack-users.token has no value'],
  ])('%s: positioned, what the shape should be, never the value', (_what, text, line, words) => {
    write(text);
    const error = refusal(() => readCredentialsFile(file));
    expect(error.message).toContain(`${file}:${line}:`);
    expect(error.message).toContain(words);
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET.slice(5));
  });
});

describe('writing the credentials file', () => {
  it('creates the folder 0700 and the file 0600; the value reads back exactly (quotes, colons, #, line breaks)', () => {
    const fresh = join(dir, 'new', 'intake', 'credentials.yaml');
    const json = '{\n  "type": "service_account",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"\n}';
    setInFile(fresh, 'slack-users', { token: `${SECRET}: "#x' ` });
    setInFile(fresh, 'google', { key: json });
    expect(mode(join(dir, 'new', 'intake'))).toBe(0o700);
    expect(mode(fresh)).toBe(0o600);
    const read = readCredentialsFile(fresh);
    expect(read.connectors.get('slack-users')?.get('token')).toBe(`${SECRET}: "#x'`);
    expect(read.connectors.get('google')?.get('key')).toBe(json);
  });

  it('keeps other connectors, other fields and comments; replaces only what it sets', () => {
    write(`# my credentials\nokta-users:\n  token: 00okta-token-1234 # the admin's\nslack-users:\n  token: ${SECRET}\n  extra: keep-me-please\n`);
    setInFile(file, 'slack-users', { token: 'xoxp-new-value-0815' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# my credentials');
    expect(text).toContain("# the admin's");
    expect(text).not.toContain(SECRET);
    const read = readCredentialsFile(file);
    expect(Object.fromEntries(read.connectors.get('slack-users')!)).toEqual({ token: 'xoxp-new-value-0815', extra: 'keep-me-please' });
    expect(read.connectors.get('okta-users')?.get('token')).toBe('00okta-token-1234');
    expect(mode(file)).toBe(0o600);
  });

  it('refuses to write into a file others may read, or one that does not parse, and leaves it as it was', () => {
    write(`slack-users:\n  token: ${SECRET}\n`, 0o644);
    expect(refusal(() => setInFile(file, 'slack-users', { token: 'xoxp-other-value-1' })).code).toBe('credentials_not_private');
    write('slack-users:\n  token: "open\n');
    expect(refusal(() => setInFile(file, 'slack-users', { token: 'xoxp-other-value-1' })).code).toBe('credentials_file_invalid');
    expect(readFileSync(file, 'utf8')).toBe('slack-users:\n  token: "open\n');
  });

  it('removes a connector\'s entry; false when there is none', () => {
    write(`slack-users:\n  token: ${SECRET}\nokta-users:\n  token: 00okta-token-1234\n`);
    expect(removeFromFile(file, 'slack-users')).toBe(true);
    expect(removeFromFile(file, 'slack-users')).toBe(false);
    expect([...readCredentialsFile(file).connectors.keys()]).toEqual(['okta-users']);
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(removeFromFile(join(dir, 'none.yaml'), 'x')).toBe(false);
  });
});
