import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { extendedConfigs } from "../check/extended-configs.js";
import { findPackageHome, type TypeScriptInstall } from "../check/tsc.js";
import { lintCacheDir } from "../core/cache-folder.js";
import { codeDir } from "../core/package-root.js";
import type { LintDiagnostic } from "./diagnostics.js";

// === Results of lint kept between runs ===
//
// Two kinds, each used only while nothing it was made from changed:
//
// Stage 3 (render and parse every answer combination) of one recipe: keyed
// by the CLI (its code and the versions of the packages it runs), the bytes
// of every file in the recipe's folder, its folder and how it is addressed.
// Its result is the diagnostics it found. On a catalogue that did not
// change, no template is rendered and TypeScript's parser is not loaded.
//
// Stage 4 (--typecheck): a recipe type-checked on a fixture (one "unit": every answer combination
// of one recipe, planned by the engine and checked by tsc) gives the same
// diagnostics as long as nothing it was made from changed. Its result is
// kept in the cache folder under a key of everything lint reads to make it:
//
//   - the CLI's code (every module of dist/src, or src under a test runner)
//     and the versions of the packages it runs (Handlebars, ts-morph, ...);
//   - the TypeScript that checks (version, path, its file's size and mtime)
//     and the packages linked into the scratch folder (each one's path and
//     package.json);
//   - the fixture: its path and the bytes of every file of it lint copies,
//     the configs its tsconfig extends, and what the engine read of its
//     installed packages (versions) and facts;
//   - the recipe: the bytes of every file in its folder; and the manifests
//     of the whole catalogue (planning reads them: order, requirements).
//
// A result also records the files outside the copies that tsc read for it
// (`--listFiles`: lib files, the packages' declarations, by their real
// path) with their size, mtime and inode (npm writes every file with one
// fixed mtime; a reinstall gives new inodes). It is used only while they
// are all as they were. Not seen, as in the gate's cache: a file added to an
// installed package, where a resolution that failed would now succeed, with
// nothing else in the package changed.
//
// So editing one template re-renders, re-plans and re-checks that recipe
// alone, on every fixture; a manifest edit re-checks the catalogue. Results are written
// only for a fixture whose check ran to its end without errors of its own
// (a fixture that does not type-check, a tsc that failed or timed out).
//
// Each file is written whole (a temporary file renamed), and the newest
// MAX_ENTRIES are kept. `lint --no-cache` (or CREATE_BOT_SNIPPET_LINT_CACHE=off)
// neither reads nor writes them; `CREATE_BOT_SNIPPET_LINT_CACHE=<dir>`
// moves the folder. A LintCache lives for one lint run: the prints of the
// files it read are taken once per run.

type Diagnostic = Omit<LintDiagnostic, "severity"> & { severity?: LintDiagnostic["severity"] };

/** Bumped when what a result holds, or how its key is made, changes. */
const FORMAT = 2;
const MAX_ENTRIES = 3000;

const sha = (...parts: Array<string | Buffer>) => {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(typeof p === "string" ? `${p.length}:${p}` : p);
  return hash.digest("hex");
};

/** A file's stamp: size, mtime and inode (`-` when it is gone). */
const stampOf = (path: string) => {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return "-";
  }
};

/**
 * Every file under `dir` (not `skip` folders), sorted: relative path and
 * contents, for a key. Links are taken by their text; with `follow`, also by
 * what they point to (a fixture's link to a shared file outside it: tsc
 * reads the target), each real folder once. A recipe folder is never
 * followed out of: a pack's link is not read.
 */
function folderPrint(dir: string, options: { skip?: (name: string) => boolean; follow?: boolean } = {}): string {
  const hash = createHash("sha256");
  const seen = new Set<string>();
  const file = (path: string) => {
    const data = readFileSync(join(dir, path));
    hash.update(`file\0${path}\0${data.length}\0`);
    hash.update(data);
  };
  const walk = (rel: string) => {
    if (options.follow) {
      const real = realpathOr(join(dir, rel));
      if (seen.has(real)) return;
      seen.add(real);
    }
    const names = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      if (options.skip?.(d.name)) continue;
      const path = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isSymbolicLink()) {
        hash.update(`link\0${path}\0${readlinkSync(join(dir, path))}\0`);
        if (!options.follow) continue;
        let target;
        try {
          target = statSync(join(dir, path));
        } catch {
          continue; // dangling
        }
        if (target.isDirectory()) walk(path);
        else if (target.isFile()) file(path);
      } else if (d.isDirectory()) {
        hash.update(`dir\0${path}\0`);
        walk(path);
      } else if (d.isFile()) file(path);
      else hash.update(`other\0${path}\0`);
    }
  };
  walk("");
  return hash.digest("hex");
}

