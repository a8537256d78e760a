// Behaviour of the rendered error-handler recipe in a real grammY Bot.
import { inspect } from "node:util";
import { Bot, BotError, GrammyError, HttpError, type Context, type MiddlewareFn } from "grammy";
import type { Update } from "grammy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, BOT_INFO, callbackQuery, channelPost, commandMessage, createTestBot, groupChat, message, privateChat, user } from "../helpers/harness.js";
import { fakeClock, myChatMemberUpdate } from "../helpers/guards.js";
import { renderRecipe } from "../helpers/recipes.js";

interface ErrorHandlerOptions {
  devChatIds?: readonly number[];
  userMessage?: string;
  log?: (line: string) => void;
  reportWindowMs?: number;
  maxReportsPerHour?: number;
  now?: () => number;
}

interface ErrorModule {
  handleBotError: <C extends Context>(err: BotError<C>) => Promise<void>;
  createErrorHandler: <C extends Context>(options?: ErrorHandlerOptions) => (err: BotError<C>) => Promise<void>;
  errorBoundary: <C extends Context>(handler?: (err: BotError<C>) => unknown) => MiddlewareFn<C>;
  describeError: (error: unknown) => string;
  redactToken: (text: string) => string;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("error-handler", { devChatIds: "-1001,555", userMessage: "Oops, try again.", ...answers })).load<ErrorModule>();

describe("error-handler", () => {
  it("tells the user once and each developer chat once, with escaped HTML, in that order", async () => {
    const { errorBoundary } = await load();
    const t = createTestBot();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.command("boom", () => {
      throw new Error("<script> & co");
    });

    await t.send(commandMessage("boom", "", { from: 7 }));

    const sent = t.callsOf("sendMessage");
    expect(sent.map((c) => c.payload.chat_id)).toEqual([7, -1001, 555]);
    expect(sent[0]!.payload).toEqual({ chat_id: 7, text: "Oops, try again." });
    for (const dev of sent.slice(1)) {
      expect(dev.payload.parse_mode).toBe("HTML");
      expect(dev.payload.text).toContain("Error: &lt;script&gt; &amp; co");
      expect(dev.payload.text).not.toContain("<script>");
    }
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });

  it("bot.catch handler: failing notices are logged, never rethrown and never loop", async () => {
    const { handleBotError } = await load();
    const t = createTestBot();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    t.respond((method) => (method === "sendMessage" ? apiError(403, "Forbidden: bot was blocked by the user") : undefined));
    t.bot.command("boom", () => {
      throw new Error("boom");
    });
    t.bot.catch(handleBotError);

    // handleUpdate rejects with BotError; the polling loop would hand it to bot.catch (RECIPES.md §4 gotcha 2).
    await t.send(commandMessage("boom")).catch((e: BotError<Context>) => t.bot.errorHandler(e));

    expect(t.callsOf("sendMessage")).toHaveLength(3); // user + two dev chats, each tried exactly once
    log.mockRestore();
  });

  it("without a boundary, handleUpdate rejects with BotError (what webhooks would turn into HTTP 500)", async () => {
    await load();
    const t = createTestBot();
    t.bot.command("boom", () => {
      throw new Error("boom");
    });
    await expect(t.send(commandMessage("boom"))).rejects.toBeInstanceOf(BotError);
  });

  it("tells GrammyError, HttpError and other errors apart", async () => {
    const { describeError } = await load();
    const grammy = new GrammyError("x", { ok: false, error_code: 400, description: "Bad Request: chat not found" }, "sendMessage", {});
    expect(describeError(grammy)).toBe("Telegram refused sendMessage (400): Bad Request: chat not found");
    expect(describeError(new HttpError("Network request failed", new Error("ECONNRESET")))).toMatch(/^Could not reach Telegram: .*ECONNRESET/);
    expect(describeError(new TypeError("x is undefined"))).toBe("TypeError: x is undefined");
    expect(describeError("plain")).toBe("Thrown value: plain");
  });

  it("cuts long error text before escaping it, so reports stay under Telegram's limit", async () => {
    const { errorBoundary } = await load({ devChatIds: "-1001", userMessage: "" });
    const t = createTestBot();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.command("boom", () => {
      throw new Error("<".repeat(10_000));
    });
    await t.send(commandMessage("boom"));
    const [report] = t.callsOf("sendMessage");
    expect(t.callsOf("sendMessage")).toHaveLength(1); // empty userMessage: the user is not told
    expect((report!.payload.text as string).length).toBeLessThanOrEqual(4096);
    log.mockRestore();
  });
});

