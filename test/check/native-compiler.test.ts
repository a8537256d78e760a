// TypeScript 7's checks run its native compiler directly (src/check/tsc.ts), not
// through bin/tsc's Node process; older TypeScript runs bin/tsc as before.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTypeScript, nativeCompiler, runTsc } from "../../src/check/tsc.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

describe("the compiler a check runs", () => {
  it("TypeScript 7: its platform package's program, also when typescript is a link; a check through it reports errors", async () => {
    const own = findTypeScript(repoRoot)!;
    expect(own.version).toMatch(/^7\./);
    expect(nativeCompiler(own)).toMatch(/@typescript[/\\]typescript-[\w-]+[/\\]lib[/\\]tsc(\.exe)?$/);

    const dir = copyFixture("esm-nodenext-factory");
    mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules/typescript"), join(dir, "node_modules/typescript"), "junction");
    const linked = findTypeScript(dir)!;
    expect(linked.bin.startsWith(dir)).toBe(true);
    expect(nativeCompiler(linked)).toBe(nativeCompiler(own));
    const run = await runTsc(linked, ["-p", "tsconfig.json", "--noEmit"], dir);
    expect(run.code).toBe(0);
    mkdirSync(join(dir, "src/x"));
    writeFileSync(join(dir, "src/x/broken.ts"), 'export const n: number = "1";\n');
    const broken = await runTsc(linked, ["-p", "tsconfig.json", "--noEmit"], dir);
    expect(broken.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual(["src/x/broken.ts:1 TS2322"]);
  });

  it("TypeScript 6 and older: none (bin/tsc runs)", () => {
    const dir = tmpDir("ts59");
    mkdirSync(join(dir, "node_modules"), { recursive: true });
    symlinkSync(join(repoRoot, "test/toolchains/node_modules/typescript-5.9"), join(dir, "node_modules/typescript"), "junction");
    const ts59 = findTypeScript(dir)!;
    expect(ts59.version).toMatch(/^5\.9\./);
    expect(nativeCompiler(ts59)).toBeUndefined();
  });
});
