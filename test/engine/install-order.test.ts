// Applying every bundled recipe to one project, in any order, yields the
// middleware order of RECIPES.md §6.0 (gates before what was added earlier
// but belongs later), and the result type-checks.
import fc from "fast-check";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installRanks } from "../../src/engine/plan.js";
import { applyRecipes, catalogue, copyFixture, fixturesDir, recipes, tmpDir, typecheck } from "../helpers/recipes.js";

const ranks = installRanks(catalogue.recipes);

/** The ranks of the recipe statements in the bot file, top to bottom. */
function installedRanks(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*import\b/.test(line)) continue;
    const found = (line.match(/[A-Za-z_$][\w$]*/g) ?? []).map((id) => ranks.get(id)).filter((r): r is number => r !== undefined);
    if (found.length > 0) out.push(Math.min(...found));
  }
  return out;
}

describe("every recipe added one by one, in random orders", () => {
  it.each(["cjs-single", "esm-nodenext-factory", "crlf-4space"])("%s keeps the §6.0 order and type-checks", async (fixture) => {
    const root = tmpDir(`order-${fixture}`);
    const ids = recipes.map((r) => r.manifest.id);
    const orders = fc.sample(fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }), { numRuns: 3, seed: 42 });
    for (const [i, order] of orders.entries()) {
      const into = join(root, `order${i}`);
      mkdirSync(into, { recursive: true });
      const dir = copyFixture(fixture, into);
      let botFile = "";
      for (const id of order) {
        const plan = await applyRecipes(dir, [{ id }]);
        botFile = plan.bot!.file;
      }
      const installed = installedRanks(readFileSync(join(dir, botFile), "utf8"));
      expect(installed.length).toBeGreaterThan(0);
      expect(installed, `order: ${order.join(", ")}`).toEqual([...installed].sort((a, b) => a - b));
    }
    expect(typecheck(root, join(fixturesDir, fixture, "tsconfig.json"))).toBe("");
  });
});
