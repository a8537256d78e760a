import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { findPackageHome, findTypeScript, type TypeScriptInstall } from "../check/tsc.js";
import { makeScratchDir } from "../core/scratch.js";

// === Where `lint --typecheck` works, and with what ===
//
// The copies it type-checks live in a folder of the OS temp folder, never in
// the user's project or the pack (a read-only install folder would refuse
// them, a Ctrl-C would leave them in the user's tree). The folder goes when
// the check ends, when the process exits, and on SIGINT/SIGTERM/SIGHUP.
//
// The TypeScript that checks is the CLI's own, found from its install
// folder as Node finds the CLI's own modules: never one from the pack or the
// current folder (a pack could ship node_modules/typescript/bin/tsc, and a
// check must not run a pack's code). The packages the copies import (grammY,
// @types/node, the recipes' dependencies) are linked into the scratch
// folder's node_modules from the CLI's install where it has them (a checkout
// has them all), else from the folder lint runs in; type declarations are
// read, nothing of them runs.

/** The TypeScript of the CLI's own install (`packageRoot`: the CLI's package folder), or undefined. */
export function ownTypeScript(packageRoot: string): TypeScriptInstall | undefined {
  return findTypeScript(packageRoot);
}

/** A scratch folder in the OS temp folder, removed by `remove()`, at exit, and on SIGINT/SIGTERM/SIGHUP. */
export function lintScratch(prefix = "bot-snippet-lint-"): { dir: string; remove: () => void } {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  let dir: string | undefined;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off("exit", remove);
    for (const s of signals) process.off(s, onSignal);
    if (dir !== undefined && !process.env.BOT_SNIPPET_KEEP_SCRATCH) rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal); // no listener left: the default action ends the process (exit 130 for SIGINT)
  };
  // Listening before the folder exists: a signal in between still removes it.
  process.on("exit", remove);
  for (const s of signals) process.on(s, onSignal);
  try {
    dir = makeScratchDir(prefix);
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/** The package a module specifier names (`grammy/types` → grammy, `@a/b/c` → @a/b), or undefined for node: and relative ones. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith("node:") || specifier.startsWith(".") || specifier.startsWith("/")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Links each package of `names` into `<scratch>/node_modules`, from the
 * first of `from` (folders, in order) where Node would find it. Returns
 * where each came from, and the names found in none of them.
 */
export function linkPackages(scratch: string, names: Iterable<string>, from: string[]): { linked: Map<string, string>; missing: string[] } {
  const linked = new Map<string, string>();
  const missing: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    const home = from.map((f) => findPackageHome(f, name)).find((h) => h !== undefined);
    if (!home) {
      missing.push(name);
      continue;
    }
    const source = join(home, "node_modules", name);
    const target = join(scratch, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    if (!existsSync(target)) symlinkSync(source, target, "junction");
    linked.set(name, source);
  }
  return { linked, missing };
}
