// Behaviour of the rendered job-scheduler recipe: the file store with an
// injected clock (no sleeping), the /remind command in a real grammY Bot, and
// the BullMQ store against a real redis-server on 127.0.0.1.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Api, Bot, Composer, Context } from "grammy";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HttpError } from "grammy";
import { Redis } from "ioredis";
import { apiError, commandMessage, createTestBot, groupChat } from "../helpers/harness.js";
import { FakeClock } from "../helpers/jobs.js";
import { renderRecipe, tmpDir } from "../helpers/recipes.js";
import { redisAvailable, startRedis, type RedisServer } from "../helpers/redis.js";

interface Job {
  id: string;
  name: string;
  runAt: number;
  every?: number;
  data: unknown;
}
type Handlers = Record<string, (data: never, context: { api: Api; job: Job }) => unknown>;
interface ScheduleOptions {
  id?: string;
  at?: Date | number;
  delayMs?: number;
  every?: number;
}
interface Scheduler {
  start(api: Api): Promise<void>;
  stop(): Promise<void>;
  schedule(name: string, data: unknown, options?: ScheduleOptions): Promise<Job>;
  cancel(id: string): Promise<boolean>;
  count(group: string): Promise<number>;
  list?(): Promise<Job[]>;
  flush?(): Promise<void>;
}
interface CommonOptions {
  handlers: Handlers;
  missed?: "run" | "skip";
  onError?: (error: unknown, job: Job) => unknown;
  warn?: (message: string) => void;
  maxAttempts?: number;
  retryBaseMs?: number;
  jobsPerSecond?: number;
}
interface JobsModule {
  jobHandlers: Handlers;
  installScheduler: <C extends Context>(bot: Bot<C>, jobs?: Scheduler) => void;
  startScheduler: (bot: { api: Api }, jobs?: Scheduler) => Promise<void>;
  stopScheduler: (jobs?: Scheduler) => Promise<void>;
  remindCommand: <C extends Context>(jobs?: Scheduler) => Composer<C>;
  MISSED: string;
  FileJobScheduler?: new (options: CommonOptions & { path?: string; clock?: FakeClock }) => Scheduler;
  JobsFileError?: new (...args: never[]) => Error;
  JOBS_FILE?: string;
  RedisJobScheduler?: new (options: CommonOptions & { url?: string; queueName?: string; now?: () => number; missedGraceMs?: number }) => Scheduler;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("job-scheduler", answers)).load<JobsModule>();

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A recording handler registry: `ping` pushes its data. */
function pingHandlers() {
  const fired: Array<{ data: unknown; at: number; job: Job }> = [];
  let clock: FakeClock | undefined;
  const handlers: Handlers = {
    ping: (data: unknown, { job }: { job: Job }) => void fired.push({ data, at: clock?.now() ?? Date.now(), job }),
  };
  return { fired, handlers, useClock: (c: FakeClock) => (clock = c) };
}

const readJobs = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { version: number; jobs: Job[] }).jobs;

