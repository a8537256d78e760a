// === The gate's compiler process (TypeScript 6 and older) ===
//
// Run by api-checker.ts as a child process with the project's own
// TypeScript: `node tsc-worker.js <path of typescript.js> <project root>`,
// cwd the project root. Started as early as `add` knows it will check, it
// loads TypeScript and parses and binds the project as it is while the
// parent still plans the change; a request then checks the project with the
// planned files laid over it in memory:
//
//   parent ── { id, files: { "src/bot.ts": "…", "src/old.ts": null } } ──► worker
//   parent ◄── { id, output, code, files: [program files] } ─────────────── worker
//
// The check is what `tsc -p tsconfig.json --noEmit --composite false
// --incremental false --pretty false` does (the same config parsing, host,
// diagnostics and their text), run through TypeScript's own functions, with
// two differences that change nothing it reports: the files of the change
// come from memory (no scratch copy of the project), and a source file
// whose text and parse options are unchanged is taken from an earlier
// program of this process, already parsed and bound (as the language
// service shares files between programs). So the unchanged lib, @types and
// grammY declarations, most of a check, are read once per process.

import { createRequire } from "node:module";
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync, type Dirent } from "node:fs";
import { dirname, join } from "node:path";
import vm from "node:vm";
import type { ts } from "ts-morph";
import { pruneCodeCaches } from "../core/cache-folder.js";

type TS = typeof ts;

/** What this worker uses of TypeScript beyond its public API (present, with these shapes, from 4.5 to 6). */
interface Internals {
  createCompilerHostWorker(options: ts.CompilerOptions, setParentNodes: boolean | undefined, system: ts.System): ts.CompilerHost;
  changeCompilerHostLikeToUseCache?(host: ts.CompilerHost, toPath: (fileName: string) => string): unknown;
  emitFilesAndReportErrors(program: ts.Program, reportDiagnostic: (d: ts.Diagnostic) => void, write?: (s: string) => void): { diagnostics: readonly ts.Diagnostic[] };
  matchFiles(
    path: string,
    extensions: readonly string[] | undefined,
    excludes: readonly string[] | undefined,
    includes: readonly string[] | undefined,
    useCaseSensitiveFileNames: boolean,
    currentDirectory: string,
    depth: number | undefined,
    getFileSystemEntries: (path: string) => { files: readonly string[]; directories: readonly string[] },
    realpath: (path: string) => string,
  ): string[];
  getConfigFileParsingDiagnostics(config: ts.ParsedCommandLine): readonly ts.Diagnostic[];
  getNormalizedAbsolutePath(fileName: string, currentDirectory: string): string;
  toPath(fileName: string, basePath: string, getCanonicalFileName: (fileName: string) => string): string;
}

/** A request: project-relative `/` paths to the text they have in the checked state (null: deleted). */
export interface CheckRequest {
  id: number;
  files: Record<string, string | null>;
}

export type CheckReply = { id: number; ok: true; output: string; code: number; files: string[]; codeCache: CodeCacheUse } | { id: number; ok: false; error: string };

/** What became of V8's code cache for typescript.js: used, none or rejected (then written once the gate is done), or off. */
export type CodeCacheUse = "used" | "none" | "rejected" | "off";

/** The arguments tsc would get; parsed by TypeScript itself, as tsc parses its command line. */
const ARGS = ["-p", "tsconfig.json", "--noEmit", "--composite", "false", "--incremental", "false"];

const [typescriptPath, root, codeCache = ""] = process.argv.slice(2) as [string, string, string?];
const send = (reply: CheckReply) => process.send?.(reply);

let typescript: (TS & Internals) | undefined;
let saveCodeCache: (() => void) | undefined;
let codeCacheUse: CodeCacheUse = "off";
try {
  ({ exports: typescript, save: saveCodeCache, use: codeCacheUse } = loadWithCodeCache(typescriptPath, codeCache));
  for (const name of ["createCompilerHostWorker", "emitFilesAndReportErrors", "matchFiles", "getConfigFileParsingDiagnostics", "getNormalizedAbsolutePath", "toPath", "getParsedCommandLineOfConfigFile", "parseCommandLine", "formatDiagnostic", "createProgram"] as const) {
    if (typeof typescript[name] !== "function") throw new Error(`this TypeScript has no ${name}`);
  }
} catch (error) {
  send({ id: 0, ok: false, error: (error as Error).message });
  process.exit(1);
}
const tsApi = typescript;

/** Parsed and bound source files by name, with the text and parse options they were made from. */
const sourceFiles = new Map<string, { key: string; text: string; file: ts.SourceFile }>();
/** Whether a request came before the project as it is was parsed (then that parse is not needed: the request's is the same work). */
let asked = false;

