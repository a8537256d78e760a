// Behaviour of the rendered flood-control recipe in a real grammY Bot: the
// transformers are installed in the order the manifest's api-transformer
// ranks give (the order the engine writes them), over the harness's
// recording transformer, which stands in for Telegram. Neither plugin takes a
// clock, so time is vitest's fake clock (Date, setTimeout, setInterval).
import type { Context, Transformer } from "grammy";
import { GrammyError } from "grammy";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, createTestBot, type TestBot } from "../helpers/harness.js";
import { catalogue, renderRecipe } from "../helpers/recipes.js";

type FloodModule = Record<string, () => Transformer> & { CHAT_INTERVAL_MS: number; GROUP_PER_MINUTE: number };

/** The transformer factories the manifest installs, lowest rank (installed first) first. */
function transformerOrder(): string[] {
  return catalogue
    .get("flood-control")
    .manifest.edits.flatMap((e) => (e.op === "api-transformer" ? [{ rank: e.rank ?? 0, name: /^(\w+)\(\)$/.exec(e.code)![1]! }] : []))
    .sort((a, b) => a.rank - b.rank)
    .map((t) => t.name);
}

/** A test bot with the recipe's transformers, and the fake time of every call that reached "Telegram". */
function floodBot(mod: FloodModule): { t: TestBot<Context>; times: number[] } {
  const t = createTestBot();
  const times: number[] = [];
  t.respond(() => {
    times.push(Date.now());
    return undefined;
  });
  for (const name of transformerOrder()) t.bot.api.config.use(mod[name]!());
  return { t, times };
}

const start = new Date("2026-01-01T00:00:00Z").getTime();

