// job-scheduler under a hostile user and a failing Telegram (issue 11): a flood
// of /remind is capped and costs a few file writes, replies that fail never
// throw out of the handler, failed jobs are tried again with backoff, overdue
// jobs are paced, one-off jobs run once, and no log line shows the bot token.
// File store with an injected clock; the BullMQ side is in job-scheduler.test.ts.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { Bot, HttpError, type Api, type Composer, type Context } from "grammy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, BOT_INFO, commandMessage, createTestBot, groupChat } from "../helpers/harness.js";
import { FakeClock } from "../helpers/jobs.js";
import { renderRecipe, tmpDir } from "../helpers/recipes.js";

interface Job {
  id: string;
  name: string;
  runAt: number;
  every?: number;
  data: unknown;
  group?: string;
  attempt?: number;
}
type Handlers = Record<string, (data: never, context: { api: Api; job: Job }) => unknown>;
interface FileScheduler {
  start(api: Api): Promise<void>;
  stop(): Promise<void>;
  schedule(name: string, data: unknown, options?: { id?: string; at?: Date | number; delayMs?: number; every?: number; group?: string }): Promise<Job>;
  cancel(id: string): Promise<boolean>;
  count(group: string): Promise<number>;
  list(): Promise<Job[]>;
  flush(): Promise<void>;
}
interface FileOptions {
  handlers: Handlers;
  path: string;
  clock: FakeClock;
  missed?: "run" | "skip";
  onError?: (error: unknown, job: Job) => unknown;
  warn?: (message: string) => void;
  maxAttempts?: number;
  retryBaseMs?: number;
  jobsPerSecond?: number;
  flushDelayMs?: number;
  writeFile?: (path: string, text: string) => Promise<void>;
}
interface JobsModule {
  jobHandlers: Handlers;
  FileJobScheduler: new (options: FileOptions) => FileScheduler;
  writeFileAtomic: (path: string, text: string) => Promise<void>;
  remindCommand: <C extends Context>(jobs?: FileScheduler, options?: { maxPerChat?: number; minIntervalMs?: number; now?: () => number }) => Composer<C>;
  startScheduler: (bot: { api: Api }, jobs?: FileScheduler) => Promise<void>;
  stopScheduler: (jobs?: FileScheduler) => Promise<void>;
  MAX_JOBS_PER_CHAT: number;
  FLUSH_DELAY_MS: number;
  RETRY_BASE_MS: number;
  JOBS_PER_SECOND: number;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("job-scheduler", answers)).load<JobsModule>();

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const dir = tmpDir("job-scheduler-hostile");
let n = 0;
const freshPath = () => join(dir, `case-${n++}`, "jobs.json");
const readJobs = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { jobs: Job[] }).jobs;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("job-scheduler: /remind from a hostile user", () => {
  it("100 /remind from one user: capped at maxJobsPerChat, a handful of file writes, small handler time, bounded file", { timeout: 20_000 }, async () => {
    const mod = await load({ maxJobsPerChat: 20 });
    expect(mod.MAX_JOBS_PER_CHAT).toBe(20);
    const path = freshPath();
    const clock = new FakeClock();
    let writes = 0;
    const jobs = new mod.FileJobScheduler({
      handlers: mod.jobHandlers,
      path,
      clock,
      writeFile: (p, text) => {
        writes++;
        return mod.writeFileAtomic(p, text);
      },
    });
    const t = createTestBot();
    t.bot.use(mod.remindCommand(jobs, { now: clock.now, minIntervalMs: 0 })); // no spacing: only the cap holds
    await mod.startScheduler(t.bot, jobs);

    let handlerMs = 0;
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      await t.send(commandMessage("remind", `60 ${"x".repeat(1000)}`, { from: 7 }));
      handlerMs += performance.now() - started;
    }
    await clock.advance(mod.FLUSH_DELAY_MS); // the batch window passes: one write takes every change
    const replies = t.callsOf("sendMessage").map((c) => String(c.payload.text));
    expect(replies.filter((r) => r.startsWith("OK, I will remind you"))).toHaveLength(20);
    expect(replies.filter((r) => r.startsWith("This chat has 20 reminders waiting"))).toHaveLength(80);
    expect(readJobs(path)).toHaveLength(20);
    expect(await jobs.count("chat:7")).toBe(20);
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(3); // not one per /remind
    expect(statSync(path).size).toBeLessThan(20 * 1500); // 20 jobs of ~1 kB, not 100
    expect(handlerMs).toBeLessThan(3000); // no disk write inside the updates

    // Another chat has its own quota.
    await t.send(commandMessage("remind", "5 tea", { from: 8 }));
    expect(t.calls.at(-1)!.payload).toMatchObject({ chat_id: 8, text: "OK, I will remind you in 5 minutes." });
    await mod.stopScheduler(jobs);
  });

  it("a flood of /remind from one chat within the spacing gets one job, one OK and one 'wait', then silence", async () => {
    const mod = await load();
    const clock = new FakeClock();
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path: freshPath(), clock });
    const t = createTestBot();
    t.bot.use(mod.remindCommand(jobs, { now: clock.now }));
    for (let i = 0; i < 50; i++) await t.send(commandMessage("remind", "5 spam", { from: 7 }));
    expect(t.calls.map((c) => c.payload.text)).toEqual(["OK, I will remind you in 5 minutes.", "One /remind every 3 seconds, please."]);
    expect(await jobs.count("chat:7")).toBe(1);

    clock.jump(3000); // the spacing has passed
    await t.send(commandMessage("remind", "5 again", { from: 7 }));
    expect(t.calls.at(-1)!.payload.text).toBe("OK, I will remind you in 5 minutes.");
    expect(await jobs.count("chat:7")).toBe(2);
    await jobs.stop();
  });

  it.each([
    [429, apiError(429, "Too Many Requests: retry after 30", { retry_after: 30 })],
    [403, apiError(403, "Forbidden: bot was blocked by the user")],
  ])("a /remind reply that fails with %i is logged, never thrown out of the handler; the job is kept", async (_code, answer) => {
    const mod = await load();
    const clock = new FakeClock();
    const path = freshPath();
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path, clock });
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? answer : undefined));
    t.bot.use(mod.remindCommand(jobs, { now: clock.now }));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(t.send(commandMessage("remind", "5 tea", { from: 7, chat: groupChat(-100300) }))).resolves.toBeUndefined();
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/^\/remind could not answer chat -100300: /));
    expect(await jobs.count("chat:-100300")).toBe(1);
    await jobs.stop();
    expect(readJobs(path)).toHaveLength(1);
  });

  it("a job /remind acknowledged is on disk within FLUSH_DELAY_MS without a stop (the crash window), and stopScheduler writes at once", async () => {
    const mod = await load();
    const clock = new FakeClock();
    const path = freshPath();
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path, clock });
    const t = createTestBot();
    t.bot.use(mod.remindCommand(jobs, { now: clock.now }));
    await mod.startScheduler(t.bot, jobs);
    await t.send(commandMessage("remind", "5 tea", { from: 7 }));
    await clock.advance(mod.FLUSH_DELAY_MS);
    expect(readJobs(path).map((j) => j.data)).toEqual([{ chatId: 7, text: "tea" }]); // a crash now loses nothing

    await jobs.schedule("remind", { chatId: 7, text: "second" }, { delayMs: MINUTE });
    await mod.stopScheduler(jobs); // no waiting for the window
    expect(readJobs(path)).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });
});

