// Behaviour of the rendered broadcast recipe in a real grammY Bot, with a fake
// clock: subscriber tracking, the admin command, pacing, 429/403/400 handling,
// progress reports, resuming after a crash, and the Redis store.
import type { Api, Composer, Context, MiddlewareFn } from "grammy";
import type { Update } from "grammy/types";
import { Redis } from "ioredis";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { apiError, commandMessage, createTestBot, groupChat, privateChat, textMessage, user, type TestBot } from "../helpers/harness.js";
import { applyRecipes, copyFixture, fixturesDir, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";
import { redisAvailable, useRedis } from "../helpers/redis.js";

type BroadcastMessage = { kind: "text"; text: string } | { kind: "copy"; fromChatId: number; messageId: number };
interface BroadcastJob {
  cursor: number | null;
  total: number;
  delivered: number;
  removed: number;
  failed: number;
}
interface Store {
  add(chatId: number): Promise<void>;
  remove(chatId: number): Promise<void>;
  list(): Promise<number[]>;
  loadJob(): Promise<BroadcastJob | undefined>;
  saveJob(job: BroadcastJob): Promise<void>;
  clearJob(): Promise<void>;
}
interface Broadcaster {
  start(api: Api, message: BroadcastMessage, adminChatId: number): Promise<boolean>;
  resume(api: Api): Promise<void>;
  done(): Promise<BroadcastJob | undefined>;
  stop(): Promise<void>;
}
interface Options {
  store?: Store;
  perSecond?: number;
  progressEvery?: number;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  log?: (message: string, error?: unknown) => void;
}
interface BroadcastModule {
  createStore: (where?: unknown) => Store;
  createBroadcaster: (options?: Options) => Broadcaster;
  trackSubscribers: (store?: Store, log?: (m: string, e: unknown) => void) => MiddlewareFn<Context>;
  broadcastCommand: (broadcaster?: Broadcaster, admins?: Iterable<number>) => Composer<Context>;
  broadcastStore: () => Store;
  stopBroadcast: () => Promise<void>;
  redact: (value: unknown) => string;
  MESSAGES_PER_SECOND: number;
}

const ADMIN = 100;
const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("broadcast", { userIds: String(ADMIN), ...answers })).load<BroadcastModule>();

