// Behaviour of the rendered access-control recipe in a real grammY Bot.
import type { Context, MiddlewareFn } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { fakeClock } from "../helpers/guards.js";
import { loggedLines, pollBatch } from "../helpers/denials.js";
import { apiError, callbackQuery, channelPost, commandMessage, createTestBot, groupChat, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface AccessOptions {
  cooldownMs?: number;
  now?: () => number;
  log?: (message: string) => void;
}

interface AccessModule {
  accessControl: <C extends Context>(options?: AccessOptions) => MiddlewareFn<C>;
  restricted: <C extends Context>(handler: MiddlewareFn<C>, options?: AccessOptions) => MiddlewareFn<C>;
  ALLOWED_USER_IDS: ReadonlySet<number>;
}

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("access-control", { userIds: "7,8", deniedReply: "Go away <now>", ...answers })).load<AccessModule>();

describe("access-control gate", () => {
  it("lets allowed users through to later handlers and stops everyone else, replying once", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.bot.use(accessControl());
    const seen: number[] = [];
    t.bot.on("message", async (ctx) => {
      seen.push(ctx.from.id);
      await ctx.reply("welcome");
    });

    await t.send(textMessage("hi", { from: 7 }));
    await t.send(textMessage("hi", { from: 99 }));
    await t.send(textMessage("hi", { from: 8 }));

    expect(seen).toEqual([7, 8]);
    expect(t.calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ["sendMessage", 7, "welcome"],
      ["sendMessage", 99, "Go away <now>"],
      ["sendMessage", 8, "welcome"],
    ]);
  });

  it("denies updates without a sender (channel posts) silently", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.bot.use(accessControl());
    let reached = 0;
    t.bot.use(() => {
      reached++;
    });
    await t.send(channelPost("news"));
    expect(reached).toBe(0);
    expect(t.calls).toEqual([]);
  });

  it("a catch-all registered after the gate never sees a denied update", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.bot.use(accessControl());
    let catchAll = 0;
    t.bot.use(() => {
      catchAll++;
    });
    await t.send(commandMessage("start", "", { from: 1234 }));
    await t.send(textMessage("x", { from: 1234 }));
    expect(catchAll).toBe(0);
    expect(t.callsOf("sendMessage")).toHaveLength(1); // one denial per user per cooldown, never more
  });

  it("does not reply to denied users in groups, and answers denied button presses with an alert", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.bot.use(accessControl());
    await t.send(textMessage("hi", { from: 99, chat: groupChat(-100500) }));
    expect(t.calls).toEqual([]);
    await t.send(callbackQuery("x", { from: 99 }));
    expect(t.calls).toEqual([{ method: "answerCallbackQuery", payload: expect.objectContaining({ text: "Go away <now>", show_alert: true }) }]);
  });

  it("stays silent when deniedReply is empty", async () => {
    const { accessControl } = await load({ deniedReply: "" });
    const t = createTestBot();
    t.bot.use(accessControl());
    await t.send(textMessage("hi", { from: 99 }));
    expect(t.calls).toEqual([]);
  });
});

describe("restricted() wrapper", () => {
  it("runs the handler for allowed users only", async () => {
    const { restricted } = await load({ mode: "wrapper" });
    const t = createTestBot();
    const ran: number[] = [];
    t.bot.command(
      "admin",
      restricted(async (ctx) => {
        ran.push(ctx.from!.id);
        await ctx.reply("admin area");
      }),
    );
    t.bot.command("public", (ctx) => ctx.reply("public"));

    await t.send(commandMessage("admin", "", { from: 7 }));
    await t.send(commandMessage("admin", "", { from: 50 }));
    await t.send(commandMessage("public", "", { from: 50 }));

    expect(ran).toEqual([7]);
    expect(t.calls.map((c) => c.payload.text)).toEqual(["admin area", "Go away <now>", "public"]);
  });
});

