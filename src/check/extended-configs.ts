import { readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { parseJsonc } from "../project/jsonc.js";

/**
 * The files that decide the configs a tsconfig extends, and those they
 * extend (absolute paths): each config TypeScript reads, and every file its
 * lookup looked at on the way (package.json files that chose it through
 * `exports` or `tsconfig`, and the places where a file that is absent would
 * have been taken first: its appearing changes the answer). A config that
 * cannot be found leaves only the places it was looked for.
 *
 * The lookup is TypeScript's own for `extends` (5.x `getExtendsConfigPath`,
 * `nodeNextJsonConfigResolver`): `./`, `../` or an absolute path as is or
 * with `.json`; otherwise the package's own name (`exports` of the package
 * the config is in), then `node_modules/<package>` in the config's folder and
 * every folder above it: `exports` (conditions `require`, `types`, `node`,
 * `default`) when the package has them, else the file itself, with `.json`,
 * the package.json `tsconfig` field, and `tsconfig.json` in it. Synchronous
 * and typescript-free: it runs inside `add`. Not followed: `#imports`
 * specifiers and `typesVersions` (unheard of for configs).
 */
export function extendedConfigs(config: string, depth = 0): string[] {
  if (depth > 8) return [];
  let data: { extends?: unknown };
  try {
    data = parseJsonc(readFileSync(config, "utf8")) as { extends?: unknown };
  } catch {
    return [];
  }
  const list = Array.isArray(data?.extends) ? data.extends : [data?.extends];
  const out: string[] = [];
  for (const spec of list) {
    if (typeof spec !== "string" || spec === "") continue;
    const lookup = new Lookup();
    const found = resolveExtends(spec.replace(/\\/g, "/"), dirname(config), lookup);
    if (found) out.push(found);
    out.push(...[...lookup.looked].filter((path) => path !== found));
    if (found) out.push(...extendedConfigs(found, depth + 1));
  }
  return [...new Set(out)];
}

/** The paths a lookup looked at (files, present or not), and the package.json files it read. */
class Lookup {
  readonly looked = new Set<string>();
  private readonly packages = new Map<string, PackageJson | undefined>();

  file(path: string): boolean {
    this.looked.add(path);
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  }

  /** The package.json in `dir`, parsed (undefined when there is none, or it is not an object). */
  packageJson(dir: string): PackageJson | undefined {
    if (this.packages.has(dir)) return this.packages.get(dir);
    const path = join(dir, "package.json");
    let json: PackageJson | undefined;
    if (this.file(path)) {
      try {
        const read = JSON.parse(readFileSync(path, "utf8")) as unknown;
        if (read && typeof read === "object" && !Array.isArray(read)) json = read as PackageJson;
      } catch {
        // Unreadable: TypeScript finds no package there either.
      }
    }
    this.packages.set(dir, json);
    return json;
  }
}

interface PackageJson {
  name?: unknown;
  exports?: unknown;
  tsconfig?: unknown;
}

/** The conditions TypeScript matches in `exports` for an `extends` (CommonJS mode of node16/nodenext). */
const CONDITIONS = new Set(["default", "require", "types", "node"]);

function resolveExtends(spec: string, from: string, lookup: Lookup): string | undefined {
  if (isAbsolute(spec) || spec.startsWith("./") || spec.startsWith("../")) {
    const path = resolve(from, spec);
    if (lookup.file(path) || spec.endsWith(".json")) return lookup.file(path) ? path : undefined;
    return lookup.file(`${path}.json`) ? `${path}.json` : undefined;
  }
  const slash = spec.indexOf("/", spec.startsWith("@") ? spec.indexOf("/") + 1 : 0);
  const name = slash === -1 ? spec : spec.slice(0, slash);
  const rest = slash === -1 ? "" : spec.slice(slash + 1);
  const subpath = rest === "" ? "." : `./${rest}`;

  // The package the config is in, by its own name (only through its `exports`).
  for (let dir = from; ; dir = dirname(dir)) {
    const own = lookup.packageJson(dir);
    if (own) {
      if (own.name === name && own.exports) {
        const found = fromExports(dir, own.exports, subpath, lookup);
        if (found) return found;
      }
      break;
    }
    if (dirname(dir) === dir) break;
  }

  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const found = fromModules(join(dir, "node_modules"), name, rest, subpath, lookup);
      // Found in node_modules: TypeScript goes on from its real path (a linked workspace package's own folder),
      // where the config's relative `extends` and its node_modules are looked up.
      if (found) return realPath(found);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** `<modules>/<name>[/<rest>]` as TypeScript's `loadModuleFromSpecificNodeModulesDirectory` finds a config there. */
function fromModules(modules: string, name: string, rest: string, subpath: string, lookup: Lookup): string | undefined {
  const candidate = rest === "" ? join(modules, name) : join(modules, name, rest);
  const packageDir = join(modules, name);
  // A sub-folder with a package.json of its own, in a package without `exports`: a package in itself.
  if (rest !== "") {
    const inner = lookup.packageJson(candidate);
    if (inner && !lookup.packageJson(packageDir)?.exports) return asFile(candidate, lookup) ?? asFolder(candidate, inner, lookup);
  }
  const pkg = lookup.packageJson(packageDir);
  if (pkg?.exports) return fromExports(packageDir, pkg.exports, subpath, lookup);
  return asFile(candidate, lookup) ?? asFolder(candidate, rest === "" ? pkg : undefined, lookup);
}

/** A path as a file: itself when it ends with `.json`, else with `.json` added. */
function asFile(path: string, lookup: Lookup): string | undefined {
  if (path.endsWith(".json") && lookup.file(path)) return path;
  return lookup.file(`${path}.json`) ? `${path}.json` : undefined;
}

/** A package folder: its package.json `tsconfig` field (a file, or a folder with tsconfig.json), else its tsconfig.json. */
function asFolder(dir: string, pkg: PackageJson | undefined, lookup: Lookup): string | undefined {
  if (typeof pkg?.tsconfig === "string" && pkg.tsconfig !== "") {
    const field = resolve(dir, pkg.tsconfig);
    const found = asFile(field, lookup) ?? (lookup.file(join(field, "tsconfig.json")) ? join(field, "tsconfig.json") : undefined);
    if (found) return found;
  }
  const index = join(dir, "tsconfig.json");
  return lookup.file(index) ? index : undefined;
}

/** A subpath (`.` or `./x`) through a package's `exports`, as TypeScript's `loadModuleFromExports` reads them. */
function fromExports(packageDir: string, exports: unknown, subpath: string, lookup: Lookup): string | undefined {
  const isObject = typeof exports === "object" && exports !== null && !Array.isArray(exports);
  const keys = isObject ? Object.keys(exports) : [];
  if (subpath === ".") {
    const main = !isObject || keys.every((k) => !k.startsWith(".")) ? exports : (exports as Record<string, unknown>)["."];
    return main ? exportTarget(packageDir, main, "", false, lookup) : undefined;
  }
  if (!isObject || !keys.every((k) => k.startsWith("."))) return undefined;
  const table = exports as Record<string, unknown>;
  if (!subpath.endsWith("/") && Object.prototype.hasOwnProperty.call(table, subpath)) return exportTarget(packageDir, table[subpath], "", false, lookup);
  const expanding = keys.filter((k) => k.indexOf("*") !== -1 && k.indexOf("*") === k.lastIndexOf("*") || k.endsWith("/")).sort(comparePatternKeys);
  for (const key of expanding) {
    const star = key.indexOf("*");
    if (star !== -1 && !key.endsWith("*") && subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1))) {
      return exportTarget(packageDir, table[key], subpath.slice(star, subpath.length - (key.length - 1 - star)), true, lookup);
    }
    if (key.endsWith("*") && subpath.startsWith(key.slice(0, -1))) return exportTarget(packageDir, table[key], subpath.slice(key.length - 1), true, lookup);
    if (subpath.startsWith(key)) return exportTarget(packageDir, table[key], subpath.slice(key.length), false, lookup);
  }
  return undefined;
}

