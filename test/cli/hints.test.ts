// Hints lead somewhere (issue 13 §8): every `--set` a hint suggests passes the rule the message states.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkAnswer, coerceAnswer, hintValue, parseSetFlags, placeholder, setForm } from "../../src/recipes/answers.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import type { FormatName, Question } from "../../src/recipes/manifest.js";
import { CliError } from "../../src/core/errors.js";

/** The value of a suggested `--set key=value`, as a shell would pass it. */
const unquote = (word: string) => (word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word);

/** The hint of the error `coerceAnswer` throws for `raw`. */
function hintFor(q: Question, raw: unknown): string {
  try {
    coerceAnswer("r", q, raw);
  } catch (error) {
    return (error as CliError).hint ?? "";
  }
  throw new Error(`${JSON.stringify(raw)} was accepted`);
}

const suggested = (q: Question, hint: string) => {
  const m = new RegExp(`--set ${q.name}=(.*)$`).exec(hint);
  if (!m) throw new Error(`no --set ${q.name}= in "${hint}"`);
  return unquote(m[1]!);
};

describe("a hint's value passes the rule it states", () => {
  it("--set waitMs=50 with min 200 suggests 200, not 42", () => {
    const q: Question = { name: "waitMs", type: "integer", message: "ms", min: 200, max: 10000, default: 1000 };
    const hint = hintFor(q, "50");
    expect(hint).toBe("pass --set waitMs=200");
    expect(hintFor(q, "20000")).toBe("pass --set waitMs=10000");
  });

  it("--set userIds=@alice names the value once and suggests a user id", () => {
    const q: Question = { name: "userIds", type: "list", of: "integer", format: "userId", min: 1, unique: true, message: "ids" };
    let message = "";
    try {
      coerceAnswer("access-control", q, "@alice");
    } catch (error) {
      message = (error as Error).message;
      expect(checkAnswer(q, suggested(q, (error as CliError).hint!)).problem).toBeUndefined();
    }
    expect(message).toBe('invalid answer for access-control.userIds: "@alice": a Telegram user id is a positive integer');
    expect(message.match(/@alice/g)).toHaveLength(1);
    // Several items: the bad one is named, and the good ones are kept in the hint.
    expect(hintFor(q, "12,-5")).toBe("pass --set userIds=12");
  });

  it("--set limit (no =) shows the form for that key, not an unrelated example", () => {
    const catalogue = loadCatalogue();
    const q = catalogue.get("rate-limit").manifest.questions.find((x) => x.name === "limit")!;
    let hint = "";
    try {
      parseSetFlags(["limit"], (key) => (key === "limit" ? setForm(key, q) : undefined));
    } catch (error) {
      hint = (error as CliError).hint ?? "";
    }
    expect(hint).toBe("give it a value: --set limit=<n> (for example --set limit=5)");
    expect(hint).not.toContain("userIds");
  });

  it("holds for every question of every bundled recipe, for a missing answer and for refused ones", () => {
    for (const recipe of loadCatalogue().recipes) {
      for (const q of recipe.manifest.questions) {
        const missing = hintValue(q);
        expect(checkAnswer(q, unquote(missing)).problem, `${recipe.ref}.${q.name}: ${missing}`).toBeUndefined();
        for (const raw of ["", "-5", "99999999999", "@alice", "a,a,a", "x".repeat(5000), "not valid!"]) {
          if (checkAnswer(q, raw).problem === undefined) continue;
          const value = suggested(q, hintFor(q, raw));
          expect(checkAnswer(q, value).problem, `${recipe.ref}.${q.name} after ${JSON.stringify(raw.slice(0, 20))}: ${value}`).toBeUndefined();
        }
      }
    }
  });

  // Questions with rules (bounds, formats, counts, lengths), and any raw answer: the hint's example passes the rule.
  const integerQuestion = fc
    .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 5000 }), fc.boolean(), fc.boolean())
    .map(([min, span, hasMin, hasMax]): Question => ({ name: "n", type: "integer", message: "m", ...(hasMin && { min }), ...(hasMax && { max: (hasMin ? min : 0) + span }) }));
  const integerList = fc
    .record({
      format: fc.constantFrom<FormatName | undefined>("userId", "chatId", undefined),
      min: fc.integer({ min: 0, max: 4 }),
      extra: fc.integer({ min: 0, max: 4 }),
      unique: fc.boolean(),
      itemMin: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
      itemSpan: fc.integer({ min: 10, max: 100 }),
      bounded: fc.boolean(),
    })
    .map(({ format, min, extra, unique, itemMin, itemSpan, bounded }): Question => ({
      name: "ids",
      type: "list",
      of: "integer",
      message: "m",
      min,
      max: min + extra,
      unique,
      ...(format && { format }),
      ...(bounded && { itemMin: itemMin ?? 1, itemMax: (itemMin ?? 1) + itemSpan }),
    }));
  const stringList = fc
    .record({ format: fc.constantFrom<FormatName | undefined>("command", "callbackLabel", undefined), min: fc.integer({ min: 0, max: 4 }), extra: fc.integer({ min: 0, max: 3 }), unique: fc.boolean(), itemMaxLength: fc.option(fc.integer({ min: 3, max: 64 }), { nil: undefined }) })
    .map(({ format, min, extra, unique, itemMaxLength }): Question => ({ name: "words", type: "list", of: "string", message: "m", min, max: min + extra, unique, ...(format && { format }), ...(itemMaxLength !== undefined && { itemMaxLength }) }));
  const stringQuestion = fc
    .record({ format: fc.constantFrom<FormatName | undefined>("command", "channel", "httpsUrl", "redisUrl", "relativePath", "envVar", "identifier", "secretToken", "callbackLabel", "chatId", undefined), maxLength: fc.option(fc.integer({ min: 40, max: 4096 }), { nil: undefined }), allowEmpty: fc.boolean() })
    .map(({ format, maxLength, allowEmpty }): Question => ({ name: "text", type: "string", message: "m", allowEmpty, ...(format && { format }), ...(maxLength !== undefined && { maxLength }) }));
  const raw = fc.oneof(fc.string(), fc.integer().map(String), fc.array(fc.integer({ min: -200, max: 200 })).map((a) => a.join(",")), fc.constantFrom("@alice", "50", "-5", "0", "a,a", "Yes,No"));

  it("holds for generated questions with rules and any refused answer (property)", () => {
    fc.assert(
      fc.property(fc.oneof(integerQuestion, integerList, stringList, stringQuestion), raw, (q, value) => {
        const missing = unquote(hintValue(q));
        expect(checkAnswer(q, missing).problem).toBeUndefined();
        if (checkAnswer(q, value).problem === undefined) return;
        expect(checkAnswer(q, suggested(q, hintFor(q, value))).problem).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it("the form of a value names its type", () => {
    expect(placeholder({ name: "n", type: "integer", message: "m" })).toBe("<n>");
    expect(placeholder({ name: "m", type: "select", message: "m", choices: [{ value: "a" }, { value: "b" }] })).toBe("a|b");
  });
});
