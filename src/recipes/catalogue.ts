import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { bundledTemplatesDir, indexedManifests } from "./catalogue-index.js";
import { failure, usageError } from "../core/errors.js";
import type { Recipe, RecipeManifest } from "./manifest.js";
import { validateManifest } from "./validate-manifest.js";
import { readTextFile } from "../core/regular-file.js";
import { assertInsidePack } from "./pack-file.js";

// Where the bundled templates are: the same folder the catalogue index (a cache for `list` and `show`) describes.
export { bundledTemplatesDir };

export interface Catalogue {
  recipes: Recipe[];
  /** Finds a recipe by `id` or `pack/id`; throws a usage error naming close matches. */
  get(ref: string): Recipe;
}

/**
 * Loads every recipe folder of the bundled templates and of each pack folder.
 * Reading a manifest is parsing JSON: nothing in a pack is ever executed.
 * A pack recipe whose id is also a bundled one is addressed as `pack/id`.
 */
export function loadCatalogue(packDirs: string[] = [], bundledDir = bundledTemplatesDir()): Catalogue {
  const recipes: Recipe[] = [];
  const seen = new Map<string, string>();
  // The bundled manifests as the build validated them, while the index says nothing they come from has changed.
  const indexed = indexedManifests(bundledDir);
  for (const [dir, pack] of [[bundledDir, "bundled"] as const, ...packDirs.map((d) => [resolve(d), basename(resolve(d))] as const)]) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw usageError(`templates folder not found: ${dir}`, "pass a folder of recipe folders to --templates");
    for (const entry of readdirSync(dir).sort()) {
      const recipeDir = join(dir, entry);
      if (!existsSync(join(recipeDir, "recipe.json"))) continue;
      assertInsidePack(dir, recipeDir, `recipe folder ${recipeDir}`);
      assertInsidePack(recipeDir, join(recipeDir, "recipe.json"), join(recipeDir, "recipe.json"));
      const manifest = (pack === "bundled" && indexed?.get(entry)) || readManifest(recipeDir);
      const clash = seen.get(manifest.id);
      if (clash === "bundled" && pack === "bundled") throw failure(`two bundled recipes have the id "${manifest.id}"`);
      const ref = clash === undefined ? manifest.id : `${pack}/${manifest.id}`;
      if (clash === undefined) seen.set(manifest.id, pack);
      recipes.push({ manifest, dir: recipeDir, pack, ref });
    }
  }
  return {
    recipes,
    get(ref) {
      const found = recipes.find((r) => r.ref === ref) ?? recipes.find((r) => `${r.pack}/${r.manifest.id}` === ref);
      if (found) return found;
      const close = recipes.filter((r) => r.ref.includes(ref) || ref.includes(r.manifest.id) || editDistance(r.manifest.id, ref) <= 2).map((r) => r.ref);
      throw usageError(
        `unknown recipe "${ref}"`,
        close.length > 0 ? `did you mean ${close.join(", ")}? Run \`create-bot-snippet list\` to see all` : "run `create-bot-snippet list` to see the recipes",
      );
    },
  };
}

export function readManifest(recipeDir: string): RecipeManifest {
  const file = join(recipeDir, "recipe.json");
  let data: unknown;
  try {
    data = JSON.parse(readTextFile(file) ?? "");
  } catch (error) {
    if (error instanceof Error && error.name === "CliError") throw error;
    throw failure(`${file}: not valid JSON (${(error as Error).message})`, "fix the manifest; `create-bot-snippet lint` shows every problem");
  }
  const problems = validateManifest(data);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw failure(
      `${file}: ${first.path ? `${first.path}: ` : ""}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
      "run `create-bot-snippet lint` on the folder to see every problem",
    );
  }
  const manifest = data as RecipeManifest;
  if (manifest.id !== basename(recipeDir)) throw failure(`${file}: id "${manifest.id}" must equal the folder name "${basename(recipeDir)}"`);
  return manifest;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}
