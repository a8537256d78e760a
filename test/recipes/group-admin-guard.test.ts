// Behaviour of the rendered group-admin-guard recipe in a real grammY Bot.
import type { Api, Context, MiddlewareFn } from "grammy";
import type { Chat, ChatMember, Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { apiError, callbackQuery, commandMessage, createTestBot, groupChat, type TestBot } from "../helpers/harness.js";
import { chatMemberUpdate, deferred, fakeClock, member, settle } from "../helpers/guards.js";
import { renderRecipe } from "../helpers/recipes.js";

interface AdminCache {
  adminIds: (api: Pick<Api, "getChatAdministrators">, chatId: number) => Promise<ReadonlySet<number>>;
  invalidate: (chatId: number) => void;
}

interface GuardModule {
  AdminCache: new (options?: { ttlMs?: number; now?: () => number }) => AdminCache;
  adminOnly: <C extends Context>(handler: MiddlewareFn<C>, options?: { cache?: AdminCache; onDenied?: (ctx: C) => unknown }) => MiddlewareFn<C>;
  isChatAdmin: (options?: { cache?: AdminCache }) => (ctx: Context) => Promise<boolean>;
  adminCacheInvalidation: <C extends Context>(cache?: AdminCache) => MiddlewareFn<C>;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("group-admin-guard", { ttlSeconds: 60, deniedReply: "Admins only.", ...answers })).load<GuardModule>();

const GROUP = groupChat(-100777);
const OTHER_GROUP = groupChat(-100888);
const OWNER = 7;
const ADMIN = 8;
const NOBODY = 99;
const ANONYMOUS_BOT = 1087968824;

/** Answers getChatAdministrators with the owner and one admin of every group; returns the list, to change it. */
function withAdmins(t: TestBot<Context>): ChatMember[] {
  const admins = [member(OWNER, "creator"), member(ADMIN, "administrator")];
  t.respond((method) => (method === "getChatAdministrators" ? { ok: true, result: [...admins] } : undefined));
  return admins;
}

/** A bot with /ban guarded by adminOnly, recording who got through. */
async function guardedBot(answers: Record<string, unknown> = {}, now?: () => number) {
  const mod = await load(answers);
  const cache = new mod.AdminCache(now ? { now } : {});
  const t = createTestBot();
  const admins = withAdmins(t);
  t.bot.use(mod.adminCacheInvalidation(cache));
  const banned: Array<number | undefined> = [];
  t.bot.command(
    "ban",
    mod.adminOnly(async (ctx) => {
      banned.push(ctx.from?.id);
      await ctx.reply("banned");
    }, { cache }),
  );
  return { t, banned, cache, mod, admins };
}

const ban = (from: number, chat: Chat = GROUP) => commandMessage("ban", "", { from, chat });

/** /ban sent by an anonymous admin: from @GroupAnonymousBot, as the group itself. */
const anonymousBan = (chat: Chat = GROUP): Update => commandMessage("ban", "", { from: ANONYMOUS_BOT, chat, extra: { sender_chat: chat } });

describe("group-admin-guard: cache", () => {
  it("asks Telegram once per chat within the TTL (ttlSeconds) and again after it", async () => {
    const clock = fakeClock();
    const { t, banned } = await guardedBot({ ttlSeconds: 60 }, clock.now);

    await t.send(ban(OWNER));
    clock.advance(30_000);
    await t.send(ban(ADMIN));
    clock.advance(29_999); // 59.999 s after the first lookup
    await t.send(ban(OWNER));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);

    clock.advance(1); // 60 s: the cached list has expired
    await t.send(ban(OWNER));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(2);

    await t.send(ban(OWNER, OTHER_GROUP)); // each chat has its own entry
    expect(t.callsOf("getChatAdministrators").map((c) => c.payload.chat_id)).toEqual([GROUP.id, GROUP.id, OTHER_GROUP.id]);
    expect(banned).toEqual([OWNER, ADMIN, OWNER, OWNER, OWNER]);
  });

  it("lets concurrent lookups share one in-flight request", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const t = createTestBot();
    const answer = deferred<void>();
    t.respond(async (method) => {
      if (method !== "getChatAdministrators") return undefined;
      await answer.promise;
      return { ok: true, result: [member(OWNER, "creator"), member(ADMIN, "administrator")] };
    });
    const ran: number[] = [];
    t.bot.command("ban", mod.adminOnly(async (ctx) => void ran.push(ctx.from!.id), { cache }));

    const all = Promise.all([t.send(ban(OWNER)), t.send(ban(ADMIN)), t.send(ban(NOBODY)), t.send(ban(OWNER))]);
    await settle();
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);
    answer.resolve();
    await all;
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);
    expect(ran.sort()).toEqual([OWNER, OWNER, ADMIN].sort());
  });

  it("does not cache a failed request: the error reaches the bot and the next lookup asks again", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const t = createTestBot();
    let fail = true;
    t.respond((method) => {
      if (method !== "getChatAdministrators") return undefined;
      if (fail) return apiError(400, "Bad Request: chat not found");
      return { ok: true, result: [member(OWNER, "creator")] };
    });
    const ran: number[] = [];
    t.bot.command("ban", mod.adminOnly(async (ctx) => void ran.push(ctx.from!.id), { cache }));

    await expect(t.send(ban(OWNER))).rejects.toThrow(/chat not found/);
    fail = false;
    await t.send(ban(OWNER));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(2);
    expect(ran).toEqual([OWNER]);
  });

  it("drops a chat's cache when a chat_member update changes an admin, not when an ordinary member joins", async () => {
    const clock = fakeClock();
    const { t, banned, admins } = await guardedBot({}, clock.now);
    let seenByLater = 0;
    t.bot.on("chat_member", () => {
      seenByLater++;
    });

    await t.send(ban(NOBODY)); // lookup 1: 99 is no admin
    await t.send(chatMemberUpdate(GROUP, 55, "left", "member")); // a join: the admin list is unchanged
    await t.send(ban(NOBODY));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);

    // 99 is promoted: Telegram now lists them, and the update drops the cached list.
    admins.push(member(NOBODY, "administrator"));
    t.calls.length = 0;
    await t.send(chatMemberUpdate(GROUP, NOBODY, "member", "administrator"));
    await t.send(ban(NOBODY));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);
    expect(banned).toEqual([NOBODY]);

    // A demotion in another chat leaves this chat's cache alone.
    await t.send(chatMemberUpdate(OTHER_GROUP, ADMIN, "administrator", "member"));
    await t.send(ban(NOBODY));
    expect(t.callsOf("getChatAdministrators")).toHaveLength(1);
    expect(seenByLater).toBe(3); // the invalidation passes every chat_member update on
  });

  it("does not store a list fetched while the chat was invalidated", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const answer = deferred<void>();
    let calls = 0;
    const api = {
      getChatAdministrators: async () => {
        calls++;
        if (calls === 1) await answer.promise;
        return [member(OWNER, "creator")];
      },
    } as unknown as Pick<Api, "getChatAdministrators">;
    const first = cache.adminIds(api, GROUP.id);
    cache.invalidate(GROUP.id);
    answer.resolve();
    await first;
    await cache.adminIds(api, GROUP.id);
    expect(calls).toBe(2);
    await cache.adminIds(api, GROUP.id);
    expect(calls).toBe(2);
  });
});