/** The CLI's own code: every module file under dist/src (src under a test runner). */
let codePrint: string | undefined;
function cliCodePrint(): string {
  return (codePrint ??= folderPrint(codeDir(), { skip: (name) => name === "node_modules" || /\.(json|map|txt|md)$/.test(name) }));
}

/** The CLI: its code and the packages it runs (Handlebars, ts-morph, ...), by their package.json. */
function cliPrint(packageRoot: string): string {
  let packageJson: { dependencies?: Record<string, string> } = {};
  try {
    packageJson = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as typeof packageJson;
  } catch {
    // no package.json: the code alone
  }
  const runs = Object.keys(packageJson.dependencies ?? {})
    .sort()
    .map((name) => {
      const home = findPackageHome(packageRoot, name);
      const file = home && join(home, "node_modules", name, "package.json");
      return `${name}\0${file ? `${realpathOr(file)}\0${readOr(file)}` : "-"}`;
    });
  return sha(String(FORMAT), process.platform, process.arch, cliCodePrint(), ...runs);
}

/** The cache of one lint run. */
export class LintCache {
  private readonly recipePrints = new Map<string, string>();
  readonly cli: string;
  /** Recipes whose stage 3 came from an earlier run. */
  renders = 0;

  private constructor(
    readonly store: ResultStore,
    packageRoot: string,
  ) {
    this.cli = cliPrint(packageRoot);
  }

  /** The cache, or undefined when it is off (`enabled` false, or CREATE_BOT_SNIPPET_LINT_CACHE=off). */
  static open(options: { enabled?: boolean; packageRoot: string }): LintCache | undefined {
    const setting = process.env.CREATE_BOT_SNIPPET_LINT_CACHE;
    if (options.enabled === false || setting === "off" || setting === "0") return undefined;
    try {
      return new LintCache(new ResultStore(setting || lintCacheDir()), options.packageRoot);
    } catch {
      return undefined; // a cache that cannot be read is no cache: lint checks everything
    }
  }

  /** Every file of a recipe's folder, taken once per run. */
  recipePrint(recipeDir: string): string {
    let print = this.recipePrints.get(recipeDir);
    if (print === undefined) this.recipePrints.set(recipeDir, (print = folderPrint(recipeDir)));
    return print;
  }

  private renderKey(recipeDir: string, ref: string): string {
    return `render-${sha(this.cli, recipeDir, ref, this.recipePrint(recipeDir))}`;
  }

  /** What stage 3 found in a recipe (addressed as `ref`) when nothing of it changed since. */
  rendered(recipeDir: string, ref: string): Diagnostic[] | undefined {
    const entry = this.store.read(this.renderKey(recipeDir, ref)) as { diagnostics?: unknown } | undefined;
    if (!Array.isArray(entry?.diagnostics)) return undefined;
    this.renders++;
    return entry.diagnostics as Diagnostic[];
  }

  keepRendered(recipeDir: string, ref: string, diagnostics: Diagnostic[]): void {
    this.store.write(this.renderKey(recipeDir, ref), { diagnostics });
  }

  /** At the end of the run: old results go (when this run wrote any). */
  finish(): void {
    if (this.store.written) this.store.prune();
  }

  /** The part for stage 4, for the TypeScript and packages it checks with. */
  typecheck(options: { ts: TypeScriptInstall; linked: Map<string, string>; tscArgs: string[]; recipeDirs: string[] }): TypecheckCache {
    return new TypecheckCache(this, options);
  }
}

/** The folder of results: JSON files read and written whole. */
class ResultStore {
  written = false;
  constructor(readonly dir: string) {}

  /** A result, or undefined; a result read is marked as used (the newest are kept). */
  read(name: string): unknown {
    const file = join(this.dir, `${name}.json`);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return undefined;
    }
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // read-only: still a result
    }
    return value;
  }

  write(name: string, value: unknown): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeWhole(join(this.dir, `${name}.json`), JSON.stringify(value));
      this.written = true;
    } catch {
      // a full disk or a read-only cache folder: results are not kept, the lint stands
    }
  }

  /** The newest MAX_ENTRIES results (and the dependency lists they use) are kept; temporary files of a killed run go. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const now = Date.now();
    const entries: Array<{ name: string; mtime: number }> = [];
    for (const name of names) {
      const path = join(this.dir, name);
      let mtime: number;
      try {
        mtime = statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (name.endsWith(".tmp")) {
        if (now - mtime > 60_000) tryUnlink(path);
      } else if (!name.startsWith("deps-")) entries.push({ name, mtime });
    }
    if (entries.length <= MAX_ENTRIES) return;
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const { name } of entries.slice(MAX_ENTRIES)) tryUnlink(join(this.dir, name));
    // Dependency lists no kept result names.
    const used = new Set<string>();
    for (const { name } of entries.slice(0, MAX_ENTRIES)) {
      try {
        const deps = (JSON.parse(readFileSync(join(this.dir, name), "utf8")) as { deps?: unknown }).deps;
        if (typeof deps === "string") used.add(deps);
      } catch {
        // unreadable: removed with its list when it ages out
      }
    }
    for (const name of names) if (name.startsWith("deps-") && name.endsWith(".json") && !used.has(name.slice(5, -5))) tryUnlink(join(this.dir, name));
  }
}

/** Stage 4's results: a recipe on a fixture. */
export class TypecheckCache {
  private readonly stamps = new Map<string, string>();
  private readonly depsValid = new Map<string, boolean>();
  private readonly catalogue: string;
  private readonly base: string;
  hits = 0;
  units = 0;