process.on("message", (message: CheckRequest | { bye: true }) => {
  asked = true;
  if ("bye" in message) {
    // The gate is done: keep the compiled code for the next run, then go.
    saveCodeCache?.();
    process.exit(0);
  }
  let reply: CheckReply;
  try {
    reply = { id: message.id, ok: true, ...check(new Map(Object.entries(message.files))), codeCache: codeCacheUse };
  } catch (error) {
    reply = { id: message.id, ok: false, error: (error as Error).stack ?? String(error) };
  }
  send(reply);
});

// The project as it is: parsed and bound before the planned change arrives.
setImmediate(() => {
  if (asked) return;
  try {
    check(new Map(), { diagnose: false });
  } catch {
    // Reported by the request that meets the same problem.
  }
});

/**
 * TypeScript's typescript.js, run through `vm.Script` with V8's code cache
 * of an earlier check when there is one (`codeCache`, a file in the CLI's
 * code cache folder; "" for none). V8 compiles functions lazily, on their
 * first call: a cache made after a check holds the parser, binder and
 * checker compiled, which takes a third off a check of a small project.
 * V8 rejects a cache made from another source or by another V8; `save`
 * then writes a new one (it is written once, after the check: see "bye").
 */
function loadWithCodeCache(path: string, cacheFile: string): { exports: TS & Internals; save?: () => void; use: CodeCacheUse } {
  // From where it really is, as Node's require (and so tsc) has it: TypeScript finds its lib files beside it.
  const file = realpathSync(path);
  if (!cacheFile) return { exports: createRequire(file)(file) as TS & Internals, use: "off" };
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // None yet.
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`, { filename: file, ...(cachedData && { cachedData }) });
  const loaded = { exports: {} as TS & Internals };
  (script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void)(loaded.exports, createRequire(file), loaded, file, dirname(file));
  const save = () => {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      const temp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, script.createCachedData());
      renameSync(temp, cacheFile);
      // The newest few (about 4 MB each): one per TypeScript a user's projects have.
      pruneCodeCaches(dirname(cacheFile), "typescript-", 4);
    } catch {
      // A cache that cannot be written only costs time.
    }
  };
  const use: CodeCacheUse = !cachedData ? "none" : script.cachedDataRejected ? "rejected" : "used";
  return { exports: loaded.exports, save: use === "used" ? undefined : save, use };
}

function check(overlay: Map<string, string | null>, { diagnose = true } = {}): { output: string; code: number; files: string[] } {
  const system = overlaySystem(tsApi, overlay);
  let unrecoverable: ts.Diagnostic | undefined;
  const configHost = { ...system, onUnRecoverableConfigFileDiagnostic: (d: ts.Diagnostic) => (unrecoverable = d) };
  const commandLine = tsApi.parseCommandLine(ARGS);
  const config = tsApi.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), commandLine.options, configHost);
  const formatHost: ts.FormatDiagnosticsHost = { getCurrentDirectory: () => root, getNewLine: () => "\n", getCanonicalFileName: (f) => (system.useCaseSensitiveFileNames ? f : f.toLowerCase()) };
  if (!config) return { output: unrecoverable ? tsApi.formatDiagnostic(unrecoverable, formatHost) : "error: tsconfig.json cannot be parsed\n", code: 1, files: [] };

  const options = config.options;
  const key = optionsKey(options);
  const host = tsApi.createCompilerHostWorker(options, undefined, system);
  const jsDoc = (tsApi as { JSDocParsingMode?: { ParseForTypeErrors: number } }).JSDocParsingMode;
  if (jsDoc) (host as { jsDocParsingMode?: number }).jsDocParsingMode = jsDoc.ParseForTypeErrors; // as tsc sets it (5.3+)
  shareSourceFiles(host, key);
  const cwd = host.getCurrentDirectory();
  const canonical = (f: string) => (host.useCaseSensitiveFileNames() ? f : f.toLowerCase());
  tsApi.changeCompilerHostLikeToUseCache?.(host, (f) => tsApi.toPath(f, cwd, canonical));

  // No `oldProgram`: its module resolutions would be reused for unchanged files, and a planned
  // package.json can change how they resolve. Only the parsed files are shared (by their text).
  const program = tsApi.createProgram({
    rootNames: config.fileNames,
    options,
    projectReferences: config.projectReferences,
    host,
    configFileParsingDiagnostics: tsApi.getConfigFileParsingDiagnostics(config),
  });
  if (!diagnose) {
    program.getTypeChecker(); // binds every file
    return { output: "", code: 0, files: [] };
  }
  let output = "";
  const { diagnostics } = tsApi.emitFilesAndReportErrors(program, (d) => (output += tsApi.formatDiagnostic(d, formatHost)));
  return { output, code: diagnostics.length > 0 ? 1 : 0, files: program.getSourceFiles().map((f) => f.fileName) };
}

/**
 * The host's `getSourceFile`, answering from the files parsed for an earlier
 * program when the text and everything the parse depends on (the compiler
 * options, the parse options TypeScript passes) are the same.
 */
function shareSourceFiles(host: ts.CompilerHost, optionsKey: string): void {
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    let text: string | undefined;
    try {
      text = host.readFile(fileName);
    } catch (error) {
      onError?.((error as Error).message);
      text = "";
    }
    if (text === undefined) return undefined;
    const key = `${optionsKey}\0${JSON.stringify(languageVersionOrOptions)}`;
    const known = sourceFiles.get(fileName);
    if (!shouldCreateNewSourceFile && known && known.key === key && known.text === text) return known.file;
    const file = tsApi.createSourceFile(fileName, text, languageVersionOrOptions);
    sourceFiles.set(fileName, { key, text, file });
    return file;
  };
}

/** The compiler options as a key (the parsed config's own source file left out). */
function optionsKey(options: ts.CompilerOptions): string {
  return JSON.stringify(options, (name, value: unknown) => (name === "configFile" ? undefined : value));
}

/**
 * TypeScript's `sys` with the planned files laid over the disk: they exist
 * with their planned text (deleted ones do not), their folders exist, and
 * folder listings (tsconfig's `include`) show them. Nothing is written, and
 * nothing is printed (a tsconfig's `traceResolution` writes through it).
 */
function overlaySystem(typescript: TS & Internals, overlay: Map<string, string | null>): ts.System {
  const real = typescript.sys;
  const quiet: ts.System = { ...real, write: () => {} };
  if (overlay.size === 0) return quiet;
  const files = new Map<string, string | null>();
  const folders = new Map<string, { files: Set<string>; dirs: Set<string>; removed: Set<string> }>();
  const folder = (dir: string) => folders.get(dir) ?? (folders.set(dir, { files: new Set(), dirs: new Set(), removed: new Set() }), folders.get(dir)!);
  const norm = (p: string) => typescript.getNormalizedAbsolutePath(p, root);
  const top = norm(root);
  for (const [path, text] of overlay) {
    // Project-relative `/` paths: the file, then each folder up to the root.
    const parts = path.split("/");
    const under = (rel: string[]) => (rel.length === 0 ? top : `${top.endsWith("/") ? top : `${top}/`}${rel.join("/")}`);
    files.set(under(parts), text);
    parts.forEach((name, i) => {
      const dir = under(parts.slice(0, i));
      if (i < parts.length - 1) folder(dir).dirs.add(name);
      else (text === null ? folder(dir).removed : folder(dir).files).add(name);
    });
  }
  const added = (dir: string) => folders.get(norm(dir));
  const entries = (path: string) => {
    const own = added(path);
    const listed = accessibleEntries(path);
    if (!own) return listed;
    const fileNames = new Set([...listed.files, ...own.files].filter((f) => !own.removed.has(f)));
    const dirNames = new Set([...listed.directories, ...own.dirs]);
    return { files: [...fileNames].sort(), directories: [...dirNames].sort() };
  };
  return {
    ...quiet,
    fileExists: (p) => {
      const planned = files.get(norm(p));
      return planned !== undefined ? planned !== null : real.fileExists(p);
    },
    readFile: (p, encoding) => {
      const planned = files.get(norm(p));
      return planned !== undefined ? (planned ?? undefined) : real.readFile(p, encoding);
    },
    directoryExists: (p) => (added(p)?.dirs.size ?? 0) + (added(p)?.files.size ?? 0) > 0 || real.directoryExists(p),
    getDirectories: (p) => [...new Set([...real.getDirectories(p), ...(added(p)?.dirs ?? [])])],
    readDirectory: (path, extensions, excludes, includes, depth) =>
      typescript.matchFiles(path, extensions, excludes, includes, real.useCaseSensitiveFileNames, root, depth, entries, (p) => real.realpath?.(p) ?? p),
  };
}

/** A folder's files and sub-folders as TypeScript's own `sys` lists them (links followed, sorted). */
function accessibleEntries(path: string): { files: string[]; directories: string[] } {
  const files: string[] = [];
  const directories: string[] = [];
  let entries: Dirent[];
  try {
    entries = readdirSync(path || ".", { withFileTypes: true });
  } catch {
    return { files, directories };
  }
  for (const entry of entries) {
    let isFile = entry.isFile();
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        const stat = statSync(join(path, entry.name));
        isFile = stat.isFile();
        isDirectory = stat.isDirectory();
      } catch {
        continue;
      }
    }
    if (isFile) files.push(entry.name);
    else if (isDirectory) directories.push(entry.name);
  }
  return { files: files.sort(), directories: directories.sort() };
}
