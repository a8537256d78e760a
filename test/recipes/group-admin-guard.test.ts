// Behaviour of the rendered group-admin-guard recipe in a real grammY Bot.
import type { Api, Context, MiddlewareFn } from "grammy";
import type { Chat, ChatMember, Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { apiError, callbackQuery, commandMessage, createTestBot, groupChat, type TestBot } from "../helpers/harness.js";
import { chatMemberUpdate, deferred, fakeClock, member, settle } from "../helpers/guards.js";
import { loggedLines, pollBatch } from "../helpers/denials.js";
import { renderRecipe } from "../helpers/recipes.js";

interface AdminCache {
  adminIds: (api: Pick<Api, "getChatAdministrators">, chatId: number) => Promise<ReadonlySet<number>>;
  invalidate: (chatId: number) => void;
  readonly size: number;
}

interface AdminOnlyOptions<C extends Context> {
  cache?: AdminCache;
  onDenied?: (ctx: C) => unknown;
  cooldownMs?: number;
  now?: () => number;
}

interface GuardModule {
  AdminCache: new (options?: { ttlMs?: number; now?: () => number }) => AdminCache;
  adminOnly: <C extends Context>(handler: MiddlewareFn<C>, options?: AdminOnlyOptions<C>) => MiddlewareFn<C>;
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

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

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
    }, { cache, ...(now ? { now } : {}) }),
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

describe("group-admin-guard against hostile users (issue 11, items 3 and 12)", () => {
  it("privateChatsAreAdmin is false by default: a stranger's /ban in a private chat is denied", async () => {
    const mod = await renderRecipe("group-admin-guard").then((r) => r.load<GuardModule>());
    const t = createTestBot();
    withAdmins(t);
    const ran: number[] = [];
    t.bot.command("ban", mod.adminOnly(async (ctx) => void ran.push(ctx.from!.id), { cache: new mod.AdminCache() }));
    await t.send(commandMessage("ban", "", { from: NOBODY }));
    expect(ran).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.chat_id)).toEqual([NOBODY]);
  });

  it("a non-admin sending /ban 20 times is told and logged once per minute in each chat", async () => {
    const clock = fakeClock();
    const { t, banned } = await guardedBot({}, clock.now);
    for (let i = 0; i < 20; i++) await t.send(ban(NOBODY));
    await t.send(ban(NOBODY, OTHER_GROUP)); // another group: told there too
    expect(banned).toEqual([]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.chat_id)).toEqual([GROUP.id, OTHER_GROUP.id]);
    expect(loggedLines(consoleError)).toEqual([
      expect.stringContaining(`user ${NOBODY} in chat ${GROUP.id} is not an admin`),
      expect.stringContaining(`user ${NOBODY} in chat ${OTHER_GROUP.id} is not an admin`),
    ]);
    clock.advance(60_000);
    await t.send(ban(NOBODY));
    expect(t.callsOf("sendMessage")).toHaveLength(3);
  });

  it("20 /ban from a non-admin while Telegram answers 429: logged, the polling bot keeps running", async () => {
    const mod = await load();
    const t = createTestBot();
    withAdmins(t);
    t.respond((method) => (method === "sendMessage" ? apiError(429, "Too Many Requests: retry after 9", { retry_after: 9 }) : undefined));
    t.bot.command("ban", mod.adminOnly(async (ctx) => void (await ctx.reply("banned")), { cache: new mod.AdminCache(), cooldownMs: 0 }));
    const updates = Array.from({ length: 20 }, () => ban(NOBODY));
    const { running, startError } = await pollBatch(t, updates); // no bot.catch: grammY's default handler would stop polling
    expect(startError).toBeUndefined();
    expect(running).toBe(true);
    expect(loggedLines(consoleError).filter((l) => l.includes("could not tell") && l.includes("429"))).toHaveLength(20);
  }, 10_000);

  it("answers every denied button press with an alert; a failing answer is logged once, never thrown", async () => {
    const mod = await load();
    const cache = new mod.AdminCache();
    const t = createTestBot();
    withAdmins(t);
    t.bot.callbackQuery("kick", mod.adminOnly(async () => {}, { cache }));
    for (let i = 0; i < 3; i++) await t.send(callbackQuery("kick", { from: NOBODY, chat: GROUP }));
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload.show_alert)).toEqual([true, true, true]);
    expect(loggedLines(consoleError)).toHaveLength(1);

    t.respond((method) => (method === "answerCallbackQuery" ? apiError(400, "Bad Request: query is too old") : undefined));
    await expect(t.send(callbackQuery("kick", { from: NOBODY + 1, chat: GROUP }))).resolves.toBeUndefined();
    expect(loggedLines(consoleError).filter((l) => l.includes("query is too old"))).toHaveLength(1);
  });

  it("expired admin lists are dropped: the cache does not keep every chat it ever saw", async () => {
    const mod = await load();
    const clock = fakeClock();
    const cache = new mod.AdminCache({ ttlMs: 60_000, now: clock.now });
    const api = { getChatAdministrators: async () => [member(OWNER, "creator")] } as unknown as Pick<Api, "getChatAdministrators">;
    // The memory itself: the cache's private Map (as today's template names it), not only what it reports.
    const held = () => (cache as unknown as { cached: Map<number, unknown> }).cached.size;
    for (let chat = 1; chat <= 500; chat++) await cache.adminIds(api, -100_000 - chat);
    expect(held()).toBe(500);
    clock.advance(60_000);
    await cache.adminIds(api, -999);
    expect(held()).toBe(1);
    expect(cache.size).toBe(1);
  });
});
