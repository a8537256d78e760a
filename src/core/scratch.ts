import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { failure } from "./errors.js";

/**
 * A fresh folder in the OS temp folder (`$TMPDIR`) for scratch copies that
 * are never the user's files. A temp folder that is missing, not writable or
 * full is a one-line error naming it, before anything is written. `make` is
 * the call that creates it (a test passes one that fails).
 */
export function makeScratchDir(prefix: string, make: (prefix: string) => string = mkdtempSync): string {
  const base = tmpdir();
  try {
    return make(join(base, prefix));
  } catch (error) {
    throw scratchFailure(error, base);
  }
}

/** The error for a scratch folder that cannot be made or written: what, where, and what to do. */
export function scratchFailure(error: unknown, base = tmpdir()): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "does not exist" : code === "ENOSPC" || code === "EDQUOT" ? "is full (no space left on the device)" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "is not writable" : code === "ENOTDIR" ? "is not a folder" : undefined;
  if (why === undefined) return error as Error;
  return failure(`the temporary folder ${base} ${why} (${code}); nothing was written`, code === "ENOSPC" || code === "EDQUOT" ? "free some space there, or point TMPDIR at another folder" : "point TMPDIR at a writable folder, or create it");
}
