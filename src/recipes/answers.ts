import { usageError } from "../core/errors.js";
import type { Answers, Condition, JsonValue, Question, RecipeManifest } from "./manifest.js";
import { exampleAnswer } from "./example-answers.js";
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
        `pass --set ${q.name}=${hintValue(q)} or run interactively`,
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

/**
 * A `--set` value for a hint that passes every rule of the question: the
 * user's own value brought inside the rule when that is possible (50 with
 * min 200 becomes 200; "12,-5" becomes "12"), else the default, else an
 * example answer adjusted to the rule. Never a value the rule refuses.
 */
export function hintValue(q: Question, raw?: unknown): string {
  for (const candidate of hintCandidates(q, raw)) {
    if (candidate === undefined) continue;
    if (checkAnswer(q, candidate).problem === undefined) return shellWord(setText(candidate));
  }
  return placeholder(q);
}

/** The form of a `--set` value for a question: `<n>`, `<a,b>`, `true|false`… */
export function placeholder(q: Question): string {
  switch (q.type) {
    case "integer":
      return "<n>";
    case "boolean":
      return "true|false";
    case "select":
      return q.choices.map((c) => c.value).join("|");
    case "multiselect":
      return "<a,b>";
    case "list":
      return q.of === "integer" ? "<n,n>" : "<a,b>";
    case "string":
      return "<text>";
  }
}

/** How a value is written after `--set key=`. */
function setText(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(",") : String(value);
}

function hintCandidates(q: Question, raw: unknown): unknown[] {
  const example = exampleAnswer(q);
  switch (q.type) {
    case "integer": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : undefined;
      const clamp = (x: number) => Math.min(q.max ?? x, Math.max(q.min ?? x, x));
      return [n === undefined || !Number.isSafeInteger(n) ? undefined : clamp(n), q.default, clamp(typeof example === "number" ? example : 1), q.min, q.max];
    }
    case "list": {
      // The items of the user's answer that pass on their own, within the count limits.
      let kept: unknown[] | undefined;
      if (raw !== undefined) {
        const items = toItems(raw).filter((i) => checkAnswer({ ...q, min: 1, max: undefined, unique: false }, [i]).problem === undefined);
        const distinct = q.unique ? [...new Map(items.map((i) => [String(i).trim(), i])).values()] : items;
        kept = distinct.slice(0, q.max ?? distinct.length);
        if (kept.length === 0 && (q.min ?? 0) > 0) kept = undefined;
      }
      const base = Array.isArray(example) ? example : [];
      // An example fitted to the item rules, repeated up to the fewest items the rule asks for (distinct when it must be).
      const count = Math.min(Math.max(q.min ?? 0, 1), q.max ?? Infinity);
      const grown: unknown[] = [];
      if (q.of === "integer") {
        const lo = q.itemMin ?? -Number.MAX_SAFE_INTEGER;
        const hi = q.itemMax ?? Number.MAX_SAFE_INTEGER;
        const start = Math.min(hi, Math.max(lo, typeof base[0] === "number" ? base[0] : 1));
        for (let step = 0; grown.length < count && step < 4 * count + 8; step++) {
          const n = start + (step % 2 === 0 ? step / 2 : -(step + 1) / 2);
          if (n < lo || n > hi || (q.unique && grown.includes(n))) continue;
          if (checkAnswer({ ...q, min: 1, max: undefined, unique: false }, [n]).problem === undefined) grown.push(n);
        }
      } else {
        const word = String(base[0] ?? "item");
        const room = q.itemMaxLength ?? Infinity;
        for (let i = 0; grown.length < count; i++) {
          const suffix = i === 0 ? "" : String(i + 1);
          grown.push(`${word.slice(0, Math.max(1, room - suffix.length))}${suffix}`);
          if (i > count + 8) break;
        }
      }
      return [kept, q.default, base, grown];
    }
    case "string": {
      const cut = typeof raw === "string" && q.maxLength !== undefined ? raw.slice(0, q.maxLength) : undefined;
      return [cut, q.default, example, typeof example === "string" && q.maxLength !== undefined ? example.slice(0, q.maxLength) : undefined];
    }
    case "multiselect":
      return [q.default, example, q.choices.slice(0, Math.max(q.min ?? 0, 1)).map((c) => c.value)];
    default:
      return [q.default, example];
  }
}

/** Turns a raw answer (a `--set` string or a JSON value) into the question's type, or throws. */
export function coerceAnswer(recipeId: string, q: Question, raw: unknown): JsonValue {
  const result = checkAnswer(q, raw);
  if (result.problem === undefined) return result.value;
  throw Object.assign(usageError(`invalid answer for ${recipeId}.${q.name}: ${JSON.stringify(raw)}: ${result.problem}`, `pass --set ${q.name}=${hintValue(q, raw)}`), {
    problem: result.problem,
  });
}

