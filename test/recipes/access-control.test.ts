// Behaviour of the rendered access-control recipe in a real grammY Bot.
import type { Context, MiddlewareFn } from "grammy";
import { describe, expect, it } from "vitest";
import { callbackQuery, channelPost, commandMessage, createTestBot, groupChat, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface AccessModule {
  accessControl: <C extends Context>() => MiddlewareFn<C>;
  restricted: <C extends Context>(handler: MiddlewareFn<C>) => MiddlewareFn<C>;
  ALLOWED_USER_IDS: ReadonlySet<number>;
}

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
    expect(t.callsOf("sendMessage")).toHaveLength(2); // one denial per update, never more
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
