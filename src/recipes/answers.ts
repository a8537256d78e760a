import { usageError } from "../core/errors.js";
import type { Answers, Condition, JsonValue, Question, RecipeManifest } from "./manifest.js";
import { checkFormat } from "./validators.js";

/** Asks one question interactively; supplied by the UI layer (prompts), never by core code. */
export type AskFn = (question: Question, initial: JsonValue | undefined) => Promise<unknown>;

export interface ResolveOptions {
  /** Answers given on the command line (`--set`, strings) or in `--answers` (JSON values). */
  given: Record<string, unknown>;
  /** Answers recorded by an earlier `add` of the same recipe; they replace defaults. */
  previous?: Answers;
  /** Project facts, for conditions such as `facts.served`. */
  facts?: Record<string, JsonValue>;
  /** When set, unanswered questions are asked; otherwise defaults are taken. */
  ask?: AskFn;
}

/**
 * Resolves every question of a recipe to a valid, typed answer, in order:
 * given → asked (interactive) → previous → default. A question whose `when`
 * does not hold gets its default (or an empty value) so templates can always
 * refer to it. Throws a usage error naming the question and what it expects.
 */
export async function resolveAnswers(manifest: RecipeManifest, options: ResolveOptions): Promise<Answers> {
  const declared = new Set(manifest.questions.map((q) => q.name));
  for (const key of Object.keys(options.given)) {
    if (!declared.has(key)) {
      throw usageError(
        `recipe "${manifest.id}" has no question "${key}"`,
        manifest.questions.length > 0 ? `its questions are: ${[...declared].join(", ")}` : "it asks nothing",
      );
    }
  }
  const answers: Answers = {};
  for (const q of manifest.questions) {
    if (q.when && !conditionHolds(q.when, answers, options.facts ?? {})) {
      answers[q.name] = fallbackValue(q);
      continue;
    }
    const initial = options.previous?.[q.name] ?? q.default;
    if (Object.hasOwn(options.given, q.name)) {
      answers[q.name] = coerceAnswer(manifest.id, q, options.given[q.name]);
    } else if (options.ask) {
      answers[q.name] = coerceAnswer(manifest.id, q, await options.ask(q, initial));
    } else if (initial !== undefined) {
      answers[q.name] = coerceAnswer(manifest.id, q, initial);
    } else {
      throw usageError(
        `recipe "${manifest.id}" needs an answer for "${q.name}" (${q.message})`,
        `pass --set ${q.name}=${exampleFor(q)} or run interactively`,
      );
    }
  }
  return answers;
}

function fallbackValue(q: Question): JsonValue {
  if (q.default !== undefined) return q.default as JsonValue;
  switch (q.type) {
    case "string":
    case "select":
      return "";
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "multiselect":
    case "list":
      return [];
  }
}

function exampleFor(q: Question): string {
  switch (q.type) {
    case "integer":
      return "42";
    case "boolean":
      return "true";
    case "select":
      return q.choices[0]?.value ?? "value";
    case "multiselect":
      return q.choices.map((c) => c.value).slice(0, 2).join(",");
    case "list":
      return q.of === "integer" ? "123,456" : "a,b";
    case "string":
      return "value";
  }
}

