import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { parseInput, promptHidden, type FieldToSet } from '../../src/cli/secret-input.js';
import { UsageError } from '../../src/errors.js';

/** How `intake credentials set` reads values: stdin lines, and a hidden prompt on a terminal. */

const fields: FieldToSet[] = [
  { name: 'client_id', label: 'Client ID', secret: false },
  { name: 'client_secret', label: 'Client secret', secret: true },
];

describe('NAME=value lines on standard input', () => {
  it('reads each line; the value is all after the first "=" (base64 padding kept), trimmed; blank lines and comments skipped', () => {
    expect(parseInput('# Graph app\nclient_id = 535fb089\n\nclient_secret=c2VjcmV0LXZhbHVl==  \r\n', fields)).toEqual({ client_id: '535fb089', client_secret: 'c2VjcmV0LXZhbHVl==' });
  });

  it('with --field, input that does not start with NAME= is the whole value, line breaks inside kept', () => {
    expect(parseInput('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n\n', fields, 'client_secret')).toEqual({ client_secret: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----' });
    expect(parseInput('client_secret=abc==\n', fields, 'client_secret')).toEqual({ client_secret: 'abc==' });
    expect(parseInput('', fields, 'client_secret')).toEqual({});
  });

  it('a line that is not NAME=value, or names another field, is refused without quoting the line', () => {
    const secret = 'dGhpcy1pcy1hLXNlY3JldA';
    for (const [text, message] of [
      [`${secret}\n`, 'standard input, line 1: expected NAME=value (the value is not shown)'],
      [`client_id=x\n${secret}==\n`, 'standard input, line 2: not a credential field of this connector (the line is not shown)'],
    ]) {
      let error: unknown;
      try {
        parseInput(text, fields);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toBe(message);
      expect(`${(error as UsageError).message} ${(error as UsageError).hint}`).not.toContain(secret);
    }
    expect(() => parseInput('client_secrt=value-of-it\n', fields)).toThrow(expect.objectContaining({ hint: 'did you mean "client_secret"? (fields: client_id, client_secret)' }));
    expect(() => parseInput('client_id=abc\n', fields, 'client_secret')).not.toThrow(); // the whole input is the value then
  });
});

/** A terminal stand-in: records raw mode, echoes nothing itself, lets the test type. */
function terminal() {
  const input = Object.assign(new EventEmitter(), {
    isTTY: true,
    raw: [] as boolean[],
    setRawMode(mode: boolean) {
      this.raw.push(mode);
    },
    setEncoding() {},
    resume() {},
    pause() {},
  });
  const shown: string[] = [];
  return { input, output: { write: (text: string) => shown.push(text) }, shown, type: (text: string) => input.emit('data', text) };
}

describe('the hidden prompt', () => {
  it('shows the question and nothing typed; Backspace deletes; Enter ends; raw mode is left again', async () => {
    const t = terminal();
    const answer = promptHidden('Client secret (client_secret): ', t.input, t.output);
    t.type('s3cr');
    t.type('X\u007f');
    t.type('et-value\r');
    await expect(answer).resolves.toBe('s3cret-value');
    expect(t.shown).toEqual(['Client secret (client_secret): ', '\n']);
    expect(t.input.raw).toEqual([true, false]);
    expect(t.input.listenerCount('data')).toBe(0);
  });

  it('a paste arrives at once and is read whole; Ctrl-C cancels and restores the terminal', async () => {
    const t = terminal();
    const pasted = promptHidden('token: ', t.input, t.output);
    t.type('xoxp-pasted-token-value\n');
    await expect(pasted).resolves.toBe('xoxp-pasted-token-value');
    const u = terminal();
    const cancelled = promptHidden('token: ', u.input, u.output);
    u.type('xoxp-half\u0003');
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(u.input.raw).toEqual([true, false]);
    expect(u.shown.join('')).not.toContain('xoxp-half');
  });
});