/** A fake clock: `sleep` advances it at once, so no test waits. */
function fakeClock() {
  const clock = { t: 1_000_000, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}

const myChatMember = (chatId: number, status: "member" | "kicked"): Update => ({
  update_id: Math.floor(Math.random() * 1e9),
  my_chat_member: {
    chat: privateChat(chatId),
    from: user(chatId),
    date: 0,
    old_chat_member: { status: status === "kicked" ? "member" : "kicked", user: user(42, { is_bot: true }) } as never,
    new_chat_member: { status, user: user(42, { is_bot: true }) } as never,
  },
});

/** A bot with the recipe wired as `add` wires it; records each API call's time on the fake clock. */
function setup(mod: BroadcastModule, store: Store, options: Options & { now: () => number }) {
  const t = createTestBot();
  const sent: Array<{ method: string; chat: unknown; at: number; text?: unknown }> = [];
  t.respond((method, payload) => {
    sent.push({ method, chat: payload.chat_id, at: options.now(), text: payload.text });
    return undefined;
  });
  const logged: string[] = [];
  const broadcaster = mod.createBroadcaster({ store, log: (m) => logged.push(m), ...options });
  t.bot.use(mod.trackSubscribers(store));
  t.bot.use(mod.broadcastCommand(broadcaster));
  const seen: number[] = [];
  t.bot.on("message", (ctx) => {
    seen.push(ctx.update.update_id);
  });
  return { t, broadcaster, sent, seen, logged };
}

const sendsTo = (sent: Array<{ method: string; chat: unknown }>, method = "sendMessage") =>
  sent.filter((s) => s.method === method && s.chat !== ADMIN).map((s) => s.chat);

async function subscribe(t: TestBot<Context>, ...ids: number[]) {
  for (const id of ids) await t.send(commandMessage("start", "", { from: id }));
}

describe("subscriber tracking", () => {
  it("adds private chats, removes a user who blocks the bot, re-adds them on unblock, and always calls next", async () => {
    const mod = await load();
    const dir = tmpDir("broadcast-track");
    const store = mod.createStore(dir);
    const { t, seen } = setup(mod, store, fakeClock());

    await t.send(commandMessage("start", "", { from: 7 }));
    await t.send(textMessage("hi", { from: 8 }));
    await t.send(textMessage("hi", { from: 9, chat: groupChat(-100500) })); // groups are not tracked
    expect(await store.list()).toEqual([7, 8]);
    expect(seen).toHaveLength(3); // shallow: the bot's own handlers still got every message

    await t.send(myChatMember(7, "kicked"));
    expect(await store.list()).toEqual([8]);
    await t.send(myChatMember(7, "member"));
    await t.send(myChatMember(9, "member"));
    expect(await store.list()).toEqual([7, 8, 9]);

    // Written to disk: a new store over the same folder sees the same list.
    expect(await mod.createStore(dir).list()).toEqual([7, 8, 9]);
    expect(JSON.parse(readFileSync(join(dir, "subscribers.json"), "utf8"))).toEqual([7, 8, 9]);
    expect(t.calls).toEqual([]);
  });

  it("a failing store is logged and the update still handled", async () => {
    const mod = await load();
    const failing: Store = { ...mod.createStore(tmpDir("broadcast-fail")), add: () => Promise.reject(new Error("disk full")) };
    const logged: string[] = [];
    const t = createTestBot();
    t.bot.use(mod.trackSubscribers(failing, (m) => logged.push(m)));
    let handled = 0;
    t.bot.on("message", () => {
      handled++;
    });
    await t.send(textMessage("hi", { from: 7 }));
    expect(handled).toBe(1);
    expect(logged).toEqual(["Could not update the broadcast subscribers"]);
  });
});

describe("the broadcast", () => {
  it("delivers to everyone, removes 403 and 400 chat-not-found users, retries 429 after retry_after, and reports", async () => {
    const mod = await load();
    const fake = fakeClock();
    const store = mod.createStore(tmpDir("broadcast-run"));
    const { t, broadcaster, sent } = setup(mod, store, { ...fake, progressEvery: 1000 });
    await subscribe(t, 1, 2, 3, 4, 5, 6);
    const failedOnce = new Set<number>();
    t.respond((method, payload) => {
      if (method !== "sendMessage") return undefined;
      if (payload.chat_id === 2) return apiError(403, "Forbidden: bot was blocked by the user");
      if (payload.chat_id === 3) return apiError(400, "Bad Request: chat not found");
      if (payload.chat_id === 5) return apiError(400, "Bad Request: message is too long");
      if (payload.chat_id === 4 && !failedOnce.has(4)) {
        failedOnce.add(4);
        return apiError(429, "Too Many Requests: retry after 3", { retry_after: 3 });
      }
      return undefined;
    });

    await t.send(commandMessage("broadcast", "Hello <all>", { from: ADMIN }));
    const job = await broadcaster.done();

    expect(sendsTo(sent)).toEqual([1, 2, 3, 4, 4, 5, 6]); // 4 twice: the retry
    const attempts4 = sent.filter((s) => s.chat === 4);
    expect(attempts4[1]!.at - attempts4[0]!.at).toBeGreaterThanOrEqual(3000);
    expect(fake.clock.sleeps).toContain(3000);
    expect(sent.filter((s) => s.chat !== ADMIN).every((s) => s.text === "Hello <all>")).toBe(true);
    expect(await store.list()).toEqual([1, 4, 5, 6, ADMIN]); // 2 and 3 removed; 5's failure was the message's, not the chat's
    expect(job).toMatchObject({ delivered: 4, removed: 2, failed: 1, total: 7 });
    const toAdmin = sent.filter((s) => s.chat === ADMIN).map((s) => s.text);
    expect(toAdmin).toEqual([
      "Broadcast to 7 chats started.",
      "Hello <all>", // the admin is a subscriber too
      "Broadcast finished. 7/7 done: 4 delivered, 2 removed (blocked the bot or gone), 1 failed.",
    ]);
    expect(await store.loadJob()).toBeUndefined(); // nothing left to resume
  });

  it("gives up on a chat after maxAttempts answers of 429", async () => {
    const mod = await load();
    const fake = fakeClock();
    const store = mod.createStore(tmpDir("broadcast-429"));
    const { t, broadcaster, sent, logged } = setup(mod, store, { ...fake, maxAttempts: 3 });
    await subscribe(t, 1, 2);
    t.respond((method, payload) => (method === "sendMessage" && payload.chat_id === 1 ? apiError(429, "Too Many Requests", { retry_after: 1 }) : undefined));
    await t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    const job = await broadcaster.done();
    expect(sendsTo(sent)).toEqual([1, 1, 1, 2]);
    expect(logged).toEqual(["Broadcast to chat 1 failed"]);
    expect(job).toMatchObject({ delivered: 2, failed: 1, removed: 0 }); // 2 and the admin, who is subscribed too
  });

  it("paces every call under the configured rate", async () => {
    const mod = await load({ messagesPerSecond: 20 });
    expect(mod.MESSAGES_PER_SECOND).toBe(20);
    const fake = fakeClock();
    const store = mod.createStore(tmpDir("broadcast-pace"));
    const { t, broadcaster, sent } = setup(mod, store, { ...fake, progressEvery: 10 });
    for (let id = 1; id <= 60; id++) await store.add(id);
    const start = fake.clock.t;
    await t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    await broadcaster.done();

    const times = sent.map((s) => s.at);
    expect(sendsTo(sent)).toHaveLength(60);
    expect(sent.filter((s) => s.method === "editMessageText")).toHaveLength(6); // progress every 10 chats
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(50);
    for (const at of times) expect(times.filter((x) => x >= at && x < at + 1000).length).toBeLessThanOrEqual(20);
    expect(fake.clock.t - start).toBeLessThan(4000); // and it does not crawl: 60 + 8 calls at 20/s
  });

  it("reports progress by editing the status message", async () => {
    const mod = await load();
    const fake = fakeClock();
    const store = mod.createStore(tmpDir("broadcast-progress"));
    const { t, broadcaster } = setup(mod, store, { ...fake, progressEvery: 2 });
    t.respond((method, payload) =>
      method === "sendMessage" && payload.chat_id === ADMIN && String(payload.text).startsWith("Broadcast to")
        ? { ok: true, result: { message_id: 777, date: 0, chat: privateChat(ADMIN), text: payload.text } }
        : undefined,
    );
    await subscribe(t, 1, 2, 3);
    await t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    await broadcaster.done();
    const status = t.callsOf("sendMessage").find((c) => c.payload.chat_id === ADMIN)!;
    expect(status.payload.text).toBe("Broadcast to 4 chats started.");
    expect(t.callsOf("editMessageText").map((c) => [c.payload.chat_id, c.payload.text])).toEqual([
      [ADMIN, "Broadcast running. 2/4 done: 2 delivered, 0 removed (blocked the bot or gone), 0 failed…"],
      [ADMIN, "Broadcast running. 4/4 done: 4 delivered, 0 removed (blocked the bot or gone), 0 failed…"],
    ]);
    expect(t.callsOf("editMessageText").map((c) => c.payload.message_id)).toEqual([777, 777]);
  });

  it("sends a copy of the message the admin replies to", async () => {
    const mod = await load();
    const fake = fakeClock();
    const store = mod.createStore(tmpDir("broadcast-copy"));
    const { t, broadcaster } = setup(mod, store, fake);
    await subscribe(t, 1);
    const reply = commandMessage("broadcast", "", { from: ADMIN });
    reply.message!.reply_to_message = { message_id: 555, date: 0, chat: privateChat(ADMIN), text: "*news*" } as never;
    await t.send(reply);
    await broadcaster.done();
    expect(t.callsOf("copyMessage").map((c) => c.payload)).toEqual([
      { chat_id: 1, from_chat_id: ADMIN, message_id: 555 },
      { chat_id: ADMIN, from_chat_id: ADMIN, message_id: 555 },
    ]);
  });

  it("is for admins only; others' /broadcast passes on to the bot's handlers; no text gets a usage reply", async () => {
    const mod = await load();
    const store = mod.createStore(tmpDir("broadcast-admin"));
    const { t, seen, broadcaster } = setup(mod, store, fakeClock());
    await t.send(commandMessage("broadcast", "spam", { from: 7 }));
    await broadcaster.done();
    expect(seen).toHaveLength(1);
    expect(t.calls).toEqual([]);
    await t.send(commandMessage("broadcast", "", { from: ADMIN }));
    expect(t.calls.map((c) => c.payload.text)).toEqual(["Send /broadcast followed by the text, or reply to a message with /broadcast to send everyone a copy of it."]);
  });

  it("runs outside the update: the command returns at once, other updates are handled, a second start is refused", async () => {
    const mod = await load();
    let clockT = 0;
    const gates: Array<() => void> = [];
    const sleep = (ms: number) =>
      new Promise<void>((resolve) =>
        gates.push(() => {
          clockT += ms;
          resolve();
        }),
      );
    const store = mod.createStore(tmpDir("broadcast-bg"));
    const { t, broadcaster, seen } = setup(mod, store, { sleep, now: () => clockT });
    await subscribe(t, 1, 2, 3);

    await t.send(commandMessage("broadcast", "x", { from: ADMIN })); // resolves while the broadcast waits on its pacing
    await t.send(textMessage("still here", { from: 9 }));
    expect(seen).toHaveLength(4); // 3 /start + "still here"; the admin's command was handled by the recipe
    await t.send(commandMessage("broadcast", "again", { from: ADMIN }));
    expect(t.calls.at(-1)!.payload.text).toBe("A broadcast is already running; its report will follow.");
    expect(gates.length).toBeGreaterThan(0);

    let finished = false;
    void broadcaster.done().then(() => {
      finished = true;
    });
    const deadline = Date.now() + 2000; // the store writes real files between the gates
    while (!finished && Date.now() < deadline) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(finished).toBe(true);
    expect(sendsTo(t.calls.map((c) => ({ method: c.method, chat: c.payload.chat_id })))).toEqual([1, 2, 3]); // 9 subscribed after the broadcast took its list
  });

  it("resumes after a crash from its saved cursor, and sends nobody the message twice", async () => {
    const mod = await load();
    const dir = tmpDir("broadcast-resume");
    const fake = fakeClock();
    let sleeps = 0;
    const crashingSleep = async (ms: number) => {
      if (++sleeps === 4) throw new Error("process killed"); // dies while pacing before its 4th call
      await fake.sleep(ms);
    };
    const first = setup(mod, mod.createStore(dir), { now: fake.now, sleep: crashingSleep, log: () => {} });
    await subscribe(first.t, 1, 2, 3, 4, 5, 6);
    await first.t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    expect(await first.broadcaster.done()).toBeUndefined(); // it stopped
    const before = sendsTo(first.sent);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(7);
    expect((await mod.createStore(dir).loadJob())?.cursor).toBe(before.at(-1)); // the crash came before the next chat was claimed

    // The restart: a new process, new store over the same folder; any update resumes the job.
    const second = setup(mod, mod.createStore(dir), fake);
    await second.t.send(textMessage("hello", { from: 1 }));
    const job = await second.broadcaster.done();
    const after = sendsTo(second.sent);
    expect([...before, ...after].sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(job).toMatchObject({ delivered: 7, total: 7 }); // 6 and the admin, counted across both runs
    expect(second.sent.filter((s) => s.chat === ADMIN).map((s) => s.text)).toEqual([
      "x",
      "Broadcast finished. 7/7 done: 7 delivered, 0 removed (blocked the bot or gone), 0 failed.",
    ]);
    expect(await mod.createStore(dir).loadJob()).toBeUndefined();
  });
});

describe("stopping, crashes, privacy and logs", () => {
  /** Timers of at least 500 ms (the broadcast's pacing at 1 per second) set and neither fired nor cleared yet. */
  function watchLongTimers(): { pending: () => number; restore: () => void } {
    const pending = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const set = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const handle: unknown = realSet(() => {
        pending.delete(handle);
        callback();
      }, ms);
      if ((ms ?? 0) >= 500) pending.add(handle);
      return handle;
    }) as never);
    const clear = vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle: unknown) => {
      pending.delete(handle);
      realClear(handle as never);
    }) as never);
    return {
      pending: () => pending.size,
      restore: () => {
        set.mockRestore();
        clear.mockRestore();
      },
    };
  }

  it("stop() ends a paced broadcast at once, leaves no timer behind, and a restart resumes it without a duplicate", { timeout: 10_000 }, async () => {
    const mod = await load();
    const dir = tmpDir("broadcast-stop");
    const timers = watchLongTimers();
    // Real timers: one message a second, so the broadcast is still pacing when stopped.
    const first = setup(mod, mod.createStore(dir), { now: Date.now, perSecond: 1 });
    try {
      await subscribe(first.t, 1, 2, 3);
      await first.t.send(commandMessage("broadcast", "x", { from: ADMIN }));
      await vi.waitFor(() => expect(timers.pending()).toBe(1)); // pacing
      const stoppedAt = Date.now();
      await first.broadcaster.stop();
      expect(Date.now() - stoppedAt).toBeLessThan(500);
      expect(timers.pending()).toBe(0); // nothing keeps the process alive
    } finally {
      timers.restore();
    }
    const before = sendsTo(first.sent);
    expect(before.length).toBeLessThan(4);
    expect(await first.broadcaster.start(first.t.bot.api, { kind: "text", text: "y" }, ADMIN)).toBe(false); // nothing starts after stop()

    const second = setup(mod, mod.createStore(dir), fakeClock());
    await second.t.send(textMessage("hello", { from: 1 }));
    expect(await second.broadcaster.done()).toMatchObject({ delivered: 4, total: 4 });
    expect([...before, ...sendsTo(second.sent)].sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3]);
  });

  it("stop() while waiting out a 429 gives that chat back: after a restart it gets the message, once", { timeout: 10_000 }, async () => {
    const mod = await load();
    const dir = tmpDir("broadcast-stop-429");
    let clock = 0;
    const first = setup(mod, mod.createStore(dir), { now: () => clock, sleep: (ms) => (ms >= 30_000 ? new Promise<void>(() => {}) : ((clock += ms), Promise.resolve())) });
    first.t.respond((method, payload) => (method === "sendMessage" && payload.chat_id === 2 ? apiError(429, "Too Many Requests: retry after 60", { retry_after: 60 }) : undefined));
    await subscribe(first.t, 1, 2, 3);
    await first.t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    await vi.waitFor(() => expect(first.t.callsOf("sendMessage").some((c) => c.payload.chat_id === 2)).toBe(true));
    await first.broadcaster.stop();
    expect((await mod.createStore(dir).loadJob())?.cursor).toBe(1);

    const second = setup(mod, mod.createStore(dir), fakeClock());
    await second.t.send(textMessage("hello", { from: 1 }));
    await second.broadcaster.done();
    expect(sendsTo(second.sent)).toEqual([2, 3]);
  });

  it("a crash between a send and the save after it never sends that chat the message again", async () => {
    const mod = await load();
    const dir = tmpDir("broadcast-crash-after-send");
    const store = mod.createStore(dir);
    let armed = false;
    // The process dies right after Telegram accepted the message for chat 2, before anything else is saved.
    const dying: Store = {
      ...store,
      saveJob: async (job) => {
        if (armed) {
          armed = false;
          throw new Error("process killed between sendMessage and the save");
        }
        await store.saveJob(job);
      },
    };
    const first = setup(mod, dying, { ...fakeClock(), log: () => {} });
    first.t.respond((method, payload) => {
      if (method === "sendMessage" && payload.chat_id === 2) armed = true;
      return undefined;
    });
    await subscribe(first.t, 1, 2, 3, 4);
    await first.t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    expect(await first.broadcaster.done()).toBeUndefined(); // it died
    expect(sendsTo(first.sent)).toEqual([1, 2]);

    const second = setup(mod, mod.createStore(dir), fakeClock());
    await second.t.send(textMessage("hello", { from: 1 }));
    await second.broadcaster.done();
    expect(sendsTo(second.sent)).toEqual([3, 4]); // not 2 again
  });

  it("reports progress privately to the admin who sent /broadcast in a group, never into the group", async () => {
    const mod = await load();
    const fake = fakeClock();
    const { t, broadcaster } = setup(mod, mod.createStore(tmpDir("broadcast-group")), fake);
    await subscribe(t, 1, 2);
    await t.send(commandMessage("broadcast", "x", { from: ADMIN, chat: groupChat(-100) }));
    await broadcaster.done();
    await t.send(commandMessage("broadcast", "again", { from: ADMIN, chat: groupChat(-100) }));
    expect(t.calls.filter((c) => c.payload.chat_id === -100)).toEqual([]);
    expect(t.callsOf("sendMessage").filter((c) => c.payload.chat_id === ADMIN).map((c) => c.payload.text)).toEqual([
      "Broadcast to 2 chats started.",
      "Broadcast finished. 2/2 done: 2 delivered, 0 removed (blocked the bot or gone), 0 failed.",
      "Broadcast to 2 chats started.",
    ]);
  });

  it("an admin the bot cannot message privately is told so in the group, and nothing is sent", async () => {
    const mod = await load();
    const { t, broadcaster } = setup(mod, mod.createStore(tmpDir("broadcast-group-403")), fakeClock());
    t.respond((method, payload) => (method === "sendMessage" && payload.chat_id === ADMIN ? apiError(403, "Forbidden: bot can't initiate conversation with a user") : undefined));
    await subscribe(t, 1);
    await t.send(commandMessage("broadcast", "x", { from: ADMIN, chat: groupChat(-100) }));
    await broadcaster.done();
    expect(sendsTo(t.calls.map((c) => ({ method: c.method, chat: c.payload.chat_id }))).filter((c) => c !== -100)).toEqual([]);
    expect(t.callsOf("sendMessage").filter((c) => c.payload.chat_id === -100).map((c) => c.payload.text)).toEqual([
      "I cannot message you privately, where I report the broadcast's progress: open a chat with me, press Start, then send /broadcast again.",
    ]);
  });

  it("logs a real network failure without the bot token", async () => {
    const mod = await load();
    const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    const bot = new Bot(token, { client: { apiRoot: "http://127.0.0.1:1" } });
    const store = mod.createStore(tmpDir("broadcast-redact"));
    await store.add(1);
    await store.saveJob({ message: { kind: "text", text: "x" }, adminChatId: ADMIN, cursor: null, total: 1, delivered: 0, removed: 0, failed: 0 } as BroadcastJob);
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(" ")));
    try {
      const broadcaster = mod.createBroadcaster({ store, ...fakeClock() });
      await broadcaster.resume(bot.api);
      expect(await broadcaster.done()).toMatchObject({ failed: 1 });
    } finally {
      spy.mockRestore();
    }
    const text = errors.join("\n");
    expect(text).toContain("Broadcast to chat 1 failed");
    expect(text).toContain("127.0.0.1"); // the error is there, with where it went…
    expect(text).toContain("[bot token]");
    expect(text).not.toContain(token.split(":")[1]); // …but not the token
    expect(mod.redact(`https://api.telegram.org/bot${token}/getMe`)).toBe("https://api.telegram.org/bot[bot token]/getMe");
  });

  it("stopBroadcast() is wired to run once the bot has stopped", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "broadcast", answers: { userIds: [ADMIN] } }]);
    expect(plan.manual).toEqual([]);
    const main = readFileSync(join(dir, "src/main.ts"), "utf8");
    expect(main).toContain("import { stopBroadcast } from './recipes/broadcast.js'");
    expect(main).toMatch(/\nawait bot\.start\(\)\nawait stopBroadcast\(\)\n$/);
  });
});

