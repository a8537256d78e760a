import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { failure } from "../core/errors.js";
import { packageRoot } from "../core/package-root.js";
import { readTextFile } from "../core/regular-file.js";
import { lockfiles } from "../project/package-manager.js";
import { findProjectRoot } from "../project/project-root.js";
import { journalDir, sha256, writeDurably } from "./journal.js";
import type { FileChange } from "./tree.js";

// === The undo log
//
// After every commit the CLI makes (add, new, update, remove, show --copy-to:
// anything through `commitChanges`), what it changed is kept outside the
// project, beside the commit journal: `<cache>/create-bot-snippet/undo/<key>/`
// (or `$CREATE_BOT_SNIPPET_UNDO_DIR/<key>/`), keyed by the project's real
// path. One JSON file per entry, named so that names sort by time: the
// command line, the time, and every file's content before and after (null:
// absent). The commits of one run (`new` writes its skeleton, then its
// recipes) make one entry, so `undo` takes back one command. The last 20
// entries are kept, at most 100 MB together; a commit over 20 MB is not kept
// (and the history before it is dropped: undo cannot go past it). `undo`
// reverts the newest entry and removes it. Keeping an entry never fails a
// commit: a warning at most.

/** One file of an undo entry: its content before and after the command (null: the file did not exist). */
export interface UndoFile {
  path: string;
  before: string | null;
  after: string | null;
  /** The mode of a file the command deleted, for undo to make it again with. */
  mode?: number;
}

export interface UndoEntry {
  version: 1;
  /** The project's real path (the key). */
  root: string;
  /** The command line that made the change (`process.argv.slice(2)`). */
  command: string[];
  /** When it was made (ISO 8601). */
  at: string;
  /** The run that made it (commits of one run merge into one entry). */
  run: string;
  files: UndoFile[];
  /** Set when the change was not kept (too large): why. Undo stops there. */
  unavailable?: string;
}

/** Where an entry comes from: the command line to show. */
export interface UndoOrigin {
  command: string[];
}

/** Entries kept per project. */
export const undoDepth = 20;
/** A commit whose contents (before and after) exceed this is not kept. */
export const undoEntryLimit = 20 * 1024 * 1024;
/** All the entries of a project together, at most (the oldest go first; the newest is always kept). */
export const undoProjectLimit = 100 * 1024 * 1024;
/** Undo logs of projects that no longer exist, or untouched this long, are removed (looked at once a day). */
const staleAfterMs = 90 * 24 * 60 * 60 * 1000;

/** A new run id: the commits of one run go into one entry. */
const newRun = () => `${process.pid}-${randomBytes(4).toString("hex")}`;

/** The run of commits made without the CLI's session (library use, tests). */
const processRun = newRun();

let session: (UndoOrigin & { run: string }) | undefined;

/** The run commits belong to now: the CLI command running, else the process. */
const currentRun = () => session?.run ?? processRun;

/**
 * Turns the undo log on for one CLI command: every later commit keeps an
 * undo entry naming `command`, all of them in one entry. The CLI calls it
 * before each command runs (src/engine/recover.ts); library use and tests
 * keep nothing unless a commit asks (`commitChanges(…, { undo: { command } })`).
 */
export function keepUndoLog(command: string[]): void {
  session = { command, run: newRun() };
}

/**
 * The command line of the command about to run: the process's own when it is
 * this CLI's bin (or its npm link), else (several commands in one process,
 * as tests run them) one rebuilt from the parsed command.
 */
export function commandLine(name: string, args: readonly unknown[], options: Record<string, unknown>): string[] {
  try {
    const root = packageRoot();
    if (root && process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(join(root, "bin", "create-bot-snippet.js"))) return process.argv.slice(2);
  } catch {
    // no such bin (bundled elsewhere): rebuilt below
  }
  const out = [name];
  for (const arg of args.flat()) if (typeof arg === "string") out.push(arg);
  for (const [key, value] of Object.entries(options)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === true) out.push(flag);
    else if (value === false) out.push(`--no-${flag.slice(2)}`);
    else if (typeof value === "string") out.push(flag, value);
    else if (Array.isArray(value)) for (const v of value) out.push(flag, String(v));
  }
  return out;
}

