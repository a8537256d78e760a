// Behaviour of the rendered channel-gate recipe in a real grammY Bot.
import { HttpError, type Context, type MiddlewareFn } from "grammy";
import type { ChatMember } from "grammy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, callbackQuery, commandMessage, createTestBot, groupChat, textMessage, type FakeAnswer } from "../helpers/harness.js";
import { loggedLines, pollBatch } from "../helpers/denials.js";
import { channelChat, chatMemberUpdate, fakeClock, member, myChatMemberUpdate } from "../helpers/guards.js";
import { renderRecipe } from "../helpers/recipes.js";

interface GateModule {
  requireChannelMembership: <C extends Context>(options?: { now?: () => number; log?: (message: string) => void }) => MiddlewareFn<C>;
  isChannelMember: (member: ChatMember) => boolean;
}

const JOIN_URL = "https://t.me/example_news";
const CHANNEL_ID = -1001234500000;

const load = async (answers: Record<string, unknown> = {}) =>
  (
    await renderRecipe("channel-gate", {
      channel: "@example_news",
      joinUrl: JOIN_URL,
      notMemberText: "Join <our> channel first.",
      buttonText: "Join now",
      cacheSeconds: 60,
      ...answers,
    })
  ).load<GateModule>();

/**
 * A bot behind the gate whose getChatMember answers from `statuses` (user id →
 * member, or an API error); every update that gets through is recorded.
 */
