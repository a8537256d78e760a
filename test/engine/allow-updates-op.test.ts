// The allow-updates op, once for all recipes: the start call asks Telegram for the update types a recipe needs.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { planAdd } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { scanProject } from "../../src/project/scan-project.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { validateManifest } from "../../src/recipes/validate-manifest.js";
import { BOT_INFO, privateChat, user } from "../helpers/harness.js";
import { applyRecipes, copyFixture, tmpDir } from "../helpers/recipes.js";

const packDir = tmpDir("allow-updates-pack");
function pack(id: string, types: string[]): void {
  mkdirSync(join(packDir, id));
  const manifest = { id, title: "t", description: "d", seeds: [], questions: [], files: [], edits: [{ op: "allow-updates", types }] };
  expect(validateManifest(manifest)).toEqual([]);
  writeFileSync(join(packDir, id, "recipe.json"), JSON.stringify(manifest));
}
pack("needs-callbacks", ["callback_query"]);
pack("needs-members", ["chat_member", "my_chat_member"]);
const catalogue = loadCatalogue([packDir]);

function project(files: Record<string, string>, grammy = "^1.30.0"): string {
  const dir = tmpDir("allow-updates");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", private: true, dependencies: { grammy, "@grammyjs/runner": "^2.0.3" } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function add(dir: string, id: string): Plan {
  const plan = planAdd({ project: scanProject(dir), recipes: [{ recipe: catalogue.get(id), answers: {} }], catalogue: catalogue.recipes });
  for (const c of plan.changes) writeFileSync(join(dir, c.path), c.after);
  return plan;
}
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const botWith = (start: string, head = "") => `import { Bot } from "grammy";\n${head}\nconst bot = new Bot(process.env.BOT_TOKEN!);\nbot.on("message", (ctx) => ctx.reply("hi"));\n${start}\n`;