describe("job-scheduler, file store", () => {
  const dir = tmpDir("job-scheduler");
  let n = 0;
  const freshPath = () => join(dir, `case-${n++}`, "data", "jobs.json");
  const fakeApi = {} as Api;

  it("a job scheduled before a restart fires once with its data on the new scheduler, and the file is emptied", async () => {
    const { FileJobScheduler, jobHandlers, MISSED } = await load();
    expect(MISSED).toBe("run");
    const path = freshPath();
    const clock = new FakeClock();
    const t = createTestBot();

    const before = new FileJobScheduler!({ handlers: jobHandlers, path, clock });
    await before.start(t.bot.api);
    const job = await before.schedule("remind", { chatId: 7, text: "tea" }, { delayMs: 5 * MINUTE });
    await before.stop();
    expect(clock.pending).toBe(0); // the old scheduler's timer is gone
    expect(readJobs(path)).toEqual([{ id: job.id, name: "remind", runAt: clock.now() + 5 * MINUTE, data: { chatId: 7, text: "tea" } }]);

    const after = new FileJobScheduler!({ handlers: jobHandlers, path, clock });
    await after.start(t.bot.api);
    await clock.advance(5 * MINUTE - 1);
    expect(t.calls).toEqual([]);
    await clock.advance(1);
    expect(t.calls).toEqual([{ method: "sendMessage", payload: { chat_id: 7, text: "⏰ tea" } }]);
    await clock.advance(DAY);
    expect(t.calls).toHaveLength(1);
    expect(readJobs(path)).toEqual([]);
    await after.stop();
    expect(readdirSync(join(path, ".."))).toEqual(["jobs.json"]); // no temp files left behind
  });

  it("a repeating job fires again, is persisted with its next runAt, and continues after a restart", async () => {
    const { FileJobScheduler } = await load();
    const path = freshPath();
    const clock = new FakeClock();
    const start = clock.now();
    const { fired, handlers, useClock } = pingHandlers();
    useClock(clock);
    const a = new FileJobScheduler!({ handlers, path, clock });
    await a.start(fakeApi);
    await a.schedule("ping", { n: 1 }, { id: "tick", every: MINUTE });

    await clock.advance(MINUTE);
    expect(fired.map((f) => f.at - start)).toEqual([MINUTE]);
    expect(readJobs(path)).toEqual([{ id: "tick", name: "ping", runAt: start + 2 * MINUTE, every: MINUTE, data: { n: 1 } }]);
    await clock.advance(MINUTE);
    expect(fired.map((f) => f.at - start)).toEqual([MINUTE, 2 * MINUTE]);
    await a.stop();

    const b = new FileJobScheduler!({ handlers, path, clock });
    await b.start(fakeApi);
    await clock.advance(MINUTE);
    expect(fired.map((f) => f.at - start)).toEqual([MINUTE, 2 * MINUTE, 3 * MINUTE]);
    expect(fired.every((f) => (f.data as { n: number }).n === 1)).toBe(true);
    await b.stop();
  });

  it("a cancelled job never fires, not even after a restart", async () => {
    const { FileJobScheduler } = await load();
    const path = freshPath();
    const clock = new FakeClock();
    const { fired, handlers } = pingHandlers();
    const a = new FileJobScheduler!({ handlers, path, clock });
    await a.start(fakeApi);
    await a.schedule("ping", { keep: true }, { id: "keep", delayMs: 2000 });
    await a.schedule("ping", { keep: false }, { id: "drop", delayMs: 1000 });
    expect(await a.cancel("drop")).toBe(true);
    expect(await a.cancel("drop")).toBe(false);
    await a.flush!();
    expect(readJobs(path).map((j) => j.id)).toEqual(["keep"]);
    await a.stop();

    const b = new FileJobScheduler!({ handlers, path, clock });
    await b.start(fakeApi);
    await clock.advance(DAY);
    expect(fired.map((f) => f.data)).toEqual([{ keep: true }]);
    await b.stop();
  });

  it.each([
    ["not JSON", "{not json", /is not valid JSON, maybe half-written/],
    ["half-written", '{"version":1,"jobs":[{"id":"a","name":"ping","runAt":17', /is not valid JSON, maybe half-written/],
    ["not a jobs file", '{"jobs":{}}', /is not a jobs file/],
    ["an invalid job", '{"version":1,"jobs":[{"id":"a","name":"ping","runAt":1,"data":null},{"id":"b"}]}', /has an invalid job at jobs\[1\]/],
  ])("a jobs file that is %s gives a clear error and is not overwritten", async (_label, content, message) => {
    const { FileJobScheduler, JobsFileError, startScheduler } = await load();
    const path = freshPath();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    const clock = new FakeClock();
    const { handlers } = pingHandlers();
    const jobs = new FileJobScheduler!({ handlers, path, clock });

    const error = await jobs.start(fakeApi).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobsFileError!);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("left untouched");
    await expect(jobs.schedule("ping", {}, { delayMs: 1 })).rejects.toBeInstanceOf(JobsFileError!);
    await expect(jobs.cancel("a")).rejects.toBeInstanceOf(JobsFileError!);

    // Through startScheduler: it fails with the same error.
    const t = createTestBot();
    await expect(startScheduler(t.bot, jobs)).rejects.toBeInstanceOf(JobsFileError!);

    expect(readFileSync(path, "utf8")).toBe(content);
    expect(readdirSync(join(path, ".."))).toEqual(["jobs.json"]);
  });

  it('missed = "run": jobs due while the bot was down run once as soon as it is back', async () => {
    const { FileJobScheduler } = await load({ missed: "run" });
    const path = freshPath();
    const clock = new FakeClock();
    const { fired, handlers } = pingHandlers();
    const a = new FileJobScheduler!({ handlers, path, clock });
    await a.schedule("ping", { once: true }, { delayMs: 1000 });
    await a.schedule("ping", { every: true }, { every: MINUTE });
    await a.stop();

    clock.jump(10 * MINUTE); // down for ten minutes
    const b = new FileJobScheduler!({ handlers, path, clock });
    await b.start(fakeApi);
    await clock.advance(0);
    expect(fired.map((f) => f.data)).toEqual([{ once: true }, { every: true }]); // the repeating job once, not ten times
    await clock.advance(MINUTE);
    expect(fired).toHaveLength(3);
    await b.stop();
  });

  it('missed = "skip": past one-off jobs are dropped with a warning; repeating jobs wait for their next time', async () => {
    const { FileJobScheduler } = await load({ missed: "skip" });
    const path = freshPath();
    const clock = new FakeClock();
    const start = clock.now();
    const { fired, handlers, useClock } = pingHandlers();
    useClock(clock);
    const a = new FileJobScheduler!({ handlers, path, clock });
    await a.schedule("ping", { once: true }, { id: "once", delayMs: 1000 });
    await a.schedule("ping", { every: true }, { id: "rep", every: MINUTE });
    await a.schedule("ping", { future: true }, { id: "future", delayMs: 20 * MINUTE });
    await a.stop();

    clock.jump(10 * MINUTE + 30_000);
    const warn = vi.fn();
    const b = new FileJobScheduler!({ handlers, path, clock, warn }); // the default comes from the answer
    await b.start(fakeApi);
    await clock.advance(0);
    expect(fired).toEqual([]);
    expect(warn.mock.calls.map(([m]) => m)).toEqual([expect.stringMatching(/^Skipped job once \(ping\)/), expect.stringMatching(/^Skipped job rep \(ping\)/)]);
    expect(readJobs(path).map((j) => [j.id, j.runAt - start])).toEqual([
      ["rep", 11 * MINUTE],
      ["future", 20 * MINUTE],
    ]);
    await clock.advance(30_000);
    expect(fired.map((f) => [f.data, f.at - start])).toEqual([[{ every: true }, 11 * MINUTE]]);
    await b.stop();
  });

  it("waits beyond setTimeout's limit (~24.8 days) in steps, and fires once at the right time", async () => {
    const { FileJobScheduler } = await load();
    const path = freshPath();
    const clock = new FakeClock();
    const start = clock.now();
    const { fired, handlers, useClock } = pingHandlers();
    useClock(clock);
    const jobs = new FileJobScheduler!({ handlers, path, clock });
    await jobs.start(fakeApi);
    await jobs.schedule("ping", { far: true }, { delayMs: 60 * DAY });

    await clock.advance(59 * DAY);
    expect(fired).toEqual([]);
    await clock.advance(DAY);
    expect(fired.map((f) => f.at - start)).toEqual([60 * DAY]);
    expect(clock.delays.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...clock.delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    await jobs.stop();
  });

  it("drops stored jobs whose handler no longer exists, with a warning", async () => {
    const { FileJobScheduler } = await load();
    const path = freshPath();
    mkdirSync(join(path, ".."), { recursive: true });
    const clock = new FakeClock();
    writeFileSync(path, JSON.stringify({ version: 1, jobs: [{ id: "old", name: "renamed", runAt: clock.now() + 1, data: {} }] }));
    const warn = vi.fn();
    const { fired, handlers } = pingHandlers();
    const jobs = new FileJobScheduler!({ handlers, path, clock, warn });
    await jobs.start(fakeApi);
    await clock.advance(10);
    expect(fired).toEqual([]);
    expect(warn).toHaveBeenCalledWith('Dropped job old: there is no handler named "renamed"');
    expect(readJobs(path)).toEqual([]);
    await expect(jobs.schedule("renamed", {})).rejects.toThrow('There is no job handler named "renamed"');
    await jobs.stop();
  });

  it("a failing handler goes to onError and does not stop later jobs", async () => {
    const { FileJobScheduler } = await load();
    const clock = new FakeClock();
    const errors: string[] = [];
    const ran: string[] = [];
    const handlers: Handlers = {
      fail: () => {
        throw new Error("boom");
      },
      ok: () => void ran.push("ok"),
    };
    const jobs = new FileJobScheduler!({ handlers, path: freshPath(), clock, onError: (e, job) => void errors.push(`${job.name}: ${(e as Error).message}`) });
    await jobs.start(fakeApi);
    await jobs.schedule("fail", {}, { delayMs: 10 });
    await jobs.schedule("ok", {}, { delayMs: 20 });
    await clock.advance(20);
    expect(errors).toEqual(["fail: boom"]);
    expect(ran).toEqual(["ok"]);
    await jobs.stop();
  });
});

