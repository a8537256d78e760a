// The on-start/on-stop ops, once for all recipes: where each kind of project starts and stops the bot.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAdd } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { scanProject } from "../../src/project/scan-project.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { validateManifest } from "../../src/recipes/validate-manifest.js";
import { repoRoot, tmpDir } from "../helpers/recipes.js";

const packDir = tmpDir("lifecycle-pack");
function pack(id: string, edits: unknown[], exported: string[]): void {
  mkdirSync(join(packDir, id));
  const manifest = { id, title: "t", description: "d", seeds: [], questions: [], files: [{ template: `${id}.ts.hbs`, target: `{{recipesDir}}/${id}.ts` }], edits };
  expect(validateManifest(manifest)).toEqual([]);
  writeFileSync(join(packDir, id, "recipe.json"), JSON.stringify(manifest));
  writeFileSync(join(packDir, id, `${id}.ts.hbs`), exported.map((name) => `export async function ${name}(): Promise<void> {}\n`).join(""));
}
// Two recipes with stop work (an awaiting one and a plain one) and start work; "a-closer" sorts before "b-flusher".
pack(
  "b-flusher",
  [
    { op: "add-import", file: "{{recipesDir}}/b-flusher.ts", named: ["flusher", "flushAll"] },
    { op: "install", code: "{{bot}}.use(flusher)", rank: 100 },
    { op: "on-stop", code: "await flushAll()" },
  ],
  ["flusher", "flushAll"],
);
pack(
  "a-closer",
  [
    { op: "add-import", file: "{{recipesDir}}/a-closer.ts", named: ["openStore", "closeStore"] },
    { op: "on-start", code: "await openStore()" },
    { op: "on-stop", code: "await closeStore()" },
  ],
  ["openStore", "closeStore"],
);
const catalogue = loadCatalogue([packDir]);

function project(files: Record<string, string>, type: "module" | "commonjs" = "module"): string {
  const dir = tmpDir("lifecycle");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", private: true, type, dependencies: { grammy: "^1.30.0", "@grammyjs/runner": "^2.0.3" } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function add(dir: string, ids: string[]): Plan {
  const plan = planAdd({ project: scanProject(dir), recipes: ids.map((id) => ({ recipe: catalogue.get(id), answers: {} })), catalogue: catalogue.recipes });
  for (const c of plan.changes) {
    mkdirSync(dirname(join(dir, c.path)), { recursive: true });
    writeFileSync(join(dir, c.path), c.after);
  }
  return plan;
}
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");

const skeletonBot = readFileSync(join(repoRoot, "templates/_project/src/bot.ts.hbs"), "utf8").includes("{{")
  ? 'import { Bot } from "grammy";\n\nexport function createBot(token: string) {\n  const bot = new Bot(token);\n  return bot;\n}\n'
  : readFileSync(join(repoRoot, "templates/_project/src/bot.ts.hbs"), "utf8");
const skeletonMain = readFileSync(join(repoRoot, "templates/_project/src/main.ts.hbs"), "utf8");

