// Issue 17 item 3: a bot that already has an error handler (bot.catch) and an
// error boundary of its own. error-handler either puts its handler in front
// of the project's, which it then calls (the default answer, `fallback`), or
// leaves the project's code as it is (`leave`); never a second handler, never
// an unused import. Checked by running the built bot against a fake Bot API
// with updates whose handlers throw.
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { commandMessage } from "../helpers/harness.js";
import { repoRoot, tmpDir } from "../helpers/recipes.js";
import { addRecipes, build, fieldApp, runBot } from "../helpers/run-field-bot.js";

const fixture = "ts59-existing-handler";
const sorry = "Sorry, something went wrong while handling your message.";
const sentTo = (output: string) =>
  output
    .split("\n")
    .filter((l) => l.startsWith("[api] sendMessage"))
    .map((l) => JSON.parse(l.slice("[api] sendMessage ".length)) as { chat_id: number; text: string })
    .map((p) => `${p.chat_id}: ${p.text}`);

describe(`${fixture} at run time`, () => {
  it("fallback (the default): the recipe's handler runs first, then the project's, for bot.catch and for its errorBoundary", { timeout: 300_000 }, async () => {
    const app = fieldApp(fixture);
    const plan = await addRecipes(app.dir, [{ id: "error-handler" }]);
    expect(plan.manual).toEqual([]);
    const bot = readFileSync(join(app.dir, "src/bot.ts"), "utf8");
    expect(bot.match(/\.catch\(/g)).toEqual([".catch("]);
    expect(bot).toContain("bot.catch((err) => handleBotError(err, onBotError));");
    expect(bot).toContain("bot.errorBoundary((err) => handleBotError(err, async (err) => {");
    expect(bot.match(/import \{ handleBotError \} from "\.\/recipes\/error-handler\.js";/g)).toHaveLength(1);
    expect(build(app)).toBe("");

    const output = await runBot(app, "dist/index.js", [{ ...commandMessage("boom", "", { from: 7 }), update_id: 1 }, { ...commandMessage("orders", "", { from: 8 }), update_id: 2 }], (out) => out.includes("The shop is not answering"));
    expect(output).toContain("@test_bot is running");
    expect(sentTo(output)).toEqual([`7: ${sorry} Please try again later.`, `8: ${sorry} Please try again later.`, "8: The shop is not answering, try again in a minute."]);
    // bot.catch: the recipe's log line, then the project's onBotError.
    expect(output.indexOf("[errors] update 1:")).toBeGreaterThan(output.indexOf("Error while handling update 1:"));
    expect(output.indexOf("Error while handling update 1:")).toBeGreaterThan(-1);
    // The boundary: the recipe's handler, then the project's.
    expect(output.indexOf("[orders] Error: shop backend unreachable")).toBeGreaterThan(output.indexOf("Error while handling update 2:"));
    expect(output.indexOf("Error while handling update 2:")).toBeGreaterThan(-1);
  });

  it("leave: nothing written in the project's files, no unused import, and the notes say why", { timeout: 300_000 }, async () => {
    const app = fieldApp(fixture, "leave");
    const before = readFileSync(join(app.dir, "src/bot.ts"), "utf8");
    const plan = await addRecipes(app.dir, [{ id: "error-handler", answers: { existingHandler: "leave" } }]);
    expect(plan.manual).toEqual([]);
    expect(plan.changes.map((c) => c.path)).toEqual(["src/recipes/error-handler.ts"]);
    expect(readFileSync(join(app.dir, "src/bot.ts"), "utf8")).toBe(before);
    expect(plan.notes.join("\n")).toMatch(/src\/bot\.ts:21: the bot already has an error handler.*left as it is/);
    expect(plan.notes.join("\n")).toMatch(/src\/bot\.ts:9: errors inside your error boundary go to your handler/);
    expect(build(app)).toBe("");
    const output = await runBot(app, "dist/index.js", [{ ...commandMessage("boom", "", { from: 7 }), update_id: 1 }], (out) => out.includes("[errors] update 1:"));
    expect(sentTo(output)).toEqual([]);
  });

  it("the skeleton of `new` (its own minimal bot.catch), then `add error-handler`: exactly one handler, the recipe's, calling the skeleton's", { timeout: 300_000 }, async () => {
    const root = tmpDir("new-then-error-handler");
    const dir = join(root, "bot");
    expect(runCli(["new", dir, "--yes", "--no-install", "--recipes", ""]).code).toBe(0);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8").match(/\.catch\(/g)).toHaveLength(1);
    // --no-check: the gate (a tsc run) is not what this test is about; the build below type-checks the result.
    const added = runCli(["add", "error-handler", "--yes", "--no-install", "--no-check"], { cwd: dir });
    expect(added.code, added.stderr).toBe(0);
    const bot = readFileSync(join(dir, "src/bot.ts"), "utf8");
    expect(bot.match(/\.catch\(/g)).toHaveLength(1);
    expect(bot).toContain("bot.catch((err) => handleBotError(err, (err) => {");
    expect(bot.match(/handleBotError/g)).toHaveLength(2); // the import and the call
    // A second add changes nothing.
    expect(runCli(["add", "error-handler", "--yes", "--no-install", "--no-check"], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toBe(bot);

    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
    const app = { root: dir, dir };
    expect(build(app)).toBe("");
    // /start replies; the reply fails (403), so the error reaches bot.catch.
    const output = await runBot(app, "dist/main.js", [commandMessage("start", "", { from: 7 })], (out) => (out.match(/Error while handling update \d+:/g) ?? []).length >= 2, { fail: ["sendMessage"] });
    // The recipe's handler (it tries to tell the user, which fails too), then the skeleton's own.
    expect(output).toContain("Could not tell the user about the error");
    const lines = output.split("\n");
    const tried = lines.findIndex((l) => l.startsWith("Could not tell the user about the error"));
    expect(lines.slice(tried + 1).some((l) => /^Error while handling update \d+:/.test(l))).toBe(true);
  });
});
