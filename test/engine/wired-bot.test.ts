// Recipes applied by the engine to a fixture project, then the project's own
// bot run in a real grammY Bot: this proves the wiring (imports resolve, the
// gate sits before the user's catch-all, the error boundary comes first).
import type { Bot, Context } from "grammy";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { BOT_INFO, commandMessage, textMessage, type ApiCall } from "../helpers/harness.js";
import { applyRecipes, copyFixture } from "../helpers/recipes.js";

function intercept(bot: Bot<Context>): ApiCall[] {
  const calls: ApiCall[] = [];
  bot.api.config.use(async (_prev, method, payload) => {
    calls.push({ method, payload: payload as Record<string, unknown> });
    return { ok: true, result: method === "sendMessage" ? { message_id: 1, date: 0, chat: { id: 0, type: "private" } } : true } as never;
  });
  return calls;
}

describe("esm-nodenext-factory with access-control and error-handler", () => {
  it("the gate runs before the user's middleware and catch-all; allowed users reach their handlers", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    await applyRecipes(dir, [{ id: "error-handler" }, { id: "access-control", answers: { userIds: "1,2", deniedReply: "No." } }]);
    const { createBot } = (await import(pathToFileURL(join(dir, "src/bot.ts")).href)) as { createBot: (token: string, options: object) => Bot<Context> };
    const bot = createBot("1:TEST", { botInfo: BOT_INFO });
    const calls = intercept(bot);

    await bot.handleUpdate(commandMessage("start", "", { from: 1 }));
    await bot.handleUpdate(textMessage("echo me", { from: 2 }));
    await bot.handleUpdate(textMessage("let me in", { from: 99 }));

    expect(calls.map((c) => [c.payload.chat_id, c.payload.text])).toEqual([
      [1, "Welcome, developer!"],
      [2, "echo me"],
      [99, "No."], // denied: the echo catch-all never saw it
    ]);
  });
});

describe("webhook-split with error-handler and access-control", () => {
  it("errors thrown in handlers registered in another module reach the error boundary, and webhook serving is detected", async () => {
    const dir = copyFixture("webhook-split");
    const plan = await applyRecipes(dir, [{ id: "access-control", answers: { userIds: "5" } }, { id: "error-handler", answers: { devChatIds: "-1001" } }]);
    expect(plan.notes.join("\n")).toContain("webhookCallback never calls bot.catch");

    vi.stubEnv("BOT_TOKEN", "1:TEST");
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const { bot } = (await import(pathToFileURL(join(dir, "src/bot.ts")).href)) as { bot: Bot<Context> };
    await import(pathToFileURL(join(dir, "src/handlers.ts")).href);
    bot.botInfo = BOT_INFO;
    const calls = intercept(bot);

    // handleUpdate would reject without the boundary (webhookCallback would answer 500 and Telegram would retry).
    await bot.handleUpdate(commandMessage("boom", "", { from: 5 }));
    await bot.handleUpdate(commandMessage("boom", "", { from: 6 }));

    expect(calls.map((c) => c.payload.chat_id)).toEqual([5, -1001, 6]);
    expect(calls[1]!.payload.text).toContain("&lt;boom&gt; &amp; friends");
    expect(calls[2]!.payload.text).toBe("Sorry, you are not allowed to use this bot.");
    vi.unstubAllEnvs();
    log.mockRestore();
  });
});
