// Every recipe × every fixture project: the planned changes (snapshot), a
// strict type-check of the result against the real grammy types, a second
// `add` that plans nothing, and the user's untouched lines kept byte-identical.
import { createTwoFilesPatch, diffLines } from "diff";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/plan-types.js";
import { applyRecipes, copyFixture, fixtureNames, fixturesDir, recipes, tmpDir, typecheck } from "../helpers/recipes.js";

const applied = new Map<string, { dir: string; plan: Plan }>();
const roots = new Map<string, string>();

beforeAll(async () => {
  for (const fixture of fixtureNames) {
    const root = tmpDir(`matrix-${fixture}`);
    roots.set(fixture, root);
    for (const recipe of recipes) {
      const into = join(root, recipe.manifest.id);
      mkdirSync(into, { recursive: true });
      const dir = copyFixture(fixture, into);
      const plan = await applyRecipes(dir, [{ id: recipe.manifest.id }]);
      applied.set(`${fixture}/${recipe.manifest.id}`, { dir, plan });
    }
  }
});

/** A readable record of a plan: diffs of updated files, created files by size, notes. */
function describePlan(plan: Plan): string {
  const parts: string[] = [];
  for (const c of plan.changes) {
    if (c.kind === "create") parts.push(`create ${c.path} (${c.after.split("\n").length} lines)`);
    else parts.push(createTwoFilesPatch(`a/${c.path}`, `b/${c.path}`, c.before!.replace(/\r\n/g, "\n"), c.after.replace(/\r\n/g, "\n")).split("\n").slice(1).join("\n"));
  }
  for (const m of plan.manual) parts.push(`manual ${m.file}${m.line ? `:${m.line}` : ""}: ${m.reason}\n  ${m.code}`);
  for (const n of plan.notes) parts.push(`note ${n}`);
  for (const d of plan.dependencies) parts.push(`dependency ${d.name}@${d.version} ${d.status}`);
  return `${parts.join("\n")}\n`;
}

/** Lines of the original file that the change removed or altered. */
function removedLines(before: string, after: string): string[] {
  return diffLines(before, after)
    .filter((part) => part.removed)
    .flatMap((part) => part.value.split(/(?<=\n)/).filter((l) => l !== ""));
}

describe.each(fixtureNames)("fixture %s", (fixture) => {
  it("type-checks with strict after each recipe, in one compiler run", () => {
    const diagnostics = typecheck(roots.get(fixture)!, join(fixturesDir, fixture, "tsconfig.json"));
    expect(diagnostics).toBe("");
  });

  describe.each(recipes.map((r) => r.manifest.id))("recipe %s", (id) => {
    it("plans the expected changes", async () => {
      const { plan } = applied.get(`${fixture}/${id}`)!;
      expect(plan.changes.length).toBeGreaterThan(0);
      await expect(describePlan(plan)).toMatchFileSnapshot(`__snapshots__/matrix/${id}/${fixture}.txt`);
    });

    it("changes nothing when added a second time", async () => {
      const { dir } = applied.get(`${fixture}/${id}`)!;
      const again = await applyRecipes(dir, [{ id }], { write: false });
      expect(again.changes).toEqual([]);
    });

    it("keeps every untouched line byte-identical and the file's line endings", () => {
      const { plan } = applied.get(`${fixture}/${id}`)!;
      for (const change of plan.changes.filter((c) => c.kind === "update" && c.path !== "package.json")) {
        const original = readFileSync(join(fixturesDir, fixture, change.path), "utf8");
        expect(change.before).toBe(original);
        // Insert-only edits remove nothing; edits that must alter a line (extend a type, wrap a handler) alter only that line.
        const altering = plan.recipes.length;
        expect(removedLines(original, change.after).length).toBeLessThanOrEqual(altering);
        if (original.includes("\r\n")) expect(change.after.replace(/\r\n/g, "")).not.toContain("\n");
      }
      for (const change of plan.changes.filter((c) => c.kind === "create")) {
        const crlf = readFileSync(join(fixturesDir, fixture, plan.bot!.file), "utf8").includes("\r\n");
        if (crlf) expect(change.after.replace(/\r\n/g, "")).not.toContain("\n");
      }
    });
  });
});
