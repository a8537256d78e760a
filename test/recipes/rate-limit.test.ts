// Behaviour of the rendered rate-limit recipe in a real grammY Bot.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Context, MiddlewareFn, StorageAdapter } from "grammy";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { callbackQuery, channelPost, createTestBot, groupChat, textMessage, type TestBot } from "../helpers/harness.js";
import { fixturesDir, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";
import { redisAvailable, startRedis, type RedisServer } from "../helpers/redis.js";

interface PenaltyState {
  windowStart: number;
  count: number;
  restrictedUntil?: number;
  warned?: boolean;
}

interface PenaltyOptions {
  now?: () => number;
  storage?: StorageAdapter<PenaltyState>;
}

interface RateLimitModule<O> {
  rateLimit: <C extends Context>(options?: O) => MiddlewareFn<C>;
  LIMIT: number;
  WINDOW_MS: number;
  PENALTY_MS?: number;
  redisFromEnv?: () => Redis;
  redisStorage?: <T>(redis: Redis, ttlMs: number) => StorageAdapter<T>;
}

const messages = { exceededMessage: "Stop flooding!", stillRestrictedMessage: "Still restricted.", releasedMessage: "Released." };
const load = async <O>(answers: Record<string, unknown>) =>
  (await renderRecipe("rate-limit", { limit: 3, windowSeconds: 10, penaltySeconds: 60, ...messages, ...answers })).load<RateLimitModule<O>>();

/** A bot whose only handler echoes, so every update that got through shows as one "ok:<text>". */
function echoBot(middleware: MiddlewareFn<Context>): TestBot<Context> {
  const t = createTestBot();
  t.bot.use(middleware);
  t.bot.on("message:text", (ctx) => ctx.reply(`ok:${ctx.msg.text}`));
  t.bot.on("callback_query:data", (ctx) => ctx.answerCallbackQuery({ text: `ok:${ctx.callbackQuery.data}` }));
  return t;
}

const texts = (t: TestBot<Context>) => t.callsOf("sendMessage").map((c) => [c.payload.chat_id, c.payload.text]);

describe("rate-limit penalty-box (memory, fake clock)", () => {
  it("lets N updates through, blocks the N+1st with exactly one 'exceeded' reply, warns once more, then releases after the penalty", async () => {
    const { rateLimit, LIMIT, WINDOW_MS, PENALTY_MS } = await load<PenaltyOptions>({ strategy: "penalty-box" });
    expect([LIMIT, WINDOW_MS, PENALTY_MS]).toEqual([3, 10_000, 60_000]);
    let now = 1_000_000;
    const t = echoBot(rateLimit({ now: () => now }));

    for (const n of [1, 2, 3]) await t.send(textMessage(`m${n}`, { from: 7 }));
    await t.send(textMessage("m4", { from: 7 })); // N+1: blocked
    now += 1000;
    await t.send(textMessage("m5", { from: 7 })); // blocked: "still restricted", once
    await t.send(textMessage("m6", { from: 7 })); // blocked silently
    now += 30_000;
    await t.send(textMessage("m7", { from: 7 })); // still inside the penalty: silent
    expect(texts(t)).toEqual([
      [7, "ok:m1"],
      [7, "ok:m2"],
      [7, "ok:m3"],
      [7, "Stop flooding!"],
      [7, "Still restricted."],
    ]);

    now = 1_000_000 + PENALTY_MS!; // the penalty ends exactly now
    await t.send(textMessage("m8", { from: 7 }));
    expect(texts(t).slice(5)).toEqual([
      [7, "Released."],
      [7, "ok:m8"],
    ]);
    // A new window starts with the releasing update: two more pass, the third of the new burst after that is blocked.
    await t.send(textMessage("m9", { from: 7 }));
    await t.send(textMessage("m10", { from: 7 }));
    await t.send(textMessage("m11", { from: 7 }));
    expect(texts(t).slice(7)).toEqual([
      [7, "ok:m9"],
      [7, "ok:m10"],
      [7, "Stop flooding!"],
    ]);
  });

  it("counts per window: N updates per window never trigger the penalty", async () => {
    const { rateLimit } = await load<PenaltyOptions>({ strategy: "penalty-box" });
    let now = 0;
    const t = echoBot(rateLimit({ now: () => now }));
    for (let window = 0; window < 3; window++) {
      for (let i = 0; i < 3; i++) await t.send(textMessage(`w${window}-${i}`, { from: 7 }));
      now += 10_000;
    }
    expect(texts(t)).toHaveLength(9);
    expect(texts(t).every(([, text]) => String(text).startsWith("ok:"))).toBe(true);
  });

  it("keys per user across chats: one user's updates in two chats share a counter, another user is not affected", async () => {
    const { rateLimit } = await load<PenaltyOptions>({ strategy: "penalty-box", key: "user" });
    const t = echoBot(rateLimit({ now: () => 0 }));
    const group = groupChat(-100777);
    await t.send(textMessage("a", { from: 7 }));
    await t.send(textMessage("b", { from: 7, chat: group }));
    await t.send(textMessage("c", { from: 7 }));
    await t.send(textMessage("d", { from: 7, chat: group })); // 4th update of user 7: blocked, in the group
    await t.send(textMessage("e", { from: 8, chat: group })); // user 8 has their own counter
    expect(texts(t)).toEqual([
      [7, "ok:a"],
      [-100777, "ok:b"],
      [7, "ok:c"],
      [-100777, "Stop flooding!"],
      [-100777, "ok:e"],
    ]);
  });

  it("with key chat, everyone in a chat shares one counter and other chats are separate", async () => {
    const { rateLimit } = await load<PenaltyOptions>({ strategy: "penalty-box", key: "chat" });
    const t = echoBot(rateLimit({ now: () => 0 }));
    const group = groupChat(-100777);
    for (const from of [1, 2, 3, 4]) await t.send(textMessage(`u${from}`, { from, chat: group }));
    await t.send(textMessage("private", { from: 4 }));
    expect(texts(t)).toEqual([
      [-100777, "ok:u1"],
      [-100777, "ok:u2"],
      [-100777, "ok:u3"],
      [-100777, "Stop flooding!"],
      [4, "ok:private"],
    ]);
  });

  it("with key chat, the key comes from ctx.chat alone (ctx.chatId is missing from grammY 1.20)", async () => {
    const mod = (await load<PenaltyOptions>({ strategy: "penalty-box", key: "chat" })) as RateLimitModule<PenaltyOptions> & { rateLimitKey: (ctx: Context) => string | undefined };
    expect(mod.rateLimitKey({ chat: groupChat(-100777) } as Context)).toBe("-100777");
    expect(mod.rateLimitKey({} as Context)).toBeUndefined();
  });

  it("stays silent with empty messages, still answers blocked button presses, and never limits updates without a sender", async () => {
    const { rateLimit } = await load<PenaltyOptions>({ strategy: "penalty-box", limit: 1, exceededMessage: "", stillRestrictedMessage: "", releasedMessage: "" });
    const t = echoBot(rateLimit({ now: () => 0 }));
    let channelPosts = 0;
    t.bot.on("channel_post", () => {
      channelPosts++;
    });
    await t.send(textMessage("a", { from: 7 }));
    await t.send(textMessage("b", { from: 7 }));
    await t.send(callbackQuery("press", { from: 7 }));
    for (let i = 0; i < 3; i++) await t.send(channelPost(`post ${i}`));
    expect(texts(t)).toEqual([[7, "ok:a"]]);
    expect(t.callsOf("answerCallbackQuery").map((c) => c.payload.text)).toEqual([undefined]);
    expect(channelPosts).toBe(3);
  });
});

describe("rate-limit window (@grammyjs/ratelimiter, memory)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets N updates per window through, replies once to the excess, and serves again in the next window", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] }); // the plugin's memory store clears counters on an interval
    const { rateLimit } = await load<Record<string, never>>({ strategy: "window" });
    const t = echoBot(rateLimit());
    for (const n of [1, 2, 3, 4, 5]) await t.send(textMessage(`m${n}`, { from: 7 }));
    await t.send(textMessage("other", { from: 8 }));
    expect(texts(t)).toEqual([
      [7, "ok:m1"],
      [7, "ok:m2"],
      [7, "ok:m3"],
      [7, "Stop flooding!"], // m4; m5 is dropped silently
      [8, "ok:other"],
    ]);

    vi.advanceTimersByTime(10_000);
    await t.send(textMessage("m6", { from: 7 }));
    expect(texts(t).at(-1)).toEqual([7, "ok:m6"]);
  });

  it("keys per user across chats", async () => {
    const { rateLimit } = await load<Record<string, never>>({ strategy: "window", limit: 2 });
    const t = echoBot(rateLimit());
    await t.send(textMessage("a", { from: 7 }));
    await t.send(textMessage("b", { from: 7, chat: groupChat(-100777) }));
    await t.send(textMessage("c", { from: 7, chat: groupChat(-100888) }));
    expect(texts(t)).toEqual([
      [7, "ok:a"],
      [-100777, "ok:b"],
      [-100888, "Stop flooding!"],
    ]);
  });
});