/** The folder all undo logs are in: `$CREATE_BOT_SNIPPET_UNDO_DIR`, else `undo` beside the journal folder. */
export function undoDir(): string {
  return process.env.CREATE_BOT_SNIPPET_UNDO_DIR || join(dirname(journalDir()), "undo");
}

/** The project an undo entry belongs to: the nearest package.json at or above the commit's root, by real path. */
export function undoRoot(root: string): string {
  const real = realpathSync(root);
  return findProjectRoot(real) ?? real;
}

/** The undo log folder of one project (`root`: its real path). */
export function undoFolder(root: string): string {
  return join(undoDir(), sha256(root).slice(0, 24));
}

const entryName = /^\d{15}-[0-9a-f-]+\.json$/;

/** The entry files of a project's log, oldest first. */
function entryFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((n) => entryName.test(n)).sort();
}

const textBytes = (text: string | null) => (text === null ? 0 : Buffer.byteLength(text));

/**
 * Keeps the undo entry of a commit that succeeded (`origin`: undefined means
 * "if the CLI turned the log on", false never). Never throws: a problem is a
 * warning on stderr, since the change itself is written.
 */
export function keepForUndo(root: string, changes: FileChange[], deletedModes: Record<string, number>, origin?: false | UndoOrigin, limit = undoEntryLimit): void {
  const from = origin === false ? undefined : (origin ?? session);
  const run = origin === undefined ? currentRun() : processRun;
  if (!from || changes.length === 0) return;
  try {
    const realRoot = realpathSync(root);
    const key = findProjectRoot(realRoot) ?? realRoot;
    const files: UndoFile[] = changes.map((c) => {
      const path = relative(key, join(realRoot, c.path)).split(sep).join("/");
      const mode = deletedModes[c.path];
      return { path, before: c.before ?? null, after: c.kind === "delete" ? null : c.after, ...(mode !== undefined && { mode }) };
    });
    const warning = pushUndo(key, from.command, files, limit, run);
    if (warning) warn(warning);
    if (files.some((f) => f.path === "package.json") && !installWatch.has(key)) {
      // The package manager runs next and rewrites package.json and the lockfile: the entry takes them as they are when the run ends.
      installWatch.set(key, { run, locks: lockfiles.map(([file]) => [file, readText(join(key, file))]) });
      if (origin === undefined && installWatch.size === 1) process.once("exit", settleInstalls);
    }
  } catch (error) {
    warn(`the change is written, but it could not be kept for \`undo\`: ${(error as Error).message}`);
  }
}

/** Projects whose package.json this run changed, with their lockfiles as they were then (null: absent). */
const installWatch = new Map<string, { run: string; locks: Array<[string, string | null]> }>();

/** A file's text; null when absent, not a file, or not UTF-8 (bun.lockb): such a file is left out. */
function readText(path: string): string | null {
  try {
    return readTextFile(path) ?? null;
  } catch {
    return null;
  }
}

/**
 * When the run ends (the CLI calls it at exit): the package manager that ran
 * after the commit rewrote package.json and the lockfile, so this run's
 * entry takes package.json as it is now and each lockfile that changed
 * (before: as it was at the commit). Undo then puts both back, instead of
 * refusing package.json as "changed since". Never throws.
 */
export function settleInstalls(): void {
  for (const [key, { run, locks }] of installWatch) {
    try {
      const folder = undoFolder(key);
      const last = entryFiles(folder).at(-1);
      if (last === undefined || !last.endsWith(`-${run}.json`)) continue; // taken back (revertChanges), or another run's since
      const entry = readEntry(folder, last);
      if (entry.unavailable !== undefined) continue;
      const pkg = entry.files.find((f) => f.path === "package.json");
      const now = readText(join(key, "package.json"));
      if (pkg && pkg.after !== null && now !== null) pkg.after = now;
      let files = entry.files;
      for (const [file, before] of locks) {
        const after = readText(join(key, file));
        if (after === before || (before === null && after === null)) continue;
        const known = files.find((f) => f.path === file);
        if (known) known.after = after;
        else files = [...files, { path: file, before, after }];
      }
      files = files.filter((f) => f.before !== f.after);
      if (files.reduce((n, f) => n + textBytes(f.before) + textBytes(f.after), 0) > undoEntryLimit) continue;
      const temp = join(folder, `${last}.${process.pid}.tmp`);
      writeDurably(temp, JSON.stringify({ ...entry, files }), "w", 0o600);
      renameSync(temp, join(folder, last));
    } catch {
      // the entry stays as the commit left it: undo then names package.json as changed since
    }
  }
  installWatch.clear();
}

