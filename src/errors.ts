/**
 * One error base class for Intake, one subclass per stage (definition, source, target).
 * Every error carries a stable `code`, a plain message that never contains a credential,
 * an optional `hint` that tells the user what to do next, and the original `cause`.
 */
export class IntakeError extends Error {
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A position in a definition file, as the user's editor shows it (1-based). */
export interface Position {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a connector or mapping file. */
export interface DefinitionIssue extends Position {
  code: string;
  /** YAML path of the offending node, e.g. `pagination.token.path`. */
  path: string;
  message: string;
  hint?: string;
  /** the mapping is incomplete (a draft) rather than wrong: no sync key, a required field unmapped */
  draft?: boolean;
}

/** Thrown when one or more definition files are invalid; carries every issue found at once. */
export class DefinitionError extends IntakeError {
  readonly issues: DefinitionIssue[];

  constructor(issues: DefinitionIssue[]) {
    const first = issues[0];
    super('definition_invalid', `${issues.length} problem(s) in ${first ? first.file : 'definition'}`);
    this.issues = issues;
  }
}

/** Raised by the source stage: HTTP failures, API errors in a body, pagination loops. */
export class SourceError extends IntakeError {}

/** Raised when the credentials cannot be resolved or are refused locally. */
export class CredentialError extends IntakeError {}

/** Raised by a target adapter when the store refuses an operation. */
export class TargetError extends IntakeError {}

/** A command or a call used wrongly (an argument or option that does not fit): nothing was run; the CLI exits 2. */
export class UsageError extends IntakeError {}
/**
 * The embedded store cannot be opened, read or written (not a database, a folder, read-only, a
 * full disk, busy for too long): the message names the store's path, the hint what to do. A run
 * that meets one stops; it never turns into per-record failures.
 */
export class StoreError extends IntakeError {}

/** Formats one definition issue the way compilers do: `file:line:col code at path: message (hint)`. */
export function formatIssue(issue: DefinitionIssue): string {
  const at = issue.path ? ` at ${issue.path}` : '';
  const hint = issue.hint ? `\n    hint: ${issue.hint}` : '';
  return `${issue.file}:${issue.line}:${issue.col} ${issue.draft ? 'incomplete' : 'error'} [${issue.code}]${at}: ${issue.message}${hint}`;
}
