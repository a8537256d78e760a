import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { failure, usageError } from "../core/errors.js";
import { readRegularFile } from "../core/regular-file.js";
import { removeJournal, rollBack, sha256, writeDurably, writeJournal, type Journal, type JournalEntry } from "./journal.js";
import type { FileChange } from "./tree.js";

/** Test hooks: called before each temp file is filled and before each file is put in place. */
export interface CommitHooks {
  step?: (step: "stage" | "rename", index: number, path: string) => void;
}

/**
 * The only function that writes the user's files. All or nothing, and crash
 * safe: every new content goes to a temporary file beside its target, the
 * original bytes of every file go to a journal (fsynced, outside the
 * project), and only then are the files put in place. If anything fails, the
 * journal puts every file back; if the process dies, the next run does
 * (`recoverInterruptedCommit`). SIGINT/SIGTERM wait until the files are
 * consistent. Each file keeps its mode (and owner where allowed); a symlink
 * inside the project is written through to its target, a hard-linked file is
 * written in place. A file changed on disk since it was planned is refused.
 */
export function commitChanges(root: string, changes: FileChange[], hooks: CommitHooks = {}): void {
  if (changes.length === 0) return;
  const release = holdSignals();
  try {
    commitAll(root, changes, hooks);
  } finally {
    release();
  }
}

interface Staged {
  change: FileChange;
  entry: JournalEntry;
  mode?: number;
  uid?: number;
  gid?: number;
}

function commitAll(root: string, changes: FileChange[], hooks: CommitHooks): void {
  const realRoot = realpathSync(root);
  const staged: Staged[] = [];
  const createdDirs: string[] = [];
  for (const change of changes) {
    const target = resolve(root, change.path);
    const real = writeTarget(realRoot, target, change.path);
    const current = readRegularFile(real, change.path);
    const same = current === undefined ? change.before === undefined : change.before !== undefined && current.equals(Buffer.from(change.before));
    if (!same) throw failure(`${change.path} changed on disk while the plan was made`, "run the command again");
    let dir = dirname(real);
    for (; !existsSync(dir); dir = dirname(dir)) if (!createdDirs.includes(dir)) createdDirs.push(dir);
    if (!statSync(dir).isDirectory()) {
      throw failure(`${relative(resolve(root), dir).split(sep).join("/")} is a file where a folder is needed for ${change.path}; nothing was changed`, "move or rename that file, then run again");
    }
    const stat = current === undefined ? undefined : statSync(real);
    const inPlace = stat !== undefined && stat.nlink > 1;
    staged.push({
      change,
      entry: {
        path: change.path,
        real,
        before: current === undefined ? null : current.toString("base64"),
        afterHash: sha256(change.after),
        ...(inPlace ? { inPlace } : { temp: `${real}.bot-snippet-${process.pid}.tmp` }),
      },
      ...(stat && { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid }),
    });
  }
  createdDirs.sort((a, b) => a.length - b.length);
  const journal: Journal = { version: 1, root: realRoot, pid: process.pid, startedAt: new Date().toISOString(), entries: staged.map((s) => s.entry), createdDirs };
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
      if (s.entry.temp) renameSync(s.entry.temp, s.entry.real);
      else writeDurably(s.entry.real, s.change.after, "w");
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
