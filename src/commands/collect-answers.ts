import { readFileSync } from "node:fs";
import { usageError } from "../core/errors.js";
import { parseSetFlags, resolveAnswers, type AskFn } from "../recipes/answers.js";
import type { Answers, JsonValue, Recipe } from "../recipes/manifest.js";

/**
 * Splits `--set` flags and an `--answers` file among the recipes of one run:
 * `key=value` goes to every recipe that asks `key`; `recipe.key=value` to one.
 * A key no recipe asks is a usage error, so a typo never passes silently.
 */
export function givenAnswers(recipes: Recipe[], sets: string[] = [], answersFile?: string): Map<Recipe, Record<string, unknown>> {
  // No prototype, so `__proto__` and `constructor` are plain (unknown) keys, never swallowed.
  const flat: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const scoped = new Map<string, Record<string, unknown>>();
  const put = (key: string, value: unknown) => {
    const dot = key.indexOf(".");
    const recipeId = dot > 0 ? key.slice(0, dot) : undefined;
    if (recipeId && recipes.some((r) => r.manifest.id === recipeId || r.ref === recipeId)) {
      const inner = scoped.get(recipeId) ?? (Object.create(null) as Record<string, unknown>);
      inner[key.slice(dot + 1)] = value;
      scoped.set(recipeId, inner);
    } else flat[key] = value;
  };
  if (answersFile) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(answersFile, "utf8"));
    } catch (error) {
      throw usageError(`--answers ${answersFile}: ${(error as Error).message}`, "give a JSON file: { \"key\": value } or { \"recipe\": { \"key\": value } }");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw usageError(`--answers ${answersFile}: expected a JSON object`);
    for (const [key, value] of Object.entries(data)) {
      const recipe = recipes.find((r) => r.manifest.id === key || r.ref === key);
      if (recipe && typeof value === "object" && value !== null && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) put(`${key}.${k}`, v);
      } else put(key, value);
    }
  }
  for (const [key, value] of Object.entries(parseSetFlags(sets))) put(key, value);

  const out = new Map<Recipe, Record<string, unknown>>();
  const used = new Set<string>();
  for (const recipe of recipes) {
    const names = new Set(recipe.manifest.questions.map((q) => q.name));
    const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(flat)) {
      if (names.has(k)) {
        given[k] = v;
        used.add(k);
      }
    }
    Object.assign(given, scoped.get(recipe.manifest.id), scoped.get(recipe.ref));
    out.set(recipe, given);
  }
  const unused = Object.keys(flat).filter((k) => !used.has(k));
  if (unused.length > 0) {
    throw usageError(
      `no recipe in this run asks "${unused[0]}"`,
      `questions: ${recipes.map((r) => `${r.ref} (${r.manifest.questions.map((q) => q.name).join(", ") || "none"})`).join("; ")}`,
    );
  }
  return out;
}

export async function answersFor(
  recipes: Recipe[],
  given: Map<Recipe, Record<string, unknown>>,
  facts: Record<string, JsonValue>,
  askFor?: (recipe: Recipe) => AskFn,
): Promise<Map<Recipe, Answers>> {
  const out = new Map<Recipe, Answers>();
  for (const recipe of recipes) {
    out.set(recipe, await resolveAnswers(recipe.manifest, { given: given.get(recipe) ?? {}, facts, ask: askFor?.(recipe) }));
  }
  return out;
}
