import { existsSync, statSync } from "node:fs";
import { failure } from "../core/errors.js";
import { resolve } from "node:path";
import { readTextFile } from "../core/regular-file.js";
import { realPath, safeProjectPath } from "./safe-path.js";

/** One planned change to one file. */
export interface FileChange {
  /** Project-relative, `/`-separated. */
  path: string;
  /** `delete`: the file is removed (`after` is then ""). */
  kind: "create" | "update" | "delete";
  before: string | undefined;
  after: string;
}

/**
 * The virtual tree every edit is planned against (Nx's `Tree` idea): reads
 * fall through to the disk, writes stay in memory, and `changes()` lists what
 * differs from the disk. Writing identical content records no change, which
 * is what makes a second `add` a no-op. Only `commit.ts` ever touches the disk.
 */
export class Tree {
  private readonly written = new Map<string, string>();
  private readonly deleted = new Set<string>();
  private readonly original = new Map<string, string | undefined>();

  /** Called on every write with what the path held before (in this tree) and after: how the record learns which step changed what. */
  onWrite: ((path: string, before: string | undefined, after: string) => void) | undefined;

  constructor(readonly root: string) {}

  /**
   * Paths already checked, as given → normalized. Planning asks for the same
   * paths again and again (every recipe of the catalogue looks for its file,
   * every edit reads then writes), and each check walks the path through the
   * disk's links; what it finds does not change while a plan is made.
   */
  private readonly checked = new Map<string, string>();
  private realRoot: string | undefined;

  /** Normalizes and checks a path (throws for paths outside the project). */
  path(path: string): string {
    let p = this.checked.get(path);
    if (p === undefined) {
      p = safeProjectPath(this.root, path, undefined, this.realRoot);
      this.realRoot ??= realPath(this.root); // it exists: the path was checked against it
      this.checked.set(path, p);
    }
    return p;
  }

  exists(path: string): boolean {
    const p = this.path(path);
    if (this.deleted.has(p)) return false;
    return this.written.has(p) || existsSync(resolve(this.root, p));
  }

  read(path: string): string | undefined {
    const p = this.path(path);
    if (this.deleted.has(p)) return undefined;
    if (this.written.has(p)) return this.written.get(p);
    return this.readOriginal(p);
  }

  write(path: string, content: string): void {
    const p = this.path(path);
    this.checkFolders(p);
    const before = this.onWrite ? this.read(p) : this.readOriginal(p);
    this.deleted.delete(p);
    this.written.set(p, content);
    this.onWrite?.(p, before, content);
  }

  /** Plans the removal of a file (nothing happens for a file that does not exist). */
  delete(path: string): void {
    const p = this.path(path);
    this.readOriginal(p);
    this.written.delete(p);
    this.deleted.add(p);
  }

  /**
   * A file where the path needs a folder (`recipes` is a file, `recipes/x.ts`
   * is planned) is refused when planned, before the type-check mirror or the
   * commit would trip over it (EEXIST, ENOTDIR).
   */
  private checkFolders(p: string): void {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      let stat;
      try {
        stat = statSync(resolve(this.root, dir));
      } catch {
        return; // missing: the commit creates it (and everything below it)
      }
      if (!stat.isDirectory()) throw failure(`${dir} is a file where a folder is needed for ${p}; nothing was changed`, "move or rename that file, then run again");
    }
  }

  private readOriginal(p: string): string | undefined {
    if (!this.original.has(p)) {
      const abs = resolve(this.root, p);
      // A folder, FIFO or socket where a file is planned, or bytes that are not UTF-8, are refused by path.
      this.original.set(p, readTextFile(abs, p));
    }
    return this.original.get(p);
  }

  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const [path, after] of this.written) {
      const before = this.original.get(path);
      if (before === after) continue;
      out.push({ path, kind: before === undefined ? "create" : "update", before, after });
    }
    for (const path of this.deleted) {
      const before = this.original.get(path);
      if (before !== undefined) out.push({ path, kind: "delete", before, after: "" });
    }
    return out.sort((a, b) => a.path.localeCompare(b.path));
  }
}
