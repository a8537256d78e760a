// Behaviour of the rendered command-menu recipe in a real grammY Bot: the
// exact setMyCommands/deleteMyCommands calls of the start-time sync, the admin
// guard in front of the user's handlers, and answers Telegram would refuse.
import type { Api, Context, MiddlewareFn } from "grammy";
import { describe, expect, it } from "vitest";
import { apiError, commandMessage, createTestBot, groupChat, privateChat } from "../helpers/harness.js";
import { catalogue, renderRecipe } from "../helpers/recipes.js";
import { checkAnswer, resolveAnswers } from "../../src/recipes/answers.js";

type Log = (message: string, error?: unknown) => void;

interface MenuModule {
  syncCommandMenu: (bot: { api: Api }, options?: { log?: Log }) => Promise<void>;
  adminCommandGuard: <C extends Context>(options?: { log?: Log }) => MiddlewareFn<C>;
}

const GROUP = groupChat(-100555);
const ADMIN = 8;
const MEMBER = 9;

const answers = {
  privateCommands: ["start - Start the bot", "help - Show help"],
  groupCommands: ["help - Show help"],
  adminCommands: ["ban - Ban a user"],
  chatId: "-100555",
  chatCommands: ["report - Report a message"],
  languages: ["de"],
};

const load = async (overrides: Record<string, unknown> = {}) => (await renderRecipe("command-menu", { ...answers, ...overrides })).load<MenuModule>();

/** The menu calls, as method + payload without undefined fields. */
function menuCalls(calls: Array<{ method: string; payload: Record<string, unknown> }>) {
  return calls.filter((c) => c.method.endsWith("MyCommands")).map((c) => ({ method: c.method, payload: JSON.parse(JSON.stringify(c.payload)) as unknown }));
}

const cmd = (command: string, description: string) => ({ command, description });
const start = cmd("start", "Start the bot");
const help = cmd("help", "Show help");
const ban = cmd("ban", "Ban a user");
const report = cmd("report", "Report a message");

describe("command-menu: the menu sent at start", () => {
  it("sets every scope in every language, in order, with the more specific lists repeating the wider ones", async () => {
    const { syncCommandMenu } = await load();
    const t = createTestBot();
    await syncCommandMenu(t.bot, { log: () => {} });
    const chat = { type: "chat", chat_id: -100555 };
    const chatAdmins = { type: "chat_administrators", chat_id: -100555 };
    expect(menuCalls(t.calls)).toEqual([
      { method: "setMyCommands", payload: { scope: { type: "all_private_chats" }, commands: [start, help] } },
      { method: "setMyCommands", payload: { scope: { type: "all_private_chats" }, language_code: "de", commands: [start, help] } },
      { method: "setMyCommands", payload: { scope: { type: "all_group_chats" }, commands: [help] } },
      { method: "setMyCommands", payload: { scope: { type: "all_group_chats" }, language_code: "de", commands: [help] } },
      { method: "setMyCommands", payload: { scope: { type: "all_chat_administrators" }, commands: [help, ban] } },
      { method: "setMyCommands", payload: { scope: { type: "all_chat_administrators" }, language_code: "de", commands: [help, ban] } },
      { method: "setMyCommands", payload: { scope: chat, commands: [help, report] } },
      { method: "setMyCommands", payload: { scope: chat, language_code: "de", commands: [help, report] } },
      { method: "setMyCommands", payload: { scope: chatAdmins, commands: [help, ban, report] } },
      { method: "setMyCommands", payload: { scope: chatAdmins, language_code: "de", commands: [help, ban, report] } },
    ]);
    // Only Telegram's fields are sent (the plugin's hasHandler/is_ephemeral stay local).
    expect(t.calls.every((c) => (c.payload.commands as object[] | undefined)?.every((o) => Object.keys(o).sort().join() === "command,description") ?? true)).toBe(true);
  });

  it("clears the managed scopes left empty, so a command removed from the code leaves the menu", async () => {
    const { syncCommandMenu } = await load({ groupCommands: [], adminCommands: [], chatId: "", chatCommands: [], languages: [] });
    const t = createTestBot();
    await syncCommandMenu(t.bot, { log: () => {} });
    expect(menuCalls(t.calls)).toEqual([
      { method: "setMyCommands", payload: { scope: { type: "all_private_chats" }, commands: [start, help] } },
      { method: "deleteMyCommands", payload: { scope: { type: "all_group_chats" } } },
      { method: "deleteMyCommands", payload: { scope: { type: "all_chat_administrators" } } },
    ]);
  });

  it("a failing call is logged and the others are still made; the sync never throws", async () => {
    const { syncCommandMenu } = await load({ languages: [], chatId: "" });
    const t = createTestBot();
    t.respond((method, payload) =>
      method === "setMyCommands" && (payload.scope as { type: string }).type === "all_private_chats" ? apiError(429, "Too Many Requests: retry after 5") : undefined,
    );
    const logged: string[] = [];
    await expect(syncCommandMenu(t.bot, { log: (m) => logged.push(m) })).resolves.toBeUndefined();
    expect(menuCalls(t.calls).map((c) => (c.payload as { scope: { type: string } }).scope.type)).toEqual(["all_private_chats", "all_group_chats", "all_chat_administrators"]);
    expect(logged).toEqual([expect.stringContaining("could not set the menu for {\"type\":\"all_private_chats\"}")]);
  });

  it("commands edited in the code into something Telegram refuses are left out and logged, the rest is sent", async () => {
    // Answers are validated, but the lists are code the user edits afterwards.
    const { files } = await renderRecipe("command-menu", { ...answers, chatId: "", languages: [], adminCommands: [] });
    const { readFileSync, writeFileSync } = await import("node:fs");
    const path = Object.values(files)[0]!;
    const edited = path.replace(/\.ts$/, ".edited.ts");
    // In the private list: an uppercase name and an empty description.
    writeFileSync(edited, readFileSync(path, "utf8").replace('"help - Show help"', '"Help - Show help"').replace('"start - Start the bot"', '"start - "'));
    const { syncCommandMenu } = (await import(edited)) as MenuModule;
    const t = createTestBot();
    const logged: string[] = [];
    await syncCommandMenu(t.bot, { log: (m) => logged.push(m) });
    expect(menuCalls(t.calls)).toEqual([
      { method: "setMyCommands", payload: { scope: { type: "all_group_chats" }, commands: [help] } },
      { method: "deleteMyCommands", payload: { scope: { type: "all_private_chats" } } }, // nothing valid left: cleared, not sent empty
      { method: "deleteMyCommands", payload: { scope: { type: "all_chat_administrators" } } },
    ]);
    expect(logged).toEqual([
      expect.stringMatching(/^command-menu: \/Help \(default\) left out of the menu: .*uppercase/),
      "command-menu: /start (default) left out of the menu: its description must be 1-256 characters, not 0",
    ]);
  });
});

