// The gate's cache, second half: the project WITH the planned change is a
// known state too. Checking the same change again (after `--dry-run`, or a
// "no" at the prompt) runs no tsc while nothing it reads has changed; any file
// that changed, appeared, or any package that appeared makes it run again.
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import type { FileChange } from "../../src/engine/tree.js";
import { scratchCheckCache } from "../helpers/check-cache.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

const summary = (errors: Array<{ file: string; line: number; code: string }>) => errors.map((e) => `${e.file}:${e.line} ${e.code}`);

/** A new module with one error of its own (a change that adds a broken file). */
const brokenFile: FileChange = { path: "src/recipes/broken.ts", kind: "create", before: undefined, after: 'export const limit: number = "ten";\n' };
const brokenError = ["src/recipes/broken.ts:1 TS2322"];
/** A new module that type-checks. */
const goodFile: FileChange = { path: "src/recipes/good.ts", kind: "create", before: undefined, after: "export const limit = 10;\n" };

scratchCheckCache("check-cache-known");

describe("add --check: a change checked before", () => {
  it("the same change again: no tsc run, the same result (clean, and with errors)", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const first = await checkPlannedChanges(dir, [goodFile]);
    expect(first.runs).toBe(1);
    const again = await checkPlannedChanges(dir, [goodFile]);
    expect(again).toMatchObject({ checked: true, runs: 0, cached: true, newErrors: [], baseline: [] });

    const failing = await checkPlannedChanges(dir, [brokenFile]);
    expect(failing.runs).toBe(1); // the errors before it are the clean state above
    expect(summary(failing.newErrors)).toEqual(brokenError);
    const failingAgain = await checkPlannedChanges(dir, [brokenFile]);
    expect(failingAgain.runs).toBe(0);
    expect(summary(failingAgain.newErrors)).toEqual(brokenError);
    expect(failingAgain.newErrors).toEqual(failing.newErrors);
    expect(failingAgain.baseline).toEqual(failing.baseline);
  });

  it("runs again when a file of the program changed, or a code file appeared in the project, even one no file imports", { timeout: 180_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    await checkPlannedChanges(dir, [goodFile]);
    // A new file with an error, where the tsconfig's include finds it: the user's error, not the change's.
    writeFileSync(join(dir, "src/legacy.ts"), 'export const host: number = "localhost";\n');
    const appeared = await checkPlannedChanges(dir, [goodFile]);
    expect(appeared.runs).toBeGreaterThan(0);
    expect(appeared.newErrors).toEqual([]);
    // The same change on the project as it is now is known again.
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);
    // A file of the program edited (its own error): checked again, and still not the change's error.
    writeFileSync(join(dir, "src/main.ts"), `${readFileSync(join(dir, "src/main.ts"), "utf8")}\nexport const port: number = "8080";\n`);
    const edited = await checkPlannedChanges(dir, [goodFile]);
    expect(edited.runs).toBeGreaterThan(0);
    expect(edited.newErrors).toEqual([]);
    // A file in a new folder deep in the project.
    mkdirSync(join(dir, "src/features/deep"), { recursive: true });
    writeFileSync(join(dir, "src/features/deep/x.ts"), "export const x: string = 1;\n");
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBeGreaterThan(0);
  });

  it("runs again when a config the tsconfig extends changed", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    mkdirSync(join(dir, "config"));
    writeFileSync(join(dir, "config/base.json"), JSON.stringify({ compilerOptions: config.compilerOptions }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: "./config/base", include: ["src"] }));
    const unused: FileChange = { path: "src/recipes/unused.ts", kind: "create", before: undefined, after: "export function f(unused: number): number {\n  const spare = 1;\n  return 2;\n}\n" };
    expect((await checkPlannedChanges(dir, [unused])).newErrors).toEqual([]);
    expect((await checkPlannedChanges(dir, [unused])).runs).toBe(0);
    writeFileSync(join(dir, "config/base.json"), JSON.stringify({ compilerOptions: { ...config.compilerOptions, noUnusedLocals: true } }));
    const stricter = await checkPlannedChanges(dir, [unused]);
    expect(stricter.runs).toBeGreaterThan(0);
    expect(summary(stricter.newErrors)).toEqual(["src/recipes/unused.ts:2 TS6133"]);
  });

  it("runs again when a package or @types appears in node_modules, or a linked package points elsewhere", { timeout: 180_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    // The project's own node_modules: grammy linked to the repo's copy (as `npm link` does).
    const grammy = join(repoRoot, "node_modules/grammy");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(grammy, join(dir, "node_modules/grammy"), "junction");
    await checkPlannedChanges(dir, [goodFile]);
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);

    // New global types (tsconfig takes every @types package when it names none).
    mkdirSync(join(dir, "node_modules/@types/legacy"), { recursive: true });
    writeFileSync(join(dir, "node_modules/@types/legacy/package.json"), JSON.stringify({ name: "@types/legacy", version: "1.0.0", types: "index.d.ts" }));
    writeFileSync(join(dir, "node_modules/@types/legacy/index.d.ts"), "declare const legacy: number;\n");
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBeGreaterThan(0);
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);

    // The link now points at another copy of grammY: same names, other files.
    const other = join(tmpDir("grammy-copy"), "grammy");
    symlinkSync(grammy, other, "junction");
    renameSync(join(dir, "node_modules/grammy"), join(dir, "node_modules/grammy-old"));
    symlinkSync(other, join(dir, "node_modules/grammy"), "junction");
    renameSync(join(dir, "node_modules/grammy-old"), join(tmpDir("trash"), "grammy-old"));
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBeGreaterThan(0);
  });

  it("after the change is written (and its record), the project is the known state the check left: the next change's errors before come from the cache", { timeout: 180_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    await checkPlannedChanges(dir, [goodFile]);
    mkdirSync(join(dir, "src/recipes"), { recursive: true });
    writeFileSync(join(dir, goodFile.path), goodFile.after);
    writeFileSync(join(dir, "bot-snippets.json"), "{}\n"); // the record add writes beside it
    const next = await checkPlannedChanges(dir, [brokenFile]);
    expect(next.cached).toBe(true);
    expect(next.runs).toBe(1);
    expect(summary(next.newErrors)).toEqual(brokenError);
  });
});
