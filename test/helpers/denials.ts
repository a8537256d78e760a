// Helpers for the behaviour tests of the guard recipes' denials
// (access-control, channel-gate, group-admin-guard): run a batch of updates
// through grammY's real long-polling loop, where an error that reaches the
// default error handler stops the bot.
import type { Context } from "grammy";
import type { Update } from "grammy/types";
import type { TestBot } from "./harness.js";
import { deferred } from "./guards.js";

/**
 * Starts the bot with long polling, hands it `updates` as one getUpdates
 * batch, and stops it once the next getUpdates shows the batch was handled.
 * Resolves with whether the bot was still running after the batch, and the
 * error `bot.start()` rejected with (the default error handler rethrows, which
 * stops polling). Settles within `timeoutMs` either way.
 */
export async function pollBatch<C extends Context>(t: TestBot<C>, updates: Update[], timeoutMs = 5000): Promise<{ running: boolean; startError: unknown }> {
  let batches = 0;
  const handled = deferred<void>();
  t.respond(async (method) => {
    if (method !== "getUpdates") return undefined;
    batches++;
    if (batches === 1) return { ok: true, result: updates };
    handled.resolve(); // asked for more: the whole batch went through the middleware
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { ok: true, result: [] };
  });
  let startError: unknown;
  const started = t.bot.start().catch((error: unknown) => {
    startError = error;
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([handled.promise, started, timeout]);
  const running = t.bot.isRunning() && startError === undefined;
  if (t.bot.isRunning()) await t.bot.stop();
  await Promise.race([started, timeout]);
  return { running, startError };
}

/** The lines a console method was called with, each call's arguments joined. */
export function loggedLines(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((args) => args.map(String).join(" "));
}
