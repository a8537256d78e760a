import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { makeScratchDir } from "../core/scratch.js";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { DependencyChange } from "../engine/plan-types.js";
import type { FileChange } from "../engine/tree.js";
import { parseJsonc } from "../project/jsonc.js";
import { CheckCache, contentPrint, type Fingerprint, type PlannedPrints } from "./check-cache.js";
import { extendedConfigs } from "./extended-configs.js";
import { type ApiRun, takeChecker } from "./api-checker.js";
import { findPackageHome, findTypeScript, runTsc, type TscDiagnostic, type TypeScriptInstall } from "./tsc.js";

// === The type-check gate of `add` ===
//
//   planned changes ──► the project's own compiler, with its tsconfig:
//   (in memory)          TypeScript 4.5-6: a process of its own (api-checker.ts),
//                          started early, the planned files laid over the project
//                          in memory
//                        TypeScript 7 (or that process failing): tsc on a scratch
//                          mirror (symlinks to the user's files, the touched files
//                          written as they would be), incremental
//   (the project with this very change checked before: its errors come from the cache, no run)
//                                                            ├─ clean: pass (one run)
//                                                            └─ errors: only errors that are new
//                                                               count; the errors before come from
//                                                               the cache when the project is as it
//                                                               was last checked, else from a second
//                                                               run without the changes (the process
//                                                               reuses what it parsed: one check)
//
// Nothing is written in the user's tree: the mirror lives in the OS temp
// folder and is removed afterwards; TypeScript's build info and the known
// errors are kept in the cache folder beside the commit journal (see
// check-cache.ts). Real projects are often not clean, so an error the
// project already had never blocks an `add`.

export interface GateError extends TscDiagnostic {
  /** The text of the line in the changed file. */
  text?: string;
  /** Whether the line is one the change added (rather than one it broke elsewhere). */
  added: boolean;
}

export interface GateResult {
  /** False when the check could not run; `reason` says why. */
  checked: boolean;
  reason?: string;
  /** Errors the change would introduce. */
  newErrors: GateError[];
  /** New errors in files that import a dependency the change adds but that is not installed yet (not counted). */
  pending: GateError[];
  typescript?: string;
  /** Milliseconds the check took, and how many tsc runs. */
  ms: number;
  runs: number;
  /** How the compiler ran: its API in a process of its own (TypeScript 4.5 to 6), or tsc on a scratch mirror. */
  via?: "api" | "tsc";
  /** Whether the errors before the change came from the cache (no tsc run for them). */
  cached?: boolean;
  /**
   * The project's own errors before the change (with the packages it had):
   * what `checkInstalled` compares the project with once the change's
   * packages are installed. Costs no extra run: it is the second run when
   * the change has errors, and nothing when it has none.
   */
  baseline?: TscDiagnostic[];
}

/** Whether `add` checks by default: the project has TypeScript installed. */
export function hasTypeScript(root: string): boolean {
  return findTypeScript(root) !== undefined;
}

