// Behaviour of the rendered chat-members recipe in a real grammY Bot: block and
// unblock in private chats, the bot added to and removed from groups, members
// joining and leaving, the batched atomic JSON file, the Redis store, and the
// start call asking for the update types after `add`.
import type { Context, MiddlewareFn } from "grammy";
import type { Chat, ChatMember, Update } from "grammy/types";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTestBot, groupChat, privateChat, textMessage, user } from "../helpers/harness.js";
import { applyRecipes, copyFixture, renderRecipe, tmpDir } from "../helpers/recipes.js";
import { redisAvailable, useRedis } from "../helpers/redis.js";

interface ChatRecord {
  id: number;
  type: string;
  title: string;
  status: string;
  active: boolean;
  date: number;
}
interface Store {
  get(chatId: number): Promise<ChatRecord | undefined>;
  all(): Promise<ChatRecord[]>;
  members?(chatId: number): Promise<number[]>;
  close(): Promise<void>;
}
interface Module {
  createStore: (where?: unknown, options?: unknown) => Store;
  trackChatMembers: (store?: Store, log?: (m: string, e: unknown) => void) => MiddlewareFn<Context>;
  activeUserIds: (store?: Store) => Promise<number[]>;
  isBlocked: (userId: number, store?: Store) => Promise<boolean>;
  botChats: (store?: Store) => Promise<ChatRecord[]>;
  membersOf?: (chatId: number, store?: Store) => Promise<number[]>;
  chatMembersStore: () => Store;
  closeChatMembers: () => Promise<void>;
}

const BOT = user(42, { is_bot: true });
let ids = 1;
const member = (status: ChatMember["status"], who = BOT, extra: Record<string, unknown> = {}) => ({ status, user: who, ...extra }) as unknown as ChatMember;

/** A my_chat_member update: the bot's status in `chat` changed from `from` to `to`. */
function myChatMember(chat: Chat, from: ChatMember, to: ChatMember, date = 1000): Update {
  return { update_id: ids++, my_chat_member: { chat, from: user(7), date, old_chat_member: from, new_chat_member: to } } as Update;
}
function chatMember(chatId: number, userId: number, from: ChatMember["status"], to: ChatMember["status"]): Update {
  return { update_id: ids++, chat_member: { chat: groupChat(chatId), from: user(userId), date: 1000, old_chat_member: member(from, user(userId)), new_chat_member: member(to, user(userId)) } } as Update;
}

/** A timer the test fires by hand: how many are pending, and run them. */
function manualTimer() {
  const pending: Array<() => void> = [];
  return {
    pending,
    setTimer: (run: () => void) => {
      pending.push(run);
      return () => pending.splice(pending.indexOf(run) >>> 0, 1);
    },
    fire: () => pending.splice(0).forEach((run) => run()),
  };
}

async function fileSetup(answers: Record<string, unknown> = {}) {
  const mod = await (await renderRecipe("chat-members", answers)).load<Module>();
  const dir = tmpDir("chat-members-store");
  const timer = manualTimer();
  const errors: unknown[] = [];
  const store = mod.createStore(dir, { setTimer: timer.setTimer, log: (_m: string, e: unknown) => errors.push(e) });
  const t = createTestBot();
  t.bot.use(mod.trackChatMembers(store, (_m, e) => errors.push(e)));
  const handled: number[] = [];
  t.bot.use((ctx) => void handled.push(ctx.update.update_id));
  return { mod, dir, timer, store, t, errors, handled };
}