describe("job-scheduler: running jobs (file store)", () => {
  it("a one-off job runs once and is removed; one that stayed would run again (fails fast, no hang)", async () => {
    const mod = await load();
    const clock = new FakeClock(undefined, 100); // a runaway loop throws after 100 timers, within a second
    const path = freshPath();
    const fired: number[] = [];
    const jobs = new mod.FileJobScheduler({ handlers: { ping: () => void fired.push(clock.now()) }, path, clock });
    await jobs.start({} as Api);
    const start = clock.now();
    await jobs.schedule("ping", {}, { delayMs: 1000 });
    await clock.advance(DAY); // a job never removed re-arms at once: FakeClock throws
    expect(fired.map((at) => at - start)).toEqual([1000]);
    expect(await jobs.list()).toEqual([]);
    expect(readJobs(path)).toEqual([]);
    expect(clock.pending).toBe(0);
    await jobs.stop();
  });

  it("a 429 is tried again after retry_after, a network error after the backoff, a 403 goes to onError at once", async () => {
    const mod = await load();
    const clock = new FakeClock();
    const start = clock.now();
    const t = createTestBot();
    const failedOnce = new Set<unknown>();
    const sent: Array<[unknown, number]> = []; // [chat, ms after start] of every try
    t.respond((method, payload) => {
      if (method !== "sendMessage") return undefined;
      sent.push([payload.chat_id, clock.now() - start]);
      if (payload.chat_id === 3) return apiError(403, "Forbidden: bot was blocked by the user");
      if (failedOnce.has(payload.chat_id)) return undefined;
      failedOnce.add(payload.chat_id);
      if (payload.chat_id === 1) return apiError(429, "Too Many Requests: retry after 30", { retry_after: 30 });
      throw new HttpError("Network request for 'sendMessage' failed!", new Error("socket hang up"));
    });
    const errors: string[] = [];
    const warn = vi.fn();
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path: freshPath(), clock, warn, onError: (e, job) => void errors.push(`${job.id}: ${(e as Error).message}`) });
    await jobs.start(t.bot.api);
    for (const chatId of [1, 2, 3]) await jobs.schedule("remind", { chatId, text: "hi" }, { id: `c${chatId}`, delayMs: 1000 });

    await clock.advance(1000);
    expect(errors).toEqual(["c3: Call to 'sendMessage' failed! (403: Forbidden: bot was blocked by the user)"]);
    expect((await jobs.list()).map((j) => [j.id, j.runAt - start, j.attempt])).toEqual([
      ["c2", 1000 + mod.RETRY_BASE_MS, 1],
      ["c1", 31_000, 1],
    ]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Job c1 \(remind\) failed \(try 1 of 5\), trying again in 30 s: /));
    await clock.advance(DAY);
    expect(sent).toEqual([
      [1, 1000],
      [2, 1000],
      [3, 1000],
      [2, 1000 + mod.RETRY_BASE_MS],
      [1, 31_000],
    ]);
    expect(errors).toHaveLength(1); // the retries succeeded
    await jobs.stop();
  });

  it("a job that keeps failing with 429 is tried maxAttempts times, then reported once", async () => {
    const mod = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? apiError(429, "Too Many Requests: retry after 2", { retry_after: 2 }) : undefined));
    const onError = vi.fn();
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path: freshPath(), clock, onError, warn: () => {}, maxAttempts: 3 });
    await jobs.start(t.bot.api);
    await jobs.schedule("remind", { chatId: 1, text: "hi" }, { delayMs: 10 });
    await clock.advance(DAY);
    expect(t.callsOf("sendMessage")).toHaveLength(3);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(await jobs.list()).toEqual([]);
    await jobs.stop();
  });

  it("jobs overdue after downtime are paced: JOBS_PER_SECOND per second, not all in one tick", async () => {
    const mod = await load({ missed: "run" });
    expect(mod.JOBS_PER_SECOND).toBe(20);
    const clock = new FakeClock();
    const path = freshPath();
    const fired: number[] = [];
    const handlers: Handlers = { ping: () => void fired.push(clock.now()) };
    const a = new mod.FileJobScheduler({ handlers, path, clock });
    for (let i = 0; i < 50; i++) await a.schedule("ping", { i }, { delayMs: 1000 + i });
    await a.stop();

    clock.jump(10 * MINUTE);
    const b = new mod.FileJobScheduler({ handlers, path, clock });
    await b.start({} as Api);
    const back = clock.now();
    await clock.advance(0);
    expect(fired).toHaveLength(20);
    await clock.advance(999);
    expect(fired).toHaveLength(20);
    await clock.advance(1);
    expect(fired).toHaveLength(40);
    await clock.advance(1000);
    expect(fired).toHaveLength(50);
    expect([...new Set(fired.map((at) => at - back))]).toEqual([0, 1000, 2000]);
    await b.stop();
  });
});