export async function checkPlannedChanges(root: string, changes: FileChange[], dependencies: DependencyChange[] = []): Promise<GateResult> {
  const start = performance.now();
  const result = (r: Omit<GateResult, "ms">): GateResult => ({ ...r, ms: Math.round(performance.now() - start) });
  const ts = findTypeScript(root);
  if (!ts) return result({ checked: false, reason: "typescript is not installed in the project", newErrors: [], pending: [], runs: 0 });
  if (!existsSync(join(root, "tsconfig.json"))) return result({ checked: false, reason: "the project has no tsconfig.json", newErrors: [], pending: [], runs: 0, typescript: ts.version });
  if (!changes.some((c) => /\.[cm]?tsx?$/.test(c.path) || c.path === "package.json")) {
    return result({ checked: true, newErrors: [], pending: [], runs: 0, typescript: ts.version });
  }

  const byPath = new Map(changes.map((c) => [c.path, c]));
  const planned: PlannedPrints = new Map(changes.map((c) => [c.path, c.kind === "delete" ? "-" : contentPrint(c.after)]));
  const cache = CheckCache.open(root, `${ts.bin}@${ts.version}`);
  // The project with this very change was checked before (`--dry-run`, or "no" at the prompt, then again),
  // and nothing it depends on has changed since: its errors are known, and so are those before it when it had any.
  const knownAfter = cache?.lookup(planned);
  const knownBefore = knownAfter && knownAfter.diagnostics.length > 0 ? cache?.current() : undefined;
  if (knownAfter && (knownAfter.diagnostics.length === 0 || knownBefore)) {
    const before = knownBefore?.diagnostics ?? [];
    for (const used of [knownBefore, knownAfter]) if (used) cache?.remember(used); // kept ahead of older states
    cache?.save();
    return result({ checked: true, ...judge(root, byPath, dependencies, before, knownAfter.diagnostics), runs: 0, typescript: ts.version, cached: true, baseline: before });
  }

  const runner = apiRunner(root, ts, changes) ?? mirrorRunner(root, ts, changes, cache);
  try {
    return await judgeRuns(runner);
  } catch (error) {
    if (runner.kind !== "api") throw error;
    // The compiler process failed (it crashed, or this TypeScript's internals differ): tsc on a mirror, as for TypeScript 7.
    await runner.close();
    const fallback = mirrorRunner(root, ts, changes, cache);
    try {
      return await judgeRuns(fallback);
    } finally {
      await fallback.close();
    }
  } finally {
    await runner.close();
  }

  async function judgeRuns(runner: Runner): Promise<GateResult> {
    const checking = runner.after(); // first: the compiler works while the cache is read
    const known = cache?.current(); // the project as it is now, if its errors are known
    const failed = (r: GateRun) => r.code !== 0 && r.diagnostics.length === 0;
    const after = await checking;
    cache?.forgetStats(); // what `current` saw may have changed while the compiler read it
    if (failed(after)) return result({ checked: false, reason: `tsc failed: ${withoutFileList(after.output).trim().slice(0, 200)}`, newErrors: [], pending: [], runs: runner.runs, typescript: ts!.version });

    // The project after the change, as it will be once written: the changed files by content.
    const afterFiles = cache ? stateFiles(cache, after.files, runner.base, (path) => planned.get(path)) : {};
    // The project before the change, as it is now: the files the change creates are absent.
    const beforeFiles = (listed: string[]) => (cache ? stateFiles(cache, listed, runner.base, (path) => (byPath.get(path)?.kind === "create" ? "-" : undefined)) : {});
    const fromChange = (path: string) => byPath.has(path);
    const remember = (files: Record<string, Fingerprint>, diagnostics: TscDiagnostic[], state: PlannedPrints = new Map()) => cache?.remember({ files, dirs: cache.dirPrints(Object.keys(files), state), diagnostics });
    const finish = () => {
      runner.finish();
      cache?.save();
    };

    // Clean after the change: clean before it too (a change only adds), which is the baseline the re-check after an install compares with.
    // (A change that deletes a file may have removed errors: its "before" is not recorded.)
    if (after.diagnostics.length === 0) {
      runner.done(); // no more runs: a compiler process ends while the states are recorded
      if (!changes.some((c) => c.kind === "delete")) remember(beforeFiles(after.files), []);
      remember(afterFiles, [], planned);
      finish();
      return result({ checked: true, newErrors: [], pending: [], runs: runner.runs, typescript: ts!.version, baseline: [], via: runner.kind });
    }

    // Some errors: what did the project have before the change? Known from the
    // last check when no file has changed since (and none has appeared).
    const appeared = Object.keys(afterFiles).some((path) => !isAbsolute(path) && !fromChange(path) && known?.files[path] === undefined);
    let before: TscDiagnostic[];
    let cached = false;
    if (known && !appeared) {
      before = known.diagnostics;
      cached = true;
      cache?.remember(known); // used again: kept ahead of older states
    } else {
      const run = await runner.before();
      cache?.forgetStats();
      runner.done();
      before = run.diagnostics;
      if (!failed(run)) remember(beforeFiles(run.files), before);
    }
    remember(afterFiles, after.diagnostics, planned);
    finish();
    return result({ checked: true, ...judge(root, byPath, dependencies, before, after.diagnostics), runs: runner.runs, typescript: ts!.version, cached, baseline: before, via: runner.kind });
  }
}

