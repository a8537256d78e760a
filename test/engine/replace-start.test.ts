// The replace-start op on every fixture: where the bot is started differs in each.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAdd } from "../../src/engine/plan.js";
import { scanProject } from "../../src/project/scan-project.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

const packDir = tmpDir("start-pack");
mkdirSync(join(packDir, "starter"));
writeFileSync(
  join(packDir, "starter/recipe.json"),
  JSON.stringify({
    id: "starter",
    title: "t",
    description: "d",
    seeds: [],
    questions: [],
    files: [{ template: "starter.ts.hbs", target: "{{recipesDir}}/starter.ts" }],
    edits: [{ op: "replace-start", code: "startBot({{bot}})", file: "{{recipesDir}}/starter.ts", named: ["startBot"] }],
  }),
);
writeFileSync(join(packDir, "starter/starter.ts.hbs"), 'import type { Bot } from "grammy";\n\nexport async function startBot(bot: Bot): Promise<void> {\n  await bot.start();\n}\n');
const catalogue = loadCatalogue([packDir]);

function plan(fixture: string) {
  const dir = copyFixture(fixture);
  return planAdd({ project: scanProject(dir), recipes: [{ recipe: catalogue.get("starter"), answers: {} }], catalogue: catalogue.recipes });
}
const file = (p: ReturnType<typeof plan>, path: string) => p.changes.find((c) => c.path === path)?.after ?? "";

describe("replace-start", () => {
  it("replaces bot.start() in the bot's own file", () => {
    const p = plan("cjs-single");
    expect(file(p, "bot.ts")).toContain('import { startBot } from "./recipes/starter";');
    expect(file(p, "bot.ts")).toMatch(/\nstartBot\(bot\);\n$/);
    expect(p.manual).toEqual([]);
  });

  it("follows a factory into the main module that starts its result", () => {
    const p = plan("esm-nodenext-factory");
    const main = file(p, "src/main.ts");
    expect(main).toContain("import { startBot } from './recipes/starter.js'");
    expect(main).toContain("await startBot(bot)\n");
    expect(main).not.toContain("bot.start()");
  });

  it("keeps CRLF and the aliased variable name", () => {
    const p = plan("crlf-4space");
    expect(file(p, "src/index.ts")).toContain("\r\nstartBot(app);\r\n");
  });

  it("turns a webhook-served bot (no start call) into a manual step", () => {
    const p = plan("webhook-split");
    expect(p.manual).toEqual([expect.objectContaining({ code: "startBot(bot)", reason: expect.stringContaining("no bot.start() or run(bot) was found") })]);
  });

  it("changes nothing the second time", () => {
    const dir = copyFixture("esm-nodenext-factory");
    const first = planAdd({ project: scanProject(dir), recipes: [{ recipe: catalogue.get("starter"), answers: {} }], catalogue: catalogue.recipes });
    for (const c of first.changes) {
      mkdirSync(join(dir, c.path, ".."), { recursive: true });
      writeFileSync(join(dir, c.path), c.after);
    }
    const second = planAdd({ project: scanProject(dir), recipes: [{ recipe: catalogue.get("starter"), answers: {} }], catalogue: catalogue.recipes });
    expect(second.changes).toEqual([]);
    expect(second.manual).toEqual([]);
  });
});
