import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { failure, usageError } from "../core/errors.js";
import { readRegularFile, readTextFile } from "../core/regular-file.js";
import { removeJournal, rollBack, sha256, writeDurably, writeJournal, type Journal, type JournalEntry, type RemovedDir } from "./journal.js";
import type { FileChange } from "./tree.js";
import { forgetReverted, keepForUndo, type UndoOrigin } from "./undo-log.js";

/** Test hooks and options of one commit. */
export interface CommitHooks {
  /** Called before each temp file is filled, before each file is put in place (or removed), and before each emptied folder is removed. */
  step?: (step: "stage" | "rename" | "rmdir", index: number, path: string) => void;
  /**
   * The undo entry of this commit (src/engine/undo-log.ts): `false` keeps
   * none (undo's own commit, a rollback); an origin keeps one; absent, one is
   * kept when the CLI turned the undo log on for this run.
   */
  undo?: false | UndoOrigin;
  /** The mode of a file this commit creates, by path (undo making a deleted file again); else the default. */
  modes?: Readonly<Record<string, number>>;
}

/** The mode each deleted file had, for `revertChanges` to make it again with. */
const deletedModes = new WeakMap<FileChange, number>();

/**
 * The only function that writes the user's files. All or nothing, and crash
 * safe: every new content goes to a temporary file beside its target, the
 * original bytes of every file go to a journal (fsynced, outside the
 * project), and only then are the files put in place and the deleted ones
 * removed, then the folders the deletes left empty. If anything fails, the
 * journal puts every file back; if the process dies, the next run does
 * (`recoverInterruptedCommit`). SIGINT/SIGTERM wait until the files are
 * consistent. Each file keeps its mode (and owner where allowed); a symlink
 * inside the project is written through to its target (a symlink is never
 * deleted: refused), a hard-linked file is written in place. A file changed
 * on disk since it was planned is refused. After the commit, its undo entry
 * is kept (outside the project) when the CLI asked for one; failing to keep
 * it is a warning, never a failed commit.
 */
export function commitChanges(root: string, changes: FileChange[], hooks: CommitHooks = {}): void {
  if (changes.length === 0) return;
  const release = holdSignals();
  let modes: Record<string, number>;
  try {
    modes = commitAll(root, changes, hooks);
  } finally {
    release();
  }
  for (const change of changes) if (change.kind === "delete" && modes[change.path] !== undefined) deletedModes.set(change, modes[change.path]!);
  keepForUndo(root, changes, modes, hooks.undo);
}

