import { createHash } from "node:crypto";
import { copyFileSync, type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { journalDir } from "../engine/journal.js";
import { RECORD_FILE } from "../record/record-file.js";
import type { TscDiagnostic } from "./tsc.js";

// === The gate's cache: what makes the second `add --check` cheap ===
//
// Per project (keyed by its real path), beside the commit journal, outside
// the user's tracked files:
//
//   <key>.tsbuildinfo   TypeScript's own build info from the last check (the
//                       starting point of the next incremental run; only the
//                       files that differ are checked again)
//   <key>.json          states of the project whose errors are known: every
//                       file of the program with its mtime and size (or, for
//                       a file the change wrote, the hash of its content), the
//                       names in every folder of the project (linked
//                       folders too, by their target) and in the
//                       node_modules folders the program read from, and the
//                       errors tsc reported for that state
//
// When the project is still one of those states, the errors it had before a
// change are read from here instead of from a second tsc run; and when the
// project with the planned change is one (the same change checked before, by
// `--dry-run` or an answer of no), no tsc runs at all. Any file that changed,
// appeared or went away makes the state unknown again (the gate then runs tsc
// on the project as it is). Files in node_modules are also known by inode: npm
// writes every file of a package it installs anew, with a fixed mtime.

/** A file's fingerprint: `mtime:size`, `#sha256` for content the gate wrote, `-` for absent. */
export type Fingerprint = string;

export interface KnownState {
  /** Project-relative (`src/bot.ts`) or absolute (outside the project) path → fingerprint. */
  files: Record<string, Fingerprint>;
  /** Folder (project-relative, `""` for the root, or absolute) → what it holds (see `listing`): a file that appears is seen here. */
  dirs: Record<string, string>;
  diagnostics: TscDiagnostic[];
}

/** The files a change plans, by project-relative path: the fingerprint each will have once written (`-`: deleted). */
export type PlannedPrints = Map<string, Fingerprint>;

interface CacheFile {
  version: 2;
  /** The TypeScript that produced it (bin path and version): another one starts over. */
  typescript: string;
  states: KnownState[];
}

/** How many projects keep a cache (the least recently checked go first). */
const MAX_PROJECTS = 24;
/** Known states kept per project (the most recently used first): before and after the last few changes checked. */
const MAX_STATES = 6;

/** The folder of the gate's cache: `$CREATE_BOT_SNIPPET_CHECK_CACHE`, else `check/` beside the journal folder. */
export function checkCacheDir(): string {
  return process.env.CREATE_BOT_SNIPPET_CHECK_CACHE || join(dirname(journalDir()), "check");
}

export class CheckCache {
  /**
   * What this command saw of each file and folder since the last compiler run
   * (`forgetStats`): the states recorded after a run (the project before and
   * after the change) share most of their files, and are of one moment.
   */
  private readonly seen = new Map<string, string | boolean | ReturnType<typeof listing>>();

  private constructor(
    readonly root: string,
    private readonly realRoot: string,
    private readonly base: string,
    private readonly typescript: string,
    private data: CacheFile,
  ) {}

  /** The cache of a project, or undefined when the cache folder cannot be used (the gate then runs without). */
  static open(root: string, typescript: string): CheckCache | undefined {
    try {
      const realRoot = realpathSync(root);
      const dir = checkCacheDir();
      mkdirSync(dir, { recursive: true });
      const base = join(dir, createHash("sha256").update(realRoot).digest("hex").slice(0, 24));
      let data: CacheFile = { version: 2, typescript, states: [] };
      try {
        const read = JSON.parse(readFileSync(`${base}.json`, "utf8")) as CacheFile;
        if (read.version === 2 && read.typescript === typescript && Array.isArray(read.states)) data = read;
        else rmSync(`${base}.tsbuildinfo`, { force: true }); // another TypeScript: its build info is no use
      } catch {
        // No cache yet, or an unreadable one: start over.
      }
      return new CheckCache(root, realRoot, base, typescript, data);
    } catch {
      return undefined;
    }
  }

  /** Copies the cached build info to `to` (where tsc reads and updates it); false when there is none. */
  restoreBuildInfo(to: string): boolean {
    try {
      copyFileSync(`${this.base}.tsbuildinfo`, to);
      return true;
    } catch {
      return false;
    }
  }

  /** Keeps the build info tsc left at `from` for the next check. */
  saveBuildInfo(from: string): void {
    if (!existsSync(from)) return;
    try {
      const temp = `${this.base}.tsbuildinfo.${process.pid}.tmp`;
      copyFileSync(from, temp);
      renameSync(temp, `${this.base}.tsbuildinfo`);
    } catch {
      // A cache that cannot be written only costs time next run.
    }
  }

  /** Drops the build info (tsc could not use it). */
  forgetBuildInfo(): void {
    rmSync(`${this.base}.tsbuildinfo`, { force: true });
  }

  /** Forgets what was seen of files and folders: a compiler run read them, maybe as they are after a change made meanwhile. */
  forgetStats(): void {
    this.seen.clear();
  }

  private once<T extends string | boolean | ReturnType<typeof listing>>(key: string, get: () => T): T {
    const known = this.seen.get(key);
    if (known !== undefined) return known as T;
    const value = get();
    this.seen.set(key, value);
    return value;
  }

  /** A folder's `listing` without planned files, once per `forgetStats`. */
  private listed(dir: string, modules = false): ReturnType<typeof listing> {
    return this.once(`listing\0${modules}\0${dir}`, () => listing(dir, undefined, modules));
  }

  private isFile(path: string): boolean {
    return this.once(`file\0${path}`, () => isFile(path));
  }

  /** The known state the project is in now, with its errors, or undefined. */
  current(): KnownState | undefined {
    return this.lookup(new Map());
  }

  /**
   * The known state the project would be in with the `planned` files written,
   * or undefined: every file of the state as it is now (or as planned), and
   * every folder of the state holding what it holds now (or will hold).
   */
  lookup(planned: PlannedPrints): KnownState | undefined {
    let dirs: Record<string, string> | undefined;
    for (const state of this.data.states) {
      if (!Object.entries(state.files).every(([path, print]) => (planned.get(path) ?? this.fingerprint(path, print.startsWith("#"))) === print)) continue;
      dirs ??= this.dirPrints(Object.keys(state.files), planned);
      if (sameRecord(state.dirs, dirs)) return state;
    }
    return undefined;
  }

  /**
   * What the folders a state depends on hold (with the planned files
   * written): every folder of the project but node_modules and dot-folders
   * (where tsconfig's `include` finds files), the folders of the program's
   * files outside the project, the node_modules folders of the project and
   * of every folder above it, and those the program read from, with their
   * @scope folders (where a new package or @types appears); and the
   * package.json ruling each file of the program (by its path).
   */
  dirPrints(files: string[], planned: PlannedPrints): Record<string, string> {
    const out: Record<string, string> = {};
    // Per folder, what the planned files add to it (their folders too) and take from it.
    const changed = new Map<string, Planned>();
    const at = (dir: string) => changed.get(dir) ?? (changed.set(dir, { files: new Set(), dirs: new Set(), removed: new Set() }), changed.get(dir)!);
    for (const [path, print] of planned) {
      const parts = path.split("/");
      parts.forEach((name, i) => {
        const dir = parts.slice(0, i).join("/");
        if (i < parts.length - 1) at(dir).dirs.add(name);
        else (print === "-" ? at(dir).removed : at(dir).files).add(name);
      });
    }
    // A linked folder is walked too (tsconfig's wildcards follow links), each
    // real folder once: a link to a folder above it, or a second link to one
    // already listed, adds its entry (with its target) to its folder's
    // listing and nothing more. A folder's real path is its parent's plus its
    // name; only a link costs a realpath.
    const seen = new Set<string>();
    const walk = (rel: string, real: string) => {
      if (seen.has(real)) return;
      seen.add(real);
      const names = listing(rel === "" ? this.root : join(this.root, rel), changed.get(rel), false, rel === "" ? RECORD_FILE : undefined);
      out[rel] = names.print;
      for (const dir of names.dirs) walk(rel === "" ? dir : `${rel}/${dir}`, join(real, dir));
      for (const dir of names.links) {
        const sub = rel === "" ? dir : `${rel}/${dir}`;
        const target = safeRealpath(join(this.root, sub));
        if (target) walk(sub, target);
      }
    };
    walk("", this.realRoot);
    const modulesFolder = (folder: string) => {
      if (out[folder] !== undefined) return;
      const top = this.listed(folder, true);
      out[folder] = top.print;
      for (const dir of top.dirs) if (dir.startsWith("@")) out[join(folder, dir)] = this.listed(join(folder, dir), true).print;
    };
    // Where packages and @types are looked up: node_modules in the project and every folder above it.
    for (let dir = this.realRoot; ; dir = dirname(dir)) {
      modulesFolder(join(dir, "node_modules"));
      if (dirname(dir) === dir) break;
    }
    // And where the program's files came from (a pnpm store, a linked package's own node_modules).
    for (const key of files) {
      const path = isAbsolute(key) ? key : join(this.root, key);
      const modules = path.lastIndexOf(`${sep}node_modules${sep}`);
      if (modules === -1) {
        if (isAbsolute(key)) out[dirname(key)] ??= this.listed(dirname(key)).print;
        continue;
      }
      modulesFolder(path.slice(0, modules + `${sep}node_modules`.length));
    }
    // The package.json that rules each file of the program (the nearest one
    // above it: its package's `exports`, `types`, `type`), by its path: an
    // edit there changes what tsc reads without changing a name or a file of
    // the program. The project's own is in the state's files already; one in
    // a folder of the project is known by content (as planned, when the
    // change writes it).
    const ruling = new Map<string, string | undefined>();
    const packageJsonOf = (dir: string): string | undefined => {
      if (ruling.has(dir)) return ruling.get(dir);
      const here = join(dir, "package.json");
      const found = this.isFile(here) ? here : dirname(dir) === dir ? undefined : packageJsonOf(dirname(dir));
      ruling.set(dir, found);
      return found;
    };
    for (const key of files) {
      const path = isAbsolute(key) ? key : join(this.root, key);
      if (!(planned.has(key) ? planned.get(key) !== "-" : this.isFile(path))) continue; // a place a config was looked for: no package of its own
      const manifest = packageJsonOf(dirname(path));
      if (manifest === undefined) continue;
      const rel = this.keyOf(manifest, this.root);
      if (rel === "package.json" || out[rel] !== undefined) continue;
      out[rel] = isAbsolute(rel) ? this.fingerprint(rel) : (planned.get(rel) ?? this.fingerprint(rel, true));
    }
    return out;
  }

  /**
   * The key of a file tsc listed from the mirror: project-relative for the
   * project's files (seen through the mirror or at their real path),
   * absolute for the rest.
   */
  keyOf(listed: string, mirror: string): string {
    return this.once(`key\0${mirror}\0${listed}`, () => this.keyIn(listed, mirror));
  }

  private keyIn(listed: string, mirror: string): string {
    for (const prefix of [mirror, this.realRoot, this.root]) {
      const rel = inside(prefix, listed);
      if (rel !== undefined) return rel;
    }
    return listed;
  }

  /** The fingerprint of a file (by key) as it is now: `#hash` of its content when `hashed`; with its inode in node_modules. */
  fingerprint(key: string, hashed = false): Fingerprint {
    return this.once(`${hashed ? "hash" : "stat"}\0${key}`, () => this.print(key, hashed));
  }

  private print(key: string, hashed: boolean): Fingerprint {
    const path = isAbsolute(key) ? key : join(this.root, key);
    try {
      if (hashed) return `#${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
      const stat = statSync(path);
      return path.includes(`${sep}node_modules${sep}`) ? `${stat.mtimeMs}:${stat.size}:${stat.ino}` : `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return "-";
    }
  }

  /** Records a state whose errors are known (the newest first; older ones beyond the limit go). */
  remember(state: KnownState): void {
    const same = (a: KnownState) => JSON.stringify(a.files) === JSON.stringify(state.files);
    this.data.states = [state, ...this.data.states.filter((s) => !same(s))].slice(0, MAX_STATES);
  }

  /** Writes the states (atomically) and trims the cache to the most recently checked projects. */
  save(): void {
    try {
      const temp = `${this.base}.json.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(this.data));
      renameSync(temp, `${this.base}.json`);
      trim(dirname(this.base));
    } catch {
      // As above: only time is lost.
    }
  }
}

/** Whether two records hold the same keys with the same values. */
function sameRecord(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  if (!a) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Files whose appearance can change a program: code (tsconfig's `include`, module resolution) and JSON (`resolveJsonModule`). */
const codeFile = /\.(?:[cm]?[jt]sx?|json)$/;

/** What planned files change in one folder: files written, sub-folders they need, files deleted. */
interface Planned {
  files: Set<string>;
  dirs: Set<string>;
  removed: Set<string>;
}

/**
 * What a folder holds, as a short hash: its sub-folders and code files
 * (names starting with a dot left out: tsconfig's wildcards never match
 * them; nor `ignore`, the record this CLI writes beside every change), as it
 * will be with `planned` applied; in node_modules every entry. A link is
 * listed with its target (`npm link`, or pointing a linked folder elsewhere,
 * changes only that); outside node_modules the linked folders are returned
 * in `links` (to be walked like folders). A folder that does not exist
 * holds what is planned in it, else is `-`.
 */
function listing(dir: string, planned?: Planned, modules = false, ignore?: string): { print: string; dirs: string[]; links: string[] } {
  const names = new Set<string>();
  const dirs = new Set<string>();
  const links = new Set<string>();
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    if (!planned) return { print: "-", dirs: [], links: [] };
    entries = [];
  }
  for (const entry of entries) {
    const name = entry.name;
    if (modules) {
      names.add(entry.isSymbolicLink() ? `${name} -> ${safeReadlink(join(dir, name))}` : name);
      if (entry.isDirectory()) dirs.add(name);
    } else if (name === "node_modules") names.add(name); // its appearing adds packages and @types (its contents are listed where the program reads them)
    else if (name.startsWith(".") || name === ignore || planned?.removed.has(name)) continue;
    else if (entry.isSymbolicLink()) {
      // Listed with its target, so that pointing it elsewhere changes the listing; a linked folder is walked
      // as a folder, a link to nothing is listed too (what it points to may appear).
      const kind = linkKind(join(dir, name));
      if (kind === "dir") links.add(name);
      // By its real path: a link to a link that is pointed elsewhere changes it too.
      if (kind !== "file" || codeFile.test(name)) names.add(`${name} -> ${safeRealpath(join(dir, name)) ?? safeReadlink(join(dir, name))}${kind === "dir" ? "/" : kind === "none" ? " (none)" : ""}`);
    } else if (entry.isDirectory()) dirs.add(name);
    else if (codeFile.test(name)) names.add(name);
  }
  for (const name of planned?.dirs ?? []) if (!name.startsWith(".") && name !== "node_modules" && !links.has(name)) dirs.add(name);
  for (const name of planned?.files ?? []) if (!name.startsWith(".") && codeFile.test(name)) names.add(name);
  const all = modules ? [...names] : [...names, ...[...dirs].map((d) => `${d}/`)];
  return { print: hashNames(all.sort()), dirs: [...dirs].sort(), links: [...links].sort() };
}

/** What a link points to: a folder, a file, or nothing (dangling, or a loop of links). */
function linkKind(path: string): "dir" | "file" | "none" {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch {
    return "none";
  }
}

/**
 * `path` relative to `folder`, `/`-separated, when it is inside it; else
 * undefined. Between two absolute, normalized POSIX paths (tsc's file names
 * are: most of a state's names) that is the rest after `folder/`, taken
 * without path.relative, which was a third of recording a state; any other
 * pair (Windows paths compare without case) goes through path.relative.
 */
export function inside(folder: string, path: string): string | undefined {
  const rel = isPlain(path) && isPlain(folder) ? (path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : "..") : relative(folder, path);
  // (A name starting with `..`, `..x/a.ts`, counts as outside: as it always did.)
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
}

const isPlain = (path: string) => sep === "/" && path.length > 1 && path.startsWith("/") && !/\/\.\.?(?:\/|$)|\/\/|.\/$/.test(path);

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

const hashNames = (names: string[]) => createHash("sha256").update(names.join("\0")).digest("hex").slice(0, 32);

function safeReadlink(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "?";
  }
}

/** The content fingerprint of text the gate planned (what the file will hold once written). */
export const contentPrint = (text: string): Fingerprint => `#${createHash("sha256").update(text).digest("hex")}`;

function trim(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { f } of entries.slice(MAX_PROJECTS)) {
    const stem = join(dir, f.slice(0, -".json".length));
    rmSync(`${stem}.json`, { force: true });
    rmSync(`${stem}.tsbuildinfo`, { force: true });
  }
}