/** TypeScript's order of pattern keys: the longest prefix first. */
function comparePatternKeys(a: string, b: string): number {
  const aStar = a.indexOf("*");
  const bStar = b.indexOf("*");
  const aBase = aStar === -1 ? a.length : aStar + 1;
  const bBase = bStar === -1 ? b.length : bStar + 1;
  if (aBase !== bBase) return bBase - aBase;
  if (aStar === -1) return 1;
  if (bStar === -1) return -1;
  return b.length - a.length;
}

/** One target of `exports`: a `./` path (a .json file), an array (the first that resolves), or conditions (in their order). */
function exportTarget(packageDir: string, target: unknown, subpath: string, pattern: boolean, lookup: Lookup): string | undefined {
  if (typeof target === "string") {
    if (!pattern && subpath.length > 0 && !target.endsWith("/")) return undefined;
    if (!target.startsWith("./")) return undefined;
    const invalid = (parts: string[]) => parts.some((p) => p === ".." || p === "." || p === "node_modules");
    if (invalid(target.split("/").slice(1).filter((p) => p !== "")) || invalid(subpath.split("/"))) return undefined;
    const path = resolve(packageDir, pattern ? target.replace(/\*/g, subpath) : target + subpath);
    return path.endsWith(".json") && lookup.file(path) ? path : undefined;
  }
  if (Array.isArray(target)) {
    for (const element of target) {
      const found = exportTarget(packageDir, element, subpath, pattern, lookup);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof target === "object" && target !== null) {
    for (const [condition, sub] of Object.entries(target)) {
      if (!CONDITIONS.has(condition) && !condition.startsWith("types@")) continue; // `types@>=5.0`: taken as matching (it does for any TypeScript 5)
      const found = exportTarget(packageDir, sub, subpath, pattern, lookup);
      if (found) return found;
    }
  }
  return undefined;
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
