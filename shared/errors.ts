/**
 * Errors a user can act on. Every failure caused by input (a file, an input value, a config) is a
 * UserError: it says what is wrong, where (file, line, column or input name) and how to fix it.
 * The runtime prints it as an annotation on the file and exits non-zero, never as a stack trace.
 */
export interface Location {
  /** Path of the offending file, as the user gave it (relative to the workspace when possible). */
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Name of the action input (`data`, `schema`, …) the problem came through. */
  input?: string;
}

export class UserError extends Error {
  readonly location: Location;
  readonly hint: string | undefined;
  constructor(message: string, location: Location = {}, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.location = location;
    this.hint = hint;
  }

  /** One line for a log: `file:line:col: message (input 'x'). Fix: hint`. */
  describe(): string {
    return describeProblem(this.message, this.location, this.hint);
  }
}

export function formatLocation(loc: Location): string {
  let where = '';
  if (loc.file) {
    where = loc.file;
    if (loc.line !== undefined) where += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
  }
  if (loc.input) where += `${where ? ' ' : ''}(input '${loc.input}')`;
  return where;
}

export function describeProblem(message: string, loc: Location, hint?: string): string {
  const where = formatLocation(loc);
  return `${where ? `${where}: ` : ''}${message}${hint ? `\n  How to fix: ${hint}` : ''}`;
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/**
 * An error as a worker thread posts it to its owner (a posted Error loses its class): a UserError keeps
 * its message, location and hint; any other error its stack.
 */
export interface ThreadError {
  type: 'error';
  message: string;
  user: boolean;
  location?: Location;
  hint?: string;
}

/** What a worker thread posts for an error it caught. */
export function toThreadError(err: unknown): ThreadError {
  const e = err instanceof Error ? err : new Error(String(err));
  return isUserError(e) ? { type: 'error', message: e.message, user: true, location: e.location, hint: e.hint } : { type: 'error', message: e.stack ?? e.message, user: false };
}

/** The error a worker thread posted, to throw in its owner. */
export function fromThreadError(m: ThreadError): Error {
  return m.user ? new UserError(m.message, m.location, m.hint) : new Error(m.message);
}
