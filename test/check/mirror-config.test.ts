// TypeScript 7 checks a change on a scratch mirror of the project. A tsconfig
// whose paths lead out of the project (a monorepo's `../shared` in `include`
// and `paths`) must find the same files from the mirror as from the project.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTypeScript, nativeCompiler } from "../../src/check/tsc.js";
import { checkPlannedChanges } from "../../src/check/typecheck-gate.js";
import { scratchCheckCache } from "../helpers/check-cache.js";
import { tmpDir } from "../helpers/recipes.js";

scratchCheckCache("mirror-config-cache");

describe("the mirror of a project whose tsconfig reaches outside it", () => {
  it("`include` and `paths` to ../shared: a wrong use of a shared function is the one new error", { timeout: 60_000 }, async () => {
    const mono = tmpDir("mono");
    const app = join(mono, "app");
    mkdirSync(join(app, "src"), { recursive: true });
    mkdirSync(join(mono, "shared"), { recursive: true });
    writeFileSync(join(mono, "shared/util.ts"), "export function double(n: number): number {\n  return n * 2;\n}\n");
    writeFileSync(join(app, "src/main.ts"), 'import { double } from "@shared/util";\nexport const four: number = double(2);\n');
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "preserve", moduleResolution: "bundler", target: "es2022", types: [], paths: { "@shared/*": ["../shared/*"] } }, include: ["src", "../shared"] }, null, 2),
    );
    const ts = findTypeScript(app)!;
    expect(nativeCompiler(ts)).toBeDefined(); // TypeScript 7: the mirror and tsc

    const clean = await checkPlannedChanges(app, [{ path: "src/eight.ts", kind: "create", before: undefined, after: 'import { double } from "@shared/util";\nexport const eight: number = double(4);\n' }]);
    expect(clean).toMatchObject({ checked: true, via: "tsc", newErrors: [], baseline: [] });

    const wrong = await checkPlannedChanges(app, [{ path: "src/text.ts", kind: "create", before: undefined, after: 'import { double } from "@shared/util";\nexport const text: string = double(4);\n' }]);
    expect(wrong.newErrors.map((e) => `${e.file}:${e.line} ${e.code}`)).toEqual(["src/text.ts:2 TS2322"]);
  });
});