describe("flood-control", () => {
  let mod: FloodModule;
  let strictMod: FloodModule;
  // Rendered and imported with real timers: the module loader waits on timers of its own.
  beforeAll(async () => {
    mod = await (await renderRecipe("flood-control")).load<FloodModule>();
    strictMod = await (await renderRecipe("flood-control", { retryServerErrors: false })).load<FloodModule>();
  });
  beforeEach(() => {
    vi.useFakeTimers({ now: start });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("installs the throttler before the retry, so retries pass through the throttler", () => {
    expect(transformerOrder()).toEqual(["floodThrottler", "floodRetry"]);
  });

  /** Advances the fake clock to `at`, in steps of at most 100 ms (one big jump can stall Bottleneck's heartbeat). */
  async function advanceTo(at: number): Promise<void> {
    while (Date.now() < at) await vi.advanceTimersByTimeAsync(Math.min(100, at - Date.now()));
  }

  /** Advances the fake clock 1 ms at a time until `done()` or `limit` ms have passed. */
  async function until(done: () => boolean, limit = 100): Promise<void> {
    for (let ms = 0; ms < limit && !done(); ms++) await vi.advanceTimersByTimeAsync(1);
  }

  it("retries a 429 with retry_after: 2 after 2 seconds, not before", async () => {
    const { t, times } = floodBot(mod);
    let refused = 0;
    t.respond((method) => (method === "sendMessage" && refused++ === 0 ? apiError(429, "Too Many Requests: retry after 2", { retry_after: 2 }) : undefined));
    let sent: unknown;
    const pending = t.bot.api.sendMessage(7, "hello").then((m) => (sent = m));

    await until(() => times.length === 1);
    const refusedAt = times[0]!;
    await advanceTo(refusedAt + 1999);
    expect(t.callsOf("sendMessage")).toHaveLength(1);
    expect(sent).toBeUndefined();

    await until(() => sent !== undefined, 200);
    await pending;
    expect(t.callsOf("sendMessage").map((c) => [c.payload.chat_id, c.payload.text])).toEqual([
      [7, "hello"],
      [7, "hello"],
    ]);
    // 2 s, plus the few milliseconds the throttler's queue takes to hand the retry on.
    expect(times[1]! - refusedAt).toBeGreaterThanOrEqual(2000);
    expect(times[1]! - refusedAt).toBeLessThan(2050);
    expect(sent).toMatchObject({ text: "hello" });
  });

  it("does not retry a 400: the GrammyError is thrown at once and nothing is sent again", async () => {
    const { t } = floodBot(mod);
    t.respond(() => apiError(400, "Bad Request: chat not found"));
    let error: unknown;
    void t.bot.api.sendMessage(7, "hello").then(
      () => (error = "sent"),
      (e: unknown) => (error = e),
    );
    await until(() => error !== undefined, 100);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).error_code).toBe(400);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(t.callsOf("sendMessage")).toHaveLength(1);
  });

  it("retries a 500 with backoff (3 s), and throws it at once when server errors are not retried", async () => {
    const { t, times } = floodBot(mod);
    let failed = 0;
    t.respond(() => (failed++ === 0 ? apiError(500, "Internal Server Error") : undefined));
    let sent = false;
    const pending = t.bot.api.sendMessage(7, "hello").then(() => (sent = true));
    await until(() => times.length === 1, 100);
    await advanceTo(times[0]! + 2999);
    expect(times).toHaveLength(1);
    await until(() => sent, 200);
    await pending;
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(3000);
    expect(times[1]! - times[0]!).toBeLessThan(3050);

    const strict = floodBot(strictMod);
    strict.t.respond(() => apiError(502, "Bad Gateway"));
    let code: unknown;
    void strict.t.bot.api.sendMessage(7, "hello").then(
      () => (code = "sent"),
      (e: unknown) => (code = (e as GrammyError).error_code),
    );
    await until(() => code !== undefined, 100);
    expect(code).toBe(502);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(strict.t.callsOf("sendMessage")).toHaveLength(1);
  });

  it("spaces 50 sends to one group by the group limit: one per second, at most 20 a minute, in order", { timeout: 30_000 }, async () => {
    const { t, times } = floodBot(mod);
    expect([mod.CHAT_INTERVAL_MS, mod.GROUP_PER_MINUTE]).toEqual([1000, 20]);
    const group = -1001234567890;
    const all = Promise.all(Array.from({ length: 50 }, (_, i) => t.bot.api.sendMessage(group, `m${i}`)));
    for (let s = 0; s < 200; s++) await vi.advanceTimersByTimeAsync(1000);
    await all;

    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    const at = times.map((x) => x - start);
    // Bottleneck measures the gap from when it starts a job; the call reaches Telegram a millisecond or so later.
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!, `gap before send ${i}`).toBeGreaterThanOrEqual(995);
    for (const from of at) expect(at.filter((x) => x >= from && x < from + 60_000).length, `sends in the minute from ${from} ms`).toBeLessThanOrEqual(20);
    // The first 20 go out a second apart; the 21st waits for the next minute.
    expect(at[19]!).toBeLessThan(20_000 + 1000);
    expect(at[20]!).toBeGreaterThanOrEqual(60_000);
  });

  it("queues a retry through the throttler: a 429 on a group's 20th message of the minute is retried in the next minute", { timeout: 30_000 }, async () => {
    const { t, times } = floodBot(mod);
    const group = -1009876543210;
    t.respond((method, payload) => (payload.text === "m19" && t.callsOf("sendMessage").filter((c) => c.payload.text === "m19").length === 1 ? apiError(429, "Too Many Requests: retry after 1", { retry_after: 1 }) : undefined));
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => t.bot.api.sendMessage(group, `m${i}`)));
    await advanceTo(start + 90_000);
    await all;
    const m19 = t.callsOf("sendMessage").flatMap((c, i) => (c.payload.text === "m19" ? [times[i]! - start] : []));
    expect(m19).toHaveLength(2);
    // Retried outside the throttler, it would go out 1 s after the 429 (about 20 s in);
    // through it, it waits for the group's next minute like any other message.
    expect(m19[0]!).toBeLessThan(20_000);
    expect(m19[1]!).toBeGreaterThanOrEqual(60_000);
  });

  it("lets sends to different private chats go out together, each chat one at a time", async () => {
    const { t, times } = floodBot(mod);
    const all = Promise.all([t.bot.api.sendMessage(1, "a1"), t.bot.api.sendMessage(2, "b1"), t.bot.api.sendMessage(1, "a2")]);
    for (let s = 0; s < 5; s++) await vi.advanceTimersByTimeAsync(500);
    await all;
    const when = Object.fromEntries(t.callsOf("sendMessage").map((c, i) => [String(c.payload.text), times[i]! - start]));
    expect(Math.abs(when.a1! - when.b1!)).toBeLessThan(50);
    expect(when.a2! - when.a1!).toBeGreaterThanOrEqual(995);
  });
});
