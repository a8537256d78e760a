// Every recipe × every fixture project: the planned changes (snapshot), a
// strict type-check of the result against the real grammy types, a second
// `add` that plans nothing, and the user's untouched lines kept byte-identical.
import { createTwoFilesPatch } from "diff";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/plan-types.js";
import { applyRecipes, copyFixture, fixtureNames, fixturesDir, recipes, tmpDir, typecheck } from "../helpers/recipes.js";
import { linesLosingText } from "../helpers/untouched-lines.js";

const applied = new Map<string, { dir: string; plan: Plan } | { error: unknown }>();
const roots = new Map<string, string>();

// One broken recipe fails its own tests, not every other recipe's.
beforeAll(async () => {
  for (const fixture of fixtureNames) {
    const root = tmpDir(`matrix-${fixture}`);
    roots.set(fixture, root);
    for (const recipe of recipes) {
      const into = join(root, recipe.manifest.id);
      mkdirSync(into, { recursive: true });
      const dir = copyFixture(fixture, into);
      try {
        applied.set(`${fixture}/${recipe.manifest.id}`, { dir, plan: await applyRecipes(dir, [{ id: recipe.manifest.id }]) });
      } catch (error) {
        applied.set(`${fixture}/${recipe.manifest.id}`, { error });
        rmSync(into, { recursive: true, force: true });
      }
    }
  }
});

function result(key: string): { dir: string; plan: Plan } {
  const r = applied.get(key)!;
  if ("error" in r) throw r.error;
  return r;
}

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

describe.each(fixtureNames)("fixture %s", (fixture) => {
  it("type-checks with strict after each recipe, in one compiler run", () => {
    const diagnostics = typecheck(roots.get(fixture)!, join(fixturesDir, fixture, "tsconfig.json"));
    expect(diagnostics).toBe("");
  });

  describe.each(recipes.map((r) => r.manifest.id))("recipe %s", (id) => {
    it("plans the expected changes", async () => {
      const { plan } = result(`${fixture}/${id}`);
      expect(plan.changes.length).toBeGreaterThan(0);
      await expect(describePlan(plan)).toMatchFileSnapshot(`__snapshots__/matrix/${id}/${fixture}.txt`);
    });

    it("changes nothing when added a second time", async () => {
      const { dir } = result(`${fixture}/${id}`);
      const again = await applyRecipes(dir, [{ id }], { write: false });
      expect(again.changes).toEqual([]);
    });

    it("keeps every untouched line byte-identical and the file's line endings", () => {
      const { plan } = result(`${fixture}/${id}`);
      for (const change of plan.changes.filter((c) => c.kind === "update" && c.path !== "package.json")) {
        const original = readFileSync(join(fixturesDir, fixture, change.path), "utf8");
        expect(change.before).toBe(original);
        const replacesStart = plan.recipes.some((r) => recipes.find((x) => x.ref === r.ref)?.manifest.edits.some((e) => e.op === "replace-start"));
        expect(linesLosingText(original, change.after, replacesStart)).toEqual([]);
        if (original.includes("\r\n")) expect(change.after.replace(/\r\n/g, "")).not.toContain("\n");
      }
      for (const change of plan.changes.filter((c) => c.kind === "create")) {
        const crlf = readFileSync(join(fixturesDir, fixture, plan.bot!.file), "utf8").includes("\r\n");
        if (crlf) expect(change.after.replace(/\r\n/g, "")).not.toContain("\n");
      }
    });
  });
});
