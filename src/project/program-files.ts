import { posix } from "node:path";
import { resolveProjectModule, type AliasSettings } from "./module-aliases.js";

// === The bot's program, without reading the whole repository ===
//
// On a large repository (a monorepo, generated code) reading every TypeScript
// file costs more than the rest of `add`: about 12 µs a file here, in system
// calls alone. What the engine looks for (the bot, its start and error
// handling, its command handlers, how it is served) lives in the files the
// running bot loads. So past `fullReadLimit` files the scan starts where the
// project says it starts (package.json, tsconfig `files`, the usual entry
// names, serverless function folders) and follows the imports. When that walk
// is not conclusive (no bot in it, or a module loaded by a computed path)
// the scan reads every file after all: never less than it would have.

/** Up to this many TypeScript files, every file is read: the facts are then exact, at ~12 ms per thousand files. */
export const fullReadLimit = 1000;

const tsSource = /\.(m|c)?tsx?$/;
/** Where platforms look for serverless functions: Vercel's `api/`, Netlify's and Supabase's `functions/`, at the root or under `src/`. */
const functionFolders = ["api/", "functions/", "netlify/functions/", "supabase/functions/"].flatMap((f) => [f, `src/${f}`]);
/** Whether a project-relative file is in a serverless function folder. */
export const inFunctionFolder = (file: string): boolean => functionFolders.some((folder) => file.startsWith(folder));
/** The usual names of an entry file: `index`, `main`, `bot`, `app`, `server`, at the root or in a source folder. */
const conventionalEntries = ["", "src/", "source/", "app/"].flatMap((dir) => ["index", "main", "bot", "app", "server"].flatMap((name) => [".ts", ".mts", ".cts", ".tsx"].map((ext) => `${dir}${name}${ext}`)));
const scriptExtensions = /\.(m|c)?(j|t)sx?$/;

/** What the entry walk needs from the project's settings. */
export interface ProgramSettings {
  packageJson: Record<string, unknown> | undefined;
  /** tsconfig's merged compilerOptions. */
  options: Record<string, unknown>;
  /** tsconfig's top-level `files`, if any. */
  tsconfigFiles: unknown;
  aliases: AliasSettings;
}

/**
 * The project files the bot's program is made of, among the sorted `files`:
 * the entries and every project file they import, directly or not, in walk
 * order. `read` gives a file's text. Undefined when the walk cannot stand for
 * the whole project: no entry was found, or a file loads modules by a
 * computed path (`import(\`./commands/${name}\`)`, `require(path)`,
 * `import.meta.glob`), which a text walk cannot follow.
 */
export function programFiles(files: readonly string[], settings: ProgramSettings, read: (file: string) => string): string[] | undefined {
  // `files` is sorted: a binary search costs less than hashing 5,000 paths into a Set for a few hundred look-ups.
  const has = (path: string) => files[lowerBound(files, path)] === path;
  const queue = entryFiles(files, settings, has);
  if (queue.length === 0) return undefined;
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    const text = read(file);
    if (loadsComputedModules(text)) return undefined;
    for (const specifier of importedSpecifiers(text)) {
      const target = resolveProjectModule(settings.aliases, file, specifier, has);
      if (target !== undefined && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return queue;
}

/** The index of the first of the sorted `files` not before `path`. */
function lowerBound(files: readonly string[], path: string): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (files[mid]! < path) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every module specifier a file names in an import, export, dynamic import or require with a string literal. */
export function importedSpecifiers(text: string): string[] {
  const out: string[] = [];
  // `from "x"` (imports and re-exports, `import x = require` aside), `import "x"`, `import("x")`, `require("x")`.
  // Over-approximate on purpose: a `from "./x"` inside a comment or string costs one extra read, never a missed file.
  for (const m of text.matchAll(/\b(?:from|import|require)\s*\(?\s*["']([^"'\n]+)["']/g)) out.push(m[1]!);
  return out;
}

/** Whether a file loads a module by a path computed at run time, which no text walk can follow. */
export function loadsComputedModules(text: string): boolean {
  if (text.includes("import.meta.glob") || text.includes("require.context")) return true;
  // `import(` or `require(` followed by anything but a string literal (a template literal, a variable, a call).
  for (const m of text.matchAll(/(?<![\w$.])(?:import|require)\s*\(\s*(.)/g)) {
    if (m[1] !== '"' && m[1] !== "'") return true;
  }
  return false;
}

/**
 * The project's entry files among the sorted `files` (`exists` tells whether
 * a path is one of them): what package.json runs (`main`, `module`, `bin`,
 * `exports`, file paths in `scripts`), tsconfig's `files`, the usual entry
 * names (`index`, `main`, `bot`, `app`, `server` at the root or under `src/`,
 * `source/`, `app/`), and the files of serverless function folders. A built
 * path (`dist/index.js`) is mapped back to its source (`src/index.ts`).
 */
export function entryFiles(files: readonly string[], settings: ProgramSettings, exists: (path: string) => boolean): string[] {
  const named: string[] = [];
  const pkg = settings.packageJson ?? {};
  const strings = (value: unknown): string[] =>
    typeof value === "string" ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
  named.push(...strings(pkg.main), ...strings(pkg.module), ...strings(pkg.bin), ...strings(pkg.exports), ...strings(settings.tsconfigFiles));
  for (const script of strings(pkg.scripts)) {
    for (const m of script.matchAll(/(?:^|[\s='"])((?:\.{0,2}\/)?[\w@$.-]+(?:\/[\w@$.-]+)*\.(?:m|c)?(?:j|t)sx?)(?=$|[\s'";&|)])/g)) named.push(m[1]!);
  }
  const out = new Set<string>();
  for (const name of conventionalEntries) if (exists(name)) out.add(name);
  for (const path of named) {
    const source = sourceOf(path, settings.options, exists);
    if (source !== undefined) out.add(source);
  }
  // `files` is sorted, so each function folder's files are one run of it.
  for (const folder of functionFolders) for (let i = lowerBound(files, folder); i < files.length && files[i]!.startsWith(folder); i++) out.add(files[i]!);
  return [...out];
}

/** The TypeScript source a path names: itself, or the source a build folder's JavaScript is compiled from. */
function sourceOf(path: string, options: Record<string, unknown>, exists: (path: string) => boolean): string | undefined {
  const clean = posix.normalize(path.replace(/\\/g, "/")).replace(/^\.\//, "");
  if (clean.startsWith("../") || clean.startsWith("/")) return undefined;
  const stem = clean.replace(scriptExtensions, "");
  const outDir = typeof options.outDir === "string" ? posix.normalize(options.outDir).replace(/^\.\//, "").replace(/\/$/, "") : undefined;
  const rootDir = typeof options.rootDir === "string" ? posix.normalize(options.rootDir).replace(/^\.\//, "").replace(/\/$/, "") : undefined;
  const stems = [stem];
  for (const built of new Set([outDir, "dist", "build", "out", "lib"].filter((d): d is string => d !== undefined && d !== "."))) {
    if (!stem.startsWith(`${built}/`)) continue;
    const rest = stem.slice(built.length + 1);
    for (const src of new Set([rootDir, "src", "."].filter((d): d is string => d !== undefined))) stems.push(src === "." ? rest : `${src}/${rest}`);
  }
  const ext = /\.(m|c)?[jt]sx?$/.exec(clean)?.[1] ?? "";
  for (const s of stems) {
    for (const candidate of [`${s}.${ext}ts`, `${s}.tsx`, `${s}.ts`, `${s}/index.ts`]) if (tsSource.test(candidate) && exists(candidate)) return candidate;
  }
  return undefined;
}
