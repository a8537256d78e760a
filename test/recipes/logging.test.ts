// Behaviour of the rendered logging recipe in a real grammY Bot: the exact
// lines for a handled update and a failing API call, durations on an injected
// clock, the level, pino-style fields, and no token in any line.
import { Bot, type Context } from "grammy";
import { describe, expect, it } from "vitest";
import { apiError, BOT_INFO, commandMessage, groupChat, textMessage, type FakeAnswer } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

type Level = "debug" | "info" | "warn" | "error";

interface LoggingOptions {
  logger?: Record<Level, (...args: never[]) => void>;
  level?: Level;
  now?: () => number;
  token?: string;
}

interface LoggingModule {
  installLogging: <C extends Context>(bot: Bot<C>, options?: LoggingOptions) => void;
  redactToken: (text: string, token?: string) => string;
}

/** A token of the real shape: digits, colon, 35 characters. */
const TOKEN = "7412589630:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
const SECRET = TOKEN.split(":")[1]!;
const OTHER_TOKEN = "1234567:ZZZ_abcdefghijklmnopqrstuvwxyz012345";

/**
 * A real Bot with a real-looking token; API calls answered by `answer`
 * (installed first, like the harness, so the logging transformer wraps it).
 * The clock only moves when a test moves it.
 */
function setup(answer: (method: string, payload: Record<string, unknown>) => FakeAnswer | Promise<FakeAnswer>) {
  const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { fetch: (() => Promise.reject(new Error("network in a test"))) as never } });
  bot.api.config.use(async (_prev, method, payload) => (await answer(method, (payload ?? {}) as Record<string, unknown>)) as never);
  const clock = { now: 1_000_000 };
  return { bot, clock, now: () => clock.now };
}