describe("access-control against a hostile user (issue 11, item 3)", () => {
  it("a stranger writing 20 times gets one reply and one log line per cooldown, and again after it", async () => {
    const { accessControl } = await load();
    const clock = fakeClock();
    const t = createTestBot();
    t.bot.use(accessControl({ now: clock.now }));
    for (let i = 0; i < 20; i++) await t.send(textMessage(`spam ${i}`, { from: 99 }));
    expect(t.callsOf("sendMessage")).toHaveLength(1);
    expect(loggedLines(consoleError)).toEqual([expect.stringContaining("unauthorized access denied for user 99")]);

    await t.send(textMessage("hi", { from: 98 })); // another stranger has their own cooldown
    clock.advance(10 * 60_000); // DENIAL_COOLDOWN_MS later
    await t.send(textMessage("still here", { from: 99 }));
    expect(t.callsOf("sendMessage").map((c) => c.payload.chat_id)).toEqual([99, 98, 99]);
    expect(loggedLines(consoleError)).toHaveLength(3);
  });

  it("20 messages from a stranger while Telegram answers 429: the denial failure is logged, the polling bot keeps running", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? apiError(429, "Too Many Requests: retry after 30", { retry_after: 30 }) : undefined));
    t.bot.use(accessControl({ cooldownMs: 0 })); // no cooldown: every denial is sent and fails
    t.bot.on("message", (ctx) => ctx.reply("welcome"));
    const updates = Array.from({ length: 20 }, (_, i) => textMessage(`spam ${i}`, { from: 99 }));

    const { running, startError } = await pollBatch(t, updates); // no bot.catch: grammY's default handler would stop polling

    expect(startError).toBeUndefined();
    expect(running).toBe(true);
    expect(t.callsOf("sendMessage")).toHaveLength(20);
    expect(loggedLines(consoleError).filter((l) => l.includes("could not tell user 99"))).toHaveLength(20);
    expect(loggedLines(consoleError).some((l) => l.includes("429"))).toBe(true);
  }, 10_000);

  it("a 403 (the stranger blocked the bot) on the denial never reaches bot.catch", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? apiError(403, "Forbidden: bot was blocked by the user") : undefined));
    t.bot.use(accessControl());
    let caught = 0;
    t.bot.catch(() => void caught++);
    await expect(t.send(textMessage("hi", { from: 99 }))).resolves.toBeUndefined();
    expect(caught).toBe(0);
    expect(loggedLines(consoleError).some((l) => l.includes("403"))).toBe(true);
  });

  it("answers every denied button press with an alert, logged once per cooldown; a failing answer is caught", async () => {
    const { accessControl } = await load();
    const t = createTestBot();
    t.bot.use(accessControl());
    for (let i = 0; i < 3; i++) await t.send(callbackQuery("x", { from: 99 }));
    expect(t.calls.map((c) => [c.method, c.payload.text, c.payload.show_alert])).toEqual([
      ["answerCallbackQuery", "Go away <now>", true],
      ["answerCallbackQuery", "Go away <now>", true],
      ["answerCallbackQuery", "Go away <now>", true],
    ]);
    expect(loggedLines(consoleError)).toHaveLength(1);

    t.respond((method) => (method === "answerCallbackQuery" ? apiError(400, "Bad Request: query is too old") : undefined));
    await expect(t.send(callbackQuery("x", { from: 97 }))).resolves.toBeUndefined();
  });

  it("a denied button press with an empty deniedReply is still answered (the spinner stops), without an alert", async () => {
    const { accessControl } = await load({ deniedReply: "" });
    const t = createTestBot();
    t.bot.use(accessControl());
    await t.send(callbackQuery("x", { from: 99 }));
    expect(t.calls).toEqual([{ method: "answerCallbackQuery", payload: { callback_query_id: expect.any(String) } }]);
  });

  it("deniedReply is at most 200 characters, the limit of a button alert", async () => {
    await expect(load({ deniedReply: "x".repeat(201) })).rejects.toThrow(/200/);
    const { accessControl } = await load({ deniedReply: "y".repeat(200) });
    const t = createTestBot();
    t.bot.use(accessControl());
    await t.send(callbackQuery("x", { from: 99 }));
    expect(String(t.calls[0]!.payload.text)).toHaveLength(200);
  });

  it("memory stays bounded: past 10,000 remembered strangers the oldest is forgotten (and told again)", async () => {
    const { accessControl } = await load({ deniedReply: "" });
    const t = createTestBot();
    t.bot.use(accessControl());
    await t.send(textMessage("first", { from: 100_000 }));
    for (let id = 1; id <= 10_000; id++) await t.send(textMessage("x", { from: 200_000 + id }));
    expect(loggedLines(consoleError)).toHaveLength(10_001);
    await t.send(textMessage("again", { from: 100_000 })); // within the cooldown, but no longer remembered
    expect(loggedLines(consoleError)).toHaveLength(10_002);
    await t.send(textMessage("x", { from: 200_000 + 10_000 })); // the newest are still remembered
    expect(loggedLines(consoleError)).toHaveLength(10_002);
  }, 30_000);
});