interface Staged {
  change: FileChange;
  entry: JournalEntry;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Commits; returns the mode of every file it deleted, by path. */
function commitAll(root: string, changes: FileChange[], hooks: CommitHooks): Record<string, number> {
  const realRoot = realpathSync(root);
  const staged: Staged[] = [];
  const createdDirs: string[] = [];
  for (const change of changes) {
    const target = resolve(root, change.path);
    if (change.kind === "delete" && isSymlink(target)) throw usageError(`${change.path} is a symlink; it is not removed, and nothing was changed`, "remove the link by hand, then run again");
    const real = writeTarget(realRoot, target, change.path);
    const current = readRegularFile(real, change.path);
    const same = current === undefined ? change.before === undefined : change.before !== undefined && current.equals(Buffer.from(change.before));
    if (!same) throw failure(`${change.path} changed on disk while the plan was made`, "run the command again");
    if (change.kind === "delete") {
      if (current === undefined) continue; // planned from nothing: nothing to remove
      const stat = statSync(real);
      const mode = stat.mode & 0o7777;
      staged.push({ change, entry: { path: change.path, real, before: current.toString("base64"), afterHash: sha256(""), delete: true, mode, uid: stat.uid, gid: stat.gid }, mode });
      continue;
    }
    let dir = dirname(real);
    for (; !existsSync(dir); dir = dirname(dir)) if (!createdDirs.includes(dir)) createdDirs.push(dir);
    if (!statSync(dir).isDirectory()) {
      throw failure(`${relative(resolve(root), dir).split(sep).join("/")} is a file where a folder is needed for ${change.path}; nothing was changed`, "move or rename that file, then run again");
    }
    const stat = current === undefined ? undefined : statSync(real);
    const inPlace = stat !== undefined && stat.nlink > 1;
    const mode = stat ? stat.mode & 0o7777 : hooks.modes?.[change.path];
    staged.push({
      change,
      entry: {
        path: change.path,
        real,
        before: current === undefined ? null : current.toString("base64"),
        afterHash: sha256(change.after),
        ...(inPlace ? { inPlace } : { temp: `${real}.bot-snippet-${process.pid}.tmp` }),
      },
      ...(mode !== undefined && { mode }),
      ...(stat && { uid: stat.uid, gid: stat.gid }),
    });
  }
  createdDirs.sort((a, b) => a.length - b.length);
  const removedDirs = emptiedFolders(root, realRoot, staged);
  const journal: Journal = {
    version: 1,
    root: realRoot,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    entries: staged.map((s) => s.entry),
    createdDirs,
    ...(removedDirs.length > 0 && { removedDirs: [...removedDirs].reverse() }),
  };
  try {
    writeJournal(root, journal);
  } catch (error) {
    throw failure(`could not write the commit journal: ${(error as Error).message}; nothing was changed`, "set CREATE_BOT_SNIPPET_JOURNAL_DIR to a writable folder");
  }
  try {
    for (const d of createdDirs) mkdirSync(d);
    staged.forEach((s, i) => {
      if (!s.entry.temp) return;
      writeDurably(s.entry.temp, "", "w", s.mode === undefined ? 0o666 : 0o600);
      hooks.step?.("stage", i, s.change.path);
      writeDurably(s.entry.temp, s.change.after, "w");
      if (s.mode !== undefined) chmodSync(s.entry.temp, s.mode);
      if (s.uid !== undefined && (s.uid !== process.getuid?.() || s.gid !== process.getgid?.())) {
        try {
          chownSync(s.entry.temp, s.uid, s.gid!);
        } catch {
          // only root may give a file away; the mode is kept either way
        }
      }
    });
    staged.forEach((s, i) => {
      hooks.step?.("rename", i, s.change.path);
      if (s.entry.delete) unlinkSync(s.entry.real);
      else if (s.entry.temp) renameSync(s.entry.temp, s.entry.real);
      else writeDurably(s.entry.real, s.change.after, "w");
    });
    removedDirs.forEach((d, i) => {
      hooks.step?.("rmdir", i, d.path);
      try {
        rmdirSync(d.path);
      } catch {
        // something was put in it meanwhile: it is the user's, and stays
      }
    });
  } catch (error) {
    try {
      rollBack(journal);
      removeJournal(root);
    } catch (undo) {
      throw failure(
        `could not write the changes (${(error as Error).message}) nor put every file back (${(undo as Error).message})`,
        "run the command again: it finishes the rollback from its journal first",
      );
    }
    if (error instanceof Error && error.name === "CliError") throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw failure(`could not write the changes: ${(error as Error).message}; nothing was changed`, code === "ENOSPC" ? "free some disk space, then run again" : undefined);
  }
  removeJournal(root);
  const modes: Record<string, number> = {};
  for (const s of staged) if (s.entry.delete && s.mode !== undefined) modes[s.change.path] = s.mode;
  return modes;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * The folders the commit's deletes leave empty, deepest first: every folder
 * above a deleted file (up to the project's root, never the root itself)
 * whose entries are all deleted files or such folders, and that no written
 * file goes into. A folder with anything else in it (a file of the user's,
 * a .DS_Store) stays.
 */
function emptiedFolders(root: string, realRoot: string, staged: Staged[]): RemovedDir[] {
  const deleted = new Set(staged.filter((s) => s.entry.delete).map((s) => s.entry.real));
  if (deleted.size === 0) return [];
  const tops = new Set([resolve(root), realRoot]);
  const inside = (dir: string) => [...tops].some((top) => dir.startsWith(top + sep));
  const written = staged.filter((s) => !s.entry.delete).map((s) => s.entry.real);
  const memo = new Map<string, boolean>();
  const empties = (dir: string): boolean => {
    const known = memo.get(dir);
    if (known !== undefined) return known;
    let result = false;
    try {
      result =
        inside(dir) &&
        lstatSync(dir).isDirectory() &&
        !written.some((w) => w.startsWith(dir + sep)) &&
        readdirSync(dir).every((name) => {
          const path = join(dir, name);
          return deleted.has(path) || empties(path);
        });
    } catch {
      result = false;
    }
    memo.set(dir, result);
    return result;
  };
  const candidates = new Set<string>();
  for (const file of deleted) for (let dir = dirname(file); inside(dir); dir = dirname(dir)) candidates.add(dir);
  return [...candidates]
    .filter(empties)
    .sort((a, b) => b.length - a.length)
    .map((path) => ({ path, mode: statSync(path).mode & 0o7777 }));
}

/**
 * Where a change is written: the path itself, or, for a symlink, the file it
 * points to, which must be inside the project (else the change is refused).
 */
function writeTarget(realRoot: string, target: string, shown: string): string {
  let link = false;
  try {
    link = lstatSync(target).isSymbolicLink();
  } catch {
    return target; // does not exist yet
  }
  if (!link) return target;
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw usageError(`${shown} is a symlink to a file that does not exist; it is left as it is`, "fix or remove the link, then run again");
  }
  const rel = relative(realRoot, real);
  if (rel.startsWith("..") || isAbsolute(rel)) throw usageError(`${shown} is a symlink to ${real}, outside the project; it is left as it is`, "replace the link with the file, or edit it by hand");
  return real;
}

/** Holds SIGINT/SIGTERM/SIGHUP until the returned function is called, then delivers the first one. */
const heldSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let holders = 0;
let received: NodeJS.Signals | undefined;
const hold = (signal: NodeJS.Signals) => {
  received ??= signal;
};

/** Holds SIGINT/SIGTERM/SIGHUP while commits run (one set of listeners however many commits overlap). */
function holdSignals(): () => void {
  if (holders++ === 0) for (const s of heldSignals) process.on(s, hold);
  // The commit is synchronous: a signal that came during it reaches the
  // listener only when the event loop next polls, so let go a little later.
  // (A timer set now would count from the loop's stale clock and fire first.)
  return () =>
    void setImmediate(() =>
      setTimeout(() => {
        if (--holders > 0) return;
        for (const s of heldSignals) process.off(s, hold);
        const signal = received;
        received = undefined;
        if (signal) process.kill(process.pid, signal);
      }, 10),
    );
}

/**
 * Undoes a commit: every file gets its `before` back (updated files their
 * old content, created files removed with the folders they left empty,
 * deleted files made again with their mode), in one commit, so it is all or
 * nothing. What each file holds now is read from disk (a package manager may
 * have rewritten package.json and the lockfile since). The commit's undo
 * entry, when this run kept one, forgets what was reverted.
 */
export function revertChanges(root: string, changes: FileChange[]): void {
  const restore: FileChange[] = [];
  const modes: Record<string, number> = {};
  for (const change of changes) {
    const now = readTextFile(resolve(root, change.path), change.path);
    if (now === change.before) continue;
    if (change.before === undefined) restore.push({ path: change.path, kind: "delete", before: now, after: "" });
    else restore.push({ path: change.path, kind: now === undefined ? "create" : "update", before: now, after: change.before });
    const mode = deletedModes.get(change);
    if (now === undefined && mode !== undefined) modes[change.path] = mode;
  }
  commitChanges(root, restore, { undo: false, modes });
  forgetReverted(root, restore);
}