describe("command-menu: the commands are handled", () => {
  async function botWithHandlers(overrides: Record<string, unknown> = {}) {
    const { adminCommandGuard } = await load(overrides);
    const t = createTestBot();
    const handled: string[] = [];
    t.bot.use(adminCommandGuard({ log: () => {} }));
    for (const name of ["start", "help", "ban", "report"]) t.bot.command(name, (ctx) => void handled.push(`${name}:${ctx.from?.id ?? 0}`));
    t.respond((method, payload) =>
      method === "getChatMember" ? { ok: true, result: { status: payload.user_id === ADMIN ? "administrator" : "member", user: { id: payload.user_id } } } : undefined,
    );
    return { t, handled };
  }

  it("commands of the menu reach the user's handlers in private chats and groups", async () => {
    const { t, handled } = await botWithHandlers();
    await t.send(commandMessage("start", "", { from: MEMBER, chat: privateChat(MEMBER) }));
    await t.send(commandMessage("help", "", { from: MEMBER, chat: GROUP }));
    await t.send(commandMessage("report", "", { from: MEMBER, chat: GROUP }));
    expect(handled).toEqual([`start:${MEMBER}`, `help:${MEMBER}`, `report:${MEMBER}`]);
    expect(t.callsOf("getChatMember")).toEqual([]); // no admin check for open commands
  });

  it("an admin-only command in a group reaches the handler for an admin, and is ignored for anyone else", async () => {
    const { t, handled } = await botWithHandlers();
    await t.send(commandMessage("ban", "", { from: MEMBER, chat: GROUP }));
    await t.send(commandMessage("ban@test_bot", "", { from: MEMBER, chat: GROUP }));
    await t.send(commandMessage("ban", "", { from: ADMIN, chat: GROUP }));
    expect(handled).toEqual([`ban:${ADMIN}`]);
    expect(t.callsOf("getChatMember").map((c) => c.payload)).toEqual([
      { chat_id: GROUP.id, user_id: MEMBER },
      { chat_id: GROUP.id, user_id: MEMBER },
      { chat_id: GROUP.id, user_id: ADMIN },
    ]);
  });

  it("an admin command that is also a group command is open to everyone", async () => {
    const { t, handled } = await botWithHandlers({ adminCommands: ["ban - Ban a user", "help - Show help"] });
    await t.send(commandMessage("help", "", { from: MEMBER, chat: GROUP }));
    expect(handled).toEqual([`help:${MEMBER}`]);
    expect(t.callsOf("getChatMember")).toEqual([]);
  });
});