/** A console-style logger that records `level line`. */
function textLogger() {
  const lines: string[] = [];
  const at = (level: Level) => (line: string) => void lines.push(`${level} ${line}`);
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

const load = async (answers: Record<string, unknown> = {}, facts: Record<string, number> = {}) =>
  (await renderRecipe("logging", { level: "info", logger: "console", ...answers }, facts)).load<LoggingModule>();

describe("logging: console lines", () => {
  it("a handled update: one line for its API call and one for the update, timed on the injected clock", async () => {
    const { installLogging } = await load();
    const { bot, clock, now } = setup((method, payload) => {
      clock.now += 7; // the call takes 7 ms
      return { ok: true, result: { message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private", first_name: "U" }, text: "hi" } };
    });
    const { lines, logger } = textLogger();
    installLogging(bot, { logger, now });
    bot.command("start", async (ctx) => {
      clock.now += 30; // the handler's own work
      await ctx.reply("hi");
    });
    const update = commandMessage("start", "", { from: 5 });
    await bot.handleUpdate(update);
    expect(lines).toEqual([
      "info api method=sendMessage chat=5 ms=7 outcome=ok",
      `info update update_id=${update.update_id} type=message chat=5 user=5 ms=37 outcome=ok`,
    ]);
  });

  it("a failing API call: a warn line with Telegram's code and description, and the update's error line; the error is rethrown (for bot.catch)", async () => {
    const { installLogging } = await load();
    const { bot, clock, now } = setup(() => {
      clock.now += 4;
      return apiError(403, "Forbidden: bot was blocked by the user");
    });
    const { lines, logger } = textLogger();
    installLogging(bot, { logger, now });
    bot.on("message", (ctx) => ctx.reply("hi"));
    const update = textMessage("hello", { from: 9, chat: groupChat(-100321) });
    await expect(bot.handleUpdate(update)).rejects.toThrow(/blocked by the user/);
    expect(lines).toEqual([
      'warn api method=sendMessage chat=-100321 ms=4 outcome=error error_code=403 description="Forbidden: bot was blocked by the user"',
      `error update update_id=${update.update_id} type=message chat=-100321 user=9 ms=4 outcome=error error="GrammyError: Call to 'sendMessage' failed! (403: Forbidden: bot was blocked by the user)"`,
    ]);
  });

  it("the level skips lower lines; long-polling getUpdates calls are debug lines", async () => {
    for (const [level, expected] of [
      ["debug", ["debug api method=getUpdates ms=0 outcome=ok", "info api method=getMe ms=0 outcome=ok", "warn api method=sendMessage chat=1 ms=0 outcome=error error_code=400 description=\"Bad Request: chat not found\""]],
      ["info", ["info api method=getMe ms=0 outcome=ok", "warn api method=sendMessage chat=1 ms=0 outcome=error error_code=400 description=\"Bad Request: chat not found\""]],
      ["warn", ["warn api method=sendMessage chat=1 ms=0 outcome=error error_code=400 description=\"Bad Request: chat not found\""]],
      ["error", []],
    ] as const) {
      // The level answer is the default; the option overrides it (checked both ways).
      for (const how of ["answer", "option"] as const) {
        const { installLogging } = await load({ level: how === "answer" ? level : "info" });
        const { bot, now } = setup((method) => (method === "sendMessage" ? apiError(400, "Bad Request: chat not found") : { ok: true, result: method === "getUpdates" ? [] : BOT_INFO }));
        const { lines, logger } = textLogger();
        installLogging(bot, how === "answer" ? { logger, now } : { logger, now, level });
        await bot.api.getUpdates({ timeout: 0 });
        await bot.api.getMe();
        await bot.api.sendMessage(1, "x").catch(() => {});
        expect(lines, `${level} by ${how}`).toEqual(expected);
      }
    }
  });
});

describe("logging: the token never appears in a line", () => {
  it("is redacted from error messages, Bot API URLs and token-shaped strings, in every line", async () => {
    const { installLogging } = await load({ level: "debug" });
    const { bot, now } = setup((method) => {
      if (method === "sendMessage") throw new Error(`request to https://api.telegram.org/bot${TOKEN}/sendMessage failed, reason: ECONNRESET`);
      if (method === "sendPhoto") return apiError(400, `Bad Request: wrong file identifier ${OTHER_TOKEN}`);
      return { ok: true, result: true };
    });
    const { lines, logger } = textLogger();
    installLogging(bot, { logger, now });
    bot.command("a", (ctx) => ctx.reply("x"));
    bot.command("b", (ctx) => ctx.replyWithPhoto("id"));
    bot.command("c", () => {
      throw new Error(`download https://api.telegram.org/file/bot${TOKEN}/photos/1.jpg with ${TOKEN}`);
    });
    for (const name of ["a", "b", "c"]) await bot.handleUpdate(commandMessage(name, "", { from: 3 })).catch(() => {});
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(OTHER_TOKEN.split(":")[1]!);
    }
    expect(lines[0]).toBe('warn api method=sendMessage chat=3 ms=0 outcome=failed error="Error: request to https://api.telegram.org/bot<token>/sendMessage failed, reason: ECONNRESET"');
    expect(lines[2]).toBe('warn api method=sendPhoto chat=3 ms=0 outcome=error error_code=400 description="Bad Request: wrong file identifier <token>"');
    expect(lines[4]).toContain('error="Error: download https://api.telegram.org/file/bot<token>/photos/1.jpg with <token>"');
  });

  it("pino style redacts every field too", async () => {
    const { installLogging } = await load({ logger: "pino" });
    const { bot, now } = setup(() => {
      throw new Error(`request to https://api.telegram.org/bot${TOKEN}/getMe failed (${TOKEN})`);
    });
    const calls: unknown[][] = [];
    const at = (level: Level) => (...args: never[]) => void calls.push([level, ...(args as unknown[])]);
    installLogging(bot, { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, now });
    await bot.api.getMe().catch(() => {});
    expect(calls).toEqual([["warn", { method: "getMe", ms: 0, outcome: "failed", error: "Error: request to https://api.telegram.org/bot<token>/getMe failed (<token>)" }, "api"]]);
  });

  it("redactToken also catches a short token it is given, and leaves other text alone", async () => {
    const { redactToken } = await load();
    expect(redactToken("token 1:TEST in /bot1:TEST/getMe", "1:TEST")).toBe("token <token> in /bot<token>/getMe");
    expect(redactToken("update 12 took 3 ms at 10:30:15")).toBe("update 12 took 3 ms at 10:30:15");
  });
});

describe("logging: pino style", () => {
  async function pinoLines(answers: Record<string, unknown>, facts: Record<string, number> = {}) {
    const { installLogging } = await load(answers, facts);
    const { bot, clock, now } = setup(() => {
      clock.now += 12;
      return apiError(429, "Too Many Requests: retry after 3", { retry_after: 3 });
    });
    const calls: Array<[Level, unknown, unknown]> = [];
    const at = (level: Level) => (...args: never[]) => void calls.push([level, ...(args as unknown as [unknown, unknown])]);
    installLogging(bot, { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, now });
    bot.on("message", async (ctx) => {
      await ctx.reply("x").catch(() => {});
    });
    const update = textMessage("hi", { from: 4 });
    await bot.handleUpdate(update);
    return { calls, update };
  }

  it("structured fields and a message, as pino takes them", async () => {
    const { calls, update } = await pinoLines({ logger: "pino" });
    expect(calls).toEqual([
      ["warn", { method: "sendMessage", chat: 4, ms: 12, outcome: "error", error_code: 429, description: "Too Many Requests: retry after 3" }, "api"],
      ["info", { update_id: update.update_id, type: "message", chat: 4, user: 4, ms: 12, outcome: "ok" }, "update"],
    ]);
  });

  it("auto is pino style when the project depends on pino, console lines otherwise", async () => {
    const withPino = await pinoLines({ logger: "auto" }, { "major:pino": 9 });
    expect(withPino.calls[0]![1]).toEqual(expect.objectContaining({ method: "sendMessage", error_code: 429 }));
    const without = await pinoLines({ logger: "auto" });
    expect(without.calls[0]).toEqual(["warn", 'api method=sendMessage chat=4 ms=12 outcome=error error_code=429 description="Too Many Requests: retry after 3"']);
  });
});

describe("logging: bounded", () => {
  it("keeps nothing between lines: the module holds no collection that could grow", async () => {
    const { files } = await renderRecipe("logging", { logger: "console" });
    const { readFileSync } = await import("node:fs");
    const source = readFileSync(Object.values(files)[0]!, "utf8");
    expect(source).not.toMatch(/new (Map|Set|WeakMap|Array)\b|\.push\(|\[\]\s*;/);
  });
});
