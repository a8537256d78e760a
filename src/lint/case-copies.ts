import { createHash } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { copyFile, cp, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { TscDiagnostic } from "../check/tsc.js";

// === The case copies of one fixture, written once all are planned ===
//
// `lint --typecheck` writes one copy of a fixture project per recipe and
// answer combination (a "case"): the fixture's files (without node_modules
// and dist), overwritten by what the plan changed. Copies are kept in memory
// until the fixture is planned, then written, and a copy whose every file
// TypeScript can read is byte-identical, path for path, to a copy already
// written is not written: its check would be the same program text, so the
// first copy's diagnostics are its diagnostics (the caller reports them for
// both cases). Files TypeScript never reads (`.ftl` locales, `.gitignore`)
// take no part in that comparison: two copies that differ only there are
// checked once.
//
// The copies are written off the main thread (fs/promises), while the next
// fixture is planned: about 2,000 small files, a second or more on a slow
// disk. Unchanged files are copied with copyFile, not cpSync (cpSync's
// per-entry checks cost about 20 ms a copy).

/** What TypeScript may read in a project: sources, declarations, JavaScript (allowJs) and JSON (package.json, resolveJsonModule). */
const readByTypeScript = /\.([cm]?[jt]sx?|json)$/i;

type Entry = { path: string; kind: "dir" | "file" | "link"; hash?: string };

const hashOf = (data: string | Buffer) => createHash("sha1").update(data).digest("hex");

export class FixtureCopies {
  private readonly entries: Entry[] = [];
  /** Case name → files (path relative to the copy, `/`-separated) → text written over the fixture's. */
  private readonly copies = new Map<string, Map<string, string>>();

  constructor(
    private readonly fixtureDir: string,
    private readonly root: string,
  ) {
    // What `cpSync(fixtureDir, copy, { recursive: true, filter: not node_modules or dist })` copied.
    const walk = (rel: string) => {
      for (const d of readdirSync(join(fixtureDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (d.name === "node_modules" || d.name === "dist") continue;
        const path = rel === "" ? d.name : `${rel}/${d.name}`;
        if (d.isSymbolicLink()) this.entries.push({ path, kind: "link", hash: hashOf(`symlink\0${readlinkSync(join(fixtureDir, path))}`) });
        else if (d.isDirectory()) {
          this.entries.push({ path, kind: "dir" });
          walk(path);
        } else this.entries.push({ path, kind: "file", ...(readByTypeScript.test(path) ? { hash: hashOf(readFileSync(join(fixtureDir, path))) } : {}) });
      }
    };
    walk("");
  }

  /** Starts the copy `caseName`: the fixture as it is, until `set` changes its files. */
  create(caseName: string): void {
    this.copies.set(caseName, new Map());
  }

  /** Sets the text of a file of the copy `caseName` (a changed file, or one more generated module). */
  set(caseName: string, path: string, text: string): void {
    this.copies.get(caseName)!.set(path.split("\\").join("/"), text);
  }

  /** The folder of the copy `caseName`. */
  dir(caseName: string): string {
    return join(this.root, caseName);
  }

  /**
   * Writes every copy whose files TypeScript reads differ from those of
   * each copy written before it. Returns the copies written, in order, for
   * each copy not written the one it is identical to, and when the writing
   * is done.
   */
  write(): { written: string[]; sameAs: Map<string, string>; done: Promise<void> } {
    const written: string[] = [];
    const sameAs = new Map<string, string>();
    const byContent = new Map<string, string>();
    for (const [caseName, changed] of this.copies) {
      const key = this.contentKey(changed);
      const first = byContent.get(key);
      if (first !== undefined) {
        sameAs.set(caseName, first);
        continue;
      }
      byContent.set(key, caseName);
      written.push(caseName);
    }
    const done = Promise.all(written.map((c) => this.writeCopy(this.dir(c), this.copies.get(c)!))).then(() => undefined);
    return { written, sameAs, done };
  }

  /** The paths and contents of the files TypeScript may read in a copy. */
  private contentKey(changed: Map<string, string>): string {
    const files = new Map<string, string>();
    for (const e of this.entries) if (e.hash !== undefined) files.set(e.path, e.hash);
    for (const [path, text] of changed) if (readByTypeScript.test(path)) files.set(path, hashOf(text));
    return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, hash]) => `${path}\0${hash}`).join("\n");
  }

  private async writeCopy(dir: string, changed: Map<string, string>): Promise<void> {
    // Folders first (parents before children), then the fixture's files, then what the plan changed over them.
    await mkdir(dir, { recursive: true });
    for (const e of this.entries) if (e.kind === "dir") await mkdir(join(dir, e.path), { recursive: true });
    for (const folder of new Set([...changed.keys()].map((path) => dirname(join(dir, path))))) await mkdir(folder, { recursive: true });
    await Promise.all(
      this.entries.map((e) => {
        const source = join(this.fixtureDir, e.path);
        return e.kind === "link" ? cp(source, join(dir, e.path), { recursive: true }) : e.kind === "file" ? copyFile(source, join(dir, e.path)) : undefined;
      }),
    );
    await Promise.all([...changed].map(([path, text]) => writeFile(join(dir, path), text)));
  }
}

/**
 * tsc's diagnostics (paths `<copy>/<path>`) for every copy, those not
 * written (`sameAs`: copy → the copy identical to it) included: each gets
 * the diagnostics of the copy it is identical to. In the order tsc gives
 * when it checks them all (copy folders in name order, each copy's own
 * order kept).
 */
export function diagnosticsPerCopy(diagnostics: TscDiagnostic[], sameAs: Map<string, string>): Array<{ diagnostic: TscDiagnostic; copy: string; path: string }> {
  const copiesOf = new Map<string, string[]>();
  for (const [copy, first] of sameAs) copiesOf.set(first, [...(copiesOf.get(first) ?? []), copy]);
  const out = diagnostics.flatMap((diagnostic) => {
    const [copy, ...rest] = diagnostic.file.split("/");
    return [copy!, ...(copiesOf.get(copy!) ?? [])].map((name) => ({ diagnostic, copy: name, path: rest.join("/") }));
  });
  // Array#sort is stable: within a copy, tsc's order stays.
  return out.sort((a, b) => (a.copy === b.copy ? 0 : a.copy < b.copy ? -1 : 1));
}
