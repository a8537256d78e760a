// Behaviour of the rendered callback-dedupe recipe in a real grammY Bot.
import { BotError, HttpError, type Context, type MiddlewareFn } from "grammy";
import { describe, expect, it } from "vitest";
import { apiError, callbackQuery, createTestBot, groupChat, textMessage } from "../helpers/harness.js";
import { deferred, fakeClock, inlineCallbackQuery, settle } from "../helpers/guards.js";
import { renderRecipe } from "../helpers/recipes.js";

interface DedupeModule {
  dedupeCallbackQueries: <C extends Context>(options?: { now?: () => number; ttlMs?: number; duplicateToast?: string; log?: (message: string, error: unknown) => void }) => MiddlewareFn<C>;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("callback-dedupe", { ttlMs: 2000, duplicateToast: "Already on it…", ...answers })).load<DedupeModule>();

/** A bot whose "pay" button handler counts its runs and answers the press itself. */
async function dedupedBot(answers: Record<string, unknown> = {}) {
  const mod = await load(answers);
  const clock = fakeClock();
  const t = createTestBot();
  t.bot.use(mod.dedupeCallbackQueries({ now: clock.now }));
  const runs: string[] = [];
  return { t, clock, runs, mod };
}

describe("callback-dedupe", () => {
  it("five presses while a slow handler runs: the handler runs once, the four repeats are answered at once", async () => {
    const { t, runs } = await dedupedBot();
    const slow = deferred<void>();
    t.bot.callbackQuery("pay", async (ctx) => {
      runs.push(ctx.callbackQuery.id);
      await slow.promise;
      await ctx.answerCallbackQuery({ text: "Paid" });
    });

    const presses = [1, 2, 3, 4, 5].map((i) => t.send(callbackQuery("pay", { from: 7, messageId: 10, id: `press-${i}` })));
    await settle();
    // The four repeats were answered while the first press is still being handled.
    expect(runs).toEqual(["press-1"]);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload)).toEqual(
      [2, 3, 4, 5].map((i) => ({ callback_query_id: `press-${i}`, text: "Already on it…" })),
    );
    slow.resolve();
    await Promise.all(presses);
    expect(runs).toEqual(["press-1"]);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload.callback_query_id)).toEqual(["press-2", "press-3", "press-4", "press-5", "press-1"]);
  });

  it("two presses in sequence within ttlMs run the handler once; after ttlMs it runs again", async () => {
    const { t, clock, runs } = await dedupedBot({ ttlMs: 2000 });
    t.bot.callbackQuery("pay", async (ctx) => {
      runs.push(ctx.callbackQuery.id);
      clock.advance(5000); // a slow handler: the TTL counts from when it ends
      await ctx.answerCallbackQuery();
    });

    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "first" }));
    clock.advance(1999);
    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "repeat" })); // polling delivers it only now
    expect(runs).toEqual(["first"]);
    clock.advance(1);
    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "later" }));
    expect(runs).toEqual(["first", "later"]);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload.callback_query_id)).toEqual(["first", "repeat", "later"]);
  });

  it("does not block a different button, message, user or inline message", async () => {
    const { t, runs } = await dedupedBot();
    t.bot.on("callback_query:data", async (ctx) => {
      runs.push(ctx.callbackQuery.id);
      await ctx.answerCallbackQuery();
    });

    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "a" }));
    await t.send(callbackQuery("cancel", { from: 7, messageId: 10, id: "other-data" }));
    await t.send(callbackQuery("pay", { from: 7, messageId: 11, id: "other-message" }));
    await t.send(callbackQuery("pay", { from: 8, messageId: 10, id: "other-user", chat: groupChat(-100200) }));
    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "other-chat", chat: groupChat(-100300) }));
    await t.send(inlineCallbackQuery("pay", "inline-1", 7));
    await t.send(inlineCallbackQuery("pay", "inline-2", 7));
    await t.send(inlineCallbackQuery("pay", "inline-1", 7)); // the same inline message again: a repeat
    await t.send(callbackQuery("pay", { from: 7, messageId: 10, id: "repeat" }));
    expect(runs).toEqual(["a", "other-data", "other-message", "other-user", "other-chat", expect.stringMatching(/^cbq-inline/), expect.stringMatching(/^cbq-inline/)]);
  });

  it("two users pressing the same button on one group message are both processed (the key includes the user)", async () => {
    const { t, runs } = await dedupedBot();
    const group = groupChat(-100200);
    const slow = deferred<void>();
    t.bot.callbackQuery("vote", async (ctx) => {
      runs.push(`${ctx.from.id}:${ctx.callbackQuery.id}`);
      await slow.promise;
      await ctx.answerCallbackQuery();
    });

    // Concurrently (webhook, runner) and in sequence (polling): the second user is never taken for a repeat.
    const first = t.send(callbackQuery("vote", { from: 7, chat: group, messageId: 10, id: "alice" }));
    const second = t.send(callbackQuery("vote", { from: 8, chat: group, messageId: 10, id: "bob" }));
    await settle();
    slow.resolve();
    await Promise.all([first, second]);
    await t.send(callbackQuery("vote", { from: 9, chat: group, messageId: 10, id: "carol" }));
    await t.send(callbackQuery("vote", { from: 9, chat: group, messageId: 10, id: "carol-again" })); // carol's own repeat

    expect(runs).toEqual(["7:alice", "8:bob", "9:carol"]);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload)).toEqual([
      { callback_query_id: "alice" },
      { callback_query_id: "bob" },
      { callback_query_id: "carol" },
      { callback_query_id: "carol-again", text: "Already on it…" },
    ]);
  });

  it("a throwing handler still moves the key to the TTL state", async () => {
    const { t, clock, runs } = await dedupedBot({ ttlMs: 2000 });
    t.bot.callbackQuery("pay", async (ctx) => {
      runs.push(ctx.callbackQuery.id);
      if (ctx.callbackQuery.id === "boom") throw new Error("payment provider down");
      await ctx.answerCallbackQuery();
    });

    await expect(t.send(callbackQuery("pay", { from: 7, id: "boom" }))).rejects.toBeInstanceOf(BotError);
    clock.advance(1000);
    await t.send(callbackQuery("pay", { from: 7, id: "repeat" }));
    expect(runs).toEqual(["boom"]); // still held: the repeat arrived within the TTL
    clock.advance(1000);
    await t.send(callbackQuery("pay", { from: 7, id: "retry" }));
    expect(runs).toEqual(["boom", "retry"]); // released, not held forever
  });

  it("answers repeats without a toast when duplicateToast is empty", async () => {
    const { t } = await dedupedBot({ duplicateToast: "" });
    const slow = deferred<void>();
    t.bot.callbackQuery("pay", () => slow.promise);
    const first = t.send(callbackQuery("pay", { from: 7, id: "one" }));
    await settle();
    await t.send(callbackQuery("pay", { from: 7, id: "two" }));
    slow.resolve();
    await first;
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload)).toEqual([{ callback_query_id: "two" }]);
  });

  it("ignores a repeat Telegram no longer accepts an answer for, and leaves other updates alone", async () => {
    const { t, runs } = await dedupedBot();
    t.respond((method, payload) =>
      method === "answerCallbackQuery" && payload.callback_query_id === "stale" ? apiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid") : undefined,
    );
    t.bot.callbackQuery("pay", (ctx) => void runs.push(ctx.callbackQuery.id));
    t.bot.on("message", (ctx) => void runs.push(ctx.msg.text ?? ""));
    await t.send(callbackQuery("pay", { from: 7, id: "fresh" }));
    await t.send(callbackQuery("pay", { from: 7, id: "stale" })); // does not throw
    await t.send(textMessage("hello", { from: 7 }));
    await t.send(textMessage("hello", { from: 7 }));
    expect(runs).toEqual(["fresh", "hello", "hello"]);
  });

  it("a repeat whose answer fails with a 429 or a network error does not fail the update; the network error is logged", async () => {
    const mod = await load();
    const t = createTestBot();
    const logged: string[] = [];
    t.bot.use(mod.dedupeCallbackQueries({ now: () => 0, log: (m) => logged.push(m) }));
    t.respond((method, payload) => {
      if (method !== "answerCallbackQuery") return undefined;
      if (payload.callback_query_id === "flood") return apiError(429, "Too Many Requests: retry after 9", { retry_after: 9 });
      if (payload.callback_query_id === "offline") throw new HttpError("Network request for 'answerCallbackQuery' failed!", new Error("ECONNRESET"));
      return undefined;
    });
    t.bot.callbackQuery("pay", () => {});
    await t.send(callbackQuery("pay", { from: 7, id: "first" }));
    await t.send(callbackQuery("pay", { from: 7, id: "flood" }));
    await t.send(callbackQuery("pay", { from: 7, id: "offline" }));
    expect(logged).toEqual(["callback-dedupe: could not answer a repeated press"]);
  });

  it("refuses ttlMs outside 100-3600000 and a toast over 200 characters", async () => {
    await expect(load({ ttlMs: 50 })).rejects.toThrow(/at least 100/);
    await expect(load({ duplicateToast: "x".repeat(201) })).rejects.toThrow(/at most 200/);
  });
});
