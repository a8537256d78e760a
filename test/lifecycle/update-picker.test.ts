// The picker of the run without a command: installed recipes shown as installed, and picking one
// offers update or remove instead of adding it again.
import prompts from "prompts";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultCommand } from "../../src/commands/new.js";
import { commitChanges } from "../../src/engine/commit.js";
import { planAdd } from "../../src/engine/plan.js";
import { installedMarks } from "../../src/lifecycle/picker.js";
import { scanProject } from "../../src/project/scan-project.js";
import { resolveAnswers } from "../../src/recipes/answers.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

/** A pack folder named `mypack` holding a copy of error-handler, its template changed by `change`. */
function pack(change?: (text: string) => string): string {
  const dir = join(tmpDir("picker-pack"), "mypack");
  mkdirSync(dir, { recursive: true });
  cpSync(join(repoRoot, "templates/error-handler"), join(dir, "error-handler"), { recursive: true });
  const template = join(dir, "error-handler/error-handler.ts.hbs");
  if (change) writeFileSync(template, change(readFileSync(template, "utf8")));
  return dir;
}

async function installFrom(packDir: string): Promise<string> {
  const dir = copyFixture("cjs-single");
  const catalogue = loadCatalogue([packDir]);
  const recipe = catalogue.get("mypack/error-handler");
  const answers = await resolveAnswers(recipe.manifest, { given: {}, facts: {} });
  commitChanges(dir, planAdd({ project: scanProject(dir), recipes: [{ recipe, answers }], catalogue: catalogue.recipes, record: true }).changes);
  return dir;
}

beforeEach(() => {
  Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
  vi.stubEnv("CI", "");
  vi.stubEnv("NO_COLOR", "1");
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the picker with recipes installed", { timeout: 60_000 }, () => {
  it("marks installed recipes, and those with a newer version", async () => {
    const v1 = pack();
    const dir = await installFrom(v1);
    expect([...installedMarks(dir, loadCatalogue([v1]))]).toEqual([["mypack/error-handler", { label: "installed", newer: false }]]);
    const v2 = pack((t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;"));
    expect([...installedMarks(dir, loadCatalogue([v2]))]).toEqual([["mypack/error-handler", { label: "installed, update available", newer: true }]]);
  });

  it("picking an installed recipe with a newer version offers the update, which merges", async () => {
    const dir = await installFrom(pack());
    const file = join(dir, "recipes/error-handler.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;"));
    const v2 = pack((t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;"));
    vi.spyOn(process, "cwd").mockReturnValue(dir);
    prompts.inject([["mypack/error-handler"], "update", true]); // the pick, "update it", yes to writing
    await defaultCommand(undefined, { templates: [v2], install: false }, ["add", "new"]);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("const DESCRIPTION_BUDGET = 1500;");
    expect(text).toContain("const MAX_REPORTS_PER_HOUR = 60;");
  });
});
