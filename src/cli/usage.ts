import { InvalidArgumentError } from 'commander';

/**
 * Parsers for command-line values, given to commander (`.option(flags, text, parser, default)`,
 * `.argument(name, text, parser)`): a value that does not fit stops the command before it does
 * anything, with commander's message naming the option, and exit code 2.
 */

/** A count of 1 or more, in decimal digits: `-n 0`, `-n -1`, `-n abc`, `--pages 0x10` are refused. */
export function count(text: string): number {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return value;
}

/** One of a fixed set of words, or its alias: `{ users: 'people', people: 'people' }`. */
export function oneOf<T>(choices: Record<string, T>): (text: string) => T {
  return (text) => {
    if (!Object.hasOwn(choices, text)) throw new InvalidArgumentError(`expected one of ${Object.keys(choices).join(', ')}.`);
    return choices[text];
  };
}
