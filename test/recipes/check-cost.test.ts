// What a recipe adds to the user's type-check: every recipe with a Redis
// store, added to a fixture with that store, must leave the project at most a
// few times the types TypeScript builds for the fixture alone. The oracle is
// the compiler's own count (`--extendedDiagnostics`). `new Redis(…)` written
// where a Redis is expected (a return type, a typed property) made TypeScript
// relate the whole ioredis client class: about 90,000 types and 1-2 s more
// of every `tsc` the user runs, for one expression.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { applyRecipes, copyFixture, fixturesDir, recipes, repoRoot } from "../helpers/recipes.js";

const fixture = "cjs-single";
/** Recipes that offer a Redis store (a `store` question with a `redis` choice). */
const redisRecipes = recipes.filter((r) => r.manifest.questions.some((q) => q.name === "store" && q.type === "select" && q.choices.some((c) => c.value === "redis"))).map((r) => r.manifest.id);

/** The number of types TypeScript 7 creates checking the project, and its errors. */
function typesOf(dir: string): Promise<{ types: number; output: string }> {
  const config = {
    extends: relative(dir, join(fixturesDir, fixture, "tsconfig.json")),
    compilerOptions: { noEmit: true, strict: true, types: ["node"], skipLibCheck: true, incremental: false },
    include: ["./**/*.ts"],
    exclude: ["./**/node_modules"],
  };
  writeFileSync(join(dir, "tsconfig.check.json"), JSON.stringify(config));
  const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, "-p", join(dir, "tsconfig.check.json"), "--pretty", "false", "--singleThreaded", "--extendedDiagnostics"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.on("error", reject);
    child.on("close", () => {
      const types = /^Types:\s+(\d+)/m.exec(output);
      if (!types) reject(new Error(`no figures from tsc:\n${output}`));
      else resolve({ types: Number(types[1]), output: output.split("\n").filter((l) => /error TS/.test(l)).join("\n") });
    });
  });
}

/** The fixture alone, checked once for all the recipes. */
let alone: Promise<{ types: number; output: string }> | undefined;

describe("the type-check a Redis store costs", () => {
  it("finds the recipes to measure", () => {
    expect(redisRecipes.length).toBeGreaterThanOrEqual(5);
  });

  it.concurrent.each(redisRecipes)("%s with store=redis: at most 3x the types of the project alone", { timeout: 60_000 }, async (id) => {
    alone ??= typesOf(copyFixture(fixture));
    const dir = copyFixture(fixture);
    await applyRecipes(dir, [{ id, answers: { store: "redis" } }]);
    const [before, after] = await Promise.all([alone, typesOf(dir)]);
    expect(after.output).toBe("");
    expect(after.types, `${id}: ${after.types} types, the project alone ${before.types}`).toBeLessThanOrEqual(3 * before.types);
  });
});