/** Turns a raw answer (a `--set` string or a JSON value) into the question's type, or throws. */
export function coerceAnswer(recipeId: string, q: Question, raw: unknown): JsonValue {
  const fail = (expected: string): never => {
    throw usageError(`invalid answer for ${recipeId}.${q.name}: ${JSON.stringify(raw)}: ${expected}`, `pass --set ${q.name}=${exampleFor(q)}`);
  };
  switch (q.type) {
    case "string": {
      if (typeof raw !== "string") return fail("expected text");
      if (raw === "" && !q.allowEmpty) return fail("an answer is required");
      if (q.maxLength !== undefined && raw.length > q.maxLength) return fail(`at most ${q.maxLength} characters`);
      const problem = raw !== "" && q.format ? checkFormat(q.format, raw) : undefined;
      if (problem) return fail(problem);
      if (raw !== "" && q.pattern && !new RegExp(q.pattern, "u").test(raw)) return fail(q.patternMessage ?? `must match ${q.pattern}`);
      return raw;
    }
    case "integer": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) return fail("expected a whole number");
      if (q.min !== undefined && n < q.min) return fail(`at least ${q.min}`);
      if (q.max !== undefined && n > q.max) return fail(`at most ${q.max}`);
      return n;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      if (typeof raw !== "string" && typeof raw !== "number") return fail("expected true or false");
      const s = String(raw).trim().toLowerCase();
      if (["true", "yes", "y", "1"].includes(s)) return true;
      if (["false", "no", "n", "0"].includes(s)) return false;
      return fail("expected true or false");
    }
    case "select": {
      const values = q.choices.map((c) => c.value);
      if (typeof raw !== "string" || !values.includes(raw)) return fail(`expected one of ${values.join(", ")}`);
      return raw;
    }
    case "multiselect": {
      const items = toItems(raw);
      if (items.some((i) => typeof i !== "string")) return fail("expected a list of choices");
      const values = q.choices.map((c) => c.value);
      const bad = items.filter((i) => !values.includes(String(i)));
      if (bad.length > 0) return fail(`expected some of ${values.join(", ")}`);
      if (q.min !== undefined && items.length < q.min) return fail(`choose at least ${q.min}`);
      return [...new Set(items.map(String))];
    }
    case "list": {
      const items = toItems(raw);
      const out: JsonValue[] = [];
      for (const item of items) {
        if (q.of === "integer") {
          // `[[1]]` is not `1`: only numbers and text are items.
          if (typeof item !== "number" && typeof item !== "string") return fail(`${JSON.stringify(item)} is not a whole number`);
          const s = String(item).trim();
          if (q.format) {
            const problem = checkFormat(q.format, s);
            if (problem) return fail(`"${s}": ${problem}`);
          }
          const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
          if (!Number.isSafeInteger(n)) return fail(`"${s}" is not a whole number`);
          if (q.itemMin !== undefined && n < q.itemMin) return fail(`every item is at least ${q.itemMin}`);
          if (q.itemMax !== undefined && n > q.itemMax) return fail(`every item is at most ${q.itemMax}`);
          out.push(n);
        } else {
          if (typeof item !== "string" && typeof item !== "number") return fail("expected a list of text items");
          const s = String(item);
          const problem = q.format ? checkFormat(q.format, s) : s.trim() === "" ? "items cannot be empty" : undefined;
          if (problem) return fail(`"${s}": ${problem}`);
          if (q.pattern && !new RegExp(q.pattern, "u").test(s)) return fail(`"${s}": ${q.patternMessage ?? `must match ${q.pattern}`}`);
          if (q.itemMaxLength !== undefined && s.length > q.itemMaxLength) return fail(`"${s}" is longer than ${q.itemMaxLength} characters`);
          out.push(s);
        }
      }
      if (q.min !== undefined && out.length < q.min) return fail(q.min === 1 ? "the list cannot be empty" : `at least ${q.min} items`);
      if (q.max !== undefined && out.length > q.max) return fail(`at most ${q.max} items`);
      if (q.unique && new Set(out.map((v) => JSON.stringify(v))).size !== out.length) return fail("items must be distinct");
      return out;
    }
  }
}

function toItems(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw === "number") return [raw];
  if (typeof raw !== "string") return [raw];
  if (raw.trim() === "") return [];
  return raw.split(",").map((s) => s.trim());
}

/** Whether a manifest `when` holds for these answers and facts. */
export function conditionHolds(when: Condition | undefined, answers: Answers, facts: Record<string, JsonValue>): boolean {
  if (!when) return true;
  return Object.entries(when).every(([key, expected]) => {
    const actual = key.startsWith("facts.") ? facts[key.slice(6)] : answers[key];
    const wanted = Array.isArray(expected) ? expected : [expected];
    if (Array.isArray(actual)) return wanted.some((w) => actual.includes(w as never));
    // `null` matches a fact that is absent: `{ "facts.major:@grammyjs/parse-mode": [null, 2] }` is "not installed, or 2".
    return wanted.some((w) => w === actual || (w === null && actual === undefined));
  });
}

/** Parses repeated `--set key=value` flags. */
export function parseSetFlags(sets: string[]): Record<string, string> {
  // No prototype: `__proto__` or `constructor` is a key like any other, refused as unknown later.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw usageError(`--set expects key=value, got "${set}"`, "for example --set userIds=123,456");
    const key = set.slice(0, eq).trim();
    if (Object.hasOwn(out, key)) throw usageError(`--set ${key} is given twice`, `give it once; a list is comma-separated: --set ${key}=a,b`);
    out[key] = set.slice(eq + 1);
  }
  return out;
}
