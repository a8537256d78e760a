// The bare skeleton's error handler (issue 13 §15): a bot made by `new` with no
// recipes keeps polling when a handler throws, logs no token, and has exactly
// one `bot.catch` when the error-handler recipe is picked too. The picker of
// `new` preselects error-handler.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { pathToFileURL } from "node:url";
import type { Bot, BotConfig, Context } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BOT_INFO, commandMessage, defaultResult } from "../helpers/harness.js";
import { tmpDir } from "../helpers/recipes.js";
import { cli } from "./helpers.js";

const TOKEN = "123456789:AAE-not-a-real-token_but-looks-like-one";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the skeleton without recipes (new --yes)", () => {
  let dir: string;
  beforeAll(() => {
    // Under test/.tmp so that the generated src/bot.ts resolves grammy from the repo's node_modules.
    const root = tmpDir("skeleton");
    const run = cli(["new", "bare", "--yes", "--no-install"], root);
    expect(run.status, run.stderr).toBe(0);
    dir = join(root, "bare");
  });

  it("has one bot.catch", () => {
    const bot = readFileSync(join(dir, "src/bot.ts"), "utf8");
    expect(bot.match(/\bbot\.catch\(/g)).toHaveLength(1);
  });

  it("keeps polling after a handler throws (and after a network error), logging no token", { timeout: 30_000 }, async () => {
    const { createBot } = (await import(pathToFileURL(join(dir, "src/bot.ts")).href)) as {
      createBot: (token: string, config?: BotConfig<Context>) => Bot<Context>;
    };
    // The network is never reached: a request that gets past the fake fails the way a
    // fetch does, with the URL (and so the token) in its message.
    const fetch = (url: unknown) => Promise.reject(new Error(`request to ${String(url)} failed, reason: connect ECONNREFUSED`));
    const bot = createBot(TOKEN, { botInfo: BOT_INFO, client: { fetch: fetch as never } });
    bot.command("boom", () => {
      throw new Error("a handler bug");
    });
    bot.command("net", async (ctx) => {
      await ctx.api.sendMessage(ctx.chat.id, "through the network");
    });

    const withId = (update: Update, id: number): Update => ({ ...update, update_id: id });
    const batches: Update[][] = [[withId(commandMessage("boom"), 1), withId(commandMessage("net"), 2)], [withId(commandMessage("start"), 3)]];
    const sent: string[] = [];
    bot.api.config.use(async (prev, method, payload, signal) => {
      const p = (payload ?? {}) as Record<string, unknown>;
      if (method === "sendMessage" && p.text === "through the network") return prev(method, payload, signal);
      if (method === "getUpdates") {
        const next = batches.shift();
        if (next === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
        return { ok: true, result: next ?? [] } as never;
      }
      if (method === "sendMessage") sent.push(String(p.text));
      return { ok: true, result: defaultResult(method, p) } as never;
    });
    const logged: unknown[][] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args));

    const running = bot.start();
    const deadline = Date.now() + 20_000;
    while (sent.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await bot.stop();
    await running; // without an error handler grammY rejects here: "No error handler was set!"

    expect(sent).toEqual(["Hello, User1! Send /help to see what I can do."]);
    const text = logged.map((args) => args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 5 }))).join(" "));
    expect(text).toHaveLength(2);
    expect(text[0]).toMatch(/^Error while handling update 1: Error: a handler bug/);
    expect(text[1]).toBe("Error while handling update 2: Network request for 'sendMessage' failed!");
    for (const line of text) expect(line).not.toContain(TOKEN);
  });
});

describe("new --recipes error-handler", () => {
  it("has exactly one error handler, the recipe's", () => {
    const root = tmpDir("skeleton-eh");
    const run = cli(["new", "eh", "--yes", "--recipes", "error-handler", "--no-install"], root);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("Add by hand");
    const bot = readFileSync(join(root, "eh/src/bot.ts"), "utf8");
    expect(bot.match(/\.catch\(/g)).toEqual([".catch("]);
    expect(bot).toContain("bot.catch(handleBotError);");
    expect(bot).not.toContain("HttpError");
  });
});

describe("the recipe picker of new", () => {
  it("preselects error-handler (and nothing else)", async () => {
    const questions: Array<{ choices?: Array<{ value: string; selected?: boolean }> }> = [];
    vi.doMock("prompts", () => ({
      default: async (question: (typeof questions)[number]) => {
        questions.push(question);
        throw new Error("stop after the picker");
      },
    }));
    vi.resetModules();
    const { newCommand } = await import("../../src/commands/new.js");
    Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
    vi.stubEnv("CI", "");
    try {
      await expect(newCommand(join(tmpDir("skeleton-picker"), "p"), { install: false })).rejects.toThrow("stop after the picker");
    } finally {
      Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
      vi.unstubAllEnvs();
      vi.doUnmock("prompts");
    }
    const selected = questions[0]!.choices!.filter((c) => c.selected).map((c) => c.value);
    expect(selected).toEqual(["error-handler"]);
  });
});