describe("on-start / on-stop", () => {
  it("the manifest schema takes one statement of code, with an optional when", () => {
    const manifest = (edits: unknown[]) => ({ id: "x", title: "t", description: "d", seeds: [], questions: [], files: [], edits });
    expect(validateManifest(manifest([{ op: "on-stop", code: "await closeStore()", when: { "facts.moduleKind": "esm" } }]))).toEqual([]);
    expect(validateManifest(manifest([{ op: "on-start" }, { op: "on-stop", code: "a()\nb()" }])).map((p) => p.path)).toEqual(["edits[0].code", "edits[1].code"]);
  });

  it("skeleton main.ts: start code before `await bot.start`, stop code after it, imported where they land", () => {
    const dir = project({ "src/bot.ts": skeletonBot, "src/main.ts": skeletonMain });
    const plan = add(dir, ["a-closer", "b-flusher"]);
    expect(plan.manual).toEqual([]);
    const main = read(dir, "src/main.ts");
    // The skeleton's own imports end in .js (`./bot.js`), so the new ones do too.
    expect(main).toContain('import { openStore, closeStore } from "./recipes/a-closer.js";');
    expect(main).toContain('import { flushAll } from "./recipes/b-flusher.js";');
    expect(main).toMatch(/\nawait openStore\(\);\nawait bot\.start\(\{\n[^]*\n\}\);\nawait closeStore\(\);\nawait flushAll\(\);\n$/);
    // The signal handlers stay as they were: the awaited start resolves once the bot has stopped.
    expect(main).toContain('process.once("SIGINT", () => void bot.stop());');
    // The bot's file imports what it uses, not the stop code's names.
    expect(read(dir, "src/bot.ts")).not.toMatch(/flushAll|closeStore|openStore/);
    expect(read(dir, "src/bot.ts")).toContain("flusher");
  });

  it("keeps one order whatever order recipes are added in, and changes nothing the second time", () => {
    const one = project({ "src/bot.ts": skeletonBot, "src/main.ts": skeletonMain });
    const two = project({ "src/bot.ts": skeletonBot, "src/main.ts": skeletonMain });
    add(one, ["a-closer"]);
    add(one, ["b-flusher"]);
    add(two, ["b-flusher"]);
    add(two, ["a-closer"]);
    // Imports come in the order they were added; the code in one order.
    const code = (dir: string) => read(dir, "src/main.ts").replace(/^import .*\n/gm, "");
    expect(code(two)).toBe(code(one));
    expect(code(one)).toMatch(/\nawait closeStore\(\);\nawait flushAll\(\);\n$/);
    const again = add(one, ["b-flusher", "a-closer"]);
    expect(again.changes).toEqual([]);
    expect(again.manual).toEqual([]);
  });

  it("CommonJS with `bot.start()` not awaited: stop code in each signal handler after an awaited stop; start code wrapped", () => {
    const bot = [
      'import { Bot } from "grammy";',
      "",
      "const bot = new Bot(process.env.BOT_TOKEN!);",
      'bot.command("start", (ctx) => ctx.reply("hi"));',
      "",
      'process.once("SIGINT", () => bot.stop());',
      'process.once("SIGTERM", () => {',
      '  console.log("bye");',
      "  void bot.stop();",
      "});",
      "bot.start();",
      "",
    ].join("\n");
    const dir = project({ "bot.ts": bot }, "commonjs");
    const plan = add(dir, ["a-closer", "b-flusher"]);
    expect(plan.manual).toEqual([]);
    const text = read(dir, "bot.ts");
    expect(text).toContain(['process.once("SIGINT", async () => {', "  await bot.stop();", "  await closeStore();", "  await flushAll();", "});"].join("\n"));
    expect(text).toContain(['process.once("SIGTERM", async () => {', '  console.log("bye");', "  await bot.stop();", "  await closeStore();", "  await flushAll();", "});"].join("\n"));
    // `await` cannot stand at the top level of CommonJS: the start code and the start run in order in an async function.
    expect(text).toContain(["void (async () => {", "  await openStore();", "  bot.start();", "})();"].join("\n"));
    expect(add(dir, ["a-closer", "b-flusher"]).changes).toEqual([]);
  });

  it("CommonJS `bot.start()` with no signal handler: stop code alone is a manual step", () => {
    const bot = ['import { Bot } from "grammy";', "", "const bot = new Bot(process.env.BOT_TOKEN!);", "bot.start();", ""].join("\n");
    const dir = project({ "bot.ts": bot }, "commonjs");
    const plan = add(dir, ["b-flusher"]);
    expect(plan.manual).toEqual([expect.objectContaining({ file: "bot.ts", line: 6, code: 'import { flushAll } from "./recipes/b-flusher";\nawait flushAll();', reason: expect.stringContaining("no SIGINT/SIGTERM handler") })]);
    expect(read(dir, "bot.ts")).toContain("\nbot.start();\n");
  });

  it("CommonJS `bot.start()` with no signal handler: start and stop code around an awaited start in the start code's async function, in either order", () => {
    const bot = ['import { Bot } from "grammy";', "", "const bot = new Bot(process.env.BOT_TOKEN!);", "bot.start();", 'console.log("polling");', ""].join("\n");
    const expected = ["void (async () => {", "  await openStore();", "  await bot.start();", "  await closeStore();", "  await flushAll();", "})();", 'console.log("polling");'].join("\n");
    const one = project({ "bot.ts": bot }, "commonjs");
    expect(add(one, ["a-closer", "b-flusher"]).manual).toEqual([]);
    expect(read(one, "bot.ts")).toContain(expected);
    const two = project({ "bot.ts": bot }, "commonjs");
    expect(add(two, ["b-flusher", "a-closer"]).manual).toEqual([]); // start code goes in first, whatever the order
    expect(read(two, "bot.ts")).toContain(expected);
    expect(add(two, ["a-closer", "b-flusher"]).changes).toEqual([]);
  });

  it("runner: `run(bot)` with a shared stop function calling `runner.stop()`", () => {
    const bot = [
      'import { Bot } from "grammy";',
      'import { run } from "@grammyjs/runner";',
      "",
      "const bot = new Bot(process.env.BOT_TOKEN!);",
      "",
      "const runner = run(bot);",
      "const stopRunner = () => runner.isRunning() && runner.stop();",
      'process.once("SIGINT", stopRunner);',
      'process.once("SIGTERM", stopRunner);',
      "",
    ].join("\n");
    const dir = project({ "src/bot.ts": bot });
    const plan = add(dir, ["b-flusher", "a-closer"]);
    expect(plan.manual).toEqual([]);
    const text = read(dir, "src/bot.ts");
    expect(text).toContain("await openStore();\nconst runner = run(bot);");
    expect(text).toContain(["const stopRunner = async () => {", "  await (runner.isRunning() && runner.stop());", "  await closeStore();", "  await flushAll();", "};"].join("\n"));
    expect(add(dir, ["a-closer", "b-flusher"]).changes).toEqual([]);
  });

  it("webhook project (no start call): the exact lines as a manual step", () => {
    const bot = ['import { Bot, webhookCallback } from "grammy";', 'import express from "express";', "", "export const bot = new Bot(process.env.BOT_TOKEN!);", "const app = express();", 'app.use(webhookCallback(bot, "express"));', "app.listen(8080);", ""].join("\n");
    const dir = project({ "src/bot.ts": bot });
    const plan = add(dir, ["a-closer"]);
    expect(plan.manual).toEqual([
      expect.objectContaining({ recipe: "a-closer", code: 'import { openStore } from "./recipes/a-closer";\nawait openStore();', reason: expect.stringContaining("right before the bot is started") }),
      expect.objectContaining({ recipe: "a-closer", code: 'import { closeStore } from "./recipes/a-closer";\nawait closeStore();', reason: expect.stringContaining("once the bot has stopped") }),
    ]);
    expect(read(dir, "src/bot.ts")).toBe(bot);
  });

  it("keeps CRLF, tabs, single quotes and no semicolons", () => {
    const bot = ["import { Bot } from 'grammy'", "", "async function main() {", "\tconst bot = new Bot(process.env.BOT_TOKEN!)", "\tprocess.once('SIGINT', () => bot.stop())", "\tawait bot.start()", "}", "", "void main()", ""].join("\r\n");
    const dir = project({ "bot.ts": bot }, "commonjs");
    const plan = add(dir, ["a-closer"]);
    expect(plan.manual).toEqual([]);
    const text = read(dir, "bot.ts");
    expect(text).toContain(["\tawait openStore()", "\tawait bot.start()", "\tawait closeStore()", "}"].join("\r\n"));
    expect(text).toContain("import { openStore, closeStore } from './recipes/a-closer'\r\n");
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("a recipe's start function (`await startBot(bot)`) counts as the start: stop code after it", () => {
    const main = ['import { createBot } from "./bot.js";', 'import { startBot } from "./recipes/server-lifecycle.js";', "", "const bot = createBot(process.env.BOT_TOKEN!);", "await startBot(bot);", ""].join("\n");
    const dir = project({ "src/bot.ts": skeletonBot, "src/main.ts": main, "src/recipes/server-lifecycle.ts": "export async function startBot(bot: unknown): Promise<void> {}\n" });
    const withStarter = loadCatalogue([packDir]);
    const plan = planAdd({ project: scanProject(dir), recipes: [{ recipe: withStarter.get("a-closer"), answers: {} }], catalogue: [...withStarter.recipes, ...loadCatalogue().recipes] });
    expect(plan.manual).toEqual([]);
    expect(plan.changes.find((c) => c.path === "src/main.ts")?.after).toContain("await openStore();\nawait startBot(bot);\nawait closeStore();\n");
  });
});
