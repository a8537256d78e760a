// `add --check`: the planned change is type-checked with the project's own
// tsconfig and TypeScript in a scratch mirror; only new errors stop the write.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import { cliSession } from "../helpers/cli-session.js";
import { coveringPlans } from "../helpers/covering-plans.js";
import { catalogue, copyFixture, fixtureNames, fixturesDir, recipes } from "../helpers/recipes.js";

const teamPack = join(fixturesDir, "packs/team-pack");
// These tests check what `add` prints, exits with and writes: one CLI process runs them all
// (test/helpers/cli-session.ts: NO_COLOR, stdin closed), with CI=1 as before.
const session = cliSession();
const add = async (dir: string, ...args: string[]) => {
  const r = await session.run(["add", ...args, "--cwd", dir, "--yes", "--no-install", "--templates", teamPack], { env: { CI: "1" } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};
// A temp folder of this file's own (this worker process and the CLIs it starts): other test
// files run --check at the same time, and their scratch folders must not count as left here.
const ownTmp = mkdtempSync(join(tmpdir(), "add-check-"));
const tmpBefore = process.env.TMPDIR;
process.env.TMPDIR = ownTmp;
afterAll(() => {
  if (tmpBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpBefore;
  rmSync(ownTmp, { recursive: true, force: true });
});
const scratchFolders = () => readdirSync(tmpdir()).filter((f) => f.startsWith("bot-snippet-check-"));

describe("add --check (on by default: the repo has typescript)", () => {
  it("refuses a pack recipe whose code does not type-check, shows the error at file:line, writes nothing", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const bot = readFileSync(join(dir, "src/bot.ts"), "utf8");
    const run = await add(dir, "bad-types");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the change would add 1 type error(s) (TypeScript 7.");
    expect(run.stderr).toContain("src/recipes/bad-types.ts:4:7 TS2322 Type 'string' is not assignable to type 'number'.");
    expect(run.stderr).toContain("const LIMIT: number = '10'   (written by bad-types)");
    expect(run.stderr).toContain("nothing was written");
    expect(existsSync(join(dir, "src/recipes/bad-types.ts"))).toBe(false);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toBe(bot);
  });

  it("--force writes anyway; --no-check does not check", async () => {
    const forced = copyFixture("cjs-single");
    const run = await add(forced, "bad-types", "--force");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("--force: writing anyway");
    expect(existsSync(join(forced, "recipes/bad-types.ts"))).toBe(true);

    const unchecked = copyFixture("cjs-single");
    const plain = await add(unchecked, "bad-types", "--no-check");
    expect(plain.status).toBe(0);
    expect(plain.stderr).not.toContain("type-checked");
    expect(plain.stderr).not.toContain("type error");
    expect(existsSync(join(unchecked, "recipes/bad-types.ts"))).toBe(true);
  });

  it("only new errors count: a project that already has errors can still add a good recipe", async () => {
    const dir = copyFixture("cjs-single");
    writeFileSync(join(dir, "legacy.ts"), 'export const port: number = "8080";\n');
    const good = await add(dir, "welcome-message");
    expect(good.status, good.stderr).toBe(0);
    expect(good.stderr).toContain("no new errors");
    const bad = await add(dir, "bad-types");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("1 type error(s)");
    expect(bad.stderr).not.toContain("legacy.ts");
  });

  it("sees errors the change causes in files it did not touch, and leaves the user's tree and the temp folder clean", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const before = scratchFolders();
    const context = readFileSync(join(dir, "src/context.ts"), "utf8");
    const result = await checkPlannedChanges(dir, [
      { path: "src/context.ts", kind: "update", before: context, after: 'import type { Context } from "grammy";\n\nexport type MyContext = Context;\n' },
    ]);
    expect(result.checked).toBe(true);
    expect(result.runs).toBe(2);
    expect(result.newErrors.map((e) => `${e.file}:${e.line} ${e.code} added=${e.added}`)).toEqual([
      "src/bot.ts:10 TS2339 added=false",
      // in a folder of the mirror that is a symlink to the user's: still checked
      "src/features/greeting.ts:6 TS2339 added=false",
    ]);
    expect(readFileSync(join(dir, "src/context.ts"), "utf8")).toBe(context);
    expect(scratchFolders()).toEqual(before);
  });

  // Every bundled recipe, each as `add <recipe>` alone would write it, passes the gate on every fixture.
  // Not one gate run per recipe (25 per fixture, most of this file's time): the recipes are planned
  // together, and a recipe whose solo change the combined plan does not contain line for line (its
  // start or context type taken over by another recipe) is checked again in a later, smaller plan
  // (test/helpers/covering-plans.ts). Three gate runs per fixture instead of 25.
  it.each(fixtureNames)("accepts every bundled recipe on %s (one run, no new errors)", { timeout: 180_000 }, async (fixture) => {
    const dir = copyFixture(fixture);
    const ids = recipes.map((r) => r.ref);
    const plans = await coveringPlans(dir, catalogue, ids);
    expect(plans.flatMap((p) => p.covers).sort()).toEqual([...ids].sort());
    for (const { ids: planned, plan } of plans) {
      const result = await checkPlannedChanges(dir, plan.changes, plan.dependencies);
      const label = planned.length === 1 ? planned[0] : `${planned.length} recipes together (${planned.join(", ")})`;
      expect(result.checked, label).toBe(true);
      expect(result.newErrors.map((e) => `${label}: ${e.file}:${e.line} ${e.message}`)).toEqual([]);
      expect(result.pending, label).toEqual([]);
    }
  });
});
