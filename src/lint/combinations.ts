import type { Condition, JsonValue, Question, RecipeManifest } from "../recipes/manifest.js";
import { exampleAnswer, exampleAnswers } from "../recipes/example-answers.js";
import { factVariants, lintFacts } from "./facts.js";

/** One set of answers (and facts) lint renders a recipe with. */
export interface Combination {
  /** `defaults`, `mode=both`, `facts.served=webhook`. */
  label: string;
  /** The question the variation is about (to report a refused value at it). */
  question?: string;
  given: Record<string, JsonValue>;
  facts: Record<string, JsonValue>;
}

/**
 * The defaults (with example answers for required questions), then one
 * variation per value of every `select`, `boolean` and `multiselect`
 * choice, empty/non-empty lists and strings, and every value of the facts
 * templates branch on. A variation also sets what its question's `when`
 * needs, so a question shown only in one mode is rendered in that mode.
 */
export function answerCombinations(manifest: RecipeManifest): Combination[] {
  const base = exampleAnswers(manifest.questions);
  const out: Combination[] = [{ label: "defaults", given: base, facts: lintFacts }];
  const byName = new Map(manifest.questions.map((q) => [q.name, q]));

  const satisfy = (when: Condition | undefined, given: Record<string, JsonValue>, facts: Record<string, JsonValue>) => {
    for (const [key, expected] of Object.entries(when ?? {})) {
      const wanted = Array.isArray(expected) ? expected[0] : expected;
      if (wanted === undefined) continue;
      if (key.startsWith("facts.")) facts[key.slice(6)] = wanted;
      else {
        const q = byName.get(key);
        if (q && !Object.hasOwn(given, key)) given[key] = q.type === "list" || q.type === "multiselect" ? [wanted] : wanted;
        if (q?.when) satisfy(q.when, given, facts);
      }
    }
  };

  for (const q of manifest.questions) {
    for (const value of variantsOf(q)) {
      const given: Record<string, JsonValue> = { [q.name]: value };
      const facts = { ...lintFacts };
      satisfy(q.when, given, facts);
      out.push({ label: `${q.name}=${JSON.stringify(value)}`, question: q.name, given: { ...base, ...given }, facts });
    }
  }
  for (const [fact, values] of Object.entries(factVariants)) {
    for (const value of values) out.push({ label: `facts.${fact}=${String(value)}`, given: base, facts: { ...lintFacts, [fact]: value } });
  }
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = JSON.stringify([c.given, c.facts]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function variantsOf(q: Question): JsonValue[] {
  switch (q.type) {
    case "select":
      return q.choices.map((c) => c.value);
    case "boolean":
      return [true, false];
    case "multiselect": {
      const values = q.choices.map((c) => c.value);
      return [...((q.min ?? 0) <= 1 ? values.map((v) => [v]) : []), values, ...((q.min ?? 0) === 0 ? [[]] : [])];
    }
    case "list": {
      const out: JsonValue[] = [];
      const empty = Array.isArray(q.default) && q.default.length === 0;
      if (empty || q.default === undefined) out.push(exampleAnswer({ ...q, default: undefined }));
      if (!empty && (q.min ?? 0) === 0) out.push([]);
      return out;
    }
    case "string":
      return q.allowEmpty && q.default !== "" ? [""] : [];
    case "integer":
      return [];
  }
}
