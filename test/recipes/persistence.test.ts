// Behaviour of the rendered persistence recipe in real grammY Bots: a
// conversation started on one Bot instance continues on a new instance over
// the same store (a restart), for JSON files and for a real redis-server.
//
// @grammyjs/conversations builds its own Api inside a conversation, so
// bot.api transformers never see those calls (RECIPES.md §4 gotcha 4): these
// bots get a fake at the transport level instead (the `fetch` client option).
import { Bot, type Context, type MiddlewareFn, type StorageAdapter } from "grammy";
import type { Composer } from "grammy";
import { Redis } from "ioredis";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOT_INFO, commandMessage, defaultResult, groupChat, textMessage, type ApiCall } from "../helpers/harness.js";
import { applyRecipes, copyFixture, fixturesDir, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";
import { redisAvailable, useRedis } from "../helpers/redis.js";

interface SessionData {
  name?: string;
}
type Ctx = Context & { session: SessionData } & { conversation: { enter: (id: string) => Promise<void> } };
interface Storage {
  sessions: StorageAdapter<SessionData>;
  conversations: StorageAdapter<unknown>;
}
interface PersistenceModule {
  createStorage: (where?: unknown) => Storage;
  persistentSession: (storage?: Storage) => MiddlewareFn<Ctx>;
  persistentConversations: (storage?: Storage) => Composer<Ctx>;
  nameConversationCommand: () => Composer<Ctx>;
  getSessionKey: (ctx: Context) => string | undefined;
  getConversationKey: (ctx: Context) => string | undefined;
  persistenceStorage: () => Storage;
  closePersistence?: () => Promise<void>;
}

/** A real Bot whose transport is faked: every API call, also from inside conversations, is recorded. */
function fetchBot(calls: ApiCall[]): Bot<Ctx> {
  const fetch = async (url: string, init: { body?: unknown }) => {
    const method = url.slice(url.lastIndexOf("/") + 1);
    if (typeof init.body !== "string") throw new Error(`unexpected multipart call to ${method}`);
    const payload = JSON.parse(init.body) as Record<string, unknown>;
    calls.push({ method, payload });
    return { json: async () => ({ ok: true, result: defaultResult(method, payload) }) };
  };
  return new Bot<Ctx>("1:TEST", { botInfo: BOT_INFO, client: { fetch: fetch as never } });
}

/** One bot process: a new Bot instance with the recipe installed as the recipe wires it, on `storage`. */
function startBot(mod: PersistenceModule, storage: Storage, calls: ApiCall[] = []) {
  const bot = fetchBot(calls);
  bot.use(mod.persistentSession(storage));
  bot.use(mod.persistentConversations(storage));
  bot.use(mod.nameConversationCommand());
  bot.command("whoami", (ctx) => ctx.reply(`name: ${ctx.session.name ?? "unknown"}`));
  bot.on("message", (ctx) => ctx.reply("fallback"));
  return { bot, calls, texts: () => calls.filter((c) => c.method === "sendMessage").map((c) => [c.payload.chat_id, c.payload.text]) };
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("persistence", { command: "name", ...answers })).load<PersistenceModule>();

describe("persistence with JSON files", () => {
  it("continues a conversation on a new Bot instance over the same folder, and keeps the session", async () => {
    const mod = await load();
    const dir = tmpDir("persistence-file");

    const first = startBot(mod, mod.createStorage(dir));
    await first.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    expect(first.texts()).toEqual([[7, "What should I call you? (/cancel to stop)"]]);

    // A restart: new Bot, new adapters, same folder. The answer reaches the waiting conversation.
    const second = startBot(mod, mod.createStorage(dir));
    await second.bot.handleUpdate(textMessage("Alice", { from: 7 }));
    expect(second.texts()).toEqual([[7, "Nice to meet you, Alice! I will remember it, even after a restart."]]);

    // The conversation is over: plain text goes to the bot's other handlers again; the session kept the name.
    const third = startBot(mod, mod.createStorage(dir));
    await third.bot.handleUpdate(textMessage("hello", { from: 7 }));
    await third.bot.handleUpdate(commandMessage("whoami", "", { from: 7 }));
    await third.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    expect(third.texts()).toEqual([
      [7, "fallback"],
      [7, "name: Alice"],
      [7, "I call you Alice. What should I call you now? (/cancel to stop)"],
    ]);
    // Sessions and conversations are files in their own folders.
    const sessionFile = join(dir, "sessions", "7", "7.json");
    expect(JSON.parse(readFileSync(sessionFile, "utf8"))).toEqual({ name: "Alice" });
    expect(existsSync(join(dir, "conversations"))).toBe(true);
  });

  it("writes whole files only (temporary file, then rename), reads the layout of @grammyjs/storage-file, and refuses keys that are not ids", async () => {
    const { fileStorage } = (await load()) as PersistenceModule & { fileStorage: <T>(dir: string) => StorageAdapter<T> };
    const dir = tmpDir("persistence-adapter");
    const storage = fileStorage<{ n: number }>(dir);
    await storage.write("-1001234_7", { n: 1 });
    expect(readdirSync(join(dir, "_7"))).toEqual(["-1001234_7.json"]); // no temporary file left behind
    mkdirSync(join(dir, "42"), { recursive: true });
    writeFileSync(join(dir, "42", "42.json"), JSON.stringify({ n: 2 }, null, "\t")); // as storage-file writes it
    expect(await storage.read("42")).toEqual({ n: 2 });
    expect(await storage.read("43")).toBeUndefined();
    await storage.delete("42");
    await storage.delete("43"); // deleting what is not there is fine
    expect(await storage.read("42")).toBeUndefined();
    await expect(storage.read("../../etc/passwd")).rejects.toThrow(/not a key/);
  });

  it("does not continue the conversation without the stored state (the test would notice a memory store)", async () => {
    const mod = await load();
    const first = startBot(mod, mod.createStorage(tmpDir("persistence-a")));
    await first.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    const other = startBot(mod, mod.createStorage(tmpDir("persistence-b")));
    await other.bot.handleUpdate(textMessage("Alice", { from: 7 }));
    expect(other.texts()).toEqual([[7, "fallback"]]);
  });

  it("/cancel leaves the conversation without changing the session; another command leaves it and runs", async () => {
    const mod = await load();
    const dir = tmpDir("persistence-cancel");
    const bot = startBot(mod, mod.createStorage(dir));
    await bot.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("cancel", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("whoami", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("whoami", "", { from: 7 }));
    expect(bot.texts().map(([, text]) => text)).toEqual([
      "What should I call you? (/cancel to stop)",
      "Cancelled; nothing changed.",
      "What should I call you? (/cancel to stop)",
      "name: unknown", // /whoami left the conversation and reached its handler
      "name: unknown",
    ]);
  });

  it("uses the command from the answers", async () => {
    const mod = await load({ command: "profile" });
    const bot = startBot(mod, mod.createStorage(tmpDir("persistence-cmd")));
    await bot.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("profile", "", { from: 7 }));
    expect(bot.texts().map(([, text]) => text)).toEqual(["fallback", "What should I call you? (/cancel to stop)"]);
  });
});

describe("the session key follows the answer", () => {
  // User 7 sets a name in the private chat, then asks in a group; user 8 asks in the same group.
  async function scenario(sessionKey: string) {
    const mod = await load({ sessionKey });
    const dir = tmpDir(`persistence-key-${sessionKey}`);
    const group = groupChat(-100500);
    const bot = startBot(mod, mod.createStorage(dir));
    await bot.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    await bot.bot.handleUpdate(textMessage("Alice", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("name", "", { from: 7, chat: group }));
    await bot.bot.handleUpdate(textMessage("Group Alice", { from: 7, chat: group }));
    await bot.bot.handleUpdate(commandMessage("whoami", "", { from: 7 }));
    await bot.bot.handleUpdate(commandMessage("whoami", "", { from: 8, chat: group }));
    const whoami = bot.texts().filter(([, text]) => String(text).startsWith("name:"));
    // Only `from` and `chat`: the keys must not need ctx.chatId, which grammY 1.20 does not have.
    const keys = [textMessage("x", { from: 7, chat: group })].map((u) => mod.getSessionKey({ from: u.message!.from, chat: u.message!.chat } as Context));
    return { whoami, keys, conversationKey: mod.getConversationKey({ from: { id: 7 }, chat: group } as Context) };
  }

  it("per user: one session across chats", async () => {
    const { whoami, keys } = await scenario("user");
    expect(whoami).toEqual([
      [7, "name: Group Alice"], // the group conversation renamed the same user's session
      [-100500, "name: unknown"], // user 8 has a session of their own
    ]);
    expect(keys).toEqual(["7"]);
  });

  it("per chat: the group shares one session, the private chat has its own", async () => {
    const { whoami, keys } = await scenario("chat");
    expect(whoami).toEqual([
      [7, "name: Alice"],
      [-100500, "name: Group Alice"], // user 8 sees the group's session
    ]);
    expect(keys).toEqual(["-100500"]);
  });

  it("per user in each chat: nothing is shared", async () => {
    const { whoami, keys, conversationKey } = await scenario("chat-user");
    expect(whoami).toEqual([
      [7, "name: Alice"],
      [-100500, "name: unknown"],
    ]);
    expect(keys).toEqual(["-100500_7"]);
    expect(conversationKey).toBe("-100500_7");
  });
});

describe.skipIf(!redisAvailable)("persistence with Redis", () => {
  const { connect, url } = useRedis();

  it("two running instances share one session and one conversation", async () => {
    const mod = await load({ store: "redis" });
    const a = startBot(mod, mod.createStorage(connect()));
    const b = startBot(mod, mod.createStorage(connect()));

    const redis = connect();
    await a.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    // While the conversation waits, its state is a key of its own (chat 7, user 7).
    expect(await redis.keys("conversation:*")).toEqual(["conversation:7_7"]);
    await b.bot.handleUpdate(textMessage("Bob", { from: 7 })); // the other instance continues the conversation
    await a.bot.handleUpdate(commandMessage("whoami", "", { from: 7 })); // and the first sees the session it wrote
    expect(a.texts()).toEqual([
      [7, "What should I call you? (/cancel to stop)"],
      [7, "name: Bob"],
    ]);
    expect(b.texts()).toEqual([[7, "Nice to meet you, Bob! I will remember it, even after a restart."]]);

    expect(JSON.parse((await redis.get("session:7"))!)).toEqual({ name: "Bob" });
    expect(await redis.keys("conversation:*")).toEqual([]); // finished conversations leave nothing behind
  });

  it("sessions and conversation state expire ttlDays after their last write; 0 keeps them", async () => {
    const redis = connect();
    const withTtl = await load({ store: "redis", ttlDays: 2 });
    const a = startBot(withTtl, withTtl.createStorage(connect()));
    await a.bot.handleUpdate(commandMessage("name", "", { from: 8 }));
    await a.bot.handleUpdate(textMessage("Zed", { from: 8 })); // the session gets a name
    await a.bot.handleUpdate(commandMessage("name", "", { from: 10 })); // a conversation waits
    for (const key of ["session:8", "conversation:10_10"]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(2 * 86400 - 60);
      expect(ttl).toBeLessThanOrEqual(2 * 86400);
    }
    const forever = await load({ store: "redis" });
    const b = startBot(forever, forever.createStorage(connect()));
    await b.bot.handleUpdate(commandMessage("name", "", { from: 9 }));
    expect(await redis.ttl("conversation:9_9")).toBe(-1);
  });

  it("closePersistence() closes the default storage's connection (so the process can exit), and may run twice", async () => {
    const mod = await load({ store: "redis", redisUrlEnv: "TEST_PERSISTENCE_CLOSE" });
    process.env.TEST_PERSISTENCE_CLOSE = url();
    try {
      const storage = mod.persistenceStorage();
      await storage.sessions.write("session:close", { name: "x" });
      expect(await storage.sessions.read("session:close")).toEqual({ name: "x" });
      await mod.closePersistence!();
      await mod.closePersistence!();
      await expect(storage.sessions.read("session:close")).rejects.toThrow(/closed/i);
      // A later use connects again.
      expect(await mod.persistenceStorage().sessions.read("session:close")).toEqual({ name: "x" });
      await mod.closePersistence!();
    } finally {
      delete process.env.TEST_PERSISTENCE_CLOSE;
    }
  });

  it("reads the URL from the environment variable and says which one is missing", async () => {
    const mod = await load({ store: "redis", redisUrlEnv: "TEST_PERSISTENCE_REDIS" });
    delete process.env.TEST_PERSISTENCE_REDIS;
    expect(() => mod.createStorage()).toThrow(/TEST_PERSISTENCE_REDIS is not set/);
  });
});

describe("conversation versions and shutdown wiring", () => {
  it("drops a waiting conversation's state when CONVERSATION_VERSION changes", async () => {
    const rendered = await renderRecipe("persistence", { command: "name" });
    const source = Object.values(rendered.files)[0]!;
    const text = readFileSync(source, "utf8");
    expect(text).toContain("export const CONVERSATION_VERSION = 0;");
    const bumped = source.replace(/\.ts$/, "-v1.ts");
    writeFileSync(bumped, text.replace("export const CONVERSATION_VERSION = 0;", "export const CONVERSATION_VERSION = 1;"));
    const v0 = await rendered.load<PersistenceModule>();
    const v1 = (await import(pathToFileURL(bumped).href)) as PersistenceModule;
    const dir = tmpDir("persistence-version");

    const before = startBot(v0, v0.createStorage(dir));
    await before.bot.handleUpdate(commandMessage("name", "", { from: 7 }));
    expect(before.texts()).toEqual([[7, "What should I call you? (/cancel to stop)"]]);
    // The new code no longer replays the old state: the answer is not taken as a name.
    const after = startBot(v1, v1.createStorage(dir));
    await after.bot.handleUpdate(textMessage("Alice", { from: 7 }));
    await after.bot.handleUpdate(commandMessage("whoami", "", { from: 7 }));
    expect(after.texts()).toEqual([
      [7, "fallback"],
      [7, "name: unknown"],
    ]);
  });

  it("Redis: closePersistence() is wired to run once the bot has stopped; JSON files need nothing", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "persistence", answers: { store: "redis" } }]);
    expect(plan.manual).toEqual([]);
    const main = readFileSync(join(dir, "src/main.ts"), "utf8");
    expect(main).toContain("import { closePersistence } from './recipes/persistence.js'");
    expect(main).toMatch(/\nawait bot\.start\(\)\nawait closePersistence\(\)\n$/);
    const files = copyFixture("esm-nodenext-factory");
    await applyRecipes(files, [{ id: "persistence", answers: { store: "file" } }]);
    expect(readFileSync(join(files, "src/main.ts"), "utf8")).not.toContain("closePersistence");
  });
});

describe("variants", () => {
  it("every variant type-checks with strict, as ESM (NodeNext, noUncheckedIndexedAccess) and as CommonJS", async () => {
    const root = tmpDir("persistence-variants");
    for (const kind of ["esm", "cjs"] as const) {
      mkdirSync(join(root, kind), { recursive: true });
      if (kind === "esm") writeFileSync(join(root, kind, "package.json"), JSON.stringify({ type: "module" }));
    }
    for (const [i, answers] of [{ store: "redis", sessionKey: "chat-user", ttlDays: 30 }, { store: "file", sessionKey: "chat" }, { store: "redis", sessionKey: "user", command: "x" }].entries()) {
      const { files } = await renderRecipe("persistence", answers);
      for (const kind of ["esm", "cjs"]) copyFileSync(Object.values(files)[0]!, join(root, kind, `variant-${i}.ts`));
    }
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
  });
});
