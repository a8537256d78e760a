import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";

// === A field fixture's node_modules, built from its toolchain.json ===
//
// A field fixture (test/fixtures/field/<name>) is a project as users have
// them: its TypeScript, grammY, @types/node and plugins are named in
// `toolchain.json` by the aliased packages installed in this repository
// (`{ "typescript": "typescript-4.5", "grammy": "grammy-1.20" }`). This
// builds `node_modules` beside a copy so that tsc, Node and the engine (which
// reads installed versions from node_modules) all see those versions:
//
//   typescript, grammy, @types/node   symlinks to the named aliases
//   @grammyjs/types                   symlink to that grammY's own nested copy
//   @grammyjs/<plugin>                COPIED: a symlink resolves to its real path,
//                                     whose `import "grammy"` would find the
//                                     repository's grammY, not the fixture's
//   the plugins' own dependencies     symlinks (debug, bottleneck, …)
//   bullmq, ioredis                   symlinks (self-contained, no grammY)
//
// One node_modules serves every copy of the fixture placed below it (Node,
// tsc and the engine all walk up). Copying the plugins costs about 1 MB and
// 20 ms per fixture.

/** `toolchain.json`: package name → the installed package (an alias) that plays it. */
export type Toolchain = Record<string, string>;

/** Packages recipes may use besides grammY, symlinked as they are. */
const selfContained = ["bullmq", "ioredis"];

export function readToolchain(fixtureDir: string): Toolchain {
  const file = join(fixtureDir, "toolchain.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Toolchain) : {};
}

/** The folders packages of field fixtures come from: the main node_modules, then test/toolchains (the TypeScript versions). */
export function toolchainSources(repoRoot: string): string[] {
  return [join(repoRoot, "node_modules"), join(repoRoot, "test", "toolchains", "node_modules")];
}

/** Whether a folder is a field fixture (has a toolchain.json). */
export const isFieldFixture = (dir: string) => existsSync(join(dir, "toolchain.json"));

/**
 * Writes `<into>/node_modules` for `toolchain`, taking packages from
 * `source` (a node_modules folder holding the aliases). Returns what each
 * package name points at, for messages.
 */
export function buildNodeModules(into: string, toolchain: Toolchain, sources: string | string[]): Record<string, string> {
  const folders = Array.isArray(sources) ? sources : [sources];
  // The first folder is the main node_modules (plugins, their dependencies); the others hold aliases (test/toolchains).
  const source = folders[0]!;
  const nm = join(into, "node_modules");
  mkdirSync(nm, { recursive: true });
  const placed: Record<string, string> = {};
  const from = (alias: string) => {
    const dir = folders.map((f) => join(f, alias)).find((d) => existsSync(join(d, "package.json")));
    if (!dir) throw new Error(`toolchain: ${alias} is not installed in ${folders.join(" or ")} (npm test installs test/toolchains: node scripts/ensure-toolchains.js)`);
    return dir;
  };
  const link = (name: string, target: string) => {
    if (placed[name]) return;
    mkdirSync(dirname(join(nm, name)), { recursive: true });
    symlinkSync(target, join(nm, name), "junction");
    placed[name] = target;
  };
  const copy = (name: string, target: string) => {
    mkdirSync(dirname(join(nm, name)), { recursive: true });
    cpSync(target, join(nm, name), { recursive: true, dereference: true });
    placed[name] = target;
  };

  const grammy = from(toolchain.grammy ?? "grammy");
  link("grammy", grammy);
  link("typescript", from(toolchain.typescript ?? "typescript"));
  link("@types/node", from(toolchain["@types/node"] ?? "@types/node"));
  const nestedTypes = join(grammy, "node_modules", "@grammyjs", "types");
  link("@grammyjs/types", existsSync(join(nestedTypes, "package.json")) ? nestedTypes : from("@grammyjs/types"));

  // Every @grammyjs plugin installed here, or the alias toolchain.json names for it.
  const plugins = new Set(readdirSync(join(source, "@grammyjs")).filter((p) => p !== "types").map((p) => `@grammyjs/${p}`));
  for (const name of Object.keys(toolchain)) if (name.startsWith("@grammyjs/") && name !== "@grammyjs/types") plugins.add(name);
  const dependencies = new Set<string>();
  for (const name of [...plugins].sort()) {
    const dir = from(toolchain[name] ?? name);
    copy(name, dir);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) dependencies.add(dep);
  }
  for (const name of [...selfContained, ...Object.keys(toolchain).filter((n) => !placed[n])]) link(name, from(toolchain[name] ?? name));
  for (const dep of dependencies) if (!dep.startsWith("@grammyjs/") && existsSync(join(source, dep, "package.json"))) link(dep, join(source, dep));
  return placed;
}
