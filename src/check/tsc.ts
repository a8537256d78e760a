import { spawn } from "node:child_process";
import nodeModule from "node:module";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { failure } from "../core/errors.js";

// === Running the real compiler ===
//
// Type-checks run the `tsc` of a TypeScript install as a child process (with
// TypeScript 7 that is the native compiler), never the compiler API: one
// process checks a whole folder of projects faster than the API checks one.

export interface TscDiagnostic {
  /** As tsc prints it: relative to the folder tsc ran in, `/`-separated. */
  file: string;
  line: number;
  column: number;
  /** `TS2322`. */
  code: string;
  message: string;
}

export interface TypeScriptInstall {
  bin: string;
  version: string;
}

/** The `typescript` a folder resolves (walking up node_modules like Node), or undefined. */
export function findTypeScript(fromDir: string): TypeScriptInstall | undefined {
  const home = findPackageHome(fromDir, "typescript");
  if (!home) return undefined;
  const dir = join(home, "node_modules", "typescript");
  let version: string;
  try {
    version = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch (error) {
    throw failure(`${join(dir, "package.json")}: cannot be read (${(error as Error).message.split("\n")[0]})`, "reinstall typescript (npm install), or pass --no-check");
  }
  return { bin: join(dir, "bin", "tsc"), version };
}

/**
 * The nearest folder at or above `fromDir` whose node_modules holds the
 * package `name` (how Node and TypeScript look packages up), or undefined.
 */
export function findPackageHome(fromDir: string, name: string): string | undefined {
  let dir = resolve(fromDir);
  for (;;) {
    if (basename(dir) !== "node_modules" && existsSync(join(dir, "node_modules", name, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const nativeCompilers = new Map<string, string | undefined>();

/**
 * TypeScript 7's compiler is a native program, in a package for each
 * platform (`@typescript/typescript-linux-x64`, …); its `bin/tsc` is a Node
 * script that finds it and, before Node 22.15, runs it as a child of its own:
 * a second process, and a Node start (about 0.2 s of CPU) per check. The
 * program itself, found as that script finds it (resolved from the
 * typescript package); undefined for TypeScript 6 and older, or when it is
 * not there (bin/tsc then runs, and says what is wrong).
 */
export function nativeCompiler(ts: TypeScriptInstall): string | undefined {
  if (nativeCompilers.has(ts.bin)) return nativeCompilers.get(ts.bin);
  let exe: string | undefined;
  if (/^([7-9]|\d\d)\./.test(ts.version)) {
    try {
      // From where the package really is (a linked typescript finds its platform package beside its real folder, as Node does).
      const fromTypeScript = nodeModule.createRequire(join(realpathSync(dirname(dirname(ts.bin))), "package.json"));
      const platform = dirname(fromTypeScript.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`));
      const candidate = join(platform, "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
      if (existsSync(candidate)) exe = candidate;
    } catch {
      // Not installed for this platform: bin/tsc reports it.
    }
  }
  nativeCompilers.set(ts.bin, exe);
  return exe;
}

/** Runs tsc with `args` in `cwd`; resolves with its diagnostics (never rejects on type errors). */
export function runTsc(ts: TypeScriptInstall, args: string[], cwd: string, timeoutMs = checkTimeoutMs()): Promise<{ diagnostics: TscDiagnostic[]; output: string; code: number; timedOut?: boolean }> {
  const native = nativeCompiler(ts);
  return new Promise((resolvePromise, reject) => {
    const [command, argv] = native ? [native, [...args, "--pretty", "false"]] : [process.execPath, [ts.bin, ...args, "--pretty", "false"]];
    const child = spawn(command, argv, { cwd, stdio: ["ignore", "pipe", "pipe"], env: childEnv() });
    let output = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) resolvePromise({ diagnostics: [], output: `tsc did not finish within ${Math.round(timeoutMs / 1000)} s (CREATE_BOT_SNIPPET_CHECK_TIMEOUT sets the limit in seconds)`, code: 1, timedOut });
      else resolvePromise({ diagnostics: parseTscOutput(output), output, code: code ?? 1 });
    });
  });
}

/**
 * The environment of a tsc run: ours, plus Node's compile cache folder when
 * the CLI enabled one (Node 22.1+), so that a JavaScript tsc (TypeScript 5
 * and older) is not compiled anew by V8 on every check.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const dir = (nodeModule as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  return dir && !process.env.NODE_COMPILE_CACHE ? { ...process.env, NODE_COMPILE_CACHE: dir } : process.env;
}

/** How long one tsc run may take: `CREATE_BOT_SNIPPET_CHECK_TIMEOUT` seconds, 120 by default. */
export function checkTimeoutMs(): number {
  const seconds = Number(process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000;
}

/** Parses `file(line,col): error TS1234: message` lines (with indented continuation lines). */
export function parseTscOutput(text: string): TscDiagnostic[] {
  const out: TscDiagnostic[] = [];
  for (const line of text.split(/\r?\n/)) {
    const located = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    const global = /^error (TS\d+): (.*)$/.exec(line);
    if (located) out.push({ file: located[1]!.replace(/\\/g, "/"), line: Number(located[2]), column: Number(located[3]), code: located[4]!, message: located[5]! });
    else if (global) out.push({ file: "", line: 0, column: 0, code: global[1]!, message: global[2]! });
    else if (/^\s+\S/.test(line) && out.length > 0) out[out.length - 1]!.message += ` ${line.trim()}`;
  }
  return out;
}

/** Wraps async jobs so that at most `limit` run at once. */
export function limitTo(limit: number): <R>(job: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (running >= limit) await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
