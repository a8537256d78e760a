import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { failure } from "../core/errors.js";
import type { FileChange } from "./tree.js";

/**
 * The only function that writes the user's files. All or nothing: every new
 * content goes to a temporary file beside its target first; only when all
 * are written are they renamed into place. If anything fails, files already
 * replaced are restored, new files and folders removed, and nothing changes.
 * A file changed on disk since it was planned is refused.
 */
export function commitChanges(root: string, changes: FileChange[]): void {
  const staged: Array<{ change: FileChange; target: string; temp: string }> = [];
  const createdDirs: string[] = [];
  const renamed: typeof staged = [];
  try {
    for (const change of changes) {
      const target = resolve(root, change.path);
      const current = existsSync(target) ? readFileSync(target, "utf8") : undefined;
      if (current !== change.before) throw failure(`${change.path} changed on disk while the plan was made`, "run the command again");
      let dir = dirname(target);
      const missing: string[] = [];
      while (!existsSync(dir)) {
        missing.unshift(dir);
        dir = dirname(dir);
      }
      for (const d of missing) {
        mkdirSync(d);
        createdDirs.push(d);
      }
      const temp = `${target}.bot-snippet-${process.pid}.tmp`;
      writeFileSync(temp, change.after);
      staged.push({ change, target, temp });
    }
    for (const item of staged) {
      renameSync(item.temp, item.target);
      renamed.push(item);
    }
  } catch (error) {
    for (const item of staged) if (!renamed.includes(item)) rmSync(item.temp, { force: true });
    for (const item of renamed) {
      if (item.change.before === undefined) rmSync(item.target, { force: true });
      else writeFileSync(item.target, item.change.before);
    }
    for (const d of createdDirs.reverse()) rmSync(d, { recursive: true, force: true });
    if (error instanceof Error && error.name === "CliError") throw error;
    throw failure(`could not write the changes: ${(error as Error).message}; nothing was changed`);
  }
}

/**
 * Undoes a commit: every updated file gets its `before` back (staged and
 * renamed like a commit, so it is all or nothing), then the files the commit
 * created are removed, with the folders it made for them when left empty.
 * What each file holds now is read from disk (a package manager may have
 * rewritten package.json and the lockfile since).
 */
export function revertChanges(root: string, changes: FileChange[]): void {
  const restore: FileChange[] = [];
  for (const change of changes) {
    const target = resolve(root, change.path);
    const now = existsSync(target) ? readFileSync(target, "utf8") : undefined;
    if (change.before !== undefined && now !== change.before) restore.push({ path: change.path, kind: "update", before: now, after: change.before });
  }
  commitChanges(root, restore);
  for (const change of changes.filter((c) => c.before === undefined)) {
    const target = resolve(root, change.path);
    rmSync(target, { force: true });
    for (let dir = dirname(target); dir.startsWith(resolve(root)) && dir !== resolve(root); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty: the user's folder
      }
    }
  }
}