  constructor(
    private readonly lint: LintCache,
    options: { ts: TypeScriptInstall; linked: Map<string, string>; tscArgs: string[]; recipeDirs: string[] },
  ) {
    const linked = [...options.linked].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, source]) => `${name}\0${realpathOr(source)}\0${readOr(join(source, "package.json"))}\0${stampOf(join(source, "package.json"))}`);
    const tsBin = realpathOr(options.ts.bin);
    this.base = sha(lint.cli, ...linked, options.ts.version, tsBin, stampOf(tsBin), JSON.stringify(options.tscArgs));
    // Planning reads every manifest of the catalogue (order, requirements): a manifest's edit is everyone's.
    this.catalogue = sha(...options.recipeDirs.map((d) => `${d}\0${readOr(join(d, "recipe.json"))}`));
  }

  /**
   * The part of a unit's key that is the fixture: where it is (`id`: its path, or the name of a
   * built-in fixture, written anew into each run's scratch folder), its files, the configs it
   * extends, what the engine read of it.
   */
  fixtureKey(id: string, fixtureDir: string, read: { installed: unknown; facts: unknown }): string {
    const configs = extendedConfigs(join(fixtureDir, "tsconfig.json")).map((path) => `${path}\0${readOr(path)}`);
    return sha(this.base, id, folderPrint(fixtureDir, { skip: (name) => name === "node_modules" || name === "dist", follow: true }), ...configs, JSON.stringify(read));
  }

  /** A recipe on a fixture. */
  unitKey(fixtureKey: string, recipeDir: string): string {
    return sha(fixtureKey, this.catalogue, recipeDir, this.lint.recipePrint(recipeDir));
  }

  /** The unit's diagnostics when a result is kept for its key and every file tsc read for it is as it was. */
  get(key: string): Diagnostic[] | undefined {
    this.units++;
    const entry = this.lint.store.read(key) as { deps?: unknown; diagnostics?: unknown } | undefined;
    if (typeof entry?.deps !== "string" || !Array.isArray(entry.diagnostics) || !this.depsHold(entry.deps)) return undefined;
    this.hits++;
    return entry.diagnostics as Diagnostic[];
  }

  private depsHold(deps: string): boolean {
    let valid = this.depsValid.get(deps);
    if (valid === undefined) {
      try {
        const list = JSON.parse(readFileSync(join(this.lint.store.dir, `deps-${deps}.json`), "utf8")) as Array<[string, string]>;
        valid = Array.isArray(list) && list.every(([path, stamp]) => this.stamp(path) === stamp);
      } catch {
        valid = false;
      }
      this.depsValid.set(deps, valid);
    }
    return valid;
  }

  private stamp(path: string): string {
    let stamp = this.stamps.get(path);
    if (stamp === undefined) this.stamps.set(path, (stamp = stampOf(path)));
    return stamp;
  }

  /**
   * Keeps the results of a fixture's units. `read`: the files tsc listed
   * (`--listFiles`); those outside `copies` (the scratch folder of the
   * fixture) are recorded with their stamps.
   */
  put(units: Array<{ key: string; diagnostics: Diagnostic[] }>, read: string[], copies: string): void {
    if (units.length === 0) return;
    const inside = (path: string) => {
      const rel = relative(copies, path);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    };
    const list = [...new Set(read.filter((path) => !inside(path)))].sort().map((path) => [path, this.stamp(path)] as [string, string]);
    const deps = sha(JSON.stringify(list));
    this.lint.store.write(`deps-${deps}`, list);
    for (const unit of units) this.lint.store.write(unit.key, { deps, diagnostics: unit.diagnostics });
  }
}

/** The absolute paths tsc printed with `--listFiles`, one per line among its diagnostics. */
export function listedFiles(output: string): string[] {
  return output
    .split(/\r?\n/)
    .filter((line) => isAbsolute(line) && !/\(\d+,\d+\): error TS\d+/.test(line))
    .map((line) => line.split("/").join(sep));
}

function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "-";
  }
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