describe("job-scheduler, /remind, startScheduler and stopScheduler (file store)", () => {
  const dir = tmpDir("job-scheduler-bot");

  it("/remind <minutes> <text> replies, then sends the reminder with bot.api in the same topic", async () => {
    const { FileJobScheduler, jobHandlers, installScheduler, startScheduler, stopScheduler } = await load();
    const clock = new FakeClock();
    const jobs = new FileJobScheduler!({ handlers: jobHandlers, path: join(dir, "remind.json"), clock });
    const t = createTestBot();
    installScheduler(t.bot, jobs);
    t.bot.on("message", (ctx) => ctx.reply("catch-all"));
    await startScheduler(t.bot, jobs);

    const topic = { chat: groupChat(-100200), extra: { is_topic_message: true, message_thread_id: 12 } };
    await t.send(commandMessage("remind", "5 stretch  your legs", { from: 7, ...topic }));
    expect(t.calls.map((c) => [c.payload.chat_id, c.payload.text])).toEqual([[-100200, "OK, I will remind you in 5 minutes."]]);

    await clock.advance(5 * MINUTE);
    expect(t.calls[1]).toEqual({ method: "sendMessage", payload: { chat_id: -100200, text: "⏰ stretch  your legs", message_thread_id: 12 } });

    await stopScheduler(jobs);
    await jobs.schedule("remind", { chatId: 1, text: "later" }, { delayMs: 1000 });
    await clock.advance(2000);
    expect(t.calls).toHaveLength(2);
  });

  it.each([[""], ["soon"], ["0 nap"], ["525601 nap"], ["5"], [`5 ${"x".repeat(1001)}`]])("/remind %j answers with the usage and schedules nothing", async (args) => {
    const { FileJobScheduler, jobHandlers, remindCommand } = await load();
    const clock = new FakeClock();
    const path = join(dir, `usage-${args.length}-${args.replace(/\W/g, "").slice(0, 20)}.json`);
    const jobs = new FileJobScheduler!({ handlers: jobHandlers, path, clock });
    const t = createTestBot();
    t.bot.use(remindCommand(jobs));
    await t.send(commandMessage("remind", args, { from: 7 }));
    expect(t.calls.map((c) => c.payload.text)).toEqual(["Usage: /remind <minutes> <text>, with 1 to 525600 minutes and at most 1000 characters."]);
    expect(existsSync(path)).toBe(false);
  });

  it("installScheduler leaves the bot's own methods alone; startScheduler runs due jobs, stopScheduler stops them and is idempotent", async () => {
    const { FileJobScheduler, jobHandlers, installScheduler, startScheduler, stopScheduler } = await load();
    const clock = new FakeClock();
    const path = join(dir, "start.json");
    writeFileSync(path, JSON.stringify({ version: 1, jobs: [{ id: "due", name: "remind", runAt: clock.now(), data: { chatId: 9, text: "due" } }] }));
    const jobs = new FileJobScheduler!({ handlers: jobHandlers, path, clock });
    const t = createTestBot();
    installScheduler(t.bot, jobs);
    // No recipe patches methods of the user's Bot: init, start and stop are still the prototype's.
    expect(["init", "start", "stop"].filter((m) => Object.prototype.hasOwnProperty.call(t.bot, m))).toEqual([]);
    await t.bot.init();
    await clock.advance(0);
    expect(t.callsOf("sendMessage")).toEqual([]); // the bot starting does not run jobs by itself

    await startScheduler(t.bot, jobs);
    await startScheduler(t.bot, jobs); // idempotent
    await clock.advance(0);
    expect(t.callsOf("sendMessage").map((c) => c.payload)).toEqual([{ chat_id: 9, text: "⏰ due" }]);
    await stopScheduler(jobs);
    await stopScheduler(jobs); // idempotent
    expect(clock.pending).toBe(0);
    await jobs.schedule("remind", { chatId: 9, text: "after stop" }, { delayMs: 10 });
    await clock.advance(100);
    expect(t.callsOf("sendMessage")).toHaveLength(1);
    await stopScheduler(jobs); // writes the job scheduled after the stop
    expect(readJobs(path).map((j) => j.data)).toEqual([{ chatId: 9, text: "after stop" }]);
  });
});

