import { scrub } from '../credentials/scrub.js';

type Write = typeof process.stdout.write;

const guarded = new Set<NodeJS.WriteStream>();

/**
 * Installs the CLI's one output gate: everything written to stdout or stderr — every command's
 * text and JSON, errors, help, a stack trace — passes the scrubber (no registered credential in
 * any form). The CLI calls it once, before parsing.
 */
export function guardOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    const write = stream.write.bind(stream) as Write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk);
      return (write as (...args: unknown[]) => boolean)(scrub(text), ...rest);
    }) as Write;
  }
}
