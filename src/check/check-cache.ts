import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { journalDir } from "../engine/journal.js";
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
//                       a file the change wrote, the hash of its content),
//                       and the errors tsc reported for that state
//
// When the project is still one of those states, the errors it had before a
// change are read from here instead of from a second tsc run. Any file that
// changed, appeared or went away makes the state unknown again (the gate
// then runs tsc on the project as it is).

/** A file's fingerprint: `mtime:size`, `#sha256` for content the gate wrote, `-` for absent. */
export type Fingerprint = string;

export interface KnownState {
  /** Project-relative (`src/bot.ts`) or absolute (outside the project) path → fingerprint. */
  files: Record<string, Fingerprint>;
  diagnostics: TscDiagnostic[];
}

interface CacheFile {
  version: 1;
  /** The TypeScript that produced it (bin path and version): another one starts over. */
  typescript: string;
  states: KnownState[];
}

/** How many projects keep a cache (the least recently checked go first). */
const MAX_PROJECTS = 24;
/** Known states kept per project: the project before the last change and after it. */
const MAX_STATES = 2;

/** The folder of the gate's cache: `$CREATE_BOT_SNIPPET_CHECK_CACHE`, else `check/` beside the journal folder. */
export function checkCacheDir(): string {
  return process.env.CREATE_BOT_SNIPPET_CHECK_CACHE || join(dirname(journalDir()), "check");
}

export class CheckCache {
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
      let data: CacheFile = { version: 1, typescript, states: [] };
      try {
        const read = JSON.parse(readFileSync(`${base}.json`, "utf8")) as CacheFile;
        if (read.version === 1 && read.typescript === typescript && Array.isArray(read.states)) data = read;
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

  /** The known state the project is in now, with its errors, or undefined. */
  current(): KnownState | undefined {
    return this.data.states.find((state) => Object.entries(state.files).every(([path, print]) => this.fingerprint(path, print.startsWith("#")) === print));
  }

  /**
   * The key of a file tsc listed from the mirror: project-relative for the
   * project's files (seen through the mirror or at their real path),
   * absolute for the rest.
   */
  keyOf(listed: string, mirror: string): string {
    for (const prefix of [mirror, this.realRoot, this.root]) {
      const rel = relative(prefix, listed);
      if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel)) return rel.split(sep).join("/");
    }
    return listed;
  }

  /** The fingerprint of a file (by key) as it is now: `#hash` of its content when `hashed`. */
  fingerprint(key: string, hashed = false): Fingerprint {
    const path = isAbsolute(key) ? key : join(this.root, key);
    try {
      if (hashed) return `#${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
      const stat = statSync(path);
      return `${stat.mtimeMs}:${stat.size}`;
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