// === Hostile users and real failures (issue 11, items 1 and 2)

/** Everything written to the console while `run` runs, as the console would print it. */
async function consoleOutput(run: () => Promise<unknown>): Promise<string> {
  const out: string[] = [];
  const capture = (...args: unknown[]) => void out.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 5 }))).join(" "));
  const spies = [vi.spyOn(console, "error"), vi.spyOn(console, "log"), vi.spyOn(console, "warn"), vi.spyOn(console, "info")];
  for (const spy of spies) spy.mockImplementation(capture);
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return out.join("\n");
}

/** A join request to a group: nobody wrote a message or pressed a button. */
function joinRequest(userId: number, chatId = -100900): Update {
  return {
    update_id: 700_000 + userId,
    chat_join_request: { chat: groupChat(chatId), from: user(userId), user_chat_id: userId, date: Math.floor(Date.now() / 1000) },
  } as Update;
}

describe("error-handler against hostile and real failures", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("never leaks the bot token of a real failing fetch (HttpError) into the log or the developer report", async () => {
    const { handleBotError } = await load({ devChatIds: "-1001", userMessage: "Oops, try again." });
    const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ";
    // Connection refused on 127.0.0.1:1: a real fetch failure, never the network.
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: "http://127.0.0.1:1" } });
    const sent: Array<Record<string, unknown>> = [];
    bot.api.config.use(async (prev, method, payload, signal) => {
      if (method !== "sendMessage") return prev(method, payload, signal); // getChat really goes to fetch
      sent.push(payload as Record<string, unknown>);
      return { ok: true, result: { message_id: sent.length, date: 0, chat: privateChat(7), text: "x" } } as never;
    });
    let thrown: unknown;
    bot.command("boom", async (ctx) => {
      try {
        await ctx.api.getChat(ctx.chat.id);
      } catch (error) {
        thrown = error;
        throw error;
      }
    });
    bot.catch(handleBotError);

    const output = await consoleOutput(() => bot.handleUpdate(commandMessage("boom", "", { from: 7 })).catch((e: BotError<Context>) => bot.errorHandler(e)));

    // The failure is grammY's own HttpError, whose wrapped fetch error names the URL with the token.
    expect(thrown).toBeInstanceOf(HttpError);
    expect(String((thrown as HttpError).error)).toContain(TOKEN);
    expect(sent.map((p) => p.chat_id)).toEqual([7, -1001]);
    const report = String(sent[1]!.text);
    expect(report).toContain("Could not reach Telegram");
    expect(report).toContain("/bot&lt;token&gt;/getChat");
    expect(output).toContain("Could not reach Telegram");
    for (const text of [output, report]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawXYZ");
    }
  });

  it("redacts bare tokens and tokens in API and file URLs, whatever their shape", async () => {
    const { redactToken } = await load();
    expect(redactToken("GET https://api.telegram.org/bot123:short/getMe")).toBe("GET https://api.telegram.org/bot<token>/getMe");
    expect(redactToken("https://api.telegram.org/file/bot42:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/photos/1.jpg")).toBe("https://api.telegram.org/file/bot<token>/photos/1.jpg");
    expect(redactToken("token=987654:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-")).toBe("token=<token>");
    expect(redactToken("chat 12345: 678 items")).toBe("chat 12345: 678 items");
  });

  it("tells no chat when a channel post, a join request or a membership update fails (developers are still told)", async () => {
    const { errorBoundary } = await load({ devChatIds: "-1001" });
    const t = createTestBot();
    vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.use(() => {
      throw new Error("handler failed on a non-user update");
    });

    await t.send(channelPost("news", -1009876));
    await t.send(joinRequest(31));
    await t.send(myChatMemberUpdate(32, "kicked"));

    expect(t.calls.map((c) => c.payload.chat_id)).toEqual([-1001]); // one report (same error), no notice anywhere
  });

  it("in a group, the notice is a reply to the user's message; service messages get none", async () => {
    const { errorBoundary } = await load({ devChatIds: "" });
    const t = createTestBot();
    vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.use(() => {
      throw new Error("group handler failed");
    });

    const cmd = commandMessage("boom", "", { from: 7, chat: groupChat(-100500) });
    await t.send(cmd);
    await t.send(message({ new_chat_members: [user(8)] }, { from: 8, chat: groupChat(-100500) }));

    expect(t.calls).toEqual([
      { method: "sendMessage", payload: { chat_id: -100500, text: "Oops, try again.", reply_to_message_id: cmd.message!.message_id } },
    ]);
  });

  it("answers a failing button press with an alert of at most 200 characters, never a chat message", async () => {
    const long = "x".repeat(300);
    const { errorBoundary } = await load({ devChatIds: "", userMessage: long });
    const t = createTestBot();
    vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.callbackQuery("go", () => {
      throw new Error("button handler failed");
    });

    await t.send(callbackQuery("go", { from: 7, chat: groupChat(-100500) }));

    expect(t.calls.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    const answer = t.calls[0]!.payload;
    expect(answer.show_alert).toBe(true);
    expect(Array.from(String(answer.text)).length).toBeLessThanOrEqual(200);
  });

  it("reports one error once per window to developers, counting the repeats, and at most maxReportsPerHour in all", async () => {
    const { createErrorHandler, errorBoundary } = await load();
    const clock = fakeClock();
    const t = createTestBot();
    const handler = createErrorHandler<Context>({ devChatIds: [-1001], userMessage: "", log: () => {}, reportWindowMs: 60_000, maxReportsPerHour: 3, now: clock.now });
    t.bot.use(errorBoundary(handler));
    let failure = "always the same failure";
    t.bot.use(() => {
      throw new Error(failure);
    });
    const reports = () => t.callsOf("sendMessage").map((c) => String(c.payload.text));

    // One user repeating a failing action 20 times: one report.
    for (let i = 0; i < 20; i++) await t.send(commandMessage("boom", "", { from: 7 }));
    expect(reports()).toHaveLength(1);

    clock.advance(60_000);
    await t.send(commandMessage("boom", "", { from: 7 }));
    expect(reports()).toHaveLength(2);
    expect(reports()[1]).toContain("19 more like this");

    // Many different errors: the hourly cap holds (3 in all, 2 already sent).
    for (const letter of "abcdefgh") {
      failure = `different failure ${letter}`;
      await t.send(commandMessage("boom", "", { from: 7 }));
    }
    expect(reports()).toHaveLength(3);

    clock.advance(60 * 60_000); // a new hour: reports flow again and say how many were dropped
    failure = "one more failure";
    await t.send(commandMessage("boom", "", { from: 7 }));
    expect(reports()).toHaveLength(4);
    expect(reports()[3]).toContain("7 reports were not sent");
  });

  it("the default user text does not claim the developers were told (there may be no developer chat)", async () => {
    const { errorBoundary } = await renderRecipe("error-handler").then((r) => r.load<ErrorModule>());
    const t = createTestBot();
    vi.spyOn(console, "error").mockImplementation(() => {});
    t.bot.use(errorBoundary());
    t.bot.command("boom", () => {
      throw new Error("default text check");
    });
    await t.send(commandMessage("boom", "", { from: 7 }));
    const [notice] = t.callsOf("sendMessage");
    expect(notice!.payload.chat_id).toBe(7);
    expect(String(notice!.payload.text)).not.toMatch(/developer|been told|notified/i);
  });
});