describe("allow-updates", () => {
  it("no options: a type Telegram sends by default changes nothing; chat_member writes the default list plus it, once", () => {
    const dir = project({ "bot.ts": botWith("bot.start();") });
    const plan = add(dir, "needs-callbacks");
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toEqual([]);
    const members = add(dir, "needs-members");
    expect(members.manual).toEqual([]);
    const text = read(dir, "bot.ts");
    expect(text).toContain('import { Bot, API_CONSTANTS } from "grammy";');
    expect(text).toContain('bot.start({ allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] });');
    // my_chat_member is among the defaults: not written twice. A second add changes nothing.
    expect(text).not.toContain('"my_chat_member"');
    expect(add(dir, "needs-members").changes).toEqual([]);
  });

  it("grammY before 1.20 (no API_CONSTANTS): the default types are written out", () => {
    const dir = project({ "bot.ts": botWith("bot.start();"), "node_modules/grammy/package.json": JSON.stringify({ name: "grammy", version: "1.11.0" }) }, "1.11.0");
    add(dir, "needs-members");
    const text = read(dir, "bot.ts");
    expect(text).not.toContain("API_CONSTANTS");
    expect(text).toMatch(/bot\.start\(\{ allowed_updates: \["message", "edited_message", .*"callback_query", .*"my_chat_member", "chat_join_request", "chat_member"\] \}\);/);
  });

  it("options with a list lacking the types: they are added in the file's quotes, other options kept", () => {
    const dir = project({ "bot.ts": botWith("bot.start({ drop_pending_updates: true, allowed_updates: ['message'] });").replace(/"/g, "'") });
    add(dir, "needs-callbacks");
    expect(read(dir, "bot.ts")).toContain("bot.start({ drop_pending_updates: true, allowed_updates: ['message', 'callback_query'] });");
    add(dir, "needs-members");
    expect(read(dir, "bot.ts")).toContain("allowed_updates: ['message', 'callback_query', 'chat_member', 'my_chat_member'] });");
    expect(add(dir, "needs-callbacks").changes).toEqual([]);
  });

  it("options without a list, written over several lines: the property is added in that layout", () => {
    const dir = project({ "bot.ts": botWith("bot.start({\n  onStart: () => console.log('up'),\n});") });
    expect(add(dir, "needs-callbacks").changes).toEqual([]);
    add(dir, "needs-members");
    expect(read(dir, "bot.ts")).toContain("bot.start({\n  onStart: () => console.log('up'),\n  allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, 'chat_member'],\n});");
  });

  it("a list held in a const: the array literal is edited where it is declared", () => {
    const head = 'const UPDATES = [\n  "message",\n  "inline_query",\n] as const;\n';
    const dir = project({ "bot.ts": botWith("bot.start({ allowed_updates: UPDATES });", head) });
    add(dir, "needs-callbacks");
    const text = read(dir, "bot.ts");
    expect(text).toContain('const UPDATES = [\n  "message",\n  "inline_query",\n  "callback_query",\n] as const;');
    expect(text).toContain("bot.start({ allowed_updates: UPDATES });");
  });

  it("a list computed at run time: a manual step naming the line", () => {
    const dir = project({ "bot.ts": botWith('bot.start({ allowed_updates: process.env.UPDATES!.split(",") as never });') });
    const plan = add(dir, "needs-callbacks");
    expect(plan.changes).toEqual([]);
    expect(plan.manual).toHaveLength(1);
    expect(plan.manual[0]).toMatchObject({ file: "bot.ts", line: 5, code: '"callback_query"' });
    expect(plan.manual[0]!.reason).toContain("allowed_updates");
  });

  it("runner: run(bot) gets runner.fetch.allowed_updates; an existing fetch list is extended", () => {
    const head = 'import { run } from "@grammyjs/runner";\n';
    const dir = project({ "bot.ts": botWith("run(bot);", head) });
    expect(add(dir, "needs-callbacks").changes).toEqual([]);
    add(dir, "needs-members");
    expect(read(dir, "bot.ts")).toContain('run(bot, { runner: { fetch: { allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] } } });');

    const other = project({ "bot.ts": botWith('run(bot, { runner: { fetch: { allowed_updates: ["message"] } } });', head) });
    add(other, "needs-callbacks");
    expect(read(other, "bot.ts")).toContain('run(bot, { runner: { fetch: { allowed_updates: ["message", "callback_query"] } } });');
    const opts = project({ "bot.ts": botWith("run(bot, { sink: { concurrency: 10 } });", head) });
    add(opts, "needs-members");
    expect(read(opts, "bot.ts")).toContain('run(bot, { sink: { concurrency: 10 }, runner: { fetch: { allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] } } });');
  });

  it("webhook with no setWebhook in the code: a manual step with the exact line, or a note for default types", () => {
    const bot = 'import { Bot, webhookCallback } from "grammy";\nimport { createServer } from "node:http";\nexport const bot = new Bot(process.env.BOT_TOKEN!);\ncreateServer(webhookCallback(bot, "http")).listen(8080);\n';
    const dir = project({ "bot.ts": bot });
    const members = add(dir, "needs-members");
    expect(members.changes).toEqual([]);
    expect(members.manual).toHaveLength(1);
    expect(members.manual[0]!.code).toBe('import { API_CONSTANTS } from "grammy";\nawait bot.api.setWebhook("<your webhook URL>", { allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] });');
    const callbacks = add(dir, "needs-callbacks");
    expect(callbacks.manual).toEqual([]);
    expect(callbacks.notes.join("\n")).toContain('include "callback_query"');
  });

  it("webhook set in the code: setWebhook's options are edited like a start call's", () => {
    const bot = 'import { Bot, webhookCallback } from "grammy";\nexport const bot = new Bot(process.env.BOT_TOKEN!);\nexport const handle = webhookCallback(bot, "http");\nexport async function setup(url: string) {\n  await bot.api.setWebhook(url, { allowed_updates: ["message"] });\n}\n';
    const dir = project({ "bot.ts": bot });
    add(dir, "needs-callbacks");
    expect(read(dir, "bot.ts")).toContain('await bot.api.setWebhook(url, { allowed_updates: ["message", "callback_query"] });');
  });
});

describe("allow-updates in a subclass of Bot", () => {
  it("a start chained with .catch(…): the start call itself gets the list, not the .catch", () => {
    const dir = project({ "bot.ts": botWith("bot.start().catch((error) => console.error(error));") });
    expect(add(dir, "needs-callbacks").manual).toEqual([]);
    const members = add(dir, "needs-members");
    expect(members.manual).toEqual([]);
    expect(read(dir, "bot.ts")).toContain('bot.start({ allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] }).catch((error) => console.error(error));');
  });

  it("a subclass overriding start() without parameters: its callers are left alone, super.start gets the types", () => {
    const bot = 'import { Bot } from "grammy";\nexport class QuizBot extends Bot {\n  constructor(token: string) {\n    super(token);\n    this.on("message", (ctx) => ctx.reply("hi"));\n  }\n  override async start(): Promise<void> {\n    return super.start({});\n  }\n}\n';
    const dir = project({ "quiz-bot.ts": bot, "main.ts": 'import { QuizBot } from "./quiz-bot";\nawait new QuizBot(process.env.BOT_TOKEN!).start();\n' });
    expect(add(dir, "needs-members").manual).toEqual([]);
    expect(read(dir, "main.ts")).toContain("new QuizBot(process.env.BOT_TOKEN!).start();");
    expect(read(dir, "quiz-bot.ts")).toContain('"chat_member"');
  });

  it("`super.start({ allowed_updates })` in the subclass's start() gets the missing types", () => {
    const bot = 'import { Bot } from "grammy";\nexport class QuizBot extends Bot {\n  constructor(token: string) {\n    super(token);\n    this.on("message", (ctx) => ctx.reply("hi"));\n  }\n  override async start(): Promise<void> {\n    return super.start({ allowed_updates: ["message"] });\n  }\n}\n';
    const dir = project({ "quiz-bot.ts": bot, "main.ts": 'import { QuizBot } from "./quiz-bot";\nvoid new QuizBot(process.env.BOT_TOKEN!).start();\n' });
    const plan = add(dir, "needs-callbacks");
    expect(plan.manual).toEqual([]);
    expect(read(dir, "quiz-bot.ts")).toContain('return super.start({ allowed_updates: ["message", "callback_query"] });');
    expect(add(dir, "needs-callbacks").changes).toEqual([]);
  });
});

describe("allow-updates with a recipe's start function", () => {
  const head = 'import { startBot } from "./recipes/server-lifecycle";\n';
  it("startBot(bot): the types are named in its module, so a manual step (opt-in types) or a note", () => {
    const dir = project({ "bot.ts": botWith("void startBot(bot);", head) });
    const members = add(dir, "needs-members");
    expect(members.changes).toEqual([]);
    expect(members.manual).toHaveLength(1);
    expect(members.manual[0]).toMatchObject({ file: "bot.ts", line: 6, code: '"chat_member", "my_chat_member"' });
    expect(members.manual[0]!.reason).toContain("started by startBot(…)");
    const callbacks = add(dir, "needs-callbacks");
    expect(callbacks.manual).toEqual([]);
    expect(callbacks.notes.join("\n")).toMatch(/startBot\(…\).*add "callback_query" to it/);
  });

  it("startBot(bot, { polling: { allowed_updates } }): the list carried into it is extended", () => {
    const dir = project({ "bot.ts": botWith('void startBot(bot, { polling: { allowed_updates: ["message"] } });', head) });
    const plan = add(dir, "needs-callbacks");
    expect(plan.manual).toEqual([]);
    expect(read(dir, "bot.ts")).toContain('void startBot(bot, { polling: { allowed_updates: ["message", "callback_query"] } });');
  });
});

describe("at run time: a project whose start call filters out callback_query, with callback-dedupe added", () => {
  it("the bot asks Telegram for callback_query, so the presses arrive and the dedupe acts", { timeout: 30_000 }, async () => {
    const dir = copyFixture("cjs-single");
    const file = join(dir, "bot.ts");
    const source = readFileSync(file, "utf8")
      .replace('bot.command("start"', 'bot.callbackQuery("go", async (ctx) => {\n  await ctx.reply("went");\n});\n\nbot.command("start"')
      .replace("bot.start();", 'bot.start({ allowed_updates: ["message"], drop_pending_updates: true });');
    writeFileSync(file, source);
    await applyRecipes(dir, [{ id: "callback-dedupe" }]);
    expect(readFileSync(file, "utf8")).toContain('bot.start({ allowed_updates: ["message", "callback_query"], drop_pending_updates: true });');

    // A fake Telegram: getUpdates returns only the update types allowed_updates asks for, as the real one does.
    const press = (id: string): Update => ({ update_id: Number(id), callback_query: { id, from: user(5), chat_instance: "c", data: "go", message: { message_id: 9, date: 0, chat: privateChat(5) } as never } });
    const calls: Array<{ method: string; payload: Record<string, unknown> }> = [];
    let started: Promise<void> | undefined;
    const original = Bot.prototype.start;
    const spy = vi.spyOn(Bot.prototype, "start").mockImplementation(function (this: Bot, options) {
      let served = false;
      this.api.config.use(async (_prev, method, payload) => {
        const p = (payload ?? {}) as Record<string, unknown>;
        calls.push({ method, payload: p });
        if (method === "getMe") return { ok: true, result: BOT_INFO } as never;
        if (method === "getUpdates") {
          const allowed = p.allowed_updates as string[] | undefined;
          const updates = served ? [] : [press("1"), press("2")].filter(() => allowed === undefined || allowed.length === 0 || allowed.includes("callback_query"));
          if (served) void this.stop();
          served = true;
          return { ok: true, result: updates } as never;
        }
        if (method === "sendMessage") return { ok: true, result: { message_id: 1, date: 0, chat: privateChat(5), text: p.text } } as never;
        return { ok: true, result: true } as never;
      });
      started = original.call(this, options);
      return started;
    });
    try {
      vi.stubEnv("BOT_TOKEN", "1:TEST");
      await import(pathToFileURL(file).href);
      await vi.waitFor(() => expect(started).toBeDefined());
      await started;
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(calls.find((c) => c.method === "getUpdates")?.payload.allowed_updates).toEqual(["message", "callback_query"]);
    // The first press reached the handler; the repeat was answered by the dedupe without running it again.
    expect(calls.filter((c) => c.method === "sendMessage").map((c) => c.payload.text)).toEqual(["went"]);
    expect(calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.payload.callback_query_id)).toEqual(["2"]);
  });
});
