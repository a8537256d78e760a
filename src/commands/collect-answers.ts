import { readFileSync } from "node:fs";
import { usageError } from "../core/errors.js";
import { parseSetFlags, resolveAnswers, setForm, type AskFn } from "../recipes/answers.js";
import type { Answers, JsonValue, Recipe } from "../recipes/manifest.js";

/**
 * Splits `--set` flags and an `--answers` file among the recipes of one run.
 *
 * - `key=value` goes to every recipe that asks `key`; `recipe.key=value` (or a
 *   `{ "recipe": { "key": value } }` section of the file) to one recipe.
 * - Precedence, lowest first: the file's plain keys, the file's recipe
 *   sections, `--set key=value`, `--set recipe.key=value`: the command line
 *   beats the file, and within one source a recipe-scoped answer beats a plain one.
 * - One answers file serves a whole project: sections for recipes that are not
 *   in this run are ignored, and so are plain keys that only such recipes ask
 *   (`known`: every recipe of the catalogue). A key inside the section of a
 *   recipe in the run that it does not ask, or a key no recipe asks at all, is
 *   a usage error, so a typo never passes silently.
 */
export function givenAnswers(recipes: Recipe[], sets: string[] = [], answersFile?: string, known: Recipe[] = []): Map<Recipe, Record<string, unknown>> {
  const inRun = (id: string) => recipes.find((r) => r.manifest.id === id || r.ref === id);
  const knownRecipe = (id: string) => inRun(id) ?? known.find((r) => r.manifest.id === id || r.ref === id);
  /** One source's answers: plain keys, and keys scoped to a recipe of the run. */
  const source = () => ({ flat: Object.create(null) as Record<string, unknown>, scoped: new Map<Recipe, Record<string, unknown>>() });
  // No prototype, so `__proto__` and `constructor` are plain (unknown) keys, never swallowed.
  const put = (into: ReturnType<typeof source>, key: string, value: unknown) => {
    const dot = key.indexOf(".");
    const recipe = dot > 0 ? inRun(key.slice(0, dot)) : undefined;
    if (recipe) {
      const inner = into.scoped.get(recipe) ?? (Object.create(null) as Record<string, unknown>);
      inner[key.slice(dot + 1)] = value;
      into.scoped.set(recipe, inner);
    } else into.flat[key] = value;
  };

  const file = source();
  /** Plain keys of the file that some recipe outside this run asks: not an error here. */
  const elsewhere = new Set<string>();
  if (answersFile) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(answersFile, "utf8"));
    } catch (error) {
      throw usageError(`--answers ${answersFile}: ${(error as Error).message}`, "give a JSON file: { \"key\": value } or { \"recipe\": { \"key\": value } }");
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw usageError(`--answers ${answersFile}: expected a JSON object`);
    for (const [key, value] of Object.entries(data)) {
      const section = typeof value === "object" && value !== null && !Array.isArray(value);
      if (section && inRun(key)) for (const [k, v] of Object.entries(value)) put(file, `${key}.${k}`, v);
      else if (section && (known.length === 0 || knownRecipe(key))) continue; // a recipe of the project that this run does not add
      else if (section) {
        // No answer is an object: this is the section of a recipe that does not exist.
        throw usageError(`--answers ${answersFile}: "${key}" is not a recipe`, `sections are named by recipe id; see \`create-bot-snippet list\``);
      } else {
        put(file, key, value);
        if (known.some((r) => !inRun(r.ref) && r.manifest.questions.some((q) => q.name === key))) elsewhere.add(key);
      }
    }
  }
  const questionOf = (key: string) => {
    const dot = key.indexOf(".");
    const recipe = dot > 0 ? inRun(key.slice(0, dot)) : undefined;
    const name = recipe ? key.slice(dot + 1) : key;
    return (recipe ? [recipe] : recipes).flatMap((r) => r.manifest.questions).find((q) => q.name === name);
  };
  const line = source();
  const flags = parseSetFlags(sets, (key) => {
    const q = questionOf(key);
    return q && setForm(key, q);
  });
  for (const [key, value] of Object.entries(flags)) put(line, key, value);

  const out = new Map<Recipe, Record<string, unknown>>();
  const used = new Set<string>();
  const asked = (recipe: Recipe, flat: Record<string, unknown>) => {
    const names = new Set(recipe.manifest.questions.map((q) => q.name));
    const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(flat)) {
      if (names.has(k)) {
        given[k] = v;
        used.add(k);
      }
    }
    return given;
  };
  for (const recipe of recipes) {
    const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    Object.assign(given, asked(recipe, file.flat), file.scoped.get(recipe), asked(recipe, line.flat), line.scoped.get(recipe));
    out.set(recipe, given);
  }
  const unused = [...Object.keys(line.flat), ...Object.keys(file.flat).filter((k) => !elsewhere.has(k))].filter((k) => !used.has(k));
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