describe("chat-members (JSON file)", () => {
  it("a user who blocks the bot is blocked and not active; unblocking brings them back; a private message adds a new user", async () => {
    const { mod, store, t, errors, handled } = await fileSetup();
    await t.send(textMessage("hi", { chat: privateChat(5), from: 5 }));
    expect(await mod.activeUserIds(store)).toEqual([5]);
    const now = Math.floor(Date.now() / 1000);
    expect(await mod.isBlocked(5, store)).toBe(false);

    await t.send(myChatMember(privateChat(5), member("member"), member("kicked"), now + 20));
    expect(await mod.isBlocked(5, store)).toBe(true);
    expect(await mod.activeUserIds(store)).toEqual([]);
    expect((await store.get(5))?.status).toBe("kicked");

    // An update older than what is stored (delivered late) changes nothing.
    await t.send(myChatMember(privateChat(5), member("kicked"), member("member"), now + 15));
    expect(await mod.isBlocked(5, store)).toBe(true);

    await t.send(myChatMember(privateChat(5), member("kicked"), member("member"), now + 30));
    expect(await mod.isBlocked(5, store)).toBe(false);
    expect(await mod.activeUserIds(store)).toEqual([5]);
    // Never seen: not blocked. The middleware is shallow: every update reached the next handler.
    expect(await mod.isBlocked(6, store)).toBe(false);
    expect(handled).toHaveLength(4);
    expect(errors).toEqual([]);
    // Nothing is sent to Telegram.
    expect(t.calls).toEqual([]);
  });

  it("the bot added to a group, promoted, restricted out of it and removed: botChats follows; a migration moves the group", async () => {
    const { mod, store, t } = await fileSetup();
    const group = groupChat(-1001);
    await t.send(myChatMember(group, member("left"), member("member"), 1000));
    expect((await mod.botChats(store)).map((c) => [c.id, c.title, c.status])).toEqual([[-1001, "Group -1001", "member"]]);
    await t.send(myChatMember(group, member("member"), member("administrator"), 1001));
    expect((await mod.botChats(store)).map((c) => c.status)).toEqual(["administrator"]);
    // Restricted but still a member: in. Restricted and not a member (chatMemberIs "out"): not in.
    await t.send(myChatMember(group, member("administrator"), member("restricted", BOT, { is_member: true }), 1002));
    expect(await mod.botChats(store)).toHaveLength(1);
    await t.send(myChatMember(group, member("restricted", BOT, { is_member: true }), member("restricted", BOT, { is_member: false }), 1003));
    expect(await mod.botChats(store)).toEqual([]);
    await t.send(myChatMember(group, member("left"), member("member"), 1004));
    expect(await mod.botChats(store)).toHaveLength(1);
    await t.send(myChatMember(group, member("member"), member("kicked"), 1005));
    expect(await mod.botChats(store)).toEqual([]);
    // Groups are never counted as users who can be messaged.
    expect(await mod.activeUserIds(store)).toEqual([]);

    const old = { id: -55, type: "group" as const, title: "Old" };
    await t.send(myChatMember(old, member("left"), member("member"), 1006));
    await t.send({ update_id: ids++, message: { message_id: 1, date: 1007, chat: old, from: user(7), migrate_to_chat_id: -1009 } } as Update);
    expect((await mod.botChats(store)).map((c) => [c.id, c.type])).toEqual([[-1009, "supergroup"]]);
    expect(await store.get(-55)).toBeUndefined();
  });

  it("writes are batched and atomic: one write per timer, survives a reopen, no temporary file left", async () => {
    const { mod, dir, timer, store, t } = await fileSetup();
    const file = join(dir, "chats.json");
    await t.send(myChatMember(privateChat(1), member("member"), member("kicked")));
    await t.send(myChatMember(privateChat(2), member("member"), member("kicked")));
    await t.send(myChatMember(groupChat(-3), member("left"), member("administrator")));
    // Three changes, one pending write, nothing written yet.
    expect(timer.pending).toHaveLength(1);
    expect(existsSync(file)).toBe(false);
    timer.fire();
    await store.close(); // waits for the write in flight
    const data = JSON.parse(readFileSync(file, "utf8")) as { chats: ChatRecord[] };
    expect(data.chats.map((c) => [c.id, c.status])).toEqual([[-3, "administrator"], [1, "kicked"], [2, "kicked"]]);
    expect(readdirSync(dir)).toEqual(["chats.json"]);

    // A change not yet flushed is written by close() (the on-stop hook).
    await t.send(myChatMember(privateChat(1), member("kicked"), member("member"), 5000));
    expect(timer.pending).toHaveLength(1);
    await store.close();
    const reopened = mod.createStore(dir, { setTimer: manualTimer().setTimer });
    expect(await mod.isBlocked(1, reopened)).toBe(false);
    expect(await mod.isBlocked(2, reopened)).toBe(true);
    expect((await mod.botChats(reopened)).map((c) => c.id)).toEqual([-3]);
  });

  it("members: users joining and leaving a group (chat_member) are tracked", async () => {
    const { mod, store, t } = await fileSetup({ members: true });
    await t.send(chatMember(-10, 1, "left", "member"));
    await t.send(chatMember(-10, 2, "left", "member"));
    await t.send(chatMember(-10, 3, "left", "member"));
    await t.send(chatMember(-10, 2, "member", "left"));
    await t.send(chatMember(-10, 3, "member", "kicked"));
    expect(await mod.membersOf!(-10, store)).toEqual([1]);
    expect(await mod.membersOf!(-11, store)).toEqual([]);
  });

  it("closeChatMembers() is a no-op when the store was never used, and may run twice", async () => {
    const { mod } = await fileSetup();
    await mod.closeChatMembers();
    await mod.closeChatMembers();
  });
});

