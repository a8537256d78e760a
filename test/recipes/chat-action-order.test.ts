// chat-action must never show "typing…" after the handler's reply: the
// repeater stops before the reply goes out, even when a tick is due while the
// reply is still on its way.
import type { Context, MiddlewareFn } from "grammy";
import { describe, expect, it } from "vitest";
import { commandMessage, createTestBot, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface ChatActionModule {
  withTyping: <C extends Context>(handler: MiddlewareFn<C>, options?: { repeatMs?: number; timers?: Timers }) => MiddlewareFn<C>;
}

const load = async () => (await renderRecipe("chat-action", { style: "wrapper" })).load<ChatActionModule>();

/** Timers fired by hand; `fire()` runs every pending callback once. */
function manualTimers() {
  let ids = 0;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    setTimeout: (callback) => {
      pending.set(++ids, callback);
      return ids;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const fire = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const callback of due) callback();
  };
  return { timers, pending, fire };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A sendMessage that hangs until released, like a reply on a slow network. */
function slowReplies(t: ReturnType<typeof createTestBot>) {
  const releases: Array<() => void> = [];
  t.respond(async (method) => {
    if (method !== "sendMessage") return undefined;
    await new Promise<void>((resolve) => releases.push(resolve));
    return undefined;
  });
  return () => releases.splice(0).forEach((release) => release());
}

describe("chat-action: no action after the reply", () => {
  it("sendChatAction, sendMessage, and no sendChatAction after it, though the repeat timer fires while the reply is in flight", async () => {
    const { withTyping } = await load();
    const clock = manualTimers();
    const t = createTestBot();
    const release = slowReplies(t);
    t.bot.command("ask", withTyping((ctx) => ctx.reply("42"), { timers: clock.timers }));

    const handling = t.send(commandMessage("ask", "", { from: 7 }));
    await flush();
    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendMessage"]); // the reply is on its way
    for (let i = 0; i < 3; i++) {
      clock.fire(); // every timer that is due fires now, before the reply has come back
      await flush();
    }
    release();
    await handling;
    clock.fire();
    await flush();

    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendMessage"]);
    expect(clock.pending.size).toBe(0);
  });

  it("a tick that was already due when the reply went out sends nothing", async () => {
    const { withTyping } = await load();
    // Timers whose clearTimeout cannot take back a callback that is already due.
    const due: Array<() => void> = [];
    const timers: Timers = { setTimeout: (callback) => due.push(callback), clearTimeout: () => {} };
    const t = createTestBot();
    const release = slowReplies(t);
    t.bot.command("ask", withTyping((ctx) => ctx.reply("42"), { timers }));

    const handling = t.send(commandMessage("ask", "", { from: 7 }));
    await flush();
    for (const callback of due.splice(0)) callback();
    await flush();
    release();
    await handling;
    for (const callback of due.splice(0)) callback();
    await flush();
    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendMessage"]);
  });

  it("a slow handler still gets repeats before its reply, and none after it, also when a later middleware replies", async () => {
    const { withTyping } = await load();
    const clock = manualTimers();
    const t = createTestBot();
    const release = slowReplies(t);
    let work!: () => void;
    const working = new Promise<void>((resolve) => (work = resolve));
    t.bot.use(withTyping(async (_ctx, next) => {
      await working;
      await next();
    }, { timers: clock.timers }));
    t.bot.on("message", (ctx) => ctx.reply("from a later handler"));

    const handling = t.send(textMessage("hi", { from: 7 }));
    await flush();
    clock.fire(); // the handler is still working: one more action
    await flush();
    work();
    await flush();
    clock.fire(); // the later handler's reply is in flight: no action
    await flush();
    release();
    await handling;
    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendChatAction", "sendMessage"]);
  });
});
