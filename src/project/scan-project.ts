import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { readTextFile } from "../core/regular-file.js";
import { parsePackageJson } from "./package-json-shape.js";
import { dirname, join, relative, resolve, sep } from "node:path";
import { failure } from "../core/errors.js";
import { detectCodeStyle, defaultStyle, type CodeStyle } from "./code-style.js";
import { detectInstalledVersions } from "./installed-versions.js";
import { parseJsonc } from "./jsonc.js";
import { readImportRules } from "./import-rules.js";
import { readAliasSettings } from "./module-aliases.js";
import { fullReadLimit, inFunctionFolder, programFiles, type ProgramSettings } from "./program-files.js";
import type { ProjectFacts } from "./project-facts.js";

const ignoredDirs = new Set(["node_modules", ".git", "dist", "build", "out", "coverage", ".next", ".turbo", ".cache", ".vercel", ".output"]);
const tsFile = /\.(m|c)?tsx?$/;
/**
 * readFileSync's options as one object: given the string "utf8", Node 20 builds an options
 * object on every call, about 3 µs a file (15 ms of a 5,000-file project's scan).
 */
const utf8 = { encoding: "utf8" } as const;

/**
 * Learns what the engine needs to know about a project from package.json,
 * tsconfig.json and a text scan of its TypeScript files. It never loads the
 * compiler, so its cost is a directory walk and a `includes("grammy")` per file
 * read; past `fullReadLimit` files it reads the bot's program only (see readSources).
 */