/** One tsc run's outcome, with the files of its program (absolute, as the compiler names them). */
type GateRun = Pick<ApiRun, "diagnostics" | "output" | "code" | "files">;

/**
 * How the gate runs the project's compiler: the project with the change
 * (`after`), then, only when that has errors the cache cannot judge, as it
 * is (`before`). `base` is the folder the program's file names are under.
 */
interface Runner {
  kind: "api" | "tsc";
  base: string;
  runs: number;
  after(): Promise<GateRun>;
  before(): Promise<GateRun>;
  /** No more runs will be asked for. */
  done(): void;
  /** Keeps what the next check starts from. */
  finish(): void;
  close(): Promise<void>;
}

/** The compiler process of api-checker.ts (TypeScript 4.5 to 6): the planned files are laid over the project in memory. */
function apiRunner(root: string, ts: TypeScriptInstall, changes: FileChange[]): Runner | undefined {
  const checker = takeChecker(root, ts);
  if (!checker) return undefined;
  const planned = Object.fromEntries(changes.map((c) => [c.path, c.kind === "delete" ? null : c.after]));
  const runner: Runner = {
    kind: "api",
    base: root,
    runs: 0,
    after: () => (runner.runs++, checker.check(planned)),
    before: () => (runner.runs++, checker.check({})),
    done: () => void checker.end(),
    finish: () => {},
    close: () => checker.end(),
  };
  return runner;
}

/**
 * tsc itself (TypeScript 7's native compiler, or a JavaScript one without
 * the API the worker needs) on a scratch mirror of the project, incremental
 * with the build info kept in the cache.
 */
function mirrorRunner(root: string, ts: TypeScriptInstall, changes: FileChange[], cache: CheckCache | undefined): Runner {
  const scratch = makeScratchDir("bot-snippet-check-"); // a missing or full TMPDIR: one line, nothing written
  const mirror = join(scratch, "project");
  const close = async () => rmSync(scratch, { recursive: true, force: true });
  let restored = false;
  const buildInfo = join(scratch, "tsbuildinfo");
  try {
    buildMirror(root, mirror, changes);
    // Packages hoisted above the project (workspaces) must resolve from the mirror too.
    const hoisted = findPackageHome(dirname(root), "typescript") ?? findPackageHome(dirname(root), "grammy");
    if (hoisted) symlinkSync(join(hoisted, "node_modules"), join(scratch, "node_modules"), "junction");
    // Incremental: TypeScript's build info from the last check sits beside the
    // mirror while tsc runs (its paths are relative to it, and every scratch
    // folder is at the same depth), so only what differs is checked again.
    restored = cache?.restoreBuildInfo(buildInfo) ?? false;
  } catch (error) {
    void close();
    throw error;
  }
  const plain = ["-p", "tsconfig.json", "--noEmit", "--composite", "false"];
  const args = cache ? [...plain, "--incremental", "--tsBuildInfoFile", buildInfo, "--listFiles"] : [...plain, "--incremental", "false"];
  const run = async (): Promise<GateRun> => {
    runner.runs++;
    const r = await runTsc(ts, args, mirror);
    return { ...r, files: listedFiles(r.output) };
  };
  const runner: Runner = {
    kind: "tsc",
    base: mirror,
    runs: 0,
    after: async () => {
      const after = await run();
      if (after.code === 0 || after.diagnostics.length > 0 || !restored) return after;
      // Build info this TypeScript cannot use: once more without it.
      cache?.forgetBuildInfo();
      rmSync(buildInfo, { force: true });
      return run();
    },
    before: () => {
      for (const change of changes) {
        const target = join(mirror, change.path);
        rmSync(target, { force: true });
        if (change.before !== undefined) symlinkSync(join(root, change.path), target);
      }
      return run();
    },
    done: () => {},
    finish: () => cache?.saveBuildInfo(buildInfo),
    close,
  };
  return runner;
}