describe("command-menu: answers Telegram would refuse are refused before anything is written", () => {
  const manifest = catalogue.get("command-menu").manifest;
  const question = (name: string) => manifest.questions.find((q) => q.name === name)!;

  it.each([
    ["a description over 256 characters", `help - ${"x".repeat(257)}`, "the description is 257 characters; Telegram allows at most 256"],
    ["an empty description", "help - ", "the description cannot be empty"],
    ["a blank description", "help -   ", "the description cannot be empty"],
    ["no description", "help", 'write it as "command - description" (BotFather\'s format)'],
    ["a command over 32 characters", `${"a".repeat(33)} - Too long`, "the command: a command is 1-32 characters of a-z, 0-9 and _"],
    ["an uppercase command", "Help - Show help", "the command: a command is 1-32 characters of a-z, 0-9 and _"],
    ["a leading slash", "/help - Show help", "the command: give the command without the leading /"],
    ["a hyphen in the command", "my-help - Show help", "the command: a command is 1-32 characters of a-z, 0-9 and _"],
  ])("%s", async (_label, item, problem) => {
    for (const name of ["privateCommands", "groupCommands", "adminCommands", "chatCommands"]) {
      // The message names the bad item and what is wrong with it.
      expect(checkAnswer(question(name), [item]).problem).toBe(`"${item}": ${problem}`);
      expect(checkAnswer(question(name), ["start - Start", item]).problem).toBe(`"${item}": ${problem}`);
    }
    await expect(resolveAnswers(manifest, { given: { privateCommands: [item] } })).rejects.toThrow(
      `invalid answer for command-menu.privateCommands: ${JSON.stringify([item])}: "${item}": ${problem}`,
    );
  });

  it("--set gives one item as text: the message is the problem alone", () => {
    expect(checkAnswer(question("adminCommands"), `ban - ${"x".repeat(300)}`).problem).toBe("the description is 300 characters; Telegram allows at most 256");
  });

  it("the longest valid command and description pass", () => {
    const item = `${"a".repeat(32)} - ${"é".repeat(256)}`;
    expect(checkAnswer(question("privateCommands"), [item])).toEqual({ value: [item] });
  });

  it("languages are two-letter codes", () => {
    expect(checkAnswer(question("languages"), ["de", "pt"])).toEqual({ value: ["de", "pt"] });
    expect(checkAnswer(question("languages"), ["german"]).problem).toBe('"german": a two-letter ISO 639-1 language code, such as de or pt');
    expect(checkAnswer(question("languages"), "DE").problem).toBe("a two-letter ISO 639-1 language code, such as de or pt");
  });
});

describe("the botCommand and languageCode formats", () => {
  it("accept what Telegram accepts, and their example answers are valid", async () => {
    const { checkFormat } = await import("../../src/recipes/validators.js");
    const { exampleAnswer } = await import("../../src/recipes/example-answers.js");
    expect(checkFormat("botCommand", "a_1 - x")).toBeUndefined();
    expect(checkFormat("botCommand", `start - ${"😀".repeat(256)}`)).toBeUndefined(); // counted in characters (code points)
    expect(checkFormat("botCommand", `start - ${"😀".repeat(257)}`)).toBe("the description is 257 characters; Telegram allows at most 256");
    expect(checkFormat("botCommand", "start-Start")).toBe('write it as "command - description" (BotFather\'s format)');
    expect(checkFormat("languageCode", "pt")).toBeUndefined();
    expect(checkFormat("languageCode", "pt-BR")).toBe("a two-letter ISO 639-1 language code, such as de or pt");
    for (const format of ["botCommand", "languageCode"] as const) {
      const asString = exampleAnswer({ name: "q", message: "q", type: "string", format });
      expect(checkFormat(format, asString as string)).toBeUndefined();
      const asList = exampleAnswer({ name: "q", message: "q", type: "list", of: "string", format });
      expect(checkAnswer({ name: "q", message: "q", type: "list", of: "string", format }, asList)).toEqual({ value: asList });
    }
  });
});
