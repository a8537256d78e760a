// Behaviour of the rendered server-lifecycle recipe: a real grammY Bot served
// over real HTTP on 127.0.0.1 (port 0), by long polling and by the runner
// against a fake getUpdates.
import { EventEmitter } from "node:events";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { BotError, type Bot, type Context, type MiddlewareFn } from "grammy";
import type { Update } from "grammy/types";
import { Bot as Bot120 } from "grammy-1.20";
import { describe, expect, it } from "vitest";
import { BOT_INFO, createTestBot, groupChat, textMessage, type TestBot } from "../helpers/harness.js";
import { httpRequest, postUpdate } from "../helpers/http.js";
import { applyRecipes, copyFixture, fixturesDir, read, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";

interface HttpServer {
  server: Server;
  listen: (port?: number, host?: string) => Promise<AddressInfo>;
  close: () => Promise<void>;
}

interface StartOptions {
  port?: number;
  host?: string;
  webhook?: { url: string; path: string; secretToken: string };
  signals?: readonly NodeJS.Signals[];
  signalSource?: EventEmitter;
  onStart?: (info: { mode: string; address?: AddressInfo }) => void;
  polling?: { onStart?: (me: { username: string }) => void | Promise<void>; drop_pending_updates?: boolean; allowed_updates?: readonly string[]; limit?: number };
  log?: (message: string, error?: unknown) => void;
}

interface LifecycleModule {
  startBot: <C extends Context>(bot: Bot<C>, options?: StartOptions) => Promise<void>;
  createWebhookServer: <C extends Context>(bot: Bot<C>, options: { secretToken: string; path: string; timeoutMs?: number; log?: (m: string, e?: unknown) => void }) => HttpServer;
  reportErrorsToBotCatch: <C extends Context>(bot: Bot<C>, log?: (m: string, e?: unknown) => void) => MiddlewareFn<C>;
  sequentializePerChat: <C extends Context>() => MiddlewareFn<C>;
  webhookSettings: (env: Record<string, string | undefined>) => { url: string; path: string; secretToken: string };
}

const load = async (answers: Record<string, unknown>) => (await renderRecipe("server-lifecycle", answers)).load<LifecycleModule>();

const SECRET = "s3cret_Token-1";
const quiet = () => {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `predicate` holds, polling every few ms (bounded). */
async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}

/** A fake getUpdates: `batches` in order, then empty answers after a short wait (an idle long poll). */
function feedPolling(t: TestBot<Context>, batches: Update[][]): void {
  const queue = [...batches];
  t.respond(async (method) => {
    if (method !== "getUpdates") return undefined;
    const next = queue.shift();
    if (next !== undefined) return { ok: true, result: next };
    await sleep(5);
    return { ok: true, result: [] };
  });
}

describe("server-lifecycle webhook: createWebhookServer over real HTTP", () => {
  async function serve(options: { boundary?: boolean; timeoutMs?: number } = {}) {
    const mod = await load({ mode: "webhook" });
    const t = createTestBot();
    const caught: BotError<Context>[] = [];
    t.bot.catch((err) => {
      caught.push(err);
    });
    if (options.boundary !== false) t.bot.use(mod.reportErrorsToBotCatch(t.bot, quiet));
    const http = mod.createWebhookServer(t.bot, { secretToken: SECRET, path: "/tg", timeoutMs: options.timeoutMs, log: quiet });
    const { port } = await http.listen(0, "127.0.0.1");
    return { t, http, port, caught };
  }

  it("refuses a wrong or missing secret token with 401 and never runs the handler", async () => {
    const { t, http, port } = await serve();
    let handled = 0;
    t.bot.on("message", () => {
      handled++;
    });
    expect((await postUpdate(port, "/tg", textMessage("hi"), "wrong")).status).toBe(401);
    expect((await postUpdate(port, "/tg", textMessage("hi"))).status).toBe(401);
    expect(handled).toBe(0);
    expect(t.calls).toEqual([]);
    await http.close();
  });

  it("handles a valid update and answers it; serves /health; 404 elsewhere", async () => {
    const { t, http, port } = await serve();
    t.bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.msg.text}`));
    const res = await postUpdate(port, "/tg", textMessage("hello", { from: 5 }), SECRET);
    expect(res.status).toBe(200);
    expect(t.calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([["sendMessage", 5, "echo hello"]]);
    expect(await httpRequest(port, "/health")).toEqual({ status: 200, body: '{"ok":true}' });
    expect((await httpRequest(port, "/other")).status).toBe(404);
    expect((await httpRequest(port, "/tg")).status).toBe(404); // GET on the webhook path
    await http.close();
  });

  it.each([true, false])("a throwing handler reaches bot.catch, gets 200 (no redelivery) and does not crash the server (boundary installed: %s)", async (boundary) => {
    const { t, http, port, caught } = await serve({ boundary });
    t.bot.command("boom", () => {
      throw new Error("boom");
    });
    t.bot.on("message:text", (ctx) => ctx.reply("still alive"));
    expect((await postUpdate(port, "/tg", textMessage("/boom"), SECRET)).status).toBe(200);
    expect(caught.map((e) => (e.error as Error).message)).toEqual(["boom"]);
    expect(caught[0]).toBeInstanceOf(BotError);
    expect((await postUpdate(port, "/tg", textMessage("next"), SECRET)).status).toBe(200);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["still alive"]);
    await http.close();
  });

  it("answers a slow update after the timeout, finishes it in the background, and reports a late error without crashing", async () => {
    const { t, http, port, caught } = await serve({ timeoutMs: 50 });
    let finished = false;
    t.bot.command("slow", async () => {
      await sleep(200);
      finished = true;
      throw new Error("late failure");
    });
    const started = Date.now();
    const res = await postUpdate(port, "/tg", textMessage("/slow"), SECRET);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(190);
    expect(finished).toBe(false);
    await until(() => caught.length === 1);
    expect(finished).toBe(true);
    expect((caught[0]!.error as Error).message).toBe("late failure");
    await http.close();
  });

  it("close() waits for the request in flight, then the server is gone and /health fails", async () => {
    const { t, http, port } = await serve();
    t.bot.on("message", async (ctx) => {
      await sleep(100);
      await ctx.reply("done");
    });
    const inFlight = postUpdate(port, "/tg", textMessage("x"), SECRET);
    await until(() => http.server.listening && t.calls.length === 0);
    await sleep(20);
    await http.close();
    expect((await inFlight).status).toBe(200);
    expect(t.callsOf("sendMessage")).toHaveLength(1);
    expect(http.server.listening).toBe(false);
    await expect(httpRequest(port, "/health")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("webhookSettings reads and checks the URL and the secret from the environment", async () => {
    const { webhookSettings } = await load({ mode: "webhook", secretTokenEnv: "MY_SECRET" });
    expect(webhookSettings({ WEBHOOK_URL: "https://bot.example.com:8443/tg/hook", MY_SECRET: SECRET })).toEqual({
      url: "https://bot.example.com:8443/tg/hook",
      path: "/tg/hook",
      secretToken: SECRET,
    });
    expect(() => webhookSettings({ MY_SECRET: SECRET })).toThrow(/set WEBHOOK_URL/);
    expect(() => webhookSettings({ WEBHOOK_URL: "http://bot.example.com/tg", MY_SECRET: SECRET })).toThrow(/https/);
    expect(() => webhookSettings({ WEBHOOK_URL: "https://bot.example.com:3000/tg", MY_SECRET: SECRET })).toThrow(/443, 80, 88 or 8443/);
    expect(() => webhookSettings({ WEBHOOK_URL: "https://bot.example.com/tg", MY_SECRET: "has space" })).toThrow(/set MY_SECRET/);
    const fixed = await load({ mode: "webhook", webhookUrl: "https://fixed.example.com/hook" });
    expect(fixed.webhookSettings({ WEBHOOK_SECRET: SECRET }).path).toBe("/hook");
  });
});

describe("server-lifecycle startBot", () => {
  it("webhook: listens, sets the webhook with the secret, serves updates and /health, and shuts down on SIGTERM", async () => {
    const { startBot, reportErrorsToBotCatch } = await load({ mode: "webhook", allowedUpdates: "message,chat_member", dropPendingUpdates: true });
    const t = createTestBot();
    t.bot.use(reportErrorsToBotCatch(t.bot));
    t.bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.msg.text}`));
    const signals = new EventEmitter();
    let address: AddressInfo | undefined;
    const running = startBot(t.bot, {
      port: 0,
      host: "127.0.0.1",
      webhook: { url: "https://bot.example.com/tg", path: "/tg", secretToken: SECRET },
      signalSource: signals,
      onStart: (info) => (address = info.address),
      log: quiet,
    });
    await until(() => address !== undefined);
    const port = address!.port;
    expect(t.calls[0]).toEqual({
      method: "setWebhook",
      payload: { url: "https://bot.example.com/tg", secret_token: SECRET, allowed_updates: ["message", "chat_member"], drop_pending_updates: true },
    });
    expect((await postUpdate(port, "/tg", textMessage("hi", { from: 3 }), SECRET)).status).toBe(200);
    expect((await postUpdate(port, "/tg", textMessage("hi", { from: 3 }), "nope")).status).toBe(401);
    expect((await httpRequest(port, "/health")).status).toBe(200);
    expect(signals.listenerCount("SIGTERM")).toBe(1);

    signals.emit("SIGTERM");
    await running;
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["echo hi"]);
    expect(t.callsOf("deleteWebhook")).toEqual([]); // Telegram keeps the updates until the bot is back
    await expect(httpRequest(port, "/health")).rejects.toThrow(/ECONNREFUSED/);
    expect(signals.listenerCount("SIGTERM") + signals.listenerCount("SIGINT")).toBe(0); // nothing left that keeps the process alive
  });

  it("polling: bot.start() handles the update, and SIGINT stops it with the offset confirmed; the health server closes", async () => {
    const { startBot } = await load({ mode: "polling", healthServer: true, allowedUpdates: "message" });
    const t = createTestBot();
    const update = textMessage("polled", { from: 9 });
    feedPolling(t, [[update]]);
    const handled: string[] = [];
    t.bot.on("message:text", async (ctx) => {
      handled.push(ctx.msg.text);
      await ctx.reply("got it");
    });
    const signals = new EventEmitter();
    let address: AddressInfo | undefined;
    const running = startBot(t.bot, { port: 0, host: "127.0.0.1", signalSource: signals, onStart: (info) => (address = info.address), log: quiet });
    await until(() => handled.length === 1 && t.callsOf("sendMessage").length === 1);
    expect(await httpRequest(address!.port, "/health")).toEqual({ status: 200, body: '{"ok":true}' });

    signals.emit("SIGINT");
    await running;
    expect(handled).toEqual(["polled"]);
    expect(t.bot.isRunning()).toBe(false);
    const polls = t.callsOf("getUpdates").map((c) => c.payload);
    expect(polls[0]).toMatchObject({ offset: 1, allowed_updates: ["message"] });
    expect(polls.at(-1)).toEqual({ offset: update.update_id + 1, limit: 1 }); // bot.stop() confirmed the update
    expect(t.callsOf("deleteWebhook")[0]!.payload).toEqual({ drop_pending_updates: false });
    await expect(httpRequest(address!.port, "/health")).rejects.toThrow(/ECONNREFUSED/);
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).toBe(0);
  });

  it("polling: the options of the user's own bot.start(…) are carried: their onStart runs with the bot's info, and what they set wins", async () => {
    const { startBot } = await load({ mode: "polling", healthServer: false, allowedUpdates: "message" });
    const t = createTestBot();
    const update = textMessage("polled", { from: 9 });
    feedPolling(t, [[update]]);
    t.bot.on("message:text", (ctx) => ctx.reply("got it"));
    const signals = new EventEmitter();
    const started: string[] = [];
    const running = startBot(t.bot, {
      signalSource: signals,
      log: quiet,
      onStart: (info) => started.push(`recipe ${info.mode}`),
      polling: { onStart: (me) => void started.push(`user @${me.username}`), drop_pending_updates: true, allowed_updates: ["message", "callback_query"], limit: 10 },
    });
    await until(() => t.callsOf("sendMessage").length === 1);
    signals.emit("SIGINT");
    await running;
    expect(started).toEqual(["recipe polling", `user @${BOT_INFO.username}`]);
    expect(t.callsOf("deleteWebhook")[0]!.payload).toEqual({ drop_pending_updates: true });
    expect(t.callsOf("getUpdates")[0]!.payload).toMatchObject({ allowed_updates: ["message", "callback_query"], limit: 10 });
  });

  it("polling on grammY 1.20 (no bot.isRunning()): /health answers 200 while polling, and SIGINT stops it", async () => {
    const { startBot } = await load({ mode: "polling", healthServer: true });
    const bot = new Bot120("1:TEST", { botInfo: BOT_INFO });
    const update = textMessage("polled", { from: 9 });
    const methods: string[] = [];
    let served = false;
    bot.api.config.use(async (_prev, method) => {
      methods.push(method);
      if (method !== "getUpdates") return { ok: true, result: true } as never;
      if (served) await sleep(5);
      const result = served ? [] : [update];
      served = true;
      return { ok: true, result } as never;
    });
    const handled: string[] = [];
    bot.on("message:text", (ctx) => {
      handled.push(ctx.msg.text);
    });
    const signals = new EventEmitter();
    let address: AddressInfo | undefined;
    // Bot<C> of grammY 1.20 is another type than the Bot<C> this test is typed with.
    const running = startBot(bot as unknown as Bot<Context>, { port: 0, host: "127.0.0.1", signalSource: signals, onStart: (info) => (address = info.address), log: quiet });
    await until(() => handled.length === 1);
    expect(await httpRequest(address!.port, "/health")).toEqual({ status: 200, body: '{"ok":true}' });
    signals.emit("SIGINT");
    await running;
    expect(methods.at(-1)).toBe("getUpdates"); // bot.stop() confirmed the offset
    await expect(httpRequest(address!.port, "/health")).rejects.toThrow(/ECONNREFUSED/);
  });

  it("runner: updates of different chats run concurrently, one chat's updates in order; SIGTERM stops the runner", async () => {
    const { startBot, sequentializePerChat } = await load({ mode: "runner" });
    const t = createTestBot();
    const chatA = groupChat(-1001);
    const chatB = groupChat(-1002);
    feedPolling(t, [[textMessage("a1", { chat: chatA }), textMessage("a2", { chat: chatA }), textMessage("b1", { chat: chatB })]]);
    t.bot.use(sequentializePerChat()); // what the recipe installs first in the bot file
    const events: string[] = [];
    t.bot.on("message:text", async (ctx) => {
      events.push(`start ${ctx.msg.text}`);
      if (ctx.msg.text === "a1") await sleep(60);
      events.push(`end ${ctx.msg.text}`);
    });
    const signals = new EventEmitter();
    const running = startBot(t.bot, { signalSource: signals, log: quiet });
    await until(() => events.length === 6);
    signals.emit("SIGTERM");
    await running;
    // b1 did not wait for the slow a1; a2 waited for a1 (same chat).
    expect(events.indexOf("end b1")).toBeLessThan(events.indexOf("end a1"));
    expect(events.indexOf("start a2")).toBeGreaterThan(events.indexOf("end a1"));
    expect(t.calls[0]).toEqual({ method: "deleteWebhook", payload: { drop_pending_updates: false } });
    const pollsBefore = t.callsOf("getUpdates").length;
    await sleep(30);
    expect(t.callsOf("getUpdates").length).toBe(pollsBefore); // the runner really stopped polling
  });
});

