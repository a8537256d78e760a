import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import coerce from "semver/functions/coerce.js";
import minVersion from "semver/ranges/min-version.js";
import validRange from "semver/ranges/valid.js";

// === What the project has installed ===
//
// The version of a package as the user's code will see it, read without
// running anything: `node_modules/<name>/package.json` (walking up like Node,
// for workspaces), else the lockfile (npm, pnpm, yarn, bun's text lock), else
// the lowest version the range in package.json allows. Recipes compare it
// with the ranges their code needs before anything is rendered.

export interface InstalledPackage {
  name: string;
  version: string;
  /** Where the version was read: what `add` tells the user when it refuses. */
  source: "node_modules" | "lockfile" | "package.json";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The packages package.json names (dependencies, dev, peer, optional) with their ranges. */
export function declaredRanges(packageJson: Obj | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const field of ["peerDependencies", "optionalDependencies", "devDependencies", "dependencies"]) {
    const section = packageJson?.[field];
    if (isObj(section)) for (const [name, range] of Object.entries(section)) if (typeof range === "string") out.set(name, range);
  }
  return out;
}

/**
 * The installed version of every package package.json names, and of
 * `extra` names (grammY's plugins a recipe may need) found in node_modules.
 */
export function detectInstalledVersions(root: string, packageJson: Obj | undefined, extra: string[] = []): Map<string, InstalledPackage> {
  const ranges = declaredRanges(packageJson);
  const lock = readLockfiles(root);
  const out = new Map<string, InstalledPackage>();
  for (const name of new Set([...ranges.keys(), ...extra])) {
    const found = fromNodeModules(root, name) ?? fromLock(lock, name) ?? fromRange(name, ranges.get(name));
    if (found) out.set(name, found);
  }
  return out;
}

function fromNodeModules(root: string, name: string): InstalledPackage | undefined {
  let dir = resolve(root);
  for (;;) {
    if (basename(dir) !== "node_modules") {
      const pkg = join(dir, "node_modules", name, "package.json");
      if (existsSync(pkg)) {
        try {
          const version = (JSON.parse(readFileSync(pkg, "utf8")) as Obj).version;
          if (typeof version === "string") return { name, version, source: "node_modules" };
        } catch {
          // A broken package.json in node_modules: fall through to the lockfile.
        }
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function fromRange(name: string, range: string | undefined): InstalledPackage | undefined {
  if (!range || validRange(range) === null) return undefined;
  const version = minVersion(range)?.version;
  return version ? { name, version, source: "package.json" } : undefined;
}

interface Locks {
  npm?: Obj;
  pnpm?: string;
  yarn?: string;
}

function readLockfiles(root: string): Locks {
  const read = (file: string) => (existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8") : undefined);
  const locks: Locks = {};
  const npm = read("package-lock.json") ?? read("npm-shrinkwrap.json");
  if (npm) {
    try {
      locks.npm = JSON.parse(npm) as Obj;
    } catch {
      // An unreadable lockfile tells nothing.
    }
  }
  locks.pnpm = read("pnpm-lock.yaml");
  locks.yarn = read("yarn.lock") ?? read("bun.lock");
  return locks;
}

function fromLock(locks: Locks, name: string): InstalledPackage | undefined {
  const found = (version: string | undefined) => {
    const clean = version ? coerce(version)?.version : undefined;
    return clean ? ({ name, version: clean, source: "lockfile" } as const) : undefined;
  };
  if (locks.npm) {
    const packages = locks.npm.packages;
    const v2 = isObj(packages) ? packages[`node_modules/${name}`] : undefined;
    if (isObj(v2) && typeof v2.version === "string") return found(v2.version);
    const dependencies = locks.npm.dependencies;
    const v1 = isObj(dependencies) ? dependencies[name] : undefined;
    if (isObj(v1) && typeof v1.version === "string") return found(v1.version);
  }
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  if (locks.pnpm) {
    // v6+: `      grammy:\n        specifier: ^1.20.0\n        version: 1.20.4(…)`; v5: `  grammy: 1.20.4`.
    const m = new RegExp(`^\\s+['"]?${escaped}['"]?:\\s*\\n\\s+specifier:[^\\n]*\\n\\s+version:\\s*['"]?([^\\s'"(]+)`, "m").exec(locks.pnpm) ?? new RegExp(`^\\s+['"]?${escaped}['"]?:\\s*['"]?(\\d[^\\s'"(]*)`, "m").exec(locks.pnpm);
    if (m) return found(m[1]);
  }
  if (locks.yarn) {
    // yarn v1/berry: `"grammy@^1.20.0":\n  version "1.20.4"`; bun.lock: `"grammy": ["grammy@1.20.4", …]`.
    const m = new RegExp(`^"?${escaped}@[^\\n]*:\\s*\\n\\s+version:?\\s+"?([^"\\s]+)`, "m").exec(locks.yarn) ?? new RegExp(`"${escaped}":\\s*\\["${escaped}@([^"]+)"`).exec(locks.yarn);
    if (m) return found(m[1]);
  }
  return undefined;
}
