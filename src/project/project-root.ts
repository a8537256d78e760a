import { lstatSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { failure, usageError } from "../core/errors.js";

/**
 * The nearest folder at or above `start` that has a package.json, as npm,
 * git and tsc find theirs; undefined when there is none up to the root.
 */
export function findProjectRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    // Any entry named package.json marks the root, even one that is not a
    // regular file: the scan then refuses it by name instead of climbing past
    // it into a parent project.
    if (exists(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** How a folder is shown to the user: relative to where they are when that is shorter. */
export function displayPath(path: string, from = process.cwd()): string {
  const rel = relative(from, path);
  if (rel === "") return ".";
  return rel.length < path.length && !isAbsolute(rel) ? rel : path;
}

export interface LocatedProject {
  /** The project's root: the nearest package.json at or above the folder the command runs in. */
  root: string;
  /** `--entry` made relative to `root` (the user gives it relative to the folder they are in). */
  entry?: string;
  /** A line to print when the root is not the folder the command runs in. */
  notice?: string;
}

/**
 * Where `add` works when run from `cwd` (a subfolder such as `src/handlers`
 * is fine): the nearest package.json above it. `--entry` is resolved against
 * `cwd`, the folder the user is in, so `--entry ../bot.ts` works there.
 */
export function locateProject(cwd: string, entry?: string): LocatedProject {
  const start = resolve(cwd);
  // A --cwd that names a file is a mistake, not a request for its folder.
  if (exists(start) && !statSync(start).isDirectory()) throw failure(`${start} is not a folder`, "point --cwd at the project's folder");
  const root = findProjectRoot(start) ?? start;
  let rel: string | undefined;
  if (entry !== undefined) {
    rel = relative(root, resolve(start, entry));
    if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw usageError(`--entry "${entry}" is outside the project in ${displayPath(root)}`, "give the file that creates the bot, inside the project");
    }
    rel = rel.split(sep).join("/");
  }
  const notice = root === start ? undefined : `using the project in ${displayPath(root)} (the nearest folder with a package.json)`;
  return { root, ...(rel !== undefined && { entry: rel }), ...(notice !== undefined && { notice }) };
}
