// The gate's cache is only sound if every change to anything tsc reads makes
// the known state unknown again. These are the ways around it found so far:
// a folder linked into the project (its files are in the program, its
// listing was never taken), and a tsconfig extended through a package
// (package.json `tsconfig` and `exports` decide which file TypeScript reads).
import { cpSync, mkdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckCache } from "../../src/check/check-cache.js";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import type { FileChange } from "../../src/engine/tree.js";
import { scratchCheckCache } from "../helpers/check-cache.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

/** A new module that type-checks. */
const goodFile: FileChange = { path: "src/recipes/good.ts", kind: "create", before: undefined, after: "export const limit = 10;\n" };

scratchCheckCache("check-cache-soundness");

/** Gives `path` a fixed mtime (so that two files of one size have one fingerprint). */
const pinTime = (path: string) => utimesSync(path, new Date(2020, 0, 1), new Date(2020, 0, 1));

describe("add --check: the cache sees through linked folders", () => {
  it("runs again when a code file appears in a folder linked into the project, or the link points elsewhere", { timeout: 180_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    // Another package's sources shared into this one (`src/shared -> ../other-package/src`).
    const other = join(tmpDir("other-package"), "src");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "util.ts"), "export const a: number = 12;\n");
    pinTime(join(other, "util.ts"));
    symlinkSync(other, join(dir, "src/shared"), "junction");
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(1);
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);

    // A new file in the linked folder, found by the tsconfig's include (with an error of its own: the user's).
    writeFileSync(join(other, "legacy.ts"), 'export const host: number = "localhost";\n');
    const appeared = await checkPlannedChanges(dir, [goodFile]);
    expect(appeared.runs).toBeGreaterThan(0);
    expect(appeared.newErrors).toEqual([]);
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);

    // The link retargeted to a copy whose util.ts has the same name, size and mtime but other content (an error).
    const copy = join(tmpDir("other-package-copy"), "src");
    cpSync(other, copy, { recursive: true });
    writeFileSync(join(copy, "util.ts"), 'export const a: number = "";\n');
    pinTime(join(copy, "util.ts"));
    renameSync(join(dir, "src/shared"), join(tmpDir("trash"), "shared"));
    symlinkSync(copy, join(dir, "src/shared"), "junction");
    const retargeted = await checkPlannedChanges(dir, [goodFile]);
    expect(retargeted.runs).toBeGreaterThan(0);
    expect(retargeted.baseline?.map((d) => `${d.file} ${d.code}`)).toContain("src/shared/util.ts TS2322");
  });

  it("a link to a folder above it does not loop, and the folders are listed once each", { timeout: 60_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    symlinkSync("..", join(dir, "src/features/up"), "junction"); // src/features/up -> src
    symlinkSync(dir, join(dir, "src/root"), "junction"); // src/root -> the project
    const cache = CheckCache.open(dir, "test")!;
    const prints = cache.dirPrints([], new Map());
    const inProject = Object.keys(prints).filter((k) => !k.includes("node_modules"));
    expect(inProject.sort()).toEqual(["", "src", "src/features"]);
    // The links themselves are part of src's and src/features' listings: retargeting one changes them.
    symlinkSync(join(dir, "src/features"), join(dir, "src/alias"), "junction");
    const more = cache.dirPrints([], new Map());
    expect(more.src).not.toBe(prints.src);
    expect((await checkPlannedChanges(dir, [goodFile])).checked).toBe(true);
  });
});