async function gatedBot(statuses: Map<number, ChatMember | "error" | FakeAnswer | "network">, answers: Record<string, unknown> = {}, now?: () => number) {
  const mod = await load(answers);
  const t = createTestBot();
  t.respond((method, payload) => {
    if (method !== "getChatMember") return undefined;
    const status = statuses.get(payload.user_id as number) ?? member(payload.user_id as number, "left");
    // What grammY's client throws when fetch fails (a transformer's error reaches the caller as is).
    if (status === "network") throw new HttpError("Network request for 'getChatMember' failed!", new Error("connect ECONNREFUSED"));
    if (status === "error") return apiError(400, "Bad Request: member list is inaccessible");
    return "ok" in status ? status : { ok: true, result: status };
  });
  t.bot.use(mod.requireChannelMembership(now ? { now } : {}));
  const passed: number[] = [];
  t.bot.use(async (ctx) => {
    passed.push(ctx.update.update_id);
    if (ctx.message) await ctx.reply("handled");
  });
  return { t, passed, mod };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const joinButton = { inline_keyboard: [[{ text: "Join now", url: JOIN_URL }]] };

describe("channel-gate", () => {
  it("lets members through: creator, administrator, member, and restricted users who are still members", async () => {
    const statuses = new Map<number, ChatMember | "error">([
      [1, member(1, "creator")],
      [2, member(2, "administrator")],
      [3, member(3, "member")],
      [4, member(4, "restricted", { is_member: true })],
    ]);
    const { t, passed } = await gatedBot(statuses);
    for (const id of [1, 2, 3, 4]) await t.send(textMessage("hi", { from: id }));
    expect(passed).toHaveLength(4);
    expect(t.callsOf("getChatMember").map((c) => [c.payload.chat_id, c.payload.user_id])).toEqual([
      ["@example_news", 1],
      ["@example_news", 2],
      ["@example_news", 3],
      ["@example_news", 4],
    ]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["handled", "handled", "handled", "handled"]);
  });

  it("gives left and kicked users the join button, and blocks restricted users with is_member: false", async () => {
    const statuses = new Map<number, ChatMember | "error">([
      [5, member(5, "left")],
      [6, member(6, "kicked", { until_date: 0 })],
      [7, member(7, "restricted", { is_member: false })],
    ]);
    const { t, passed } = await gatedBot(statuses);
    for (const id of [5, 6, 7]) await t.send(commandMessage("start", "", { from: id }));
    expect(passed).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload)).toEqual(
      [5, 6, 7].map((id) => ({ chat_id: id, text: "Join <our> channel first.", reply_markup: joinButton })),
    );
  });

  it("answers a non-member's button press (spinner stops) and sends the join message", async () => {
    const { t, passed } = await gatedBot(new Map());
    await t.send(callbackQuery("menu", { from: 9 }));
    expect(passed).toEqual([]);
    expect(t.calls.map((c) => c.method)).toEqual(["getChatMember", "answerCallbackQuery", "sendMessage"]);
    expect(t.callsOf("sendMessage")[0]!.payload.reply_markup).toEqual(joinButton);
  });

  it("drops a non-member's other private updates (an edited message) without a reply", async () => {
    const { t, passed } = await gatedBot(new Map());
    const edit = textMessage("typo fixed", { from: 5 });
    await t.send({ update_id: edit.update_id, edited_message: { ...edit.message!, edit_date: 1 } });
    expect(passed).toEqual([]);
    expect(t.calls.map((c) => c.method)).toEqual(["getChatMember"]);
  });

  it("failMode closed: a setup error (400) blocks the update with the join message, is logged, and is asked again after RECHECK_SECONDS", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const clock = fakeClock();
    const statuses = new Map<number, ChatMember | "error">([[3, "error"]]);
    const { t, passed } = await gatedBot(statuses, { failMode: "closed" }, clock.now);
    await t.send(textMessage("hi", { from: 3 }));
    expect(passed).toEqual([]);
    const lines = loggedLines(log);
    expect(lines[0]).toContain("user 3");
    expect(lines[0]).toContain("member list is inaccessible");
    expect(lines[0]).toContain("administrator");
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["Join <our> channel first."]);

    statuses.set(3, member(3, "member")); // Telegram answers again: asked again once the failure is 10 s old, and passes
    clock.advance(10_000);
    await t.send(textMessage("hi", { from: 3 }));
    expect(passed).toHaveLength(1);
    expect(t.callsOf("getChatMember")).toHaveLength(2);
  });

  it("failMode open: an API error lets the update through, and is logged", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const { t, passed } = await gatedBot(new Map([[3, "error"]]), { failMode: "open" });
    await t.send(textMessage("hi", { from: 3 }));
    expect(passed).toHaveLength(1);
    expect(log).toHaveBeenCalledTimes(1);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["handled"]);
  });

  it("caches positive answers for cacheSeconds; negative answers only for RECHECK_SECONDS (10 s)", async () => {
    const clock = fakeClock();
    const statuses = new Map<number, ChatMember | "error">([[3, member(3, "member")]]);
    const { t, passed } = await gatedBot(statuses, { cacheSeconds: 60 }, clock.now);
    await t.send(textMessage("1", { from: 3 }));
    clock.advance(59_999);
    await t.send(textMessage("2", { from: 3 }));
    expect(t.callsOf("getChatMember")).toHaveLength(1);
    clock.advance(1);
    statuses.set(3, member(3, "left")); // left meanwhile: seen once the cached answer expired
    await t.send(textMessage("3", { from: 3 }));
    expect(t.callsOf("getChatMember")).toHaveLength(2);
    expect(passed).toHaveLength(2);

    statuses.set(3, member(3, "member")); // joined again: passes once the negative answer is 10 s old
    clock.advance(9_999);
    await t.send(textMessage("4", { from: 3 }));
    expect(passed).toHaveLength(2);
    clock.advance(1);
    await t.send(textMessage("5", { from: 3 }));
    expect(passed).toHaveLength(3);
    expect(t.callsOf("getChatMember")).toHaveLength(3);
  });

  it("cacheSeconds 0 asks Telegram every time", async () => {
    const { t, passed } = await gatedBot(new Map([[3, member(3, "member")]]), { cacheSeconds: 0 });
    await t.send(textMessage("1", { from: 3 }));
    await t.send(textMessage("2", { from: 3 }));
    expect(passed).toHaveLength(2);
    expect(t.callsOf("getChatMember")).toHaveLength(2);
  });

  it("lets group messages and membership updates through without asking", async () => {
    const { t, passed } = await gatedBot(new Map());
    await t.send(textMessage("hi", { from: 5, chat: groupChat(-100600) }));
    await t.send(myChatMemberUpdate(5, "kicked")); // user 5 blocked the bot: not them using it
    expect(passed).toHaveLength(2);
    expect(t.callsOf("getChatMember")).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.chat_id)).toEqual([-100600]);
  });

  it("lets business-account messages through without asking (the owner's chats, not the bot being used)", async () => {
    const { t, passed } = await gatedBot(new Map());
    // Business messages arrive from the owner's private chats.
    const msg = { ...textMessage("hi from a customer", { from: 5 }).message!, chat: { id: 5, type: "private" as const, first_name: "Customer" } };
    await t.send({ update_id: 9001, business_message: { ...msg, business_connection_id: "bc1" } });
    await t.send({ update_id: 9002, edited_business_message: { ...msg, business_connection_id: "bc1", edit_date: 2 } });
    expect(passed).toEqual([9001, 9002]);
    expect(t.callsOf("getChatMember")).toEqual([]);
  });

  it("forgets a cached member when a chat_member update shows them leaving the channel (@username)", async () => {
    const statuses = new Map<number, ChatMember | "error">([[3, member(3, "member")]]);
    const { t, passed } = await gatedBot(statuses);
    await t.send(textMessage("1", { from: 3 }));
    statuses.set(3, member(3, "left"));
    await t.send(chatMemberUpdate(channelChat(CHANNEL_ID, "Example_News"), 3, "member", "left"));
    await t.send(textMessage("2", { from: 3 }));
    expect(t.callsOf("getChatMember")).toHaveLength(2);
    expect(passed).toHaveLength(2); // message 1 and the chat_member update; message 2 is blocked
  });

  it("accepts a -100… channel id: asks with it and matches chat_member updates by id", async () => {
    const statuses = new Map<number, ChatMember | "error">([[3, member(3, "member")]]);
    const { t } = await gatedBot(statuses, { channel: String(CHANNEL_ID) });
    await t.send(textMessage("1", { from: 3 }));
    await t.send(chatMemberUpdate(channelChat(-1009999), 3, "member", "left")); // another channel: no effect
    await t.send(textMessage("2", { from: 3 }));
    expect(t.callsOf("getChatMember")).toHaveLength(1);
    await t.send(chatMemberUpdate(channelChat(CHANNEL_ID), 3, "member", "left"));
    await t.send(textMessage("3", { from: 3 }));
    expect(t.callsOf("getChatMember").map((c) => c.payload.chat_id)).toEqual([String(CHANNEL_ID), String(CHANNEL_ID)]);
  });

  it("rejects invalid answers for channel and joinUrl", async () => {
    await expect(load({ channel: "example" })).rejects.toThrow(/channel/);
    await expect(load({ channel: "-42" })).rejects.toThrow(/channel/);
    await expect(load({ joinUrl: "http://t.me/x" })).rejects.toThrow(/https/);
  });
});

