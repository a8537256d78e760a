import { createHash } from "node:crypto";
import { chmodSync, chownSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, statSync, renameSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { journalDir } from "../core/cache-folder.js";
import { dirname, join, relative, resolve, sep } from "node:path";

// === The commit journal
//
// Before the first rename of a commit, the intent and the original bytes of
// every file it touches are written here and fsynced. A crash (kill -9, power
// loss) between renames leaves the journal behind; the next run of the CLI in
// that project rolls the commit back from it, so the project is always the
// old tree or the new one. The journal lives outside the project (the OS
// cache folder), never among the user's tracked files.

/** One file of a commit, as the journal records it. */
export interface JournalEntry {
  /** Project-relative path, as planned. */
  path: string;
  /** The absolute path written (a symlink inside the project resolved to its target). */
  real: string;
  /** The original bytes (base64); null when the file did not exist. */
  before: string | null;
  /** sha256 of the new content, to tell "ours" from a later edit by the user. */
  afterHash: string;
  /** The temporary file the new content is staged in (absent for in-place writes). */
  temp?: string;
  /** Written in place (a hard-linked file), so any content but `before` is ours. */
  inPlace?: boolean;
  /** The commit removes the file: absent is ours; a rollback re-creates it with `mode` (and owner where allowed). */
  delete?: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A folder the commit removes because its deletes left it empty, with its mode, for a rollback to make again. */
export interface RemovedDir {
  path: string;
  mode: number;
}

export interface Journal {
  version: 1;
  root: string;
  pid: number;
  startedAt: string;
  entries: JournalEntry[];
  /** Folders the commit creates, outermost first. */
  createdDirs: string[];
  /** Folders the commit removes (left empty by its deletes), outermost first. */
  removedDirs?: RemovedDir[];
}

export const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export { journalDir };

/** The journal file of one project (keyed by its real path). */
export function journalPath(root: string): string {
  return join(journalDir(), `${sha256(realpathSync(root)).slice(0, 24)}.json`);
}

function fsyncPath(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some systems cannot fsync a folder; the file's own fsync is what matters most.
  }
}

/** Writes bytes to a path and fsyncs them before returning. */
export function writeDurably(path: string, data: string | Buffer, flags = "w", mode?: number): void {
  const fd = openSync(path, flags, mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes the journal atomically and durably; returns its path. */
export function writeJournal(root: string, journal: Journal): string {
  let file = journalPath(root);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = join(tmpdir(), "create-bot-snippet-journal");
    file = journalPath(root);
    mkdirSync(dirname(file), { recursive: true });
  }
  const temp = `${file}.${process.pid}.tmp`;
  writeDurably(temp, JSON.stringify(journal));
  renameSync(temp, file);
  fsyncPath(dirname(file));
  return file;
}

export function removeJournal(root: string): void {
  rmSync(journalPath(root), { force: true });
}

function readJournal(root: string): Journal | undefined {
  const file = journalPath(root);
  if (!existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Journal;
    return data.version === 1 && Array.isArray(data.entries) ? data : undefined;
  } catch {
    return undefined; // a journal cut short was written before the first rename: nothing to undo
  }
}

/**
 * Puts every file of a journal back as it was: files the commit replaced get
 * their original bytes, files it created are removed, files it deleted are
 * made again (in the folders it removed, made again first) with their mode,
 * then its temporary files and the folders it made (when empty) are removed.
 * A file that now holds neither the original nor the commit's content was
 * edited since: it is kept, and said. Returns what it did, one line per file.
 */
export function rollBack(journal: Journal): string[] {
  const done: string[] = [];
  for (const dir of journal.removedDirs ?? []) {
    if (existsSync(dir.path)) continue;
    mkdirSync(dir.path, { recursive: true });
    chmodQuietly(dir.path, dir.mode);
  }
  for (const entry of journal.entries) {
    if (entry.temp) removeQuietly(entry.temp);
    const now = existsSync(entry.real) && statSync(entry.real).isFile() ? readFileSync(entry.real) : undefined;
    const before = entry.before === null ? undefined : Buffer.from(entry.before, "base64");
    if (now === undefined ? before === undefined : before !== undefined && now.equals(before)) continue;
    if (entry.delete && before !== undefined) {
      if (now !== undefined || existsSync(entry.real)) {
        done.push(`kept ${entry.path}: changed since the interrupted run`);
        continue;
      }
      mkdirSync(dirname(entry.real), { recursive: true });
      writeDurably(entry.real, before, "w", entry.mode ?? 0o666);
      if (entry.mode !== undefined) chmodQuietly(entry.real, entry.mode);
      if (entry.uid !== undefined && entry.gid !== undefined && (entry.uid !== process.getuid?.() || entry.gid !== process.getgid?.())) {
        try {
          chownSync(entry.real, entry.uid, entry.gid);
        } catch {
          // only root may give a file away; the mode is kept either way
        }
      }
      done.push(`restored ${entry.path}`);
      continue;
    }
    const ours = now === undefined || entry.inPlace === true || sha256(now) === entry.afterHash;
    if (!ours) {
      done.push(`kept ${entry.path}: changed since the interrupted run`);
      continue;
    }
    if (before === undefined) {
      rmSync(entry.real, { force: true });
      done.push(`removed ${entry.path}`);
    } else {
      writeDurably(entry.real, before); // in place: keeps the file's mode and links
      done.push(`restored ${entry.path}`);
    }
  }
  for (const dir of [...journal.createdDirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty or already gone
    }
  }
  return done;
}

function chmodQuietly(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // a file system without modes: the content is what matters
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // its folder is gone or is a file: nothing to remove
  }
}

const strayTemp = /\.bot-snippet-(\d+)\.tmp$/;
const skippedDirs = new Set(["node_modules", ".git"]);

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A process killed but not yet reaped by its parent (a zombie) answers signal 0: it is gone all the same.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS, Windows): signal 0 is the answer
  }
}

