/**
 * The one error type of the CLI. Core code throws it; `src/cli.ts` formats it
 * once and turns `kind` into the exit code:
 *
 * - `usage`  (exit 2): the user asked for something that cannot be: an unknown
 *   recipe, an invalid answer, an unknown flag.
 * - `failed` (exit 1): the operation could not be carried out: a file that does
 *   not parse, no bot found, a write that failed.
 */
export type ErrorKind = "usage" | "failed" | "interrupted";

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do next, printed after the message. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError("usage", message, hint);
export const failure = (message: string, hint?: string) => new CliError("failed", message, hint);

export function exitCodeOf(error: unknown): number {
  // `interrupted` (exit 130, as a shell reports Ctrl-C): the user cancelled a prompt.
  if (error instanceof CliError) return error.kind === "usage" ? 2 : error.kind === "interrupted" ? 130 : 1;
  return 1;
}

/**
 * A system error that says something about the machine, not about a bug (a
 * full disk, a read-only file system), as a one-line failure with its path;
 * any other error is returned as it is.
 */
export function asKnownFailure(error: unknown): unknown {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  const where = path ? `, at ${path}` : "";
  if (code === "ENOSPC" || code === "EDQUOT") return failure(`no space left on the device (${code}${where})`, "free some space (or point TMPDIR at a folder with room), then run again");
  if (code === "EROFS") return failure(`a read-only file system (${code}${where})`, "run it where it may write");
  return error;
}
