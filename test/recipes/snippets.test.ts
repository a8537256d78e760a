// The snippets (kind "snippet": printed by `show`, never inserted by `add`):
// every one renders and type-checks with strict against the real grammy
// types, their helpers behave in a real grammY Bot, and `show` prints them
// and writes them with --copy-to.
import type { Api, Bot, Context } from "grammy";
import type { Message, PhotoSize, ReplyParameters, Update } from "grammy/types";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { showCommand } from "../../src/commands/show.js";
import { CliError } from "../../src/core/errors.js";
import { apiError, commandMessage, createTestBot, groupChat, message, textMessage } from "../helpers/harness.js";
import { catalogue, fixturesDir, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";

const snippets = catalogue.recipes.filter((r) => r.manifest.kind === "snippet").map((r) => r.manifest);

describe("the snippets", () => {
  it("are the basics of RECIPES.md §3 (C1–C5), each a single file with nothing to answer or wire", () => {
    const ours = snippets.filter((s) => ["fetch-updates", "send-and-reply", "chat-ids", "quote-message"].includes(s.id));
    expect(ours.map((s) => s.id).sort()).toEqual(["chat-ids", "fetch-updates", "quote-message", "send-and-reply"]);
    expect(new Set(ours.flatMap((s) => s.seeds))).toEqual(new Set(["C1", "C2", "C3", "C4", "C5"]));
    for (const s of snippets) {
      expect(s.files, s.id).toHaveLength(1);
      expect(s.edits, s.id).toEqual([]);
      expect(s.dependencies ?? [], s.id).toEqual([]);
    }
  });

  it("all render and type-check with strict, as ESM (NodeNext, noUncheckedIndexedAccess) and as CommonJS, in one run each", async () => {
    const root = tmpDir("snippets-typecheck");
    mkdirSync(join(root, "esm"));
    mkdirSync(join(root, "cjs"));
    writeFileSync(join(root, "esm", "package.json"), JSON.stringify({ type: "module" }));
    for (const s of snippets) {
      const { files } = await renderRecipe(s.id);
      const [target, path] = Object.entries(files)[0]!;
      expect(readFileSync(path, "utf8")).not.toMatch(/:\s*any\b|\bas any\b|<any>|import\.meta|^await /m);
      copyFileSync(path, join(root, "esm", target));
      copyFileSync(path, join(root, "cjs", target));
    }
    expect(typecheck(join(root, "esm"), join(fixturesDir, "esm-nodenext-factory/tsconfig.json"))).toBe("");
    expect(typecheck(join(root, "cjs"), join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
  });
});

describe("quote-message", () => {
  interface QuoteModule {
    quoting: (message: { message_id: number; text?: string; caption?: string }, part?: string) => ReplyParameters;
    quoteReply: (ctx: Context, text: string, part?: string) => Promise<Message.TextMessage>;
    quoteExamples: (bot: Bot<Context>) => void;
  }
  const load = async () => (await renderRecipe("quote-message")).load<QuoteModule>();

  it("replies quoting the user's message with reply_parameters", async () => {
    const { quoteExamples } = await load();
    const t = createTestBot();
    quoteExamples(t.bot);
    const update = textMessage("hello there", { from: 7 });
    await t.send(update);
    expect(t.calls).toEqual([
      {
        method: "sendMessage",
        payload: { chat_id: 7, text: "Got it.", reply_parameters: { message_id: update.message!.message_id, allow_sending_without_reply: true } },
      },
    ]);
  });

  it("quotes only a part when it is an exact substring, and the whole message otherwise", async () => {
    const { quoteExamples, quoting } = await load();
    const t = createTestBot();
    quoteExamples(t.bot);
    const update = commandMessage("quote", "these words", { from: 7, chat: groupChat(-100500) });
    await t.send(update);
    expect(t.calls[0]!.payload).toEqual({
      chat_id: -100500,
      text: "Quoted just that.",
      reply_parameters: { message_id: update.message!.message_id, allow_sending_without_reply: true, quote: "these words" },
    });
    expect(quoting({ message_id: 5, text: "abc" }, "xyz")).toEqual({ message_id: 5, allow_sending_without_reply: true });
    expect(quoting({ message_id: 5, caption: "a photo caption" }, "photo")).toMatchObject({ quote: "photo" });
  });
});

describe("fetch-updates", () => {
  interface FetchModule {
    fetchUpdates: (api: Api, offset?: number) => Promise<Update[]>;
    nextOffset: (updates: Update[]) => number | undefined;
    messageTexts: (updates: Update[]) => string[];
    photos: (updates: Update[]) => PhotoSize[][];
    onPhoto: (bot: Bot<Context>) => void;
  }

  it("reads texts and photos from any mix of updates and confirms them with the next offset", async () => {
    const mod = await (await renderRecipe("fetch-updates")).load<FetchModule>();
    const sizes: PhotoSize[] = [
      { file_id: "s", file_unique_id: "s", width: 90, height: 60 },
      { file_id: "l", file_unique_id: "l", width: 1280, height: 853 },
    ];
    const updates: Update[] = [
      textMessage("first"),
      { update_id: 9001, edited_message: { ...textMessage("edited").message!, edit_date: 1 } }, // no .message: the seed's one-liner crashes here
      message({ photo: sizes, caption: "pic" }),
      textMessage("last"),
    ];
    const t = createTestBot();
    t.respond((method) => (method === "getUpdates" ? { ok: true, result: updates } : undefined));

    const got = await mod.fetchUpdates(t.bot.api);
    expect(mod.messageTexts(got)).toEqual(["first", "last"]);
    expect(mod.photos(got)).toEqual([sizes]);
    const offset = mod.nextOffset(got);
    expect(offset).toBe(updates.at(-1)!.update_id + 1);
    await mod.fetchUpdates(t.bot.api, offset);
    expect(t.callsOf("getUpdates").map((c) => c.payload)).toEqual([{ limit: 100 }, { offset, limit: 100 }]);
    expect(mod.nextOffset([])).toBeUndefined();
  });

  it("in a running bot, answers a photo with its largest size", async () => {
    const mod = await (await renderRecipe("fetch-updates")).load<FetchModule>();
    const t = createTestBot();
    mod.onPhoto(t.bot);
    await t.send(message({ photo: [{ file_id: "s", file_unique_id: "s", width: 90, height: 60 }, { file_id: "l", file_unique_id: "l", width: 1280, height: 853 }] }, { from: 7 }));
    expect(t.calls.map((c) => c.payload.text)).toEqual(["Got a 1280×853 photo."]);
  });
});

describe("send-and-reply", () => {
  interface SendModule {
    notify: (api: Api, chatId: number, text: string) => Promise<Message.TextMessage | undefined>;
    splitMessage: (text: string, max?: number) => string[];
    replyExamples: (bot: Bot<Context>) => void;
  }
  const load = async () => (await renderRecipe("send-and-reply")).load<SendModule>();

  it("sends by chat id, returns the message, and returns undefined for users who blocked the bot (403); other errors throw", async () => {
    const { notify } = await load();
    const t = createTestBot();
    t.respond((_m, p) => (p.chat_id === 2 ? apiError(403, "Forbidden: bot was blocked by the user") : p.chat_id === 3 ? apiError(400, "Bad Request: chat not found") : undefined));
    expect((await notify(t.bot.api, 1, "hi"))?.message_id).toEqual(expect.any(Number));
    expect(await notify(t.bot.api, 2, "hi")).toBeUndefined();
    await expect(notify(t.bot.api, 3, "hi")).rejects.toThrow(/chat not found/);
    expect(t.calls.map((c) => c.payload)).toEqual([1, 2, 3].map((chat_id) => ({ chat_id, text: "hi" })));
  });

  it("replies in the update's chat and edits the sent message", async () => {
    const { replyExamples } = await load();
    const t = createTestBot();
    replyExamples(t.bot);
    await t.send(commandMessage("start", "", { from: 7 }));
    await t.send(textMessage("hello", { from: 7, chat: groupChat(-100500) }));
    expect(t.calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ["sendMessage", 7, "I'm sorry Dave, I'm afraid I can't do that."],
      ["sendMessage", -100500, "Working on it…"],
      ["editMessageText", -100500, "You wrote 5 characters."],
    ]);
  });

  it("splits long texts at line breaks within the limit, never inside an emoji", async () => {
    const { splitMessage } = await load();
    expect(splitMessage("short")).toEqual(["short"]);
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${"x".repeat(20)}`).join("\n");
    const parts = splitMessage(lines);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join("\n")).toBe(lines);
    const emoji = `${"a".repeat(9)}👍🏽${"b".repeat(5)}`; // the pair would be cut at 10
    const cut = splitMessage(emoji, 10);
    expect(cut.join("")).toBe(emoji);
    expect(cut.every((p) => !/[\uD800-\uDBFF]$/.test(p) && !/^[\uDC00-\uDFFF]/.test(p))).toBe(true);
  });
});

describe("chat-ids", () => {
  interface ChatIdsModule {
    chatKind: (id: number) => string;
    lastMessageChatId: (updates: Update[]) => number | undefined;
    idCommand: (bot: Bot<Context>) => void;
  }
  const load = async () => (await renderRecipe("chat-ids")).load<ChatIdsModule>();

  it("tells the kinds of ids apart and finds the last message's chat among other updates", async () => {
    const { chatKind, lastMessageChatId } = await load();
    expect([7, -4567890, -1001234567890].map(chatKind)).toEqual(["user", "group", "supergroup or channel"]);
    const updates = [textMessage("a", { from: 5 }), textMessage("b", { from: 6 }), { update_id: 77, edited_message: { ...textMessage("c", { from: 8 }).message!, edit_date: 1 } }];
    expect(lastMessageChatId(updates)).toBe(6);
    expect(lastMessageChatId([])).toBeUndefined();
  });

  it("/id answers with the chat's id, the sender's, and the replied-to user's", async () => {
    const { idCommand } = await load();
    const t = createTestBot();
    idCommand(t.bot);
    const update = commandMessage("id", "", { from: 7, chat: groupChat(-1001234567890) });
    update.message!.reply_to_message = { message_id: 3, date: 0, chat: groupChat(-1001234567890), from: { id: 9, is_bot: false, first_name: "Bea" }, text: "x" } as never;
    await t.send(update);
    expect(t.calls.map((c) => [c.payload.chat_id, c.payload.text])).toEqual([[-1001234567890, "This chat: -1001234567890 (supergroup or channel)\nYou: 7\nBea: 9"]]);
  });
});

describe("show for snippets", () => {
  const captured = () => {
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    return () => out;
  };
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("prints the description and the code, without questions or wiring", async () => {
    const out = captured();
    await showCommand("quote-message", {});
    const { files } = await renderRecipe("quote-message");
    const code = readFileSync(Object.values(files)[0]!, "utf8");
    expect(out()).toContain("Reply quoting the message you answer");
    expect(out()).toContain("--copy-to src/quote-message.ts");
    expect(out().endsWith(code)).toBe(true);
    expect(out()).not.toContain("Questions");
    expect(out()).not.toContain("Wiring");
  });

  it("--copy-to writes the code to a file or into a folder, refuses to replace a different file without --force", async () => {
    captured();
    const dir = tmpDir("snippets-copy");
    const { files } = await renderRecipe("chat-ids");
    const code = readFileSync(Object.values(files)[0]!, "utf8");

    await showCommand("chat-ids", { copyTo: join(dir, "src/ids.ts") });
    expect(readFileSync(join(dir, "src/ids.ts"), "utf8")).toBe(code);
    await showCommand("chat-ids", { copyTo: join(dir, "src") });
    expect(readFileSync(join(dir, "src/chat-ids.ts"), "utf8")).toBe(code);
    await showCommand("chat-ids", { copyTo: join(dir, "src/ids.ts") }); // identical: fine

    writeFileSync(join(dir, "mine.ts"), "// my code\n");
    const refused = await showCommand("chat-ids", { copyTo: join(dir, "mine.ts") }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).kind).toBe("usage");
    expect(readFileSync(join(dir, "mine.ts"), "utf8")).toBe("// my code\n");
    await showCommand("chat-ids", { copyTo: join(dir, "mine.ts"), force: true });
    expect(readFileSync(join(dir, "mine.ts"), "utf8")).toBe(code);
  });

  it("--copy-to of a recipe is a usage error pointing at add", async () => {
    captured();
    const error = await showCommand("access-control", { copyTo: join(tmpDir("snippets-recipe"), "x.ts") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).kind).toBe("usage");
    expect((error as CliError).hint).toContain("create-bot-snippet add access-control");
  });
});
