import { existsSync, mkdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { failure, usageError } from "../core/errors.js";

/**
 * Resolves a project-relative path and refuses any that would land outside
 * the project: absolute paths, `..` escapes, and paths through a symlink that
 * points out of it. Returns the normalized project-relative path (`/`-separated).
 */
export function safeProjectPath(root: string, path: string, source = "a target path", realRoot?: string): string {
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) throw usageError(`${source} "${path}" is absolute; recipes may only write inside the project`);
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw usageError(`${source} "${path}" is outside the project`);
  // The deepest part of the path that exists must resolve (through symlinks) inside the project.
  let probe = abs;
  while (!existsSync(probe) && probe !== root) probe = dirname(probe);
  realRoot ??= realPath(root);
  const realProbe = realPath(probe);
  const realRel = relative(realRoot, realProbe);
  if (realRel.startsWith("..") || isAbsolute(realRel)) throw usageError(`${source} "${path}" goes through a symlink that points outside the project`);
  return rel.split(sep).join("/");
}

/**
 * A path with its links resolved, by the system's realpath: one call, where
 * Node's own realpath lstats the path a component at a time. On Windows
 * Node's own is kept: it is the one that handles every kind of drive and share.
 */
export const realPath: (path: string) => string = process.platform === "win32" ? (path) => realpathSync(path) : (path) => realpathSync.native(path);

/**
 * The folders missing on the way to `abs`, outermost first, after checking
 * that the nearest one that exists is a folder (`new afile/sub` is refused
 * here, not by an ENOTDIR mid-way). `shown` names the folder in messages.
 */
export function missingFolders(abs: string, shown: string): string[] {
  const missing: string[] = [];
  for (let existing = abs; ; ) {
    let stat;
    try {
      stat = statSync(existing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw failure(`${shown}: cannot be created (${code ?? (error as Error).message}); nothing was written`, "check the path and its permissions");
      missing.unshift(existing);
      const up = dirname(existing);
      if (up === existing) return missing;
      existing = up;
      continue;
    }
    if (!stat.isDirectory()) {
      const where = existing === abs ? shown : relative(process.cwd(), existing) || existing;
      throw usageError(`${where} is a file, so the folder ${shown} cannot be created (ENOTDIR); nothing was written`, "choose another folder name, or move that file away");
    }
    return missing;
  }
}

/**
 * Creates the folder `abs` and the missing folders above it (see
 * `missingFolders`). Returns the outermost folder it created (removing that
 * one undoes the run), or undefined when `abs` already existed.
 */
export function makeFolders(abs: string, shown: string): string | undefined {
  const missing = missingFolders(abs, shown);
  if (missing.length === 0) return undefined;
  try {
    for (const dir of missing) mkdirSync(dir);
  } catch (error) {
    rmSync(missing[0]!, { recursive: true, force: true });
    throw failure(`${shown}: cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was written`, "check the path and its permissions");
  }
  return missing[0];
}
