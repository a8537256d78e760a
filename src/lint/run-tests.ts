import { spawnSync } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { makeScratchDir } from "../core/scratch.js";
import { basename, join } from "node:path";
import { findPackageHome } from "../check/tsc.js";
import type { Recipe } from "../recipes/manifest.js";
import type { LintDiagnostic } from "./diagnostics.js";

type Diagnostic = Omit<LintDiagnostic, "severity"> & { severity?: LintDiagnostic["severity"] };

const testFile = /\.(test|spec)\.[cm]?[jt]s$/;

/**
 * Stage 5 (`--test`): runs the behaviour tests a pack ships inside its recipe
 * folders (`*.test.ts`), with the vitest of the folder lint runs in. This is
 * the one stage that executes a pack's code, and only when asked to.
 */
export function runRecipeTests(recipes: Recipe[], cwd: string): { diagnostics: Diagnostic[]; skipped: string[] } {
  const diagnostics: Diagnostic[] = [];
  const withTests = recipes.map((r) => ({ recipe: r, files: findTests(r.dir) })).filter((r) => r.files.length > 0);
  if (withTests.length === 0) return { diagnostics, skipped: ["--test: no recipe ships tests (*.test.ts in its folder)"] };
  const home = findPackageHome(cwd, "vitest");
  if (!home) return { diagnostics, skipped: ["--test skipped: vitest is not installed here (npm i -D vitest)"] };
  const vitest = join(home, "node_modules", "vitest", "vitest.mjs");
  // Our own config (the pack's folder may sit inside a project with another one), caches in the temp folder.
  const scratch = makeScratchDir("bot-snippet-test-");
  const config = join(scratch, "vitest.config.mjs");
  writeFileSync(config, `export default { cacheDir: ${JSON.stringify(join(scratch, "cache"))}, test: { include: ["**/*.{test,spec}.?(c|m)[jt]s"], exclude: ["**/node_modules/**"] } };\n`);
  try {
    for (const { recipe, files } of withTests) {
      const result = spawnSync(process.execPath, [vitest, "run", "--root", recipe.dir, "--config", config], {
        cwd: recipe.dir,
        encoding: "utf8",
        env: { ...process.env, CI: "1", NO_COLOR: "1" },
      });
      if (result.status !== 0) {
        const output = `${result.stdout}${result.stderr}`.trim().split("\n");
        const failed = output.filter((l) => /FAIL|✗|×|AssertionError|Error:/.test(l)).slice(0, 5).map((l) => l.trim());
        diagnostics.push({
          file: files[0]!,
          line: 1,
          column: 1,
          check: "test",
          recipe: basename(recipe.dir),
          message: `the recipe's tests fail (vitest exit ${String(result.status)})`,
          hint: failed.join(" | ") || output.slice(-5).join(" | "),
        });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { diagnostics, skipped: [] };
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (testFile.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}