describe("group-admin-guard: adminOnly", () => {
  it("blocks a non-admin and tells them (deniedReply), while admins get through", async () => {
    const { t, banned } = await guardedBot();
    await t.send(ban(NOBODY));
    await t.send(ban(ADMIN));
    expect(banned).toEqual([ADMIN]);
    expect(t.calls.filter((c) => c.method === "sendMessage").map((c) => [c.payload.chat_id, c.payload.text])).toEqual([
      [GROUP.id, "Admins only."],
      [GROUP.id, "banned"],
    ]);
  });

  it("stays silent for a non-admin when deniedReply is empty", async () => {
    const { t, banned } = await guardedBot({ deniedReply: "" });
    await t.send(ban(NOBODY));
    expect(banned).toEqual([]);
    expect(t.callsOf("sendMessage")).toEqual([]);
  });

  it("answers a non-admin's button press with an alert and runs nothing", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const t = createTestBot();
    withAdmins(t);
    let ran = 0;
    t.bot.callbackQuery("kick", mod.adminOnly(async () => void ran++, { cache }));
    await t.send(callbackQuery("kick", { from: NOBODY, chat: GROUP }));
    await t.send(callbackQuery("kick", { from: OWNER, chat: GROUP }));
    expect(ran).toBe(1);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload)).toEqual([
      expect.objectContaining({ text: "Admins only.", show_alert: true }),
    ]);
  });

  it("anonymousAdminsAreAdmins: true lets an anonymous admin pass without an API call", async () => {
    const { t, banned } = await guardedBot({ anonymousAdminsAreAdmins: true });
    await t.send(anonymousBan());
    expect(banned).toEqual([ANONYMOUS_BOT]);
    expect(t.callsOf("getChatAdministrators")).toEqual([]);
  });

  it("anonymousAdminsAreAdmins: false blocks an anonymous admin", async () => {
    const { t, banned } = await guardedBot({ anonymousAdminsAreAdmins: false });
    await t.send(anonymousBan());
    expect(banned).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["Admins only."]);
  });

  it("a message sent on behalf of another channel, or a button under an anonymous admin's message, is no anonymous admin", async () => {
    const mod = await load({ anonymousAdminsAreAdmins: true });
    const cache = new mod.AdminCache();
    const t = createTestBot();
    withAdmins(t);
    const isAdmin = mod.isChatAdmin({ cache });
    const answers: boolean[] = [];
    t.bot.use(async (ctx) => void answers.push(await isAdmin(ctx)));

    const otherChannel: Chat = { id: -100555, type: "channel", title: "Other" };
    await t.send(commandMessage("ban", "", { from: 136817688, chat: GROUP, extra: { sender_chat: otherChannel } }));
    const press = callbackQuery("kick", { from: NOBODY, chat: GROUP });
    (press.callback_query!.message as unknown as Record<string, unknown>).sender_chat = GROUP;
    await t.send(press);
    expect(answers).toEqual([false, false]);
  });

  it("privateChatsAreAdmin: true lets a private chat pass without an API call", async () => {
    const { t, banned } = await guardedBot({ privateChatsAreAdmin: true });
    await t.send(commandMessage("ban", "", { from: NOBODY }));
    expect(banned).toEqual([NOBODY]);
    expect(t.callsOf("getChatAdministrators")).toEqual([]);
  });

  it("privateChatsAreAdmin: false blocks a private chat", async () => {
    const { t, banned } = await guardedBot({ privateChatsAreAdmin: false });
    await t.send(commandMessage("ban", "", { from: OWNER }));
    expect(banned).toEqual([]);
    expect(t.callsOf("getChatAdministrators")).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => [c.payload.chat_id, c.payload.text])).toEqual([[OWNER, "Admins only."]]);
  });

  it("isChatAdmin works as a bot.filter predicate", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const t = createTestBot();
    withAdmins(t);
    const ran: number[] = [];
    t.bot.filter(mod.isChatAdmin({ cache })).command("ban", (ctx) => void ran.push(ctx.from!.id));
    await t.send(ban(NOBODY));
    await t.send(ban(ADMIN));
    expect(ran).toEqual([ADMIN]);
  });
});
