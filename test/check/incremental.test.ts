// The incremental gate: TypeScript's build info and the errors of the last
// checked state are kept in a cache folder outside the project, so a second
// check of an unchanged project needs one (incremental) tsc run, not two.
// Any change to the project since makes the known errors stale.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import type { FileChange } from "../../src/engine/tree.js";
import { scratchCheckCache } from "../helpers/check-cache.js";
import { copyFixture } from "../helpers/recipes.js";
import { listFiles } from "../new/helpers.js";

const hashTree = (dir: string) => createHash("sha1").update(listFiles(dir).map((f) => `${f}\0${readFileSync(join(dir, f), "utf8")}`).join("\0")).digest("hex");
const summary = (errors: Array<{ file: string; line: number; code: string }>) => errors.map((e) => `${e.file}:${e.line} ${e.code}`);

/** A change to src/context.ts that breaks the two files using `ctx.config`. */
function breakingChange(dir: string): FileChange[] {
  const context = readFileSync(join(dir, "src/context.ts"), "utf8");
  return [{ path: "src/context.ts", kind: "update", before: context, after: 'import type { Context } from "grammy";\n\nexport type MyContext = Context;\n' }];
}
const broken = ["src/bot.ts:10 TS2339", "src/features/greeting.ts:6 TS2339"];

const cache = scratchCheckCache("check-cache");

describe("add --check: the incremental gate", () => {
  it("takes the errors before the change from the cache on the second check (one run), with the same result", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const tree = hashTree(dir);
    const first = await checkPlannedChanges(dir, breakingChange(dir));
    expect(first.runs).toBe(2);
    expect(first.cached).toBe(false);
    expect(summary(first.newErrors)).toEqual(broken);
    // The cache is outside the project: build info and known states, keyed by the project.
    expect(readdirSync(cache.dir).some((f) => f.endsWith(".tsbuildinfo"))).toBe(true);
    expect(hashTree(dir)).toBe(tree);

    const second = await checkPlannedChanges(dir, breakingChange(dir));
    expect(second.runs).toBe(0); // the very change was checked: both states are known (test/check/known-change.test.ts)
    expect(second.cached).toBe(true);
    expect(summary(second.newErrors)).toEqual(broken);
    expect(second.baseline).toEqual(first.baseline);
  });

  it("a clean check records the project too: a later failing change needs one run", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const clean = await checkPlannedChanges(dir, [{ path: "src/extra.ts", kind: "create", before: undefined, after: "export const extra = 1;\n" }]);
    expect(clean.runs).toBe(1);
    expect(clean.newErrors).toEqual([]);
    const failing = await checkPlannedChanges(dir, breakingChange(dir));
    expect(failing.runs).toBe(1);
    expect(failing.cached).toBe(true);
    expect(summary(failing.newErrors)).toEqual(broken);
  });

  it("does not trust the cache once the user edits a file or adds one: their own errors are not counted as new", { timeout: 180_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    await checkPlannedChanges(dir, breakingChange(dir));

    // An edited file: the project's state is unknown again.
    writeFileSync(join(dir, "src/main.ts"), `${readFileSync(join(dir, "src/main.ts"), "utf8")}\nexport const port: number = "8080";\n`);
    const edited = await checkPlannedChanges(dir, breakingChange(dir));
    expect(edited.cached).toBe(false);
    expect(edited.runs).toBe(2);
    expect(summary(edited.newErrors)).toEqual(broken);

    // A new file (included by the tsconfig) with an error of its own.
    writeFileSync(join(dir, "src/legacy.ts"), 'export const host: number = "localhost";\n');
    const added = await checkPlannedChanges(dir, breakingChange(dir));
    expect(added.cached).toBe(false);
    expect(summary(added.newErrors)).toEqual(broken);
  });

  it("a planned delete leaves the file out of the checked tree (and its importers' errors are new)", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const greeting = readFileSync(join(dir, "src/features/greeting.ts"), "utf8");
    const result = await checkPlannedChanges(dir, [{ path: "src/features/greeting.ts", kind: "delete", before: greeting, after: "" }]);
    expect(result.checked).toBe(true);
    expect(result.newErrors.map((e) => `${e.file} ${e.code} added=${e.added}`)).toEqual(["src/bot.ts TS2307 added=false"]);
    expect(existsSync(join(dir, "src/features/greeting.ts"))).toBe(true);
  });
});
