import { readTextFile } from "../core/regular-file.js";
import { assertInsidePack } from "../recipes/pack-file.js";
import { join, relative } from "node:path";
import { failure } from "../core/errors.js";
import type { Recipe } from "../recipes/manifest.js";
import { compileTemplate } from "./handlebars-env.js";

/** Where a recipe's text is, for messages: `templates/error-handler/error-handler.ts.hbs`. */
export function sourceName(recipe: Recipe, file: string): string {
  return relative(process.cwd(), join(recipe.dir, file)) || file;
}

/** Renders one template file of a recipe. */
export function renderTemplateFile(recipe: Recipe, template: string, view: Record<string, unknown>): string {
  if (template.includes("..") || template.startsWith("/")) throw failure(`${recipe.ref}: template "${template}" must be a file inside the recipe folder`);
  const file = join(recipe.dir, template);
  assertInsidePack(recipe.dir, file, sourceName(recipe, template));
  const text = readTextFile(file, sourceName(recipe, template));
  if (text === undefined) throw failure(`${sourceName(recipe, "recipe.json")}: template "${template}" does not exist`, "fix the manifest's files list");
  return compileTemplate(text, sourceName(recipe, template))(view);
}

/** Renders a string of the manifest (a target path, an edit's code). */
export function renderString(recipe: Recipe, template: string, view: Record<string, unknown>, where: string): string {
  if (!template.includes("{{")) return template;
  // `{{recipesDir}}/x.ts`: names with string values are substituted as Handlebars would (no escaping),
  // without compiling a template per target (every `add` renders each catalogue recipe's first target).
  const simple = /^(?:[^{}]|\{\{([A-Za-z_$][\w$]*)\}\})*$/.test(template);
  if (simple) {
    let complete = true;
    const out = template.replace(/\{\{([A-Za-z_$][\w$]*)\}\}/g, (_, name: string) => {
      const value = Object.hasOwn(view, name) ? view[name] : undefined;
      if (typeof value === "string") return value;
      complete = false;
      return "";
    });
    if (complete) return out;
  }
  return compileTemplate(template, `${sourceName(recipe, "recipe.json")} (${where})`)(view);
}
