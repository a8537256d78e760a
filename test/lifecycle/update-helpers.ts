// A project with a recipe added (and recorded) from a copy of the bundled templates, and a
// "newer version" of the recipe made by copying that folder and changing a template.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { vi } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { planAdd } from "../../src/engine/plan.js";
import { scanProject } from "../../src/project/scan-project.js";
import { resolveAnswers } from "../../src/recipes/answers.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

/** A copy of the bundled templates, optionally with `edit` applied to one recipe's template. */
export function bundledCopy(edit?: { recipe: string; template: string; change: (text: string) => string }): string {
  const dir = join(tmpDir("bundled"), "templates");
  cpSync(join(repoRoot, "templates"), dir, { recursive: true });
  if (edit) {
    const file = join(dir, edit.recipe, edit.template);
    const before = readFileSync(file, "utf8");
    const after = edit.change(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    writeFileSync(file, after);
  }
  return dir;
}

/** A copy of a fixture with `recipe` added and recorded (as `add` does), from the templates in `bundledDir`. */
export async function installed(fixture: string, recipe: string, bundledDir: string, given: Record<string, unknown> = {}): Promise<string> {
  const dir = copyFixture(fixture);
  const catalogue = loadCatalogue([], bundledDir);
  const r = catalogue.get(recipe);
  const project = scanProject(dir);
  const answers = await resolveAnswers(r.manifest, { given, facts: {} });
  const plan = planAdd({ project, recipes: [{ recipe: r, answers }], catalogue: catalogue.recipes, record: true });
  commitChanges(dir, plan.changes);
  return dir;
}

/** Replaces text in a project file (the user's own edit); throws when it is not there. */
export function edit(dir: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(dir, path), "utf8");
  if (!text.includes(from)) throw new Error(`${path} has no ${from}`);
  writeFileSync(join(dir, path), text.replace(from, to));
}

/** Runs `fn` with stdout and stderr captured. */
export async function capture<T>(fn: () => Promise<T> | T): Promise<{ result?: T; error?: Error; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { result: await fn(), stdout, stderr };
  } catch (error) {
    return { error: error as Error, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