describe("job-scheduler: logs never show the bot token", () => {
  // Shaped like a real token; the request goes to a closed local port, never to Telegram.
  const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

  it("a job whose request fails (real fetch, unreachable apiRoot) is logged with the token masked, in the retry warning and the final error", { timeout: 20_000 }, async () => {
    const mod = await load();
    const clock = new FakeClock();
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: "http://127.0.0.1:1" } });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const warns = vi.spyOn(console, "warn").mockImplementation(() => {});
    const jobs = new mod.FileJobScheduler({ handlers: mod.jobHandlers, path: freshPath(), clock, maxAttempts: 2 });
    await jobs.start(bot.api);
    await jobs.schedule("remind", { chatId: 1, text: "hi" }, { delayMs: 10 });
    await clock.advance(10); // the fetch fails: a warning, tried again later
    await clock.advance(mod.RETRY_BASE_MS); // fails again: the last try goes to the default onError
    await jobs.stop();

    const lines = [...warns.mock.calls, ...errors.mock.calls].map((args) => args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 5 }))).join(" "));
    expect(warns).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(lines.join("\n")).toMatch(/ECONNREFUSED/); // the cause is still there…
    expect(lines.join("\n")).toContain("<bot token>");
    for (const line of lines) expect(line).not.toContain(TOKEN.slice(10)); // …the token is not
  });
});
