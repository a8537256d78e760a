import { realpathSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { failure } from "../core/errors.js";

/**
 * Why a file of a pack may not be read, or undefined when it may: after
 * following every symlink it must still be inside `base` (the pack, or the
 * recipe folder). A pack is data; a link out of it (to a private key, to
 * `~/.npmrc`) is never followed. A path that does not exist is left to the caller.
 */
export function packFileProblem(base: string, abs: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return undefined;
  }
  const rel = relative(realpathSync(base), real);
  return rel.startsWith("..") || isAbsolute(rel) ? `is a symlink to ${real}, outside its pack` : undefined;
}

/** Throws when `abs` leads outside `base` (see `packFileProblem`); `shown` names it in the message. */
export function assertInsidePack(base: string, abs: string, shown: string): void {
  const problem = packFileProblem(base, abs);
  if (problem) throw failure(`${shown} ${problem}; it is not read`, "a pack's files must be inside the pack folder: copy the file in instead of linking it");
}
