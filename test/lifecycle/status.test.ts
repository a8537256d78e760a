// `status` (and `list --installed`): installed recipes, answers, files the user changed, newer versions,
// and recipes recognised in the code that the record does not list.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { statusCommand } from "../../src/commands/status.js";
import type { ProjectStatus } from "../../src/lifecycle/status.js";
import { commitChanges } from "../../src/engine/commit.js";
import { planAdd } from "../../src/engine/plan.js";
import { scanProject } from "../../src/project/scan-project.js";
import { resolveAnswers } from "../../src/recipes/answers.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { copyFixture } from "../helpers/recipes.js";
import { bundledCopy, capture, edit, installed } from "./update-helpers.js";

const newer = () => bundledCopy({ recipe: "error-handler", template: "error-handler.ts.hbs", change: (t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;") });

describe("status", { timeout: 60_000 }, () => {
  it("lists the recipe, its answers, the file the user changed and the newer version", async () => {
    const v1 = bundledCopy();
    const dir = await installed("cjs-single", "error-handler", v1, { devChatIds: [42] });
    // Same version, nothing changed.
    const clean = await capture(() => statusCommand({ cwd: dir, json: true, bundledDir: v1 }));
    const cleanStatus = JSON.parse(clean.stdout) as ProjectStatus;
    expect(cleanStatus.recipes[0]).toMatchObject({ ref: "error-handler", pack: "bundled", newer: false, files: [{ path: "recipes/error-handler.ts", state: "unchanged" }] });
    expect(cleanStatus.recipes[0]!.answers.devChatIds).toEqual([42]);
    expect(cleanStatus.unrecorded).toEqual([]);

    edit(dir, "recipes/error-handler.ts", "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const v2 = newer();
    const json = JSON.parse((await capture(() => statusCommand({ cwd: dir, json: true, bundledDir: v2 }))).stdout) as ProjectStatus;
    expect(json.recipes[0]).toMatchObject({ newer: true, files: [{ path: "recipes/error-handler.ts", state: "changed" }] });
    expect(json.recipes[0]!.latest).not.toBe(json.recipes[0]!.version);

    const human = await capture(() => statusCommand({ cwd: dir, bundledDir: v2 }));
    expect(human.stdout).toMatch(/^error-handler\s+0\.0\.0\+[0-9a-f]{12}\s+newer version 0\.0\.0\+[0-9a-f]{12}$/m);
    expect(human.stdout).toMatch(/answers: devChatIds=\[42\], existingHandler=fallback, includeStack=true, userMessage="Sorry, something went wrong/);
    expect(human.stdout).toMatch(/changed by you: recipes\/error-handler\.ts/);
    expect(human.stdout).toMatch(/1 update available: create-bot-snippet update/);

    rmSync(join(dir, "recipes/error-handler.ts"));
    const gone = JSON.parse((await capture(() => statusCommand({ cwd: dir, json: true, bundledDir: v2 }))).stdout) as ProjectStatus;
    expect(gone.recipes[0]!.files[0]!.state).toBe("missing");
  });

  it("a recipe added before the record existed is listed as unrecorded", async () => {
    const dir = copyFixture("cjs-single");
    const catalogue = loadCatalogue();
    const recipe = catalogue.get("logging");
    const plan = planAdd({ project: scanProject(dir), recipes: [{ recipe, answers: await resolveAnswers(recipe.manifest, { given: {}, facts: {} }) }], catalogue: catalogue.recipes });
    commitChanges(dir, plan.changes);
    const json = JSON.parse((await capture(() => statusCommand({ cwd: dir, json: true }))).stdout) as ProjectStatus;
    expect(json.recorded).toBe(false);
    expect(json.recipes).toEqual([]);
    expect(json.unrecorded).toEqual([{ ref: "logging", files: ["recipes/logging.ts"] }]);
    const human = await capture(() => statusCommand({ cwd: dir }));
    expect(human.stdout).toMatch(/Recognised in the code, not in bot-snippets\.json.*\n\s+logging\s+recipes\/logging\.ts/);
  });

  it("a project without recipes says so and exits 0", async () => {
    const dir = copyFixture("cjs-single");
    const run = await capture(() => statusCommand({ cwd: dir }));
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe("no recipes installed (no bot-snippets.json); add one with `create-bot-snippet add <recipe>`\n");
  });
});
