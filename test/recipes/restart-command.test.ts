// Behaviour of the rendered restart-command recipe in a real grammY Bot,
// long polling against a fake getUpdates.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Bot, Context, MiddlewareFn } from "grammy";
import type { Update } from "grammy/types";
import { Bot as Bot120 } from "grammy-1.20";
import { describe, expect, it, vi } from "vitest";
import { BOT_INFO, commandMessage, createTestBot, textMessage, type TestBot } from "../helpers/harness.js";
import { fixturesDir, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";

interface RestartOptions {
  exit?: (code: number) => void;
  respawn?: () => void;
  servedBy?: "polling" | "webhook" | "runner";
  setTimeout?: (callback: () => void, ms: number) => unknown;
  log?: (message: string, error: unknown) => void;
}

interface RestartModule {
  registerRestart: <C extends Context>(bot: Bot<C>, options?: RestartOptions) => void;
  restartDrain: <C extends Context>(bot: Bot<C>) => MiddlewareFn<C>;
  SERVED_BY: string;
  DRAIN_TIMEOUT_MS: number;
}

const load = async (answers: Record<string, unknown> = {}, facts: Record<string, string> = {}) =>
  (await renderRecipe("restart-command", { adminUserIds: "7,8", exitCode: 3, reply: "Restarting now", ...answers }, facts)).load<RestartModule>();

/**
 * Serves `updates` through a fake getUpdates: the first call returns them,
 * later calls wait a little and return nothing (like an idle long poll).
 */
function feedPolling(t: TestBot<Context>, updates: Update[]): void {
  let served = false;
  t.respond(async (method) => {
    if (method !== "getUpdates") return undefined;
    if (!served) {
      served = true;
      return { ok: true, result: updates };
    }
    await new Promise((r) => setTimeout(r, 5));
    return { ok: true, result: [] };
  });
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A bot wired as the recipe wires it (the drain first, then a middleware
 * standing for a session that is written back after the handler, the restart
 * command, a catch-all), and a log of what happened in order. Timers are
 * recorded as `wait <ms>`: a 0 ms turn runs on the next macrotask, the
 * drain's time limit only when the test fires it.
 */
async function setup(answers: Record<string, unknown> = {}, options: RestartOptions = {}, handlers: (bot: Bot<Context>) => void = () => {}) {
  const mod = await load(answers);
  const t = createTestBot();
  const events: string[] = [];
  t.respond((method, payload) => {
    events.push(method === "getUpdates" ? `getUpdates offset=${String(payload.offset)} limit=${String(payload.limit)}` : `${method} ${String(payload.text)}`);
    return undefined;
  });
  let exited!: (code: number) => void;
  const exitedWith = new Promise<number>((resolve) => (exited = resolve));
  const limits: Array<() => void> = [];
  t.bot.use(mod.restartDrain(t.bot));
  t.bot.use(async (ctx, next) => {
    await next();
    await new Promise((r) => setTimeout(r, 15)); // an async storage write
    events.push(`session written ${ctx.update.update_id}`);
  });
  mod.registerRestart(t.bot, {
    exit: (code) => {
      events.push(`exit ${code}`);
      exited(code);
    },
    respawn: () => events.push("respawn"),
    setTimeout: (callback, ms) => {
      events.push(`wait ${ms}`);
      if (ms === 0) setImmediate(callback);
      else limits.push(callback);
    },
    ...options,
  });
  handlers(t.bot);
  t.bot.on("message", (ctx) => ctx.reply("catch-all"));
  return { t, events, exitedWith, limits, mod };
}

describe("restart-command", () => {
  it("an admin's /restart replies, stops polling with the offset confirmed, and exits after the update's middleware returned", async () => {
    const { t, events, exitedWith, mod } = await setup();
    expect(mod.SERVED_BY).toBe("polling");
    const restart = commandMessage("restart", "", { from: 7 });
    feedPolling(t, [restart]);

    const started = t.bot.start({ timeout: 1 });
    expect(await exitedWith).toBe(3);
    await started; // bot.start() resolves: the polling loop ended cleanly

    expect(t.bot.isRunning()).toBe(false);
    expect(events).toEqual([
      "deleteWebhook undefined",
      `getUpdates offset=1 limit=undefined`,
      "sendMessage Restarting now",
      // bot.stop() confirms the /restart update, so it is not delivered again after the restart
      `getUpdates offset=${restart.update_id + 1} limit=1`,
      "wait 10000", // the drain's time limit, not needed here
      `session written ${restart.update_id}`, // the write-back after the handler happens before the exit
      "wait 0",
      "exit 3",
    ]);
    expect(t.callsOf("sendMessage")[0]!.payload.chat_id).toBe(7);
  });

  it("a non-admin's /restart does not stop or exit the bot: it falls through to the other handlers", async () => {
    const { t, events, exitedWith } = await setup();
    const updates = [commandMessage("restart", "", { from: 99 }), commandMessage("restart", "", { from: 8 })];
    feedPolling(t, updates);
    const started = t.bot.start({ timeout: 1 });
    // Ends only because the admin (8) restarts after the non-admin (99).
    await Promise.all([started, exitedWith]);
    expect(events).toEqual([
      "deleteWebhook undefined",
      "getUpdates offset=1 limit=undefined",
      "sendMessage catch-all", // user 99: no restart
      `session written ${updates[0]!.update_id}`,
      "sendMessage Restarting now", // user 8, an admin
      `getUpdates offset=${updates[1]!.update_id + 1} limit=1`,
      "wait 10000",
      `session written ${updates[1]!.update_id}`,
      "wait 0",
      "exit 3",
    ]);
    expect(t.calls.filter((c) => c.method === "sendMessage").map((c) => c.payload.chat_id)).toEqual([99, 8]);
  });

  it("polling: updates after /restart in its batch are not handled before the exit (they are not confirmed and come again)", async () => {
    const { t, events, exitedWith } = await setup();
    const restart = commandMessage("restart", "", { from: 7 });
    const after = textMessage("after the restart", { from: 50 });
    feedPolling(t, [restart, after]);
    const started = t.bot.start({ timeout: 1 });
    await Promise.all([started, exitedWith]);
    expect(events).not.toContain("sendMessage catch-all");
    expect(events).toContain(`getUpdates offset=${restart.update_id + 1} limit=1`); // `after` is not confirmed
  });

  it("respawn strategy starts the successor before exiting; an empty reply sends nothing", async () => {
    const { t, events, exitedWith } = await setup({ strategy: "respawn", reply: "", exitCode: 0 });
    feedPolling(t, [commandMessage("restart", "", { from: 8 })]);
    const started = t.bot.start({ timeout: 1 });
    expect(await exitedWith).toBe(0);
    await started;
    expect(events.slice(-3)).toEqual(["wait 0", "respawn", "exit 0"]);
    expect(t.callsOf("sendMessage")).toEqual([]);
  });

  it.each(["webhook", "runner"] as const)("%s: exits once the updates in flight are done, not after a fixed delay; a second /restart is ignored", async (servedBy) => {
    let finishSlow!: () => void;
    const slowDone = new Promise<void>((resolve) => (finishSlow = resolve));
    const { t, events } = await setup({ command: "reboot" }, { servedBy }, (bot) =>
      bot.command("slow", async (ctx) => {
        await slowDone;
        await ctx.reply("slow done");
      }),
    );
    const slow = t.send(commandMessage("slow", "", { from: 50 })); // handled at the same time (webhook, runner)
    await tick();
    await t.send(commandMessage("reboot", "", { from: 7 }));
    await t.send(commandMessage("reboot", "", { from: 7 }));
    await new Promise((r) => setTimeout(r, 40));
    // Replied once, bot.stop() did nothing (no getUpdates), not exited: /slow is still in flight.
    expect(events.filter((e) => !e.startsWith("session written"))).toEqual(["sendMessage Restarting now", "wait 10000"]);

    finishSlow();
    await slow;
    await new Promise((r) => setTimeout(r, 5));
    expect(events.filter((e) => !e.startsWith("session written"))).toEqual(["sendMessage Restarting now", "wait 10000", "sendMessage slow done", "wait 0", "exit 3"]);
    expect(events.indexOf("exit 3")).toBeGreaterThan(events.lastIndexOf(events.find((e) => e.startsWith("session written"))!));
  });

  it("an update that never finishes holds the exit only until the drain's time limit", async () => {
    const { t, events, limits, mod } = await setup({}, { servedBy: "webhook" }, (bot) => bot.command("hang", () => new Promise<void>(() => {})));
    expect(mod.DRAIN_TIMEOUT_MS).toBe(10_000);
    void t.send(commandMessage("hang", "", { from: 50 }));
    await tick();
    await t.send(commandMessage("restart", "", { from: 7 }));
    await new Promise((r) => setTimeout(r, 30));
    expect(events).not.toContain("exit 3");
    expect(limits).toHaveLength(1);
    limits[0]!(); // 10 s later
    await tick();
    await tick();
    expect(events.slice(-2)).toEqual(["wait 0", "exit 3"]);
  });

  it("without restartDrain (wired by hand) it still restarts once its handler and bot.stop() are done", async () => {
    const { registerRestart } = await load();
    const t = createTestBot();
    let code: number | undefined;
    registerRestart(t.bot, { exit: (c) => (code = c), servedBy: "webhook", setTimeout: (cb) => setImmediate(cb) });
    await t.send(commandMessage("restart", "", { from: 7 }));
    await tick();
    await tick();
    expect(code).toBe(3);
  });

  it("by default a polling bot's process is given the exit code and ends by itself; it is ended only if still alive after the grace period", async () => {
    const { exitGracefully, SHUTDOWN_GRACE_MS } = (await load()) as RestartModule & { exitGracefully: (code: number, graceMs?: number) => void; SHUTDOWN_GRACE_MS: number };
    expect(SHUTDOWN_GRACE_MS).toBe(5000);
    const exit = vi.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    try {
      exitGracefully(3, 40);
      expect(process.exitCode).toBe(3);
      await new Promise((r) => setTimeout(r, 10));
      expect(exit).not.toHaveBeenCalled(); // time for the code after `await bot.start()` (closing Redis, …)
      await new Promise((r) => setTimeout(r, 60));
      expect(exit).toHaveBeenCalledWith(3);
    } finally {
      exit.mockRestore();
      process.exitCode = undefined;
    }
  });

  it("restarts even when the reply fails, and logs it", async () => {
    const { registerRestart } = await load();
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } : undefined));
    const logged: string[] = [];
    const timers: Array<() => void> = [];
    let code: number | undefined;
    registerRestart(t.bot, { exit: (c) => (code = c), setTimeout: (cb) => timers.push(cb), log: (m) => logged.push(m) });
    await t.send(commandMessage("restart", "", { from: 7 }));
    await new Promise((r) => setImmediate(r));
    timers[0]!();
    expect(code).toBe(3);
    expect(logged).toEqual(["restart: could not send the reply; restarting anyway"]);
  });

  it("works on a grammY without bot.isRunning() (1.30 and older): a real grammY 1.20 Bot, long polling", async () => {
    const { registerRestart } = await load();
    const bot = new Bot120("1:TEST", { botInfo: BOT_INFO });
    const events: string[] = [];
    const restart = commandMessage("restart", "", { from: 7 });
    let served = false;
    bot.api.config.use(async (_prev, method, payload) => {
      const p = payload as { offset?: number; limit?: number; text?: string };
      events.push(method === "getUpdates" ? `getUpdates offset=${String(p.offset)} limit=${String(p.limit)}` : `${method} ${String(p.text)}`);
      if (method !== "getUpdates") return { ok: true, result: method === "sendMessage" ? { message_id: 1, date: 0, chat: { id: 7, type: "private", first_name: "U" }, text: p.text } : true } as never;
      if (served) await new Promise((r) => setTimeout(r, 5));
      const result = served ? [] : [restart];
      served = true;
      return { ok: true, result } as never;
    });
    const exited = new Promise<number>((resolve, reject) => {
      // Bot<C> of grammY 1.20 is another type than the Bot<C> of the grammY this test is typed with.
      registerRestart(bot as unknown as Bot<Context>, { exit: resolve, setTimeout: (callback) => callback() });
      bot.catch((error) => reject(error.error)); // fail at once, not by timeout
    });
    const started = bot.start({ timeout: 1 });
    expect(await exited).toBe(3);
    await started;
    expect(events).toEqual([
      "deleteWebhook undefined",
      "getUpdates offset=1 limit=undefined",
      "sendMessage Restarting now",
      `getUpdates offset=${restart.update_id + 1} limit=1`,
    ]);
  });

  it("type-checks under CommonJS and NodeNext", async () => {
    const root = tmpDir("restart-command-variants");
    for (const strategy of ["exit", "respawn"]) {
      const { files } = await renderRecipe("restart-command", { strategy, adminUserIds: "1" });
      for (const kind of ["cjs", "esm"]) {
        mkdirSync(join(root, kind, strategy), { recursive: true });
        copyFileSync(Object.values(files)[0]!, join(root, kind, strategy, "restart-command.ts"));
      }
    }
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
  });
});
