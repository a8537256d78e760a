// rate-limit against what real users and long-running bots do: albums,
// 20,000 one-time users, a Redis URL in a variable of the user's choice, and
// shutting the Redis connection so the process can exit.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Context, MiddlewareFn, StorageAdapter } from "grammy";
import type { Update } from "grammy/types";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestBot, groupChat, message, textMessage, type TestBot } from "../helpers/harness.js";
import { applyRecipes, copyFixture, renderRecipe } from "../helpers/recipes.js";
import { redisAvailable, startRedis, type RedisServer } from "../helpers/redis.js";

interface PenaltyState {
  windowStart: number;
  count: number;
}

interface Store<T> extends StorageAdapter<T> {
  readonly size: number;
}

interface RateLimitModule {
  rateLimit: <C extends Context>(options?: { now?: () => number; storage?: StorageAdapter<PenaltyState> }) => MiddlewareFn<C>;
  ExpiringMemoryStore?: new <T>(ttlMs: number, now?: () => number) => Store<T>;
  redisFromEnv?: () => Redis;
  closeRateLimit?: () => Promise<void>;
  REDIS_URL_ENV?: string;
}

const messages = { exceededMessage: "Stop flooding!", stillRestrictedMessage: "Still restricted.", releasedMessage: "Released." };
const load = async (answers: Record<string, unknown>) =>
  (await renderRecipe("rate-limit", { limit: 3, windowSeconds: 10, penaltySeconds: 60, ...messages, ...answers })).load<RateLimitModule>();

/** A bot that records every text and photo that got through the limit. */
function recordingBot(middleware: MiddlewareFn<Context>): { t: TestBot<Context>; handled: string[] } {
  const t = createTestBot();
  const handled: string[] = [];
  t.bot.use(middleware);
  t.bot.on("message:text", (ctx) => void handled.push(ctx.msg.text));
  t.bot.on("message:photo", (ctx) => void handled.push(ctx.msg.caption ?? "photo"));
  return { t, handled };
}

const photo = [{ file_id: "p", file_unique_id: "u", width: 1, height: 1 }];
let albums = 0;
/** The parts of one album: `n` photo messages sharing a media_group_id. */
function album(n: number, from: number, chat = undefined as ReturnType<typeof groupChat> | undefined): Update[] {
  const id = `album-${++albums}`;
  return Array.from({ length: n }, (_, i) => message({ photo, caption: `${id}/${i + 1}`, media_group_id: id }, { from, ...(chat ? { chat } : {}) }));
}

const notices = (t: TestBot<Context>) => t.callsOf("sendMessage").map((c) => c.payload.text);

describe("rate-limit: an album is one action", () => {
  it.each(["penalty-box", "window"])("%s: 6 photos of one album count once and all 6 are handled; the limit still holds for what follows", async (strategy) => {
    const { rateLimit } = await load({ strategy });
    const { t, handled } = recordingBot(rateLimit({ now: () => 0 }));
    const parts = album(6, 7);
    for (const part of parts) await t.send(part);
    await t.send(textMessage("two", { from: 7 }));
    await t.send(textMessage("three", { from: 7 }));
    await t.send(textMessage("four", { from: 7 })); // the 4th action: over the limit of 3
    expect(handled).toEqual([...parts.map((p) => p.message!.caption), "two", "three"]);
    expect(notices(t)).toEqual(["Stop flooding!"]);
  });

  it("penalty-box: parts handled concurrently (webhook, runner) follow the first part's decision, and a second album counts once more", async () => {
    const { rateLimit } = await load({ strategy: "penalty-box" });
    const { t, handled } = recordingBot(rateLimit({ now: () => 0 }));
    await Promise.all(album(5, 7).map((part) => t.send(part)));
    await Promise.all(album(5, 7).map((part) => t.send(part)));
    await t.send(textMessage("three", { from: 7 }));
    await t.send(textMessage("four", { from: 7 }));
    expect(handled).toHaveLength(11);
    expect(handled.at(-1)).toBe("three");
    expect(notices(t)).toEqual(["Stop flooding!"]);
  });

  it("penalty-box: an album that goes over the limit is dropped whole, with one notice", async () => {
    const { rateLimit } = await load({ strategy: "penalty-box", limit: 1 });
    const { t, handled } = recordingBot(rateLimit({ now: () => 0 }));
    await t.send(textMessage("one", { from: 7, chat: groupChat(-100500) }));
    for (const part of album(4, 7, groupChat(-100500))) await t.send(part);
    expect(handled).toEqual(["one"]);
    expect(notices(t)).toEqual(["Stop flooding!"]);
  });
});