/** The default tryLaterText. */
const TRY_LATER = "We could not check your channel membership just now. Please try again in a minute.";

describe("channel-gate against hostile users and transient failures (issue 11, items 3 and 13)", () => {
  it("a non-member writing 20 times costs one getChatMember per 10 s, and gets one join message and one log line per minute", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const clock = fakeClock();
    const { t, passed } = await gatedBot(new Map([[5, member(5, "left")]]), {}, clock.now);
    for (let i = 0; i < 20; i++) await t.send(textMessage(`spam ${i}`, { from: 5 }));
    expect(passed).toEqual([]);
    expect(t.callsOf("getChatMember")).toHaveLength(1);
    expect(t.callsOf("sendMessage")).toHaveLength(1);
    expect(loggedLines(log)).toEqual([expect.stringContaining("user 5 is not a member")]);

    clock.advance(10_000); // the negative answer expired: asked again, but not told again within the minute
    await t.send(textMessage("again", { from: 5 }));
    expect(t.callsOf("getChatMember")).toHaveLength(2);
    expect(t.callsOf("sendMessage")).toHaveLength(1);

    clock.advance(50_000); // a minute after the join message: told (and logged) again
    await t.send(textMessage("again", { from: 5 }));
    expect(t.callsOf("sendMessage")).toHaveLength(2);
    expect(loggedLines(log)).toHaveLength(2);
  });

  it("a 429 on getChatMember says 'try again later' (not 'join'), and nobody is asked about before retry_after", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const clock = fakeClock();
    const statuses = new Map<number, ChatMember | FakeAnswer>([[3, apiError(429, "Too Many Requests: retry after 30", { retry_after: 30 })]]);
    const { t, passed } = await gatedBot(statuses, {}, clock.now);
    await t.send(textMessage("hi", { from: 3 }));
    expect(passed).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual([TRY_LATER]);
    expect(loggedLines(log)[0]).toContain("429");

    statuses.set(3, member(3, "member"));
    statuses.set(4, member(4, "member"));
    clock.advance(29_000);
    await t.send(textMessage("hi", { from: 4 })); // another user, inside retry_after: not asked, told to wait
    expect(t.callsOf("getChatMember")).toHaveLength(1);
    expect(t.callsOf("sendMessage").map((c) => c.payload.chat_id)).toEqual([3, 4]);

    clock.advance(1_000); // retry_after has passed: members pass again
    await t.send(textMessage("hi", { from: 4 }));
    expect(passed).toHaveLength(1);
  });

  it("a network failure (HttpError) or a 5xx says 'try again later'; failMode open lets them through", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const statuses = new Map<number, ChatMember | FakeAnswer | "network">([
      [3, "network"],
      [4, apiError(502, "Bad Gateway")],
    ]);
    const closed = await gatedBot(statuses);
    await closed.t.send(textMessage("hi", { from: 3 }));
    await closed.t.send(callbackQuery("menu", { from: 4 }));
    expect(closed.passed).toEqual([]);
    expect(closed.t.calls.filter((c) => c.method !== "getChatMember").map((c) => [c.method, c.payload.text])).toEqual([
      ["sendMessage", TRY_LATER],
      ["answerCallbackQuery", TRY_LATER],
    ]);

    const open = await gatedBot(statuses, { failMode: "open" });
    await open.t.send(textMessage("hi", { from: 3 }));
    await open.t.send(textMessage("hi", { from: 4 }));
    expect(open.passed).toHaveLength(2);
  });

  it("20 messages from a non-member while Telegram answers 429 to the join message: logged, the polling bot keeps running", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const mod = await load();
    const t = createTestBot();
    t.respond((method, payload) => {
      if (method === "getChatMember") return { ok: true, result: member(payload.user_id as number, "left") };
      if (method === "sendMessage" || method === "answerCallbackQuery") return apiError(429, "Too Many Requests: retry after 5", { retry_after: 5 });
      return undefined;
    });
    t.bot.use(mod.requireChannelMembership());
    const updates = [
      ...Array.from({ length: 19 }, (_, i) => textMessage(`spam ${i}`, { from: 5 })),
      callbackQuery("menu", { from: 6 }),
    ];
    const { running, startError } = await pollBatch(t, updates); // no bot.catch: grammY's default handler would stop polling
    expect(startError).toBeUndefined();
    expect(running).toBe(true);
    expect(loggedLines(log).filter((l) => l.includes("could not"))).toHaveLength(3); // user 5's message, user 6's alert and message
  }, 10_000);

  it("answers every denied button press with an alert of the join text (at most 200 characters)", async () => {
    await expect(load({ notMemberText: "x".repeat(201) })).rejects.toThrow(/200/);
    const { t } = await gatedBot(new Map());
    for (let i = 0; i < 3; i++) await t.send(callbackQuery("menu", { from: 9 }));
    expect(t.callsOf("answerCallbackQuery").map((c) => [c.payload.text, c.payload.show_alert])).toEqual([
      ["Join <our> channel first.", true],
      ["Join <our> channel first.", true],
      ["Join <our> channel first.", true],
    ]);
    expect(t.callsOf("sendMessage")).toHaveLength(1); // the join message with its button: once per minute
  });

  it("a chat_member update showing a user joining the channel drops their negative answer at once", async () => {
    const statuses = new Map<number, ChatMember | "error">([[5, member(5, "left")]]);
    const { t, passed } = await gatedBot(statuses);
    await t.send(textMessage("1", { from: 5 }));
    statuses.set(5, member(5, "member"));
    await t.send(chatMemberUpdate(channelChat(CHANNEL_ID, "example_news"), 5, "left", "member"));
    await t.send(textMessage("2", { from: 5 }));
    expect(t.callsOf("getChatMember")).toHaveLength(2);
    expect(passed).toHaveLength(2); // the chat_member update and message 2
  });
});