/** At most this many folder entries are looked at for stray temporary files (a run in a home folder stays quick). */
const scanLimit = 20_000;

/** Temporary files left by a run that is no longer alive (`x.ts.bot-snippet-<pid>.tmp`). */
function strayTemps(root: string): string[] {
  const out: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 20 || seen > scanLimit) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    seen += entries.length;
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!skippedDirs.has(e.name)) walk(join(dir, e.name), depth + 1);
      } else if (e.isFile()) {
        const m = strayTemp.exec(e.name);
        if (m && !isAlive(Number(m[1]))) out.push(join(dir, e.name));
      }
    }
  };
  walk(root, 0);
  return out;
}

const isFolder = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** Rolls back the interrupted commit whose journal is keyed by `root`, if any; what it did, for the user. */
function recoverJournal(root: string): string[] {
  const journal = readJournal(root);
  if (!journal) {
    if (existsSync(journalPath(root))) rmSync(journalPath(root), { force: true }); // one cut short, written before any rename
    return [];
  }
  if (journal.pid !== process.pid && isAlive(journal.pid)) return [`another run (pid ${journal.pid}) is writing in ${root}; its files are left to it`];
  const done = rollBack(journal);
  removeJournal(root);
  return [`an earlier run was interrupted while writing in ${journal.root} (pid ${journal.pid}, ${journal.startedAt}); rolled it back${done.length > 0 ? `: ${done.join(", ")}` : ""}`];
}

/**
 * Run before every command that writes (see \`recover.ts\`): rolls back a
 * commit that was interrupted in the folder or any folder above it (its
 * journal is still there: a commit's root may be a project above the folder
 * named) and removes temporary files a dead run left in the folder. Returns
 * what it did, for the command to print; empty when there was nothing to do.
 * A path that does not exist yet (\`new a/b/c\`) is looked at from the
 * nearest folder that does.
 */
export function recoverInterruptedCommit(start: string): string[] {
  let dir = resolve(start);
  while (!isFolder(dir)) {
    if (dirname(dir) === dir) return [];
    dir = dirname(dir);
  }
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(...recoverJournal(d));
    if (dirname(d) === d) break;
  }
  // Temporary files of an interrupted commit are in its journal; these are the ones a run left without one.
  const root = resolve(start);
  const temps = root === dir ? strayTemps(root) : [];
  for (const temp of temps) rmSync(temp, { force: true });
  if (temps.length > 0) out.push(`removed ${temps.length} temporary file(s) left by an interrupted run: ${temps.map((t) => relative(root, t).split(sep).join("/")).join(", ")}`);
  return out;
}