describe.skipIf(!redisAvailable)("chat-members (Redis)", () => {
  const { connect, url } = useRedis();

  it("block/unblock and group add/remove update the hash; members are sets", async () => {
    const mod = await (await renderRecipe("chat-members", { store: "redis", members: true })).load<Module>();
    const redis = connect();
    const store = mod.createStore(redis, `test-${ids++}:`);
    const t = createTestBot();
    t.bot.use(mod.trackChatMembers(store));
    await t.send(myChatMember(privateChat(5), member("member"), member("kicked"), 1000));
    await t.send(textMessage("hi", { chat: privateChat(6), from: 6 }));
    expect(await mod.isBlocked(5, store)).toBe(true);
    expect(await mod.activeUserIds(store)).toEqual([6]);
    await t.send(myChatMember(privateChat(5), member("kicked"), member("member"), 2000));
    expect(await mod.activeUserIds(store)).toEqual([5, 6]);
    await t.send(myChatMember(groupChat(-7), member("left"), member("member")));
    expect((await mod.botChats(store)).map((c) => c.id)).toEqual([-7]);
    await t.send(myChatMember(groupChat(-7), member("member"), member("left"), 2000));
    expect(await mod.botChats(store)).toEqual([]);
    await t.send(chatMember(-7, 1, "left", "member"));
    await t.send(chatMember(-7, 2, "left", "member"));
    await t.send(chatMember(-7, 1, "member", "left"));
    expect(await mod.membersOf!(-7, store)).toEqual([2]);
  });

  it("closeChatMembers() closes the default store's connection, and may run twice", async () => {
    const mod = await (await renderRecipe("chat-members", { store: "redis", redisUrlEnv: "TEST_CHAT_MEMBERS_CLOSE" })).load<Module>();
    process.env.TEST_CHAT_MEMBERS_CLOSE = url();
    try {
      const store = mod.chatMembersStore();
      expect(await store.all()).toBeInstanceOf(Array);
      await mod.closeChatMembers();
      await mod.closeChatMembers();
      await expect(store.all()).rejects.toThrow(/closed/i);
    } finally {
      delete process.env.TEST_CHAT_MEMBERS_CLOSE;
    }
  });
});

describe("chat-members added to a project", () => {
  it("members: the start call asks for chat_member on top of the default types", async () => {
    const dir = copyFixture("cjs-single");
    const plan = await applyRecipes(dir, [{ id: "chat-members", answers: { members: true } }]);
    // The only manual step: closing the store (this bot is started without await and has no signal handler).
    expect(plan.manual.map((m) => m.code)).toEqual([expect.stringContaining("await closeChatMembers();")]);
    const bot = readFileSync(join(dir, "bot.ts"), "utf8");
    expect(bot).toContain('\nbot.start({ allowed_updates: [...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"] });\n');
    expect(bot).toMatch(/import \{[^}]*\bAPI_CONSTANTS\b[^}]*\} from "grammy"/);
    expect(bot).toContain("bot.use(trackChatMembers())");
    // A second add changes nothing.
    const again = await applyRecipes(dir, [{ id: "chat-members", answers: { members: true } }], { write: false });
    expect(again.changes.filter((c) => c.path === "bot.ts")).toEqual([]);
  });

  it("without members: my_chat_member arrives by default, the start call is left alone; a list lacking it gets it", async () => {
    const dir = copyFixture("cjs-single");
    await applyRecipes(dir, [{ id: "chat-members" }]);
    const bot = readFileSync(join(dir, "bot.ts"), "utf8");
    expect(bot).toContain("\nbot.start();\n");
    expect(bot).not.toContain("allowed_updates");

    const listed = copyFixture("cjs-single");
    const file = join(listed, "bot.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("bot.start();", 'bot.start({ allowed_updates: ["message", "callback_query"] });'));
    const plan = await applyRecipes(listed, [{ id: "chat-members" }]);
    expect(plan.manual.filter((m) => m.code.includes("allowed_updates"))).toEqual([]);
    expect(readFileSync(file, "utf8")).toContain('\nbot.start({ allowed_updates: ["message", "callback_query", "my_chat_member"] });\n');

    // Where the bot is started with await, the store is closed once it has stopped.
    const esm = copyFixture("esm-nodenext-factory");
    expect((await applyRecipes(esm, [{ id: "chat-members" }])).manual).toEqual([]);
    expect(readFileSync(join(esm, "src/main.ts"), "utf8")).toMatch(/\nawait bot\.start\(\)\nawait closeChatMembers\(\)\n$/);
  });
});