export function scanProject(rootArg: string, entry?: string): ProjectFacts {
  const root = resolve(rootArg);
  if (!existsSync(root)) throw failure(`no such folder: ${root}`, "check --cwd");
  const pkgPath = join(root, "package.json");
  if (!statSync(root).isDirectory()) throw failure(`${root} is not a folder`, "point --cwd at the project's folder");
  const pkgText = readTextFile(pkgPath);
  const packageJson = pkgText === undefined ? undefined : parsePackageJson(pkgText, pkgPath);
  const tsconfig = readTsconfig(join(root, "tsconfig.json"));
  const options = (tsconfig.compilerOptions ?? {}) as Record<string, unknown>;
  const tsModule = String(options.module ?? "").toLowerCase();
  const tsModuleResolution = String(options.moduleResolution ?? (tsModule.startsWith("node1") || tsModule === "nodenext" ? tsModule : "")).toLowerCase();
  const moduleKind = packageJson?.type === "module" ? "esm" : "cjs";

  const aliases = readAliasSettings(options, packageJson);
  const texts = entry ? readEntry(root, entry) : readSources(root, listTsFiles(root), { packageJson, options, tsconfigFiles: tsconfig.files, aliases });
  const candidates: string[] = [];
  let served: ProjectFacts["served"] = "polling";
  let hosting: ProjectFacts["hosting"] = { kind: "process" };
  for (const [rel, text] of texts) {
    if (!text.includes("grammy")) continue;
    if (isBotCandidate(text)) candidates.push(rel);
    if (text.includes("webhookCallback")) {
      if (/\bwebhookCallback\s*\(/.test(text)) served = "webhook";
      if (hosting.kind === "process" && servesAsFunction(rel, text)) hosting = { kind: "serverless", evidence: rel };
    }
    if (served === "polling" && text.includes("@grammyjs/runner") && /["']@grammyjs\/runner["']/.test(text)) served = "runner";
  }

  const nodeNext = ["node16", "node18", "node20", "nodenext"].some((m) => tsModule === m || tsModuleResolution === m);
  const suffix = importSuffix(options, nodeNext, moduleKind, [...texts.values()], tsModuleResolution === "bundler" ? false : runsBuiltWithNode(packageJson));
  // The project's style: the candidates first, then up to 20 other files for what they do not show.
  const sample = [...candidates, ...[...texts.keys()].filter((f) => !candidates.includes(f)).slice(0, 20)].map((f) => texts.get(f)!);
  return {
    root,
    packageJson,
    moduleKind,
    tsModule,
    tsModuleResolution,
    aliases,
    importStyle: { suffix },
    served,
    hosting,
    importRules: readImportRules(root, packageJson),
    candidates,
    texts,
    installed: detectInstalledVersions(root, packageJson, ["grammy"]),
    style: sample.reduceRight<CodeStyle>((fallback, text) => detectCodeStyle(text, fallback), defaultStyle),
  };
}

/**
 * The extension relative imports are written with: what the project's own
 * files do when they agree (an ESM project with node10 resolution that
 * writes `.js` everywhere needs it at run time although tsc does not ask for
 * it), else what the settings require: `.ts` when TypeScript rewrites or
 * allows it, `.js` under Node16/NodeNext ESM, none otherwise.
 */
function importSuffix(options: Record<string, unknown>, nodeNext: boolean, moduleKind: "esm" | "cjs", texts: string[], nodeRuns: boolean): "" | ".js" | ".ts" {
  const counts = { "": 0, ".js": 0, ".ts": 0 };
  for (const text of texts.slice(0, 200)) {
    for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const ext = /\.(m|c)?js$/.test(m[1]!) ? ".js" : /\.(m|c)?ts$/.test(m[1]!) ? ".ts" : /\.\w+$/.test(m[1]!) ? undefined : "";
      if (ext !== undefined) counts[ext]++;
    }
  }
  const total = counts[""] + counts[".js"] + counts[".ts"];
  // One `.js` import in an ESM project is evidence enough: nothing but Node's ESM loader asks for it.
  const enough = total >= 2 || (total === 1 && counts[".js"] === 1 && moduleKind === "esm");
  const seen = (Object.keys(counts) as Array<keyof typeof counts>).find((k) => enough && counts[k] === total);
  if (seen !== undefined && !(seen === "" && nodeNext && moduleKind === "esm")) return seen;
  if (options.allowImportingTsExtensions === true || options.rewriteRelativeImportExtensions === true) return ".ts";
  // ESM that Node runs as built (`node dist/index.js`) needs the extension whatever moduleResolution says.
  return moduleKind === "esm" && (nodeNext || (total === 0 && nodeRuns)) ? ".js" : "";
}

/** Whether a package.json script runs built JavaScript with Node (`node dist/main.js`), not a TypeScript runner or bundler. */
function runsBuiltWithNode(packageJson: Record<string, unknown> | undefined): boolean {
  const scripts = packageJson?.scripts;
  if (!scripts || typeof scripts !== "object") return false;
  return Object.values(scripts as Record<string, unknown>).some((s) => typeof s === "string" && /(?:^|[\s;&|])node\s+(?:--?[\w-]+(?:[= ][^\s-][^\s]*)?\s+)*[\w./-]+\.m?js\b/.test(s));
}

/** Serverless adapters of `webhookCallback`: the platform runs one function call per request. */
const functionAdapters = new Set(["aws-lambda", "aws-lambda-async", "azure", "azure-v4", "cloudflare", "cloudflare-mod", "next-js", "nextjs", "sveltekit", "worktop"]);

/**
 * Whether a file serves the bot as a serverless function: it calls
 * `webhookCallback` and lives where platforms look for functions (Vercel's
 * `api/`, Netlify's and Supabase's `functions/`), exports it as its default
 * or `handler`, or uses a function platform's adapter.
 */
export function servesAsFunction(file: string, text: string): boolean {
  if (!/\bwebhookCallback\s*\(/.test(text)) return false;
  if (inFunctionFolder(file)) return true;
  if (/\bexport\s+default\s+webhookCallback\s*\(/.test(text) || /\bexport\s+(?:const|let)\s+(?:handler|POST)\s*=\s*webhookCallback\s*\(/.test(text)) return true;
  for (const m of text.matchAll(/\bwebhookCallback\s*\([^,()]+,\s*["']([\w-]+)["']/g)) if (functionAdapters.has(m[1]!)) return true;
  return false;
}

/** Whether a file imports grammY's `Bot` (named, aliased) or the whole module as a namespace. */
function importsGrammyBot(text: string): boolean {
  // `[^{}]` not `[^}]`: each attempt stops at the next `{`, so many unclosed `import {` stay linear.
  const named = /import\s*\{([^{}]*)\}\s*from\s*["']grammy(?:\/web)?["']/g;
  for (const m of text.matchAll(named)) if (/(^|[\s,])Bot(\s+as\s+[\w$]+)?\s*(,|$)/.test(m[1]!.trim())) return true;
  return /import\s*\*\s*as\s+[\w$]+\s+from\s*["']grammy(?:\/web)?["']/.test(text);
}

/** The `--entry` file alone, by its project-relative posix path. */
function readEntry(root: string, entry: string): Map<string, string> {
  const abs = resolve(root, entry);
  const text = readTextFile(abs, `--entry ${entry}`);
  if (text === undefined) throw failure(`--entry ${entry}: no such file`, "give a path relative to the project");
  return new Map([[relative(root, abs).split(sep).join("/"), text]]);
}

/**
 * The texts of the project's TypeScript files, in `files`' (sorted) order:
 * all of them, or on a repository of more than `fullReadLimit` files the
 * bot's program alone when that is conclusive (see program-files.ts).
 */
function readSources(root: string, files: string[], settings: ProgramSettings): Map<string, string> {
  const read = new Map<string, string>();
  // listTsFiles gives project-relative posix paths already.
  const readFile = (file: string) => {
    let text = read.get(file);
    if (text === undefined) read.set(file, (text = readFileSync(`${root}${sep}${file}`, utf8)));
    return text;
  };
  const program = files.length > fullReadLimit ? programFiles(files, settings, readFile) : undefined;
  // The walk stands for the project only when the bot is in it: otherwise read everything, as below the limit.
  const conclusive = program !== undefined && program.some((file) => isBotCandidate(readFile(file)));
  const wanted = conclusive ? new Set(program) : undefined;
  const texts = new Map<string, string>();
  for (const file of files) if (wanted === undefined || wanted.has(file)) texts.set(file, readFile(file));
  return texts;
}

/** Whether a file may construct or subclass grammY's Bot (what `candidates` are made of). */
function isBotCandidate(text: string): boolean {
  // `includes` first: on a large repo most files import grammY only for Composer or types.
  return text.includes("grammy") && (text.includes("Bot") || /\bimport\s*\*/.test(text)) && importsGrammyBot(text) && (/\bnew\s+[\w$.]+\s*[<(]/.test(text) || /\bextends\s+[\w$.]+/.test(text));
}

/** Reads tsconfig.json, following relative `extends` (and package ones found in node_modules). */
function readTsconfig(path: string, depth = 0): Record<string, unknown> {
  const text = depth > 5 ? undefined : readTextFile(path);
  if (text === undefined) return {};
  let config: Record<string, unknown>;
  try {
    config = parseJsonc(text) as Record<string, unknown>;
  } catch (error) {
    throw failure(`${path}: cannot be parsed (${(error as Error).message})`, "fix tsconfig.json, then run again");
  }
  const parents = Array.isArray(config.extends) ? config.extends : config.extends ? [config.extends] : [];
  let merged: Record<string, unknown> = {};
  for (const parent of parents as string[]) {
    const base = parent.startsWith(".")
      ? resolve(dirname(path), parent)
      : join(dirname(path), "node_modules", parent);
    const file = existsSync(base) && !base.endsWith(".json") ? join(base, "tsconfig.json") : base.endsWith(".json") ? base : `${base}.json`;
    const inherited = readTsconfig(file, depth + 1);
    merged = { ...merged, ...inherited, compilerOptions: { ...(merged.compilerOptions as object), ...(inherited.compilerOptions as object) } };
  }
  return { ...merged, ...config, compilerOptions: { ...(merged.compilerOptions as object), ...(config.compilerOptions as object) } };
}

/** Project-relative TypeScript source files, skipping dependencies, build output and declaration files. */
export function listTsFiles(root: string): string[] {
  const out: string[] = [];
  // `prefix` is the folder's project-relative posix path with a trailing slash ("" at the root).
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") && entry.name !== ".") continue;
      if (entry.isDirectory()) {
        if (!ignoredDirs.has(entry.name)) walk(`${dir}${sep}${entry.name}`, `${prefix}${entry.name}/`);
      } else if (entry.isFile() && tsFile.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        out.push(`${prefix}${entry.name}`);
      }
    }
  };
  walk(root, "");
  return out.sort();
}
