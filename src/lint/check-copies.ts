import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseTscOutput, type TscDiagnostic } from "../check/tsc.js";

// === Type-checking many copies of one project in one process ===
//
// Copies of a project (one per recipe applied) each have their own
// tsconfig.json, whose `paths`, `rootDir` and `include` are relative to
// the copy, so one tsconfig for them all would resolve `@/bot/context` to
// the wrong copy. Instead one Node process loads the project's own
// TypeScript (4.x/5.x, the JavaScript compiler) and builds one program per
// copy from that copy's tsconfig (plus `noEmit`), sharing the parsed
// declaration files (lib, @types/node, grammY) between the programs: the
// second copy costs a fraction of the first. The output is tsc's
// (`file(line,col): error TS…`), paths relative to `cwd`.
//
// TypeScript 7 (native) has no JavaScript compiler API: its copies are
// checked by `tsc -p <copy>` processes, which start in a blink.

/** The part of the TypeScript 4.x/5.x compiler API the worker uses. */
interface TsApi {
  sys: { readFile(path: string): string | undefined };
  readConfigFile(path: string, read: (path: string) => string | undefined): { config?: unknown; error?: TsDiagnostic };
  parseJsonConfigFileContent(json: unknown, host: unknown, dir: string, existing: object, configPath: string): { options: object; fileNames: string[]; errors: TsDiagnostic[]; projectReferences?: unknown };
  createCompilerHost(options: object): { getSourceFile: (fileName: string, ...rest: unknown[]) => unknown };
  createProgram(options: { rootNames: string[]; options: object; host: unknown; projectReferences?: unknown }): unknown;
  getPreEmitDiagnostics(program: unknown): readonly TsDiagnostic[];
  formatDiagnostics(diagnostics: TsDiagnostic[], host: object): string;
  DiagnosticCategory: { Error: number };
}
interface TsDiagnostic {
  category: number;
}

/** Runs in the child process: `node worker.cjs <typescript dir> <cwd> <tsconfig>...`. Self-contained. */
function worker(load: (id: string) => unknown, argv: string[]): void {
  const [tsDir, cwd, combine, ...configs] = argv as [string, string, string, ...string[]];
  const ts = load(tsDir) as TsApi;
  const cache = new Map<string, unknown>();
  const formatHost = { getCurrentDirectory: () => cwd, getCanonicalFileName: (f: string) => f, getNewLine: () => "\n" };
  const hostFor = (options: object) => {
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    // Declaration files parsed for one program serve the next (the key holds the language version and module format).
    host.getSourceFile = (fileName: string, ...rest: unknown[]) => {
      const key = `${fileName}\0${JSON.stringify(rest[0])}`;
      if (!cache.has(key)) cache.set(key, getSourceFile(fileName, ...rest));
      return cache.get(key);
    };
    return host;
  };
  const parsed = configs.map((config) => {
    const read = ts.readConfigFile(config, ts.sys.readFile);
    const result = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, config.slice(0, config.lastIndexOf("/")), { noEmit: true }, config);
    return { ...result, errors: [...(read.error ? [read.error] : []), ...result.errors] };
  });
  const programs: Array<{ program: unknown; errors: TsDiagnostic[] }> = [];
  const opts = (o: object) => o as { paths?: unknown; baseUrl?: unknown };
  if (combine === "combine" && parsed.length > 1 && parsed.every((p) => opts(p.options).paths === undefined && opts(p.options).baseUrl === undefined)) {
    // Copies of one project with nothing resolved relative to their tsconfig: one program, one
    // checker, so grammY's types are computed once (rootDir: the folder holding the copies).
    const options = { ...parsed[0]!.options, rootDir: cwd, noEmit: true };
    const rootNames = parsed.flatMap((p) => p.fileNames);
    programs.push({ program: ts.createProgram({ rootNames, options, host: hostFor(options) }), errors: parsed.flatMap((p) => p.errors) });
  } else {
    for (const p of parsed) programs.push({ program: ts.createProgram({ rootNames: p.fileNames, options: p.options, host: hostFor(p.options), projectReferences: p.projectReferences }), errors: p.errors });
  }
  let errors = 0;
  for (const { program, errors: configErrors } of programs) {
    const diagnostics = [...configErrors, ...ts.getPreEmitDiagnostics(program)].filter((d) => d.category === ts.DiagnosticCategory.Error);
    errors += diagnostics.length;
    if (diagnostics.length > 0) process.stdout.write(ts.formatDiagnostics(diagnostics, formatHost));
  }
  process.exitCode = errors > 0 ? 2 : 0;
}