describe("server-lifecycle: every mode type-checks", () => {
  it("under CommonJS and under NodeNext with noUncheckedIndexedAccess", async () => {
    const root = tmpDir("server-lifecycle-variants");
    const variants = [
      { mode: "polling" },
      { mode: "polling", healthServer: true, allowedUpdates: "message,chat_member" },
      { mode: "runner" },
      { mode: "webhook", webhookUrl: "https://example.com/tg" },
    ];
    for (const [i, answers] of variants.entries()) {
      const { files } = await renderRecipe("server-lifecycle", answers);
      for (const kind of ["cjs", "esm"]) {
        mkdirSync(join(root, kind, `v${i}`), { recursive: true });
        copyFileSync(Object.values(files)[0]!, join(root, kind, `v${i}`, "server-lifecycle.ts"));
      }
    }
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
  });
});

describe("server-lifecycle: the runner and webhook wiring in real projects", () => {
  it.each(["esm-nodenext-factory", "crlf-4space"])("installs sequentializePerChat / reportErrorsToBotCatch first and type-checks (%s)", async (fixture) => {
    const root = tmpDir(`server-lifecycle-wiring-${fixture}`);
    const files: string[] = [];
    for (const mode of ["runner", "webhook"]) {
      mkdirSync(join(root, mode), { recursive: true });
      const dir = copyFixture(fixture, join(root, mode));
      const plan = await applyRecipes(dir, [{ id: "server-lifecycle", answers: { mode } }]);
      expect(plan.manual).toEqual([]);
      files.push(read(dir, plan.bot!.file));
      // The start call is replaced wherever it stands: the bot's file, or the main module that calls the factory.
      const starter = fixture === "esm-nodenext-factory" ? read(dir, "src/main.ts") : read(dir, plan.bot!.file);
      expect(starter).toMatch(/(await )?startBot\((bot|app)\)/);
      expect(starter).not.toMatch(/\b(bot|app)\.start\(/);
    }
    expect(files[0]).toMatch(/new (Bot|TelegramBot)<\w+>\(.*\);?\r?\n\s*(bot|app)\.use\(sequentializePerChat\(\)\)/);
    expect(files[1]).toMatch(/new (Bot|TelegramBot)<\w+>\(.*\);?\r?\n\s*(bot|app)\.use\(reportErrorsToBotCatch\((bot|app)\)\)/);
    expect(typecheck(root, join(fixturesDir, fixture, "tsconfig.json"))).toBe("");
  });
});

describe("server-lifecycle with the start and stop work of other recipes", () => {
  const skeleton = () => {
    const dir = tmpDir("server-lifecycle-skeleton");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "b", private: true, type: "module", dependencies: { grammy: "^1.46.0" } }));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/bot.ts"), 'import { Bot } from "grammy";\n\nexport function createBot(token: string): Bot {\n  const bot = new Bot(token);\n  return bot;\n}\n');
    writeFileSync(join(dir, "src/main.ts"), readFileSync(join(fixturesDir, "../../templates/_project/src/main.ts.hbs"), "utf8"));
    return dir;
  };
  const others = [
    { id: "broadcast", answers: { userIds: [100] } },
    { id: "persistence", answers: { store: "redis" } },
    { id: "media-group-collector", answers: { mode: "timer" } },
  ];

  it("the skeleton's `await bot.start({ onStart })` becomes startBot with the options, and the stop code follows it, in any order", async () => {
    const first = skeleton();
    const plan = await applyRecipes(first, [{ id: "server-lifecycle" }, ...others]);
    expect(plan.manual).toEqual([]);
    const main = read(first, "src/main.ts");
    expect(main).toMatch(
      /\nawait startBot\(bot, \{ polling: \{\n {2}onStart: \(me\) => console\.log\(.*\),\n\} \}\);\nawait stopBroadcast\(\);\nawait flushMediaGroups\(\);\nawait closePersistence\(\);\n$/,
    );
    const last = skeleton();
    expect((await applyRecipes(last, [...others, { id: "server-lifecycle" }])).manual).toEqual([]);
    expect(read(last, "src/main.ts").replace(/^import .*\n/gm, "")).toBe(main.replace(/^import .*\n/gm, ""));
  });

  it("a CommonJS bot started with `bot.start({ onStart })`: startBot with the options, the stop code after it ends, the user's handlers kept", async () => {
    const dir = tmpDir("server-lifecycle-cjs");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "b", private: true, dependencies: { grammy: "^1.46.0" } }));
    const bot = [
      'import { Bot } from "grammy";',
      "",
      "const bot = new Bot(process.env.BOT_TOKEN!);",
      'bot.command("start", (ctx) => ctx.reply("hi"));',
      'process.once("SIGINT", () => bot.stop());',
      'bot.start({ onStart: (me) => console.log(me.username) });',
      "",
    ].join("\n");
    writeFileSync(join(dir, "bot.ts"), bot);
    const plan = await applyRecipes(dir, [{ id: "server-lifecycle" }, others[0]!]);
    expect(plan.manual).toEqual([]);
    const text = read(dir, "bot.ts");
    expect(text).toContain('process.once("SIGINT", () => bot.stop());');
    expect(text).toContain(["void (async () => {", "  await startBot(bot, { polling: { onStart: (me) => console.log(me.username) } });", "  await stopBroadcast();", "})();"].join("\n"));
    expect((await applyRecipes(dir, [{ id: "server-lifecycle" }, others[0]!])).changes).toEqual([]);
  });
});
