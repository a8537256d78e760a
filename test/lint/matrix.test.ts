// `lint --typecheck --matrix`: field fixtures (a toolchain.json beside the
// project) are checked with their own TypeScript and grammY; errors land on
// the template line with the toolchain in the hint; a refusal by the engine
// is a warning; a fixture the engine refuses whole is noted, not an error.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lintRecipes } from "../../src/lint/lint-recipes.js";
import { repoRoot, tmpDir } from "../helpers/recipes.js";
import { fieldDir } from "../helpers/toolchain.js";

/** A pack of one recipe: a module rendered into the project, nothing wired. */
function pack(id: string, template: string, extra: Record<string, unknown> = {}): string {
  const root = tmpDir("matrix-pack");
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const manifest = { id, title: `Test: ${id}`, description: "A recipe for lint --matrix tests.", seeds: [], questions: [], files: [{ template: "main.ts.hbs", target: `{{recipesDir}}/${id}.ts` }], edits: [], ...extra };
  writeFileSync(join(dir, "recipe.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, "main.ts.hbs"), template);
  return root;
}

const legacy = join(fieldDir, "ts45-cjs-legacy"); // TypeScript 4.5, grammY 1.11, lib es2019

describe("lint --typecheck --matrix", () => {
  it("reports a type error at the template line, naming the field fixture and its toolchain", async () => {
    const report = await lintRecipes(["test/fixtures/bad-recipes/type-error"], { cwd: repoRoot, typecheck: true, matrix: true, fixtures: [legacy] });
    expect(report.diagnostics).toHaveLength(1);
    const d = report.diagnostics[0]!;
    expect(`${d.file}:${d.line} ${d.check} ${d.message}`).toBe("test/fixtures/bad-recipes/type-error/main.ts.hbs:2 typecheck TS2322: Type 'string' is not assignable to type 'number'.");
    expect(d.hint).toContain("on field fixture ts45-cjs-legacy (typescript 4.5.5, grammy 1.11.2) with the defaults");
  });

  it("finds what only an older grammY lacks (ctx.chatId is grammY 1.21+), which the default fixtures pass", async () => {
    const root = pack(
      "chat-id",
      ['import type { Context } from "grammy";', "", "export function chatOf(ctx: Context): number | undefined {", "  return ctx.chatId;", "}", ""].join("\n"),
    );
    const field = await lintRecipes([root], { cwd: repoRoot, typecheck: true, matrix: true, fixtures: [legacy] });
    expect(field.diagnostics.map((d) => `${d.file.split("/").slice(-1)[0]}:${d.line} ${d.message}`)).toEqual(["main.ts.hbs:4 TS2551: Property 'chatId' does not exist on type 'Context'. Did you mean 'chat'?"]);
    const plain = await lintRecipes([root], { cwd: repoRoot, typecheck: true, fixtures: [join(repoRoot, "test/fixtures/cjs-single")] });
    expect(plain.diagnostics).toEqual([]);
  });

  it("gives a warning, not an error, when the engine refuses the recipe for the fixture's versions", async () => {
    const root = pack("needs-new-grammy", "export const X = 1;\n", { requires: [{ name: "grammy", range: ">=1.20.0" }] });
    const report = await lintRecipes([root], { cwd: repoRoot, typecheck: true, matrix: true, fixtures: [legacy] });
    expect(report.diagnostics.map((d) => [d.severity, d.message])).toEqual([["warning", expect.stringMatching(/^refused on field fixture ts45-cjs-legacy \(typescript 4\.5\.5, grammy 1\.11\.2\): .*1\.11\.2/)]]);
  });

  it("notes a field fixture the engine refuses as a whole (two bots) instead of failing", async () => {
    const report = await lintRecipes(["test/fixtures/bad-recipes/type-error"], { cwd: repoRoot, typecheck: true, matrix: true, fixtures: [join(fieldDir, "ts7-two-bots")] });
    expect(report.diagnostics).toEqual([]);
    expect(report.skipped.join("\n")).toMatch(/field fixture ts7-two-bots: found 2 grammY bots: src\/customer-bot\.ts.*src\/staff-bot\.ts/);
  });

  it("is an option of the lint command and a step of CI", () => {
    const help = spawnSync(process.execPath, [join(repoRoot, "bin/create-bot-snippet.js"), "lint", "--help"], { cwd: repoRoot, encoding: "utf8" });
    expect(help.stdout).toContain("--matrix");
    expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toContain("lint --typecheck --matrix");
  });
});
