// Behaviour of the rendered error-handler recipe in a real grammY Bot.
import { BotError, GrammyError, HttpError, type Context, type MiddlewareFn } from "grammy";
import { describe, expect, it, vi } from "vitest";
import { apiError, commandMessage, createTestBot } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface ErrorModule {
  handleBotError: <C extends Context>(err: BotError<C>) => Promise<void>;
  errorBoundary: <C extends Context>() => MiddlewareFn<C>;
  describeError: (error: unknown) => string;
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