describe.skipIf(!redisAvailable)("the Redis store", () => {
  const { connect, url } = useRedis();

  it("stopBroadcast() closes the default store's Redis connection, and may run twice", async () => {
    const mod = await load({ store: "redis", redisUrlEnv: "TEST_BROADCAST_CLOSE" });
    process.env.TEST_BROADCAST_CLOSE = url();
    try {
      const store = mod.broadcastStore();
      await store.add(5);
      expect(await store.list()).toContain(5);
      await mod.stopBroadcast();
      await mod.stopBroadcast();
      await expect(store.list()).rejects.toThrow(/closed/i);
    } finally {
      delete process.env.TEST_BROADCAST_CLOSE;
      await connect().del("broadcast:subscribers"); // the next test counts its own subscribers
    }
  });

  it("tracks subscribers in a set shared by processes, and a broadcast removes blocked users from it", async () => {
    const mod = await load({ store: "redis" });
    const fake = fakeClock();
    const a = setup(mod, mod.createStore(connect()), fake);
    const b = setup(mod, mod.createStore(connect()), fake);
    await subscribe(a.t, 1, 2);
    await subscribe(b.t, 3);
    await a.t.send(myChatMember(1, "kicked"));
    expect(await mod.createStore(connect()).list()).toEqual([2, 3]);

    b.t.respond((method, payload) => (method === "sendMessage" && payload.chat_id === 3 ? apiError(403, "Forbidden: user is deactivated") : undefined));
    await b.t.send(commandMessage("broadcast", "x", { from: ADMIN }));
    expect(await b.broadcaster.done()).toMatchObject({ delivered: 2, removed: 1 });
    expect((await connect().smembers("broadcast:subscribers")).sort()).toEqual(["100", "2"]);
    expect(await connect().get("broadcast:job")).toBeNull();
  });
});

describe("variants", () => {
  it("every variant type-checks with strict, as ESM (NodeNext, noUncheckedIndexedAccess) and as CommonJS", async () => {
    const root = tmpDir("broadcast-variants");
    for (const kind of ["esm", "cjs"] as const) {
      mkdirSync(join(root, kind), { recursive: true });
      if (kind === "esm") writeFileSync(join(root, kind, "package.json"), JSON.stringify({ type: "module" }));
    }
    for (const [i, answers] of [{ userIds: "1", store: "redis" }, { userIds: "1,2", store: "file", messagesPerSecond: 30 }].entries()) {
      const { files } = await renderRecipe("broadcast", answers);
      for (const kind of ["esm", "cjs"]) copyFileSync(Object.values(files)[0]!, join(root, kind, `variant-${i}.ts`));
    }
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
  });
});
