import { UsageError } from '../errors.js';
import { suggestion } from '../definition/suggest.js';

/**
 * How `intake credentials set` takes values: never from the command line (argv is visible to every
 * user of the machine and kept in shell history), but from a hidden prompt on a terminal or from
 * standard input. No message quotes what was typed or piped.
 */

export interface FieldToSet {
  name: string;
  label: string;
  secret: boolean;
}

/**
 * Values from standard input: `NAME=value` lines (blank lines and `#` comments skipped; the value
 * is everything after the first `=`, trimmed). With `--field NAME`, input that does not start
 * with `NAME=` is the value as a whole (trailing line breaks dropped), so a multi-line value — a
 * JSON key file, a PEM key — can be piped in as it is.
 */
export function parseInput(text: string, fields: FieldToSet[], only?: string): Record<string, string> {
  if (only && !text.startsWith(`${only}=`)) {
    const value = text.replace(/[\r\n]+$/, '').trim();
    return value ? { [only]: value } : {};
  }
  const names = fields.map((f) => f.name);
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    // what stands before "=" is never echoed: a pasted secret may hold "=" (base64 padding)
    if (at <= 0) throw new UsageError('input_invalid', `standard input, line ${i + 1}: expected NAME=value (the value is not shown)`, { hint: `one line per field: ${names.map((n) => `${n}=…`).join(', ')}` });
    const name = line.slice(0, at).trim();
    if (!names.includes(name)) {
      throw new UsageError('unknown_field', `standard input, line ${i + 1}: not a credential field ${only ? `given by --field (${only})` : 'of this connector'} (the line is not shown)`, { hint: `${only ? `only ${only}=… is read with --field ${only}` : suggestion(name, names)} (fields: ${names.join(', ')})` });
    }
    values[name] = line.slice(at + 1).trim();
  }
  return values;
}

/** A terminal's input, as much of it as a hidden prompt needs (process.stdin, or a stand-in in tests). */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  removeListener(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/**
 * Asks for one value on a terminal without echoing it: raw mode, every key read and nothing shown
 * (a paste works); Enter ends it, Backspace deletes, Ctrl-C cancels (nothing is stored), Ctrl-D on an empty
 * line ends it empty. The question goes to stderr; the terminal is restored whatever happens.
 */
export function promptHidden(question: string, input: TerminalInput, output: { write(text: string): unknown }): Promise<string> {
  output.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value.trim());
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('cancelled', 'cancelled (Ctrl-C): nothing was stored'));
        if (char === '\u0004') {
          if (value === '') return done();
          continue;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ' || char === '\t') value += char;
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/** Reads all of standard input as text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
