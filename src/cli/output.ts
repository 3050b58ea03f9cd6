import { CredentialError, DefinitionError, formatIssue, IntakeError, UsageError } from '../errors.js';
import { escapeControl, notInOneLine, writeControl } from './guard.js';

/**
 * Exit codes (documented in README.md and `intake --help`):
 * 0 success · 1 internal error · 2 invalid definition, a draft (incomplete mapping, credentials not set) or usage ·
 * 3 run failed (also: the store cannot be used, the integration is already running) · 4 run finished with failed records ·
 * 130 / 143 the run was interrupted by SIGINT / SIGTERM (128 + the signal's number, as shells report it)
 */
export const exitCodes = { ok: 0, internal: 1, invalid: 2, runFailed: 3, recordsFailed: 4, interrupted: 130, terminated: 143 } as const;

/** Prints an error the way a user should see it (no stack trace for their mistakes) and returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof DefinitionError) {
    const draft = error.issues.every((i) => i.draft);
    if (json) print({ status: draft ? 'draft' : 'invalid', issues: error.issues });
    else {
      for (const issue of error.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      process.stderr.write(draft
        ? 'the integration is a draft: complete what is listed above (try it meanwhile with intake run --test); nothing was run.\n'
        : `${error.issues.length} problem(s) found; nothing was run.\n`);
    }
    return exitCodes.invalid;
  }
  if (error instanceof IntakeError) {
    const code = exitCodeOf(error);
    if (json) print({ status: 'error', code: error.code, message: error.message, hint: error.hint });
    else process.stderr.write(`intake: ${visible(error.message)}\n${error.hint ? `  hint: ${visible(error.hint)}\n` : ''}`);
    return code;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`intake: internal error: ${visible(message)}\n  this is a bug in Intake; set INTAKE_DEBUG=1 to see the stack trace and report it\n`);
  if (process.env.INTAKE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodes.internal;
}

/** The exit code for an Intake error: 2 for usage, a definition or this machine's credential set-up; 3 for a failed run. */
export function exitCodeOf(error: IntakeError): number {
  if (error instanceof DefinitionError) return exitCodes.invalid;
  const usage = error instanceof UsageError || (error instanceof CredentialError && localCredentialCodes.has(error.code));
  return usage ? exitCodes.invalid : exitCodes.runFailed;
}

/**
 * Credential problems of this machine's set-up (not set, too short, a credentials file others may
 * read or that does not parse, no vault key or the wrong one): nothing was sent, exit 2.
 */
const localCredentialCodes = new Set([
  'credentials_missing', 'credential_too_short', 'credentials_not_private', 'credentials_file_invalid',
  'vault_key_missing', 'vault_key_invalid', 'vault_key_wrong', 'vault_value_damaged',
]);

/**
 * A value from outside (API data, a message quoting it) made safe for one line of text output:
 * newline, carriage return and tab shown as `\n`, `\r`, `\t`, other terminal controls (escape
 * sequences, NUL, C1, bidirectional overrides) as `\uXXXX`. JSON output is never passed here.
 */
export function visible(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text.replace(notInOneLine, (c) => oneLine[c] ?? escapeControl(c));
}

const oneLine: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A fixed-width text table; every cell is made `visible` (one line, no terminal control). Columns
 * are clipped at 48 characters but the last, which is shown whole (a reason, a message).
 */
export function table(headers: string[], rows: unknown[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(visible))];
  const last = headers.length - 1;
  const widths = headers.map((_, i) => Math.min(i === last ? Infinity : 48, Math.max(...cells.map((r) => String(r[i]).length))));
  const line = (r: unknown[]) => r.map((c, i) => clip(String(c), widths[i]).padEnd(i === last ? 0 : widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** A progress line on stderr, only when it is a terminal; `done()` clears it. */
export function progressLine(): { update(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let shown = false;
  return {
    update(text) {
      if (!tty) return;
      writeControl(process.stderr, '\r\x1b[2K');
      process.stderr.write(visible(text));
      shown = true;
    },
    done() {
      if (tty && shown) writeControl(process.stderr, '\r\x1b[2K');
    },
  };
}