/** A `--set` value as typed in a shell: quoted when it has spaces or shell characters. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** The answer in the question's type, or what is wrong with it (one sentence). */
export function checkAnswer(q: Question, raw: unknown): { value: JsonValue; problem?: undefined } | { problem: string } {
  const fail = (problem: string) => ({ problem });
  // A bad item of a one-item answer is the answer itself: the message names it once.
  const single = (s: string) => typeof raw === "string" && raw.trim() === s.trim() && !raw.includes(",");
  const itemFail = (s: string, problem: string) => fail(single(s) ? problem : `"${s}": ${problem}`);
  switch (q.type) {
    case "string": {
      if (typeof raw !== "string") return fail("expected text");
      if (raw === "" && !q.allowEmpty) return fail("an answer is required");
      if (q.maxLength !== undefined && raw.length > q.maxLength) return fail(`at most ${q.maxLength} characters`);
      const problem = raw !== "" && q.format ? checkFormat(q.format, raw) : undefined;
      if (problem) return fail(problem);
      if (raw !== "" && q.pattern && !new RegExp(q.pattern, "u").test(raw)) return fail(q.patternMessage ?? `must match ${q.pattern}`);
      return { value: raw };
    }
    case "integer": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) return fail("expected a whole number");
      if (q.min !== undefined && n < q.min) return fail(`at least ${q.min}`);
      if (q.max !== undefined && n > q.max) return fail(`at most ${q.max}`);
      return { value: n };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      if (typeof raw !== "string" && typeof raw !== "number") return fail("expected true or false");
      const s = String(raw).trim().toLowerCase();
      if (["true", "yes", "y", "1"].includes(s)) return { value: true };
      if (["false", "no", "n", "0"].includes(s)) return { value: false };
      return fail("expected true or false");
    }
    case "select": {
      const values = q.choices.map((c) => c.value);
      if (typeof raw !== "string" || !values.includes(raw)) return fail(`expected one of ${values.join(", ")}`);
      return { value: raw };
    }
    case "multiselect": {
      const items = toItems(raw);
      if (items.some((i) => typeof i !== "string")) return fail("expected a list of choices");
      const values = q.choices.map((c) => c.value);
      const bad = items.filter((i) => !values.includes(String(i)));
      if (bad.length > 0) return fail(`expected some of ${values.join(", ")}`);
      if (q.min !== undefined && items.length < q.min) return fail(`choose at least ${q.min}`);
      return { value: [...new Set(items.map(String))] };
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
            if (problem) return itemFail(s, problem);
          }
          const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
          if (!Number.isSafeInteger(n)) return itemFail(s, "not a whole number");
          if (q.itemMin !== undefined && n < q.itemMin) return fail(`every item is at least ${q.itemMin}`);
          if (q.itemMax !== undefined && n > q.itemMax) return fail(`every item is at most ${q.itemMax}`);
          out.push(n);
        } else {
          if (typeof item !== "string" && typeof item !== "number") return fail("expected a list of text items");
          const s = String(item);
          const problem = q.format ? checkFormat(q.format, s) : s.trim() === "" ? "items cannot be empty" : undefined;
          if (problem) return itemFail(s, problem);
          if (q.pattern && !new RegExp(q.pattern, "u").test(s)) return itemFail(s, q.patternMessage ?? `must match ${q.pattern}`);
          if (q.itemMaxLength !== undefined && s.length > q.itemMaxLength) return itemFail(s, `longer than ${q.itemMaxLength} characters`);
          out.push(s);
        }
      }
      if (q.min !== undefined && out.length < q.min) return fail(q.min === 1 ? "the list cannot be empty" : `at least ${q.min} items`);
      if (q.max !== undefined && out.length > q.max) return fail(`at most ${q.max} items`);
      if (q.unique && new Set(out.map((v) => JSON.stringify(v))).size !== out.length) return fail("items must be distinct");
      return { value: out };
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

/**
 * Parses repeated `--set key=value` flags. `formOf` gives the form of a
 * question's value (`limit=<n>`, for example `limit=5`) for the hint when the
 * `=` is missing.
 */
export function parseSetFlags(sets: string[], formOf?: (key: string) => string | undefined): Record<string, string> {
  // No prototype: `__proto__` or `constructor` is a key like any other, refused as unknown later.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) {
      const key = (eq === 0 ? "" : set).trim();
      const form = key ? formOf?.(key) : undefined;
      throw usageError(`--set expects key=value, got "${set}"`, form ?? (key ? `give it a value: --set ${key}=<value>` : "give the question's name before the =: --set <key>=<value>"));
    }
    const key = set.slice(0, eq).trim();
    if (Object.hasOwn(out, key)) throw usageError(`--set ${key} is given twice`, `give it once; a list is comma-separated: --set ${key}=a,b`);
    out[key] = set.slice(eq + 1);
  }
  return out;
}

/** The hint for `--set <key>` without a value: `give it a value: --set limit=<n> (for example --set limit=5)`. */
export function setForm(key: string, q: Question): string {
  return `give it a value: --set ${key}=${placeholder(q)} (for example --set ${key}=${hintValue(q)})`;
}