/**
 * The errors of the project after the change that it did not have before,
 * each with its line; those in files that import a package the change adds
 * and that is not installed yet are `pending` (checked after the install).
 */
function judge(root: string, byPath: Map<string, FileChange>, dependencies: DependencyChange[], before: TscDiagnostic[], after: TscDiagnostic[]): { newErrors: GateError[]; pending: GateError[] } {
  const fresh = newDiagnostics(before, after);
  const missing = dependencies.filter((d) => d.status === "added" && !findPackageHome(root, d.name)).map((d) => d.name);
  const newErrors: GateError[] = [];
  const pending: GateError[] = [];
  for (const d of fresh) {
    const change = byPath.get(d.file);
    const text = change ? change.after.split(/\r?\n/)[d.line - 1] : readLine(join(root, d.file), d.line);
    const added = change !== undefined && (change.before === undefined || !change.before.split(/\r?\n/).includes(text ?? ""));
    const error: GateError = { ...d, text: text?.trim(), added };
    const content = change?.after ?? "";
    const waits = missing.some((m) => d.message.includes(`'${m}'`) || content.includes(`"${m}"`) || content.includes(`'${m}'`));
    (waits ? pending : newErrors).push(error);
  }
  return { newErrors, pending };
}

/** The files `--listFiles` printed (absolute paths, one a line, among the diagnostics). */
function listedFiles(output: string): string[] {
  return output.split(/\r?\n/).filter((line) => line !== "" && isAbsolute(line) && !/\(\d+,\d+\): error TS\d+/.test(line));
}

const withoutFileList = (output: string) => output.split(/\r?\n/).filter((line) => !(line !== "" && isAbsolute(line) && !/: error TS\d+/.test(line))).join("\n");

/**
 * The fingerprints of a state of the project: the files of the program (as
 * tsc listed them), tsconfig.json and package.json, and the changed files;
 * `planned` gives the fingerprint of a changed file in that state
 * (undefined: as it is on disk now).
 */
function stateFiles(cache: CheckCache, listed: string[], mirror: string, planned: (path: string) => Fingerprint | undefined): Record<string, Fingerprint> {
  const files: Record<string, Fingerprint> = {};
  const configs = extendedConfigs(join(cache.root, "tsconfig.json")).map((c) => cache.keyOf(c, mirror));
  const keys = new Set([...listed.map((l) => cache.keyOf(l, mirror)), "tsconfig.json", "package.json", ...configs]);
  for (const key of keys) files[key] = planned(key) ?? cache.fingerprint(key);
  return files;
}

/** The diagnostics of `after` that `before` does not have (counted, so a second identical error is new). */
export function newDiagnostics(before: TscDiagnostic[], after: TscDiagnostic[]): TscDiagnostic[] {
  const seen = new Map<string, number>();
  const key = (d: TscDiagnostic) => `${d.file}\0${d.code}\0${d.message}`;
  for (const d of before) seen.set(key(d), (seen.get(key(d)) ?? 0) + 1);
  return after.filter((d) => {
    const n = seen.get(key(d)) ?? 0;
    if (n > 0) seen.set(key(d), n - 1);
    return n === 0;
  });
}

/**
 * After the change is written and its packages installed: the project's
 * own tsc on the project itself, compared with the errors it had before.
 * Returns the new errors (empty when none, or when it cannot run).
 */
export async function checkInstalled(root: string, baseline: TscDiagnostic[]): Promise<TscDiagnostic[]> {
  const ts = findTypeScript(root);
  if (!ts || !existsSync(join(root, "tsconfig.json"))) return [];
  const now = await runTsc(ts, ["-p", "tsconfig.json", "--noEmit", "--incremental", "false", "--composite", "false"], root);
  return newDiagnostics(baseline, now.diagnostics);
}

/**
 * A folder that looks like the project: every entry a symlink to the user's,
 * except the folders on the way to a changed file, which are real folders of
 * symlinks, and the changed files, which are written. The tsconfig is copied
 * when it extends a file outside the project (a relative path would break).
 */