function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`); // plain: the engine does not use the UI layer
}

/** Adds files to the project's log (merged into this run's entry when it is the newest); returns a warning for the user, if any. */
export function pushUndo(root: string, command: string[], files: UndoFile[], limit = undoEntryLimit, run = currentRun()): string | undefined {
  const folder = undoFolder(root);
  mkdirSync(folder, { recursive: true, mode: 0o700 }); // the entries hold the project's code: the user's only
  writeFileSync(join(folder, "root"), `${root}\n`); // for pruning logs of projects that are gone
  const names = entryFiles(folder);
  const last = names.at(-1);
  let entry: UndoEntry;
  let name: string;
  if (last !== undefined && last.endsWith(`-${run}.json`)) {
    name = last;
    entry = readEntry(folder, last);
    if (entry.unavailable === undefined) entry.files = mergeFiles(entry.files, files);
  } else {
    name = `${String(Date.now()).padStart(15, "0")}-${run}.json`;
    entry = { version: 1, root, command, at: new Date().toISOString(), run, files };
  }
  let warning: string | undefined;
  const size = entry.files.reduce((n, f) => n + textBytes(f.before) + textBytes(f.after), 0);
  if (entry.unavailable === undefined && size > limit) {
    const mb = (n: number) => (n >= 1024 * 1024 ? `${Math.round(n / 1024 / 1024)} MB` : `${Math.ceil(n / 1024)} KB`);
    entry = { ...entry, files: [], unavailable: `its files come to ${mb(size)}, over the ${mb(limit)} undo keeps` };
    warning = `\`undo\` is not available for this change: its files come to ${mb(size)}, over the ${mb(limit)} undo keeps`;
    for (const n of names) if (n !== name) rmSync(join(folder, n), { force: true }); // undo cannot go past it
  }
  if (entry.files.length === 0 && entry.unavailable === undefined) {
    rmSync(join(folder, name), { force: true }); // the run changed files and changed them back
  } else {
    const temp = join(folder, `${name}.${process.pid}.tmp`);
    writeDurably(temp, JSON.stringify(entry), "w", 0o600);
    renameSync(temp, join(folder, name));
  }
  trim(folder);
  pruneStale();
  return warning;
}

/** Files of one run merged: each path keeps its first `before` and its last `after`; a file back where it was is dropped. */
function mergeFiles(old: UndoFile[], add: UndoFile[]): UndoFile[] {
  const byPath = new Map(old.map((f) => [f.path, { ...f }]));
  for (const f of add) {
    const known = byPath.get(f.path);
    if (!known) byPath.set(f.path, { ...f });
    else {
      known.after = f.after;
      if (f.mode !== undefined && known.before !== null) known.mode ??= f.mode;
    }
  }
  return [...byPath.values()].filter((f) => f.before !== f.after);
}

/** At most `undoDepth` entries and `undoProjectLimit` bytes; the oldest go first, the newest stays. */
function trim(folder: string): void {
  const names = entryFiles(folder);
  const sizes = names.map((n) => statSync(join(folder, n)).size);
  let total = sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; i < names.length - 1; i++) {
    if (names.length - i <= undoDepth && total <= undoProjectLimit) break;
    rmSync(join(folder, names[i]!), { force: true });
    total -= sizes[i]!;
  }
}

/** Once a day: removes the undo logs of projects that no longer exist, or that nothing was written in for 90 days. */
function pruneStale(): void {
  const dir = undoDir();
  const mark = join(dir, ".pruned");
  try {
    if (Date.now() - statSync(mark).mtimeMs < 24 * 60 * 60 * 1000) return;
  } catch {
    // never pruned
  }
  writeFileSync(mark, "");
  const now = new Date();
  utimesSync(mark, now, now);
  for (const key of readdirSync(dir)) {
    const folder = join(dir, key);
    try {
      if (!statSync(folder).isDirectory()) continue;
      const root = readFileSync(join(folder, "root"), "utf8").trim();
      const newest = entryFiles(folder).at(-1);
      const age = newest ? Date.now() - statSync(join(folder, newest)).mtimeMs : Infinity;
      if (!existsSync(root) || age > staleAfterMs) rmSync(folder, { recursive: true, force: true });
    } catch {
      // another run's folder being written, or not ours: left alone
    }
  }
}

