import type { Catalogue } from "../recipes/catalogue.js";
import type { Recipe } from "../recipes/manifest.js";
import { recipeVersion } from "../record/recipe-version.js";
import { choose } from "../ui/ask.js";
import { catalogueRecipe, readRecord } from "./installed.js";

// === The recipe picker of the run without a command, for a project with recipes installed ===
//
// Installed recipes are shown as such (from the record); picking one asks
// whether to update it (when the catalogue has a newer version) or remove
// it, instead of adding it again.

export interface InstalledMark {
  /** `installed` or `installed, update available`: shown beside the recipe in the picker. */
  label: string;
  newer: boolean;
}

/** The recipes of the catalogue the project's record lists, by ref. A corrupt record is refused (one line). */
export function installedMarks(root: string, catalogue: Catalogue): Map<string, InstalledMark> {
  const marks = new Map<string, InstalledMark>();
  for (const recorded of readRecord(root)?.recipes ?? []) {
    const recipe = catalogueRecipe(catalogue, recorded);
    if (!recipe) continue;
    const newer = recipeVersion(recipe) !== recorded.version;
    marks.set(recipe.ref, { label: newer ? "installed, update available" : "installed", newer });
  }
  return marks;
}

export interface PickedOptions {
  yes?: boolean;
  templates?: string[];
  pm?: string;
  install?: boolean;
  verbose?: boolean;
}

/**
 * Asks, for each installed recipe among those picked, whether to update or
 * remove it, and does so. Returns the picked recipes that are not installed
 * (to be added) and how many installed ones were acted on.
 */
export async function actOnInstalled(root: string, picked: Recipe[], marks: Map<string, InstalledMark>, options: PickedOptions): Promise<{ rest: Recipe[]; handled: number }> {
  const rest: Recipe[] = [];
  let handled = 0;
  for (const recipe of picked) {
    const mark = marks.get(recipe.ref);
    if (!mark) {
      rest.push(recipe);
      continue;
    }
    const choices = [
      ...(mark.newer ? [{ title: "update it to the newer version (your changes kept, merged)", value: "update" }] : []),
      { title: "remove it (its files, and the lines it added to yours)", value: "remove" },
      { title: "leave it as it is", value: "leave" },
    ];
    const what = await choose(`${recipe.ref} is ${mark.label}: what should happen to it?`, choices);
    if (what === "update") {
      handled++;
      await (await import("../commands/update.js")).updateCommand([recipe.ref], { cwd: root, ...pick(options, ["yes", "templates", "pm", "install"]) });
    } else if (what === "remove") {
      handled++;
      await (await import("../commands/remove.js")).removeCommand([recipe.ref], { cwd: root, ...pick(options, ["yes", "templates", "verbose"]) });
    }
  }
  return { rest, handled };
}

/** The options that are set, of these keys (exactOptionalPropertyTypes-safe). */
function pick<K extends keyof PickedOptions>(options: PickedOptions, keys: K[]): Pick<PickedOptions, K> {
  const out: Partial<PickedOptions> = {};
  for (const k of keys) if (options[k] !== undefined) (out as Record<string, unknown>)[k] = options[k];
  return out as Pick<PickedOptions, K>;
}
