import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { usageError } from "../core/errors.js";

/**
 * Resolves a project-relative path and refuses any that would land outside
 * the project: absolute paths, `..` escapes, and paths through a symlink that
 * points out of it. Returns the normalized project-relative path (`/`-separated).
 */
export function safeProjectPath(root: string, path: string, source = "a target path"): string {
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) throw usageError(`${source} "${path}" is absolute; recipes may only write inside the project`);
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw usageError(`${source} "${path}" is outside the project`);
  // The deepest part of the path that exists must resolve (through symlinks) inside the project.
  let probe = abs;
  while (!existsSync(probe) && probe !== root) probe = dirname(probe);
  const realRoot = realpathSync(root);
  const realProbe = realpathSync(probe);
  const realRel = relative(realRoot, realProbe);
  if (realRel.startsWith("..") || isAbsolute(realRel)) throw usageError(`${source} "${path}" goes through a symlink that points outside the project`);
  return rel.split(sep).join("/");
}