export interface CopiesResult {
  diagnostics: TscDiagnostic[];
  output: string;
  code: number;
  /** Compiler processes started. */
  processes: number;
}

/** The version of the TypeScript installed at `dir` (a `typescript` package folder). */
export function typescriptVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Type-checks each of `copies` (folders holding a tsconfig.json) with the
 * TypeScript at `typescriptDir`, in one process for TypeScript < 7.
 * Diagnostic paths are relative to `cwd`, `/`-separated.
 */
export async function checkCopies(typescriptDir: string, copies: string[], cwd: string, scratch: string): Promise<CopiesResult> {
  const version = typescriptVersion(typescriptDir);
  const configs = copies.map((c) => join(c, "tsconfig.json")).filter((c) => existsSync(c));
  if (Number(version.split(".")[0]) >= 7) {
    const tsc = (args: string[]) => run([join(typescriptDir, "bin", "tsc"), ...args, "--pretty", "false", "--singleThreaded"], cwd);
    const combined = selfContained(copies) ? combinedConfig(configs, cwd) : undefined;
    if (combined) {
      // As the worker does: one program over all copies (a tsconfig extending the first copy's).
      const file = join(cwd, "tsconfig.copies.json");
      writeFileSync(file, JSON.stringify(combined, null, 2));
      const r = await tsc(["-p", file]);
      return { diagnostics: parseTscOutput(r.output), output: r.output, code: r.code, processes: 1 };
    }
    let output = "";
    let code = 0;
    for (const config of configs) {
      const r = await tsc(["-p", relative(cwd, config), "--noEmit"]);
      output += r.output;
      code = Math.max(code, r.code);
    }
    return { diagnostics: parseTscOutput(output), output, code, processes: configs.length };
  }
  const script = join(scratch, `check-copies-${process.pid}.cjs`);
  if (!existsSync(script)) writeFileSync(script, `"use strict";\n(${worker.toString()})(require, process.argv.slice(2));\n`);
  const r = await run([script, typescriptDir, cwd, selfContained(copies) ? "combine" : "separate", ...configs], cwd);
  return { diagnostics: parseTscOutput(r.output), output: r.output, code: r.code, processes: 1 };
}

/**
 * Whether the copies resolve nothing through their package.json: `imports`
 * (`#root/*`) are resolved from the nearest package.json, and one program
 * over several copies mixes them up (a copy's `#root/context.js` read from
 * another copy). Such copies are checked one program each.
 */
function selfContained(copies: string[]): boolean {
  return copies.every((c) => {
    try {
      return (JSON.parse(readFileSync(join(c, "package.json"), "utf8")) as { imports?: unknown }).imports === undefined;
    } catch {
      return true;
    }
  });
}

/**
 * A tsconfig checking all copies as one program, when their tsconfig (plain
 * JSON, no `extends`) resolves nothing relative to itself (`paths`,
 * `baseUrl`, `files`); otherwise undefined.
 */
function combinedConfig(configs: string[], cwd: string): object | undefined {
  if (configs.length < 2) return undefined;
  let json: { extends?: unknown; files?: unknown; include?: unknown; compilerOptions?: { paths?: unknown; baseUrl?: unknown } };
  try {
    json = JSON.parse(readFileSync(configs[0]!, "utf8")) as typeof json;
  } catch {
    return undefined; // comments or trailing commas: leave it to tsc, copy by copy
  }
  if (json.extends !== undefined || json.files !== undefined || json.compilerOptions?.paths !== undefined || json.compilerOptions?.baseUrl !== undefined) return undefined;
  const include = Array.isArray(json.include) ? (json.include as string[]) : ["**/*"];
  const dirs = configs.map((c) => relative(cwd, join(c, "..")).split("\\").join("/"));
  return {
    extends: `./${dirs[0]}/tsconfig.json`,
    compilerOptions: { noEmit: true, rootDir: "." },
    include: dirs.flatMap((d) => include.map((i) => `./${d}/${i.replace(/^\.\//, "")}`)),
    exclude: ["./**/node_modules"],
  };
}

function run(args: string[], cwd: string): Promise<{ output: string; code: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ output, code: code ?? 1 }));
  });
}
