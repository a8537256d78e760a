// The gate's cache is only sound if every change to anything tsc reads makes
// the known state unknown again. These are the ways around it found so far:
// a folder linked into the project (its files are in the program, its
// listing was never taken), a tsconfig extended through a package
// (package.json `tsconfig` and `exports` decide which file TypeScript reads),
// and the package.json of a package the program reads (its `exports` or
// `types` pointed at another file of the same names).
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckCache } from "../../src/check/check-cache.js";
import { extendedConfigs } from "../../src/check/extended-configs.js";
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

  it("a linked folder reached through a second link: pointing that one elsewhere changes the state too", () => {
    const dir = copyFixture("esm-nodenext-factory");
    const outside = tmpDir("linked-twice");
    for (const name of ["one", "two"]) {
      mkdirSync(join(outside, name), { recursive: true });
      writeFileSync(join(outside, name, "util.ts"), "export const a = 1;\n");
      pinTime(join(outside, name, "util.ts"));
    }
    symlinkSync(join(outside, "one"), join(outside, "current"), "junction");
    symlinkSync(join(outside, "current"), join(dir, "src/shared"), "junction");
    const cache = CheckCache.open(dir, "test")!;
    const before = cache.dirPrints([], new Map());
    rmSync(join(outside, "current"));
    symlinkSync(join(outside, "two"), join(outside, "current"), "junction");
    expect(cache.dirPrints([], new Map()).src).not.toBe(before.src);
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

/** A change that is clean unless the config asks for `noUnusedLocals`. */
const unused: FileChange = { path: "src/recipes/unused.ts", kind: "create", before: undefined, after: "export function f(unused: number): number {\n  const spare = 1;\n  return 2;\n}\n" };
const summary = (errors: Array<{ file: string; line: number; code: string }>) => errors.map((e) => `${e.file}:${e.line} ${e.code}`);

/** The fixture with its compiler options moved into a config package `@acme/tsconfig` (package.json given), extended as `spec`. */
function withConfigPackage(packageJson: Record<string, unknown>, configs: Record<string, boolean>, spec: string): { dir: string; pkg: string; options: Record<string, unknown> } {
  const dir = copyFixture("esm-nodenext-factory");
  const options = (JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> }).compilerOptions;
  const pkg = join(dir, "node_modules/@acme/tsconfig");
  for (const [file, noUnusedLocals] of Object.entries(configs)) {
    mkdirSync(join(pkg, file, ".."), { recursive: true });
    writeFileSync(join(pkg, file), JSON.stringify({ compilerOptions: { ...options, noUnusedLocals } }));
  }
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@acme/tsconfig", version: "1.0.0", ...packageJson }));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: spec, include: ["src"] }));
  return { dir, pkg, options };
}

describe("add --check: a tsconfig extended through a package", () => {
  it("runs again when the config a package.json `tsconfig` field names changes", { timeout: 120_000 }, async () => {
    const { dir, pkg, options } = withConfigPackage({ tsconfig: "./strict.json" }, { "strict.json": false }, "@acme/tsconfig");
    expect((await checkPlannedChanges(dir, [unused])).newErrors).toEqual([]);
    expect((await checkPlannedChanges(dir, [unused])).runs).toBe(0);
    writeFileSync(join(pkg, "strict.json"), JSON.stringify({ compilerOptions: { ...options, noUnusedLocals: true } }));
    const stricter = await checkPlannedChanges(dir, [unused]);
    expect(stricter.runs).toBeGreaterThan(0);
    expect(summary(stricter.newErrors)).toEqual(["src/recipes/unused.ts:2 TS6133"]);
  });

  it("runs again when the config a package's `exports` picks changes, or `exports` picks another", { timeout: 180_000 }, async () => {
    const exports = { "./strict": { types: "./configs/strict.json" }, "./*": "./configs/*.json" };
    const { dir, pkg, options } = withConfigPackage({ exports }, { "configs/strict.json": false, "configs/loose.json": true }, "@acme/tsconfig/strict");
    expect((await checkPlannedChanges(dir, [unused])).newErrors).toEqual([]);
    expect((await checkPlannedChanges(dir, [unused])).runs).toBe(0);
    // The file `exports` chose, edited.
    writeFileSync(join(pkg, "configs/strict.json"), JSON.stringify({ compilerOptions: { ...options, noUnusedLocals: true } }));
    const edited = await checkPlannedChanges(dir, [unused]);
    expect(edited.runs).toBeGreaterThan(0);
    expect(summary(edited.newErrors)).toEqual(["src/recipes/unused.ts:2 TS6133"]);
    writeFileSync(join(pkg, "configs/strict.json"), JSON.stringify({ compilerOptions: { ...options, noUnusedLocals: false } }));
    expect((await checkPlannedChanges(dir, [unused])).newErrors).toEqual([]);
    expect((await checkPlannedChanges(dir, [unused])).runs).toBe(0);
    // `exports` retargeted: the same spec now means configs/loose.json (which asks for noUnusedLocals).
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@acme/tsconfig", version: "1.0.0", exports: { "./strict": "./configs/loose.json" } }));
    const retargeted = await checkPlannedChanges(dir, [unused]);
    expect(retargeted.runs).toBeGreaterThan(0);
    expect(summary(retargeted.newErrors)).toEqual(["src/recipes/unused.ts:2 TS6133"]);
  });

  it("finds what TypeScript finds: `tsconfig` field, `exports` conditions and patterns, an `extends` array, relative paths", () => {
    const root = tmpDir("extends-lookup");
    const modules = join(root, "node_modules");
    const write = (path: string, value: unknown) => {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, JSON.stringify(value));
    };
    write(join(modules, "field/package.json"), { tsconfig: "configs/main" }); // a folder: its tsconfig.json
    write(join(modules, "field/configs/main/tsconfig.json"), {});
    write(join(modules, "plain/tsconfig.json"), {});
    write(join(modules, "plain/node18.json"), { extends: "../plain/extra" }); // a relative path: with `.json`
    write(join(modules, "@x/cfg/package.json"), { exports: { ".": { import: "./esm.json", require: "./cjs.json" }, "./presets/*": ["./nope/*.json", "./presets/*.json"] } });
    write(join(modules, "@x/cfg/cjs.json"), {});
    write(join(modules, "@x/cfg/presets/strict.json"), { extends: "./base" });
    write(join(modules, "@x/cfg/presets/base.json"), {});
    write(join(modules, "plain/extra.json"), {});
    write(join(root, "local.json"), {});
    write(join(root, "tsconfig.json"), { extends: ["field", "plain", "plain/node18", "@x/cfg", "@x/cfg/presets/strict", "./local"] });
    const found = extendedConfigs(join(root, "tsconfig.json"));
    const at = (path: string) => join(modules, path);
    for (const path of [at("field/configs/main/tsconfig.json"), at("plain/tsconfig.json"), at("plain/node18.json"), at("plain/extra.json"), at("@x/cfg/cjs.json"), at("@x/cfg/presets/strict.json"), at("@x/cfg/presets/base.json"), join(root, "local.json")]) {
      expect(found).toContain(path);
    }
    // What decided it, and what would have been taken first (its appearing changes the answer).
    expect(found).toEqual(expect.arrayContaining([at("field/package.json"), at("@x/cfg/package.json"), at("@x/cfg/nope/strict.json"), at("field.json")]));
    expect(found).not.toContain(at("@x/cfg/esm.json"));

    // A linked workspace package: TypeScript reads it at its real path, and its `../` from there.
    const workspace = join(root, "packages");
    write(join(workspace, "tsconfig/package.json"), { name: "@repo/tsconfig" });
    write(join(workspace, "tsconfig/node.json"), { extends: "../shared/base.json" });
    write(join(workspace, "shared/base.json"), {});
    symlinkSync(join(workspace, "tsconfig"), join(modules, "@repo-tsconfig"), "junction");
    write(join(root, "app/tsconfig.json"), { extends: "@repo-tsconfig/node.json" });
    expect(extendedConfigs(join(root, "app/tsconfig.json"))).toEqual(expect.arrayContaining([join(workspace, "tsconfig/node.json"), join(workspace, "shared/base.json")]));
  });
});

