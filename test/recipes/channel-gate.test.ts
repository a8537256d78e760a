// Behaviour of the rendered channel-gate recipe in a real grammY Bot.
import type { Context, MiddlewareFn } from "grammy";
import type { ChatMember } from "grammy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, callbackQuery, commandMessage, createTestBot, groupChat, textMessage } from "../helpers/harness.js";
import { channelChat, chatMemberUpdate, fakeClock, member, myChatMemberUpdate } from "../helpers/guards.js";
import { renderRecipe } from "../helpers/recipes.js";

interface GateModule {
  requireChannelMembership: <C extends Context>(options?: { now?: () => number; log?: (message: string, error: unknown) => void }) => MiddlewareFn<C>;
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
async function gatedBot(statuses: Map<number, ChatMember | "error">, answers: Record<string, unknown> = {}, now?: () => number) {
  const mod = await load(answers);
  const t = createTestBot();
  t.respond((method, payload) => {
    if (method !== "getChatMember") return undefined;
    const status = statuses.get(payload.user_id as number) ?? member(payload.user_id as number, "left");
    return status === "error" ? apiError(400, "Bad Request: member list is inaccessible") : { ok: true, result: status };
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

  it("failMode closed: an API error blocks the update, is logged, and is not cached", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const statuses = new Map<number, ChatMember | "error">([[3, "error"]]);
    const { t, passed } = await gatedBot(statuses, { failMode: "closed" });
    await t.send(textMessage("hi", { from: 3 }));
    expect(passed).toEqual([]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toContain("user 3");
    expect(String(log.mock.calls[0]![1])).toContain("member list is inaccessible");
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["Join <our> channel first."]);

    statuses.set(3, member(3, "member")); // Telegram answers again: asked again, and passes
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

  it("caches positive answers for cacheSeconds; negative answers are never cached", async () => {
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

    statuses.set(3, member(3, "member")); // joined again: passes at once, nothing negative was cached
    await t.send(textMessage("4", { from: 3 }));
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