describe.skipIf(!redisAvailable)("rate-limit with Redis: two bot instances share the counters", () => {
  let redis: RedisServer | undefined;
  const clients: Redis[] = [];
  const savedUrl = process.env.REDIS_URL;

  beforeAll(async () => {
    redis = await startRedis();
    process.env.REDIS_URL = redis!.url;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    if (savedUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedUrl;
    await redis?.stop();
  });

  /** Two bots, each with its own Redis connection (as two processes would have). */
  async function twoBots(strategy: string): Promise<[TestBot<Context>, TestBot<Context>]> {
    const { rateLimit, redisStorage } = await load<{ redis?: Redis; storage?: StorageAdapter<PenaltyState>; now?: () => number }>({ strategy, store: "redis", limit: 2 });
    const { Redis: RedisClient } = await import("ioredis");
    const make = () => {
      const client = new RedisClient(redis!.url);
      clients.push(client);
      return strategy === "window" ? rateLimit({ redis: client }) : rateLimit({ storage: redisStorage!<PenaltyState>(client, 70_000), now: () => 0 });
    };
    return [echoBot(make()), echoBot(make())];
  }

  it.each(["window", "penalty-box"])("%s: updates on instance A count on instance B", async (strategy) => {
    const [a, b] = await twoBots(strategy);
    const from = strategy === "window" ? 501 : 502;
    await a.send(textMessage("1", { from }));
    await b.send(textMessage("2", { from }));
    await b.send(textMessage("3", { from })); // third update of this user, on B: blocked
    await a.send(textMessage("4", { from: from + 100 })); // another user
    expect(texts(a)).toEqual([
      [from, "ok:1"],
      [from + 100, "ok:4"],
    ]);
    expect(texts(b)).toEqual([
      [from, "ok:2"],
      [from, "Stop flooding!"],
    ]);
  });

  it("penalty-box keeps its state with its own Redis adapter: JSON under rate-limit:<key>, expiring a window plus a penalty after the last write", async () => {
    const mod = await load<Record<string, never>>({ strategy: "penalty-box", store: "redis" });
    const client = mod.redisFromEnv!();
    const t = echoBot(mod.rateLimit());
    await t.send(textMessage("x", { from: 902 }));
    const stored = JSON.parse((await client.get("rate-limit:902"))!) as PenaltyState;
    expect(stored.count).toBe(1);
    const ttl = await client.pttl("rate-limit:902");
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(70_000); // windowSeconds 10 + penaltySeconds 60
    const storage = mod.redisStorage!<{ n: number }>(client, 1000);
    await storage.write("k", { n: 1 });
    expect(await storage.read("k")).toEqual({ n: 1 });
    await storage.delete("k");
    expect(await storage.read("k")).toBeUndefined();
  });

  it("by default connects to REDIS_URL (one client per process)", async () => {
    const mod = await load<Record<string, never>>({ strategy: "penalty-box", store: "redis" });
    const client = mod.redisFromEnv!();
    clients.push(client);
    expect(mod.redisFromEnv!()).toBe(client);
    expect(await client.ping()).toBe("PONG");
    const t = echoBot(mod.rateLimit());
    await t.send(textMessage("x", { from: 901 }));
    expect(texts(t)).toEqual([[901, "ok:x"]]);
  });
});
if (!redisAvailable) it.skip("rate-limit Redis tests: redis-server is not installed", () => {});

describe("rate-limit: every variant type-checks", () => {
  it("under CommonJS and under NodeNext with noUncheckedIndexedAccess", async () => {
    const root = tmpDir("rate-limit-variants");
    let n = 0;
    for (const strategy of ["window", "penalty-box"]) {
      for (const store of ["memory", "redis"]) {
        for (const key of ["user", "chat"]) {
          const { files } = await renderRecipe("rate-limit", { strategy, store, key });
          for (const kind of ["cjs", "esm"]) {
            const dir = join(root, kind, `v${n}`);
            mkdirSync(dir, { recursive: true });
            copyFileSync(Object.values(files)[0]!, join(dir, "rate-limit.ts"));
          }
          n++;
        }
      }
    }
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
  });
});