describe("rate-limit: the penalty box's memory store is bounded", () => {
  it("20,000 one-time users are swept once their entries expired", { timeout: 60_000 }, async () => {
    const { rateLimit, ExpiringMemoryStore } = await load({ strategy: "penalty-box" });
    let now = 1_000_000;
    const store = new ExpiringMemoryStore!<PenaltyState>(70_000, () => now);
    const { t, handled } = recordingBot(rateLimit({ now: () => now, storage: store }));
    for (let user = 1; user <= 20_000; user++) await t.send(textMessage("hi", { from: user }));
    expect(handled).toHaveLength(20_000);
    expect(store.size).toBe(20_000);

    now += 70_000; // a window plus a penalty later: every entry has expired
    await t.send(textMessage("hi", { from: 99_999 }));
    expect(store.size).toBe(1);
  });

  it("the default store expires on the injected clock: a released user's entry is gone after its TTL", async () => {
    const { ExpiringMemoryStore } = await load({ strategy: "penalty-box" });
    let now = 0;
    const store = new ExpiringMemoryStore!<number>(1000, () => now);
    store.write("a", 1);
    now = 999;
    expect(store.read("a")).toBe(1);
    now = 1000;
    expect(store.read("a")).toBeUndefined();
    expect(store.size).toBe(0);
  });
});

describe.skipIf(!redisAvailable)("rate-limit with Redis: the URL's variable, and closing", () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    delete process.env.RATE_LIMIT_REDIS;
    await redis?.stop();
  });

  it.each(["penalty-box", "window"])("%s: reads the URL from the variable named in the answer, and closeRateLimit() closes the client", async (strategy) => {
    const mod = await load({ strategy, store: "redis", redisUrlEnv: "RATE_LIMIT_REDIS", limit: 4 });
    expect(mod.REDIS_URL_ENV).toBe("RATE_LIMIT_REDIS");
    delete process.env.RATE_LIMIT_REDIS;
    expect(() => mod.redisFromEnv!()).toThrow(/set RATE_LIMIT_REDIS to redis:\/\//);

    process.env.RATE_LIMIT_REDIS = redis!.url;
    const client = mod.redisFromEnv!();
    expect(await client.ping()).toBe("PONG");
    const { t, handled } = recordingBot(mod.rateLimit());
    await t.send(textMessage("x", { from: strategy === "window" ? 611 : 612 }));
    expect(handled).toEqual(["x"]);

    await mod.closeRateLimit!();
    // The connection ends: nothing is left open to keep the process alive.
    await new Promise<void>((resolve) => (client.status === "end" ? resolve() : client.once("end", () => resolve())));
    expect(client.status).toBe("end");
    expect(mod.redisFromEnv!()).not.toBe(client); // a later use connects afresh
    await mod.closeRateLimit!();
    await mod.closeRateLimit!(); // twice is harmless
  });
});
if (!redisAvailable) it.skip("rate-limit Redis tests: redis-server is not installed", () => {});

describe("rate-limit: closeRateLimit() exists for every store", () => {
  it.each(["penalty-box", "window"])("%s with memory: resolves at once", async (strategy) => {
    const mod = await load({ strategy, store: "memory" });
    await expect(mod.closeRateLimit!()).resolves.toBeUndefined();
  });
});

describe("rate-limit, wiring", () => {
  it("redis: closeRateLimit() runs once the bot has stopped, after `await bot.start()` in the main module, imported there", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "rate-limit", answers: { store: "redis" } }]);
    const main = readFileSync(join(dir, "src/main.ts"), "utf8");
    expect(main).toContain("import { closeRateLimit } from './recipes/rate-limit.js'");
    expect(main).toMatch(/\nawait bot\.start\(\)\nawait closeRateLimit\(\)\n$/);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).not.toContain("closeRateLimit");
    expect(plan.manual).toEqual([]);
  });

  it("memory: nothing to close, no stop code", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    await applyRecipes(dir, [{ id: "rate-limit", answers: { store: "memory" } }]);
    expect(readFileSync(join(dir, "src/main.ts"), "utf8")).not.toContain("closeRateLimit");
  });
});
