// Issue 17 item 2: the bot is made in src/bot.ts, re-exported by a barrel
// (src/core/index.ts), and the entry (src/main.ts) sets its own bot.catch and
// starts it with run(bot). A bot.catch the recipe put in bot.ts would be
// replaced at run time by main's, which runs later; run(bot) through the
// barrel used to be "not found". The fixture is built with its own
// TypeScript and run against a fake Bot API with an update whose handler
// throws: the recipe's handler must be the one that answers.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandMessage } from "../helpers/harness.js";
import { applyRecipes, tmpDir } from "../helpers/recipes.js";
import { addRecipes, build, fieldApp, runBot } from "../helpers/run-field-bot.js";

const fixture = "ts59-entry-catch-start";
const sorry = "Sorry, something went wrong while handling your message.";

describe(`${fixture} at run time`, () => {
  it("error-handler and server-lifecycle act in the entry: the recipe's handler answers a failing update, then main's own runs; startBot starts the bot", { timeout: 300_000 }, async () => {
    const app = fieldApp(fixture);
    const plan = await addRecipes(app.dir, [{ id: "error-handler" }, { id: "server-lifecycle", answers: { mode: "runner" } }]);
    expect(plan.manual).toEqual([]);
    const main = readFileSync(join(app.dir, "src/main.ts"), "utf8");
    // One error handler, main's own kept as the fallback; the start call through the barrel replaced.
    expect(main.match(/\.catch\(/g)).toHaveLength(1);
    expect(main).toContain("bot.catch((err) => handleBotError(err, (err) => {");
    expect(main).toContain("startBot(bot);");
    expect(main).not.toMatch(/\brun\(bot\)/);
    // Nothing unused left in the bot's file.
    expect(readFileSync(join(app.dir, "src/bot.ts"), "utf8")).not.toContain("handleBotError");
    expect(build(app)).toBe("");

    // /ticket throws (SUPPORT_CHAT_ID is not set).
    const output = await runBot(app, "dist/main.js", [{ ...commandMessage("ticket", "", { from: 7 }), update_id: 1 }], (out) => out.includes("[main] update"));
    expect(output).toContain("support desk bot started");
    const sent = output.split("\n").filter((l) => l.startsWith("[api] sendMessage"));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('"chat_id":7');
    expect(sent[0]).toContain(sorry);
    // The recipe's handler logged first, then main's ran as the fallback.
    const recipeLog = output.indexOf("Error while handling update");
    expect(recipeLog).toBeGreaterThan(-1);
    expect(output.indexOf("[main] update")).toBeGreaterThan(recipeLog);
  });

  it("a second add changes nothing", { timeout: 60_000 }, async () => {
    const app = fieldApp(fixture, "again");
    await addRecipes(app.dir, [{ id: "error-handler" }]);
    const once = readFileSync(join(app.dir, "src/main.ts"), "utf8");
    const plan = await addRecipes(app.dir, [{ id: "error-handler" }]);
    expect(plan.changes.filter((c) => !c.path.includes("recipes/"))).toEqual([]);
    expect(readFileSync(join(app.dir, "src/main.ts"), "utf8")).toBe(once);
  });

  it("a start call whose result is used is a manual step that says so, not 'no bot.start() or run(bot) was found'", async () => {
    const dir = tmpDir("entry-start-result-used");
    mkdirSync(join(dir, "src/core"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", dependencies: { grammy: "^1.30.0", "@grammyjs/runner": "^2.0.3" } }));
    writeFileSync(join(dir, "src/bot.ts"), 'import { Bot } from "grammy";\nexport const bot = new Bot("");\n');
    writeFileSync(join(dir, "src/core/index.ts"), 'export * from "../bot";\n');
    writeFileSync(join(dir, "src/index.ts"), 'import { run } from "@grammyjs/runner";\nimport { bot } from "./core";\n\nconst runner = run(bot);\nprocess.once("SIGINT", () => runner.stop());\n');
    const plan = await applyRecipes(dir, [{ id: "server-lifecycle", answers: { mode: "runner" } }]);
    expect(plan.manual.map((m) => `${m.file}:${m.line} ${m.reason}`)).toEqual([expect.stringMatching(/^src\/index\.ts:4 the result of this start call is used/)]);
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain("const runner = run(bot);");
  });
});
