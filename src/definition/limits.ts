import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Bounds on a definition file, checked before anything else looks at it, so that a hostile or
 * broken file is a positioned error within a second instead of minutes of work or a crash.
 * The shipped files are far inside them: at most about 7 KB, 7 levels deep, no aliases.
 */
export const limits = {
  /** bytes in one connector or mapping file (1 MiB: over 100 times the largest shipped file) */
  fileBytes: 1024 * 1024,
  /** levels of nested mappings and lists (the shipped files use 7; 64 keeps every later stage's recursion shallow) */
  depth: 64,
  /** values that aliases (`*name`) may repeat in one file, counted after expansion (an alias bomb repeats billions) */
  aliasValues: 10_000,
} as const;

/**
 * Reads a file as UTF-8, but never more than `limits.fileBytes` + 1 bytes, whatever it is (a huge
 * file, a device, a pipe): `tooLarge` says the file goes on past the limit.
 */
export function readBounded(file: string, max: number = limits.fileBytes): { text: string; tooLarge: boolean } {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return { text: buffer.subarray(0, Math.min(length, max)).toString('utf8'), tooLarge: length > max };
  } finally {
    closeSync(fd);
  }
}
