import { posix } from "node:path";

// === Resolving the project's own import specifiers, as TypeScript does ===
//
// Relative paths, tsconfig `paths` (with or without `baseUrl`), a bare
// `baseUrl` import, and package.json `imports` (`#root/*`), mapped back from
// the build folder to the sources when they point at it. Pure functions of
// the project's settings and the set of files that exist: no compiler.

export interface ModuleAlias {
  /** `@/*`, `#root/*`, or an exact key such as `config`. */
  pattern: string;
  /** Project-relative targets, `*` for the matched part: `src/*`. */
  targets: string[];
  kind: "paths" | "imports";
}

export interface AliasSettings {
  aliases: ModuleAlias[];
  /** Project-relative `baseUrl` ("." for the root), when set. */
  baseUrl?: string;
}

const tsExtensions = /\.(m|c)?(j|t)sx?$/;

/** The aliases of a project from its tsconfig options and package.json. */
export function readAliasSettings(options: Record<string, unknown>, packageJson: Record<string, unknown> | undefined): AliasSettings {
  const baseUrl = typeof options.baseUrl === "string" ? posix.normalize(options.baseUrl.replace(/\\/g, "/")) : undefined;
  const aliases: ModuleAlias[] = [];
  const paths = options.paths;
  if (paths && typeof paths === "object") {
    for (const [pattern, list] of Object.entries(paths as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const targets = list.filter((t): t is string => typeof t === "string").map((t) => posix.normalize(posix.join(baseUrl ?? ".", t)));
      aliases.push({ pattern, targets, kind: "paths" });
    }
  }
  const imports = packageJson?.imports;
  if (imports && typeof imports === "object") {
    const outDir = typeof options.outDir === "string" ? posix.normalize(options.outDir) : undefined;
    const rootDir = typeof options.rootDir === "string" ? posix.normalize(options.rootDir) : ".";
    for (const [pattern, value] of Object.entries(imports as Record<string, unknown>)) {
      const targets = conditionTargets(value).map((t) => posix.normalize(t));
      // `"#root/*": "./build/src/*"` points at the build: TypeScript maps it back to the sources.
      const sources = targets.flatMap((t) => (outDir && (t === outDir || t.startsWith(`${outDir}/`)) ? [posix.normalize(posix.join(rootDir, t.slice(outDir.length))), t] : [t]));
      aliases.push({ pattern, targets: [...new Set(sources)], kind: "imports" });
    }
  }
  return { aliases, ...(baseUrl !== undefined && { baseUrl }) };
}

/** The strings of an `imports` entry: a path, or an object of conditions (types, import, require, node, default). */
function conditionTargets(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(conditionTargets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return ["types", "import", "require", "node", "default"].flatMap((k) => (k in record ? conditionTargets(record[k]) : []));
  }
  return [];
}

function matchPattern(pattern: string, specifier: string): string | undefined {
  const star = pattern.indexOf("*");
  if (star === -1) return pattern === specifier ? "" : undefined;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (specifier.length < prefix.length + suffix.length || !specifier.startsWith(prefix) || !specifier.endsWith(suffix)) return undefined;
  return specifier.slice(prefix.length, specifier.length - suffix.length);
}

/** The TypeScript file a path without or with an extension names, among `exists`. */
function sourceFileAt(base: string, exists: (path: string) => boolean): string | undefined {
  const stem = base.replace(tsExtensions, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${stem}/index.ts`, `${stem}/index.tsx`]) {
    if (/\.(m|c)?tsx?$/.test(candidate) && exists(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The project file `specifier` names when written in `fromFile`, or
 * undefined for a package (or a file that does not exist).
 */
export function resolveProjectModule(settings: AliasSettings, fromFile: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  if (specifier.startsWith(".")) return sourceFileAt(posix.normalize(posix.join(posix.dirname(fromFile), specifier)), exists);
  for (const alias of settings.aliases) {
    if (alias.kind === "imports" && !specifier.startsWith("#")) continue;
    const matched = matchPattern(alias.pattern, specifier);
    if (matched === undefined) continue;
    for (const target of alias.targets) {
      const found = sourceFileAt(posix.normalize(target.replace("*", matched)), exists);
      if (found) return found;
    }
  }
  if (settings.baseUrl !== undefined && !specifier.startsWith("#")) return sourceFileAt(posix.normalize(posix.join(settings.baseUrl, specifier)), exists);
  return undefined;
}

/** The aliased specifier (without extension) for a project file, when an alias covers it: `src/bot/x.ts` → `@/bot/x`. */
export function aliasFor(settings: AliasSettings, file: string, kind?: ModuleAlias["kind"]): string | undefined {
  const stem = file.replace(tsExtensions, "");
  for (const alias of settings.aliases) {
    if (kind && alias.kind !== kind) continue;
    const star = alias.pattern.indexOf("*");
    if (star === -1 || alias.pattern.indexOf("*", star + 1) !== -1) continue;
    for (const target of alias.targets) {
      const matched = matchPattern(target.replace(tsExtensions, ""), stem);
      if (matched !== undefined && matched !== "") return alias.pattern.replace("*", matched).replace(tsExtensions, "");
    }
  }
  return undefined;
}