/** A corrupt log: one line naming the file, nothing written. */
function corrupt(file: string, why: string): Error {
  return failure(`the undo log of this project is damaged (${file}: ${why}); nothing was changed`, `remove that file to drop the entry, or the folder ${dirname(file)} to clear the undo history`);
}

/** Reads and checks one entry (a damaged one is a one-line failure). */
function readEntry(folder: string, name: string): UndoEntry {
  const file = join(folder, name);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw corrupt(file, error instanceof SyntaxError ? "not valid JSON" : (error as Error).message);
  }
  const problem = entryProblem(data);
  if (problem) throw corrupt(file, problem);
  return data as UndoEntry;
}

function entryProblem(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "not an object";
  const e = data as Record<string, unknown>;
  if (e.version !== 1) return `unknown version ${JSON.stringify(e.version)}`;
  if (typeof e.root !== "string") return "no root";
  if (!Array.isArray(e.command) || !e.command.every((c) => typeof c === "string")) return "no command";
  if (typeof e.at !== "string") return "no time";
  if (typeof e.run !== "string") return "no run";
  if (e.unavailable !== undefined && typeof e.unavailable !== "string") return "a bad unavailable";
  if (!Array.isArray(e.files)) return "no files";
  for (const [i, f] of e.files.entries()) {
    if (typeof f !== "object" || f === null) return `file ${i} is not an object`;
    const file = f as Record<string, unknown>;
    if (typeof file.path !== "string" || file.path === "") return `file ${i} has no path`;
    for (const side of ["before", "after"]) if (file[side] !== null && typeof file[side] !== "string") return `${file.path}: a bad ${side}`;
    if (file.before === null && file.after === null) return `${file.path}: neither before nor after`;
    if (file.mode !== undefined && (typeof file.mode !== "number" || !Number.isInteger(file.mode))) return `${file.path}: a bad mode`;
  }
  return undefined;
}

/** The newest entry of a project's log (`root`: its real path), with its file; undefined when there is none. */
export function newestUndo(root: string): { entry: UndoEntry; file: string } | undefined {
  const folder = undoFolder(root);
  const last = entryFiles(folder).at(-1);
  if (last === undefined) return undefined;
  return { entry: readEntry(folder, last), file: join(folder, last) };
}

/** How many entries a project's log holds. */
export function undoCount(root: string): number {
  return entryFiles(undoFolder(root)).length;
}

/** Removes an entry once it is undone. */
export function popUndo(file: string): void {
  rmSync(file, { force: true });
}

/**
 * After `revertChanges` took back (part of) a commit of this run: its entry
 * forgets those files (their `after` is what they are now), and goes when
 * nothing is left. Never throws.
 */
export function forgetReverted(root: string, reverted: FileChange[]): void {
  try {
    const realRoot = realpathSync(root);
    const key = findProjectRoot(realRoot) ?? realRoot;
    const folder = undoFolder(key);
    const last = entryFiles(folder).at(-1);
    if (last === undefined || !last.endsWith(`-${currentRun()}.json`)) return;
    const entry = readEntry(folder, last);
    const now = new Map(reverted.map((c) => [relative(key, join(realRoot, c.path)).split(sep).join("/"), c.kind === "delete" ? null : c.after]));
    entry.files = entry.files.map((f) => (now.has(f.path) ? { ...f, after: now.get(f.path)! } : f)).filter((f) => f.before !== f.after);
    if (entry.files.length === 0) rmSync(join(folder, last), { force: true });
    else {
      const temp = join(folder, `${last}.${process.pid}.tmp`);
      writeDurably(temp, JSON.stringify(entry), "w", 0o600);
      renameSync(temp, join(folder, last));
    }
  } catch {
    // the undo log is a convenience: the revert itself is done
  }
}