describe.skipIf(!redisAvailable)("job-scheduler, Redis store (BullMQ)", () => {
  let server: RedisServer | undefined;
  const open: Scheduler[] = [];
  let mod: JobsModule;

  beforeAll(async () => {
    server = await startRedis();
    mod = await load({ store: "redis", missed: "run" });
  });
  afterAll(async () => {
    for (const s of open) await s.stop();
    await server?.stop();
  });

  const scheduler = (options: Partial<CommonOptions> & { now?: () => number; queueName?: string } = {}) => {
    const s = new mod.RedisJobScheduler!({ handlers: mod.jobHandlers, url: server!.url, ...options });
    open.push(s);
    return s;
  };

  it("a job added by one Queue is run by a Worker started later", async () => {
    const producer = scheduler();
    await producer.schedule("remind", { chatId: 7, text: "from another process" });
    await producer.stop();

    const t = createTestBot();
    const worker = scheduler();
    await worker.start(t.bot.api);
    await vi.waitFor(() => expect(t.callsOf("sendMessage")).toHaveLength(1), { timeout: 10_000, interval: 50 });
    expect(t.calls[0]).toEqual({ method: "sendMessage", payload: { chat_id: 7, text: "⏰ from another process" } });
    await worker.stop();
  });

  it("a cancelled job never runs; a repeating job runs and its schedule can be cancelled", async () => {
    const t = createTestBot();
    const jobs = scheduler();
    await jobs.schedule("remind", { chatId: 1, text: "cancelled" }, { id: "cancel-me", delayMs: 300 });
    expect(await jobs.cancel("cancel-me")).toBe(true);
    expect(await jobs.cancel("cancel-me")).toBe(false);
    await jobs.schedule("remind", { chatId: 2, text: "repeat" }, { id: "every-hour", every: 60 * MINUTE, delayMs: 0 }); // first run now
    await jobs.start(t.bot.api);
    await vi.waitFor(() => expect(t.callsOf("sendMessage")).toHaveLength(1), { timeout: 10_000, interval: 50 });
    expect(await jobs.cancel("every-hour")).toBe(true);
    await new Promise((r) => setTimeout(r, 600)); // past the cancelled job's time
    expect(t.calls.map((c) => c.payload.text)).toEqual(["⏰ repeat"]);
    await jobs.stop();
  });

  it('missed = "skip": a job that starts much later than planned is skipped with a warning', async () => {
    const producer = scheduler();
    await producer.schedule("remind", { chatId: 3, text: "too late" });
    await producer.stop();
    const t = createTestBot();
    const warn = vi.fn();
    const late = scheduler({ missed: "skip", warn, now: () => Date.now() + 10 * MINUTE });
    await late.start(t.bot.api);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Skipped job .* \(remind\), missed at /)), { timeout: 10_000, interval: 50 });
    expect(t.calls).toEqual([]);
    await late.stop();
  });

  let queues = 0;
  /** A queue of its own, so no job of another test is picked up. */
  const ownQueue = () => `test-queue-${process.pid}-${queues++}`;

  it("a repeating job's first run waits for delayMs (BullMQ startDate)", { timeout: 20_000 }, async () => {
    const t = createTestBot();
    const jobs = scheduler({ queueName: ownQueue() });
    await jobs.start(t.bot.api);
    const scheduled = Date.now();
    await jobs.schedule("remind", { chatId: 4, text: "later" }, { id: "later", delayMs: 1500, every: 60 * MINUTE });
    await new Promise((r) => setTimeout(r, 800));
    expect(t.calls).toEqual([]); // not at once
    await vi.waitFor(() => expect(t.callsOf("sendMessage")).toHaveLength(1), { timeout: 10_000, interval: 25 });
    expect(Date.now() - scheduled).toBeGreaterThanOrEqual(1400);
    expect(await jobs.cancel("later")).toBe(true);
    await jobs.stop();
  });

  it("a 429 is tried again after retry_after, a network error after the backoff; a 403 goes to onError once", { timeout: 20_000 }, async () => {
    const t = createTestBot();
    const tries: Array<[unknown, number]> = [];
    const failed = new Set<unknown>();
    t.respond((method, payload) => {
      if (method !== "sendMessage") return undefined;
      tries.push([payload.chat_id, Date.now()]);
      if (payload.chat_id === 3) return apiError(403, "Forbidden: bot was blocked by the user");
      if (failed.has(payload.chat_id)) return undefined;
      failed.add(payload.chat_id);
      if (payload.chat_id === 1) return apiError(429, "Too Many Requests: retry after 1", { retry_after: 1 });
      throw new HttpError("Network request for 'sendMessage' failed!", new Error("socket hang up"));
    });
    const onError = vi.fn();
    const warn = vi.fn();
    const jobs = scheduler({ queueName: ownQueue(), onError, warn, retryBaseMs: 300 });
    for (const chatId of [1, 2, 3]) await jobs.schedule("remind", { chatId, text: "hi" });
    await jobs.start(t.bot.api);
    await vi.waitFor(() => expect(tries).toHaveLength(5), { timeout: 10_000, interval: 25 });
    const gap = (chat: number) => {
      const [first, second] = tries.filter(([c]) => c === chat).map(([, at]) => at);
      return second! - first!;
    };
    expect(gap(1)).toBeGreaterThanOrEqual(950); // retry_after: 1
    expect(gap(2)).toBeGreaterThanOrEqual(280); // retryBaseMs
    expect(tries.filter(([c]) => c === 3)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatchObject({ error_code: 403 });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/failed \(try 1 of 5\), trying again in 1 s: /));
    await jobs.stop();
  });

  it("jobs due together are paced by the Worker's rate limiter, not all run at once", { timeout: 30_000 }, async () => {
    const queueName = ownQueue();
    const producer = scheduler({ queueName });
    for (let i = 0; i < 12; i++) await producer.schedule("remind", { chatId: i, text: "overdue" });
    await producer.stop();
    const t = createTestBot();
    const at: number[] = [];
    t.respond((method) => void (method === "sendMessage" && at.push(Date.now())));
    const worker = scheduler({ queueName, jobsPerSecond: 4 });
    await worker.start(t.bot.api);
    await vi.waitFor(() => expect(at).toHaveLength(12), { timeout: 20_000, interval: 50 });
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(1500); // 12 jobs at 4 per second: three windows
    await worker.stop();
  });

  it("stopScheduler closes every Redis connection it opened and is idempotent", { timeout: 20_000 }, async () => {
    const admin = new Redis(server!.url);
    const clients = async () => String(await admin.call("CLIENT", "LIST")).trim().split("\n").length;
    const before = await clients();
    const t = createTestBot();
    const jobs = scheduler({ queueName: ownQueue() });
    await mod.startScheduler(t.bot, jobs);
    await jobs.schedule("remind", { chatId: 1, text: "x" }, { delayMs: MINUTE });
    expect(await clients()).toBeGreaterThan(before);
    await mod.stopScheduler(jobs);
    await mod.stopScheduler(jobs);
    await vi.waitFor(async () => expect(await clients()).toBe(before), { timeout: 5000, interval: 50 });
    await admin.quit();
  });

  it("says which environment variable is missing", async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const jobs = new mod.RedisJobScheduler!({ handlers: mod.jobHandlers });
      await expect(jobs.schedule("remind", { chatId: 1, text: "x" })).rejects.toThrow("REDIS_URL is not set");
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});

if (!redisAvailable) {
  describe("job-scheduler, Redis store", () => {
    it.skip("redis-server is not installed: the BullMQ tests are skipped", () => {});
  });
}
