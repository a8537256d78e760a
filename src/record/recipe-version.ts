import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Recipe } from "../recipes/manifest.js";

const versions = new Map<string, string>();

/**
 * A recipe's version as the record keeps it: `<package version>+<12 hex>`,
 * the version of the package it ships in (this CLI for bundled recipes, a
 * pack's own package.json when it has one) and a hash of every file in the
 * recipe's folder. Any change to a template or the manifest is a new version,
 * whether or not anyone remembered to bump a number.
 */
export function recipeVersion(recipe: Recipe): string {
  let version = versions.get(recipe.dir);
  if (version === undefined) {
    version = `${packageVersion(dirname(recipe.dir), recipe.pack === "bundled" ? 2 : 1)}+${folderHash(recipe.dir).slice(0, 12)}`;
    versions.set(recipe.dir, version);
  }
  return version;
}

/** The content hash of a folder: its files' relative paths and bytes, in sorted order (symlinks by their target text, never followed). */
export function folderHash(dir: string): string {
  const hash = createHash("sha256");
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const stat = lstatSync(join(dir, path));
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) hash.update(`${path}\0`).update(readFileSync(join(dir, path))).update("\0");
      else if (stat.isSymbolicLink()) hash.update(`${path}\0->\0`);
    }
  };
  walk("");
  return hash.digest("hex");
}

/** The version in the package.json of a pack's folder (or, for the bundled `templates/`, the CLI's own one above it); 0.0.0 without one. */
function packageVersion(templatesDir: string, depth: number): string {
  for (let dir = templatesDir, i = 0; i < depth; i++, dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    try {
      const version = (JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version;
      if (typeof version === "string") return version;
    } catch {
      // a pack's broken package.json does not make its recipes unusable
    }
  }
  return "0.0.0";
}
