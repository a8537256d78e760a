// error-handler on a bot served through webhookCallback that has its own
// bot.errorBoundary (issue 17 item 3): `fallback` puts the recipe's handler in
// front of the project's inside its boundary; `leave` keeps the project's
// boundary the only one (the recipe's own errorBoundary() is taken back, and
// with it its import: never an unused import).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { locateBot, planAdd, templateFacts } from "../../src/engine/plan.js";
import { scanProject } from "../../src/project/scan-project.js";
import { answersFor, catalogue, tmpDir } from "../helpers/recipes.js";

const botSource = `import { Bot, webhookCallback } from "grammy";
import { createServer } from "node:http";

export const bot = new Bot(process.env.BOT_TOKEN ?? "");

const guarded = bot.errorBoundary((err) => {
  console.error("[boundary]", err.error);
});
guarded.command("boom", () => {
  throw new Error("boom");
});

createServer(webhookCallback(bot, "http")).listen(8080);
`;

async function add(answers: Record<string, unknown>) {
  const dir = tmpDir("webhook-own-boundary");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", dependencies: { grammy: "^1.30.0" } }));
  writeFileSync(join(dir, "src/bot.ts"), botSource);
  const project = scanProject(dir);
  const facts = templateFacts(project, locateBot(project));
  expect(facts).toMatchObject({ served: "webhook", errorHandler: "boundary" });
  const recipe = catalogue.get("error-handler");
  const plan = planAdd({ project, recipes: [{ recipe, answers: await answersFor(recipe, answers, facts) }], catalogue: catalogue.recipes });
  commitChanges(project.root, plan.changes);
  return { plan, bot: readFileSync(join(dir, "src/bot.ts"), "utf8") };
}

describe("error-handler on a webhook bot with its own errorBoundary", () => {
  it("fallback: the project's boundary calls the recipe's handler first; the recipe's boundary guards the rest", async () => {
    const { plan, bot } = await add({});
    expect(plan.manual).toEqual([]);
    expect(bot).toContain("const guarded = bot.errorBoundary((err) => handleBotError(err, (err) => {");
    expect(bot).toContain("bot.use(errorBoundary());");
    expect(bot).toContain('import { handleBotError, errorBoundary } from "./recipes/error-handler";');
  });

  it("leave: the project's boundary stays the only one, and no import is left unused", async () => {
    const { plan, bot } = await add({ existingHandler: "leave" });
    expect(plan.manual).toEqual([]);
    expect(bot).not.toContain("errorBoundary()");
    expect(bot).not.toMatch(/import \{[^}]*errorBoundary[^}]*\} from "\.\/recipes/);
    expect(bot).toContain("const guarded = bot.errorBoundary((err) => {");
    // Every name imported from the recipe is used.
    const imported = /import \{ ([^}]*) \} from "\.\/recipes\/error-handler"/.exec(bot)?.[1]?.split(", ") ?? [];
    for (const name of imported) expect(bot.split(name).length - 1, name).toBeGreaterThan(1);
    expect(plan.notes.join("\n")).toContain("your error boundary stays the only one");
  });
});
