import { scrub } from '../credentials/scrub.js';

type Write = typeof process.stdout.write;

const raw = new Map<NodeJS.WriteStream, Write>();

/**
 * Characters that act on a terminal or hide text, besides C0 controls: DEL, C1 controls (U+009B is
 * CSI on many terminals), zero-width space, bidirectional marks, overrides and isolates, line and
 * paragraph separators, invisible operators, BOM. (Zero-width joiners stay: emoji and several
 * scripts need them.)
 */
const hiding = '\\x7f-\\x9f\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';

/** What the gate escapes: all of the above and every C0 control but tab and newline (escape sequences, NUL, carriage return, bell). */
const controls = new RegExp(`[\\x00-\\x08\\x0b-\\x1f${hiding}]`, 'g');

/** What cannot stand in one line of text output: the same, with tab and newline. */
export const notInOneLine = new RegExp(`[\\x00-\\x1f${hiding}]`, 'g');

/** `\uXXXX`: visible as text, and the same escape inside a JSON string, so JSON output stays exact. */
export const escapeControl = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Installs the CLI's one output gate: everything written to stdout or stderr — every command's
 * text and JSON, errors, help, a stack trace — passes the scrubber (no registered credential in
 * any form) and has its terminal controls escaped. The CLI calls it once, before parsing.
 */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (raw.has(stream)) continue;
    const write = stream.write.bind(stream) as Write;
    raw.set(stream, write);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
      return (write as (...args: unknown[]) => boolean)(safeText(text), ...rest);
    }) as Write;
  }
}

/** What the gate makes of a text: scrubbed, terminal controls escaped. */
export function safeText(text: string): string {
  return scrub(text).replace(controls, escapeControl);
}

/** Writes a terminal control sequence of Intake's own (the progress line), past the gate. */
export function writeControl(stream: NodeJS.WriteStream, sequence: string): void {
  (raw.get(stream) ?? stream.write.bind(stream))(sequence);
}
