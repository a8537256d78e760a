// The ignore-path op: run-time data kept out of git, once, in the file's own line endings.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyRecipes, copyFixture } from "../helpers/recipes.js";

describe("ignore-path", () => {
  it("creates .gitignore with the recipe's data path when there is none", async () => {
    const dir = copyFixture("cjs-single");
    await applyRecipes(dir, [{ id: "job-scheduler" }]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("/data/jobs.json\n");
  });

  it("appends to an existing .gitignore, keeping CRLF and a missing final newline", async () => {
    const dir = copyFixture("cjs-single");
    writeFileSync(join(dir, ".gitignore"), "node_modules\r\ndist");
    await applyRecipes(dir, [{ id: "persistence", answers: { dir: "state" } }]);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules\r\ndist\r\n/state/\r\n");
  });

  it("does nothing when the path or a folder above it is already ignored", async () => {
    const dir = copyFixture("cjs-single");
    writeFileSync(join(dir, ".gitignore"), "node_modules/\n/data/\n");
    const plan = await applyRecipes(dir, [{ id: "job-scheduler" }], { write: false });
    expect(plan.changes.map((c) => c.path)).not.toContain(".gitignore");
  });
});