describe("add --check: the package.json that rules a file of the program", () => {
  it("runs again when a linked package's package.json points its types elsewhere", { timeout: 120_000 }, async () => {
    const dir = copyFixture("esm-nodenext-factory");
    // A workspace package linked into node_modules (the program reads it at its real path, outside the project).
    const lib = join(tmpDir("workspace-lib"), "lib");
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, "a.d.ts"), "export declare const v: number;\n");
    writeFileSync(join(lib, "b.d.ts"), "export declare const v: string;\n");
    const manifest = (types: string) => JSON.stringify({ name: "@repo/lib", version: "1.0.0", type: "module", exports: { ".": { types, default: "./index.js" } } });
    writeFileSync(join(lib, "package.json"), manifest("./a.d.ts"));
    mkdirSync(join(dir, "node_modules/@repo"), { recursive: true });
    symlinkSync(lib, join(dir, "node_modules/@repo/lib"), "junction");
    writeFileSync(join(dir, "src/uses-lib.ts"), 'import { v } from "@repo/lib";\n\nexport const n: number = v;\n');
    expect((await checkPlannedChanges(dir, [goodFile])).baseline).toEqual([]);
    expect((await checkPlannedChanges(dir, [goodFile])).runs).toBe(0);
    // Same names everywhere, every file of the program as it was: only the package.json differs.
    writeFileSync(join(lib, "package.json"), manifest("./b.d.ts"));
    const retargeted = await checkPlannedChanges(dir, [goodFile]);
    expect(retargeted.runs).toBeGreaterThan(0);
    expect(retargeted.baseline?.map((d) => `${d.file} ${d.code}`)).toEqual(["src/uses-lib.ts TS2322"]);
  });
});