function buildMirror(root: string, mirror: string, changes: FileChange[]): void {
  const changed = new Set(changes.map((c) => c.path));
  const dirsOnPath = new Set<string>();
  for (const c of changes) {
    const parts = c.path.split("/");
    for (let i = 1; i < parts.length; i++) dirsOnPath.add(parts.slice(0, i).join("/"));
  }
  const fill = (rel: string) => {
    const real = join(root, rel);
    const here = join(mirror, rel);
    mkdirSync(here, { recursive: true });
    if (!existsSync(real)) return;
    for (const entry of readdirSync(real)) {
      const childRel = rel ? `${rel}/${entry}` : entry;
      if (changed.has(childRel)) continue;
      if (dirsOnPath.has(childRel) && statSync(join(real, entry)).isDirectory()) fill(childRel); // a real folder, even for a symlinked one: writes never go through a link
      else if (!(childRel === "tsconfig.json" && writeTsconfig(root, mirror))) symlinkSync(join(real, entry), join(here, entry));
    }
  };
  fill("");
  for (const dir of dirsOnPath) if (!existsSync(join(mirror, dir))) fill(dir);
  for (const c of changes) {
    if (c.kind === "delete") continue; // deleted: absent from the checked tree
    mkdirSync(dirname(join(mirror, c.path)), { recursive: true });
    writeFileSync(join(mirror, c.path), c.after);
  }
}

/**
 * Writes a copy of tsconfig.json in which every relative path that leads out
 * of the project (`extends`, `files`, `include`, `exclude`, `references`,
 * `baseUrl`, `rootDir(s)`, `typeRoots`, `paths`: a monorepo's `../shared`)
 * is made absolute, since the mirror has no such neighbours; false when
 * nothing needs it (the mirror then links the user's file).
 */
function writeTsconfig(root: string, mirror: string): boolean {
  let config: Record<string, unknown>;
  try {
    config = parseJsonc(readFileSync(join(root, "tsconfig.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) return false;
  let changed = false;
  const fix = (value: unknown, base: string): unknown => {
    if (typeof value === "string") {
      if (value === "" || isAbsolute(value) || !(value.startsWith(".") || value.startsWith("*"))) return value; // a package name (extends) or a plain folder name stays inside
      const full = resolve(base, value);
      if (full === root || full.startsWith(`${root}/`) || full.startsWith(`${root}\\`)) return value;
      changed = true;
      return full;
    }
    return Array.isArray(value) ? value.map((v) => fix(v, base)) : value;
  };
  const out: Record<string, unknown> = { ...config };
  for (const key of ["extends", "files", "include", "exclude"]) if (key in out) out[key] = fix(out[key], root);
  if (Array.isArray(out.references)) out.references = out.references.map((r: unknown) => (r && typeof r === "object" && "path" in r ? { ...r, path: fix((r as { path: unknown }).path, root) } : r));
  const options = out.compilerOptions;
  if (options && typeof options === "object" && !Array.isArray(options)) {
    const o: Record<string, unknown> = { ...(options as Record<string, unknown>) };
    for (const key of ["baseUrl", "rootDir", "rootDirs", "typeRoots"]) if (key in o) o[key] = fix(o[key], root);
    const paths = o.paths;
    if (paths && typeof paths === "object" && !Array.isArray(paths)) {
      // Relative to baseUrl when there is one (the original, inside or not), else to the config's folder.
      const base = typeof (options as { baseUrl?: unknown }).baseUrl === "string" ? resolve(root, (options as { baseUrl: string }).baseUrl) : root;
      o.paths = Object.fromEntries(Object.entries(paths as Record<string, unknown>).map(([k, v]) => [k, fix(v, base)]));
    }
    out.compilerOptions = o;
  }
  if (!changed) return false;
  writeFileSync(join(mirror, "tsconfig.json"), JSON.stringify(out, null, 2));
  return true;
}

function readLine(path: string, line: number): string | undefined {
  try {
    return readFileSync(path, "utf8").split(/\r?\n/)[line - 1];
  } catch {
    return undefined;
  }
}
