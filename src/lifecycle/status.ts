import { existsSync } from "node:fs";
import { join, posix } from "node:path";
import { scanProject } from "../project/scan-project.js";
import type { Catalogue } from "../recipes/catalogue.js";
import { conditionHolds } from "../recipes/answers.js";
import type { Answers, JsonValue, Recipe } from "../recipes/manifest.js";
import { recipeVersion } from "../record/recipe-version.js";
import type { ProjectRecord } from "../record/record-file.js";
import { renderString } from "../render/render-recipe.js";
import { catalogueRecipe, generatedFiles, refOf, type FileState } from "./installed.js";

// === `status` / `list --installed`: what is installed, changed, and out of date ===

export interface RecipeStatus {
  ref: string;
  id: string;
  pack: string;
  version: string;
  answers: Answers;
  files: Array<{ path: string; state: FileState }>;
  /** The catalogue's version of the recipe, when this run loaded its pack (bundled, or a --templates pack). */
  latest?: string;
  /** The catalogue has another version of it than the one installed: `update` applies it. */
  newer: boolean;
}

export interface ProjectStatus {
  /** Whether the project has a record (bot-snippets.json). */
  recorded: boolean;
  recipes: RecipeStatus[];
  /** Recipes recognised in the code that the record does not list (added before records, or by hand). */
  unrecorded: Array<{ ref: string; files: string[] }>;
}

export function projectStatus(root: string, record: ProjectRecord | undefined, catalogue: Catalogue): ProjectStatus {
  const recipes = (record?.recipes ?? []).map((r): RecipeStatus => {
    const recipe = catalogueRecipe(catalogue, r);
    const latest = recipe ? recipeVersion(recipe) : undefined;
    return {
      ref: refOf(r),
      id: r.id,
      pack: r.pack,
      version: r.version,
      answers: r.answers,
      files: generatedFiles(root, r).map((f) => ({ path: f.path, state: f.state })),
      ...(latest !== undefined && { latest }),
      newer: latest !== undefined && latest !== r.version,
    };
  });
  // A recipe the record lists (from any pack) is not recognised again, nor are the files it wrote.
  const ids = new Set((record?.recipes ?? []).map((r) => r.id));
  const owned = new Set((record?.recipes ?? []).flatMap((r) => r.files.map((f) => f.path)));
  const unrecorded = recogniseByFiles(root, catalogue.recipes.filter((r) => !ids.has(r.manifest.id)))
    .map((u) => ({ ...u, files: u.files.filter((f) => !owned.has(f)) }))
    .filter((u) => u.files.length > 0);
  return { recorded: record !== undefined, recipes, unrecorded };
}

/**
 * Recipes whose generated files stand where `add` puts them by default (the
 * targets rendered for each file that may create the bot, with the
 * questions' defaults): how a recipe added before the record existed is
 * recognised. A text scan only: no TypeScript is parsed, so `status` stays
 * fast on a large project.
 */
export function recogniseByFiles(root: string, candidates: Recipe[]): Array<{ ref: string; files: string[] }> {
  const recipes = candidates.filter((r) => (r.manifest.kind ?? "recipe") === "recipe" && r.manifest.files.length > 0);
  if (recipes.length === 0) return [];
  let bots: string[];
  try {
    bots = scanProject(root).candidates;
  } catch {
    return [];
  }
  const found: Array<{ ref: string; files: string[] }> = [];
  for (const recipe of recipes) {
    const defaults: Answers = {};
    for (const q of recipe.manifest.questions) if (q.default !== undefined) defaults[q.name] = q.default as JsonValue;
    const files = new Set<string>();
    for (const botFile of bots) {
      const botDir = posix.dirname(botFile);
      // The facts targets use (see templateFacts in src/engine/plan.ts).
      const facts: Record<string, JsonValue> = { bot: "bot", botFile, recipesDir: botDir === "." ? "recipes" : `${botDir}/recipes` };
      for (const spec of recipe.manifest.files) {
        if (spec.when && !conditionHolds(spec.when, defaults, facts)) continue;
        try {
          const target = renderString(recipe, spec.target, { ...facts, ...defaults }, "files.target");
          if (existsSync(join(root, target))) files.add(target);
        } catch {
          // a target that needs an answer without a default: not a default place
        }
      }
    }
    if (files.size > 0) found.push({ ref: recipe.ref, files: [...files] });
  }
  return found;
}
