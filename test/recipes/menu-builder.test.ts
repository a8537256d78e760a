// Behaviour of the rendered menu-builder recipe in a real grammY Bot: the
// layout helper, and the inline, reply and interactive (@grammyjs/menu) menus.
import type { MenuFlavor } from "@grammyjs/menu";
import type { Composer, Context } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup } from "grammy/types";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { callbackQuery, commandMessage, createTestBot, textMessage, type TestBot } from "../helpers/harness.js";
import { applyRecipes, copyFixture, fixtureNames, fixturesDir, read, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";

type PressContext = Context & Partial<MenuFlavor>;
type PressHandler = (ctx: PressContext, label: string) => unknown;

interface MenuOptions {
  handlers?: Readonly<Record<string, PressHandler>>;
  onPress?: PressHandler;
}

interface MenuModule {
  MENU_COMMAND: string;
  MENU_TEXT: string;
  buildMenu: <T>(buttons: readonly T[], columns: number, layout?: { header?: T | readonly T[]; footer?: T | readonly T[] }) => T[][];
  // inline
  MENU_BUTTONS: ReadonlyArray<{ label: string; data: string }>;
  menuButtons: (labels: readonly string[], prefix: string) => Array<{ label: string; data: string }>;
  // inline and reply
  menuBuilder: (options?: MenuOptions) => Composer<Context>;
  // interactive
  interactiveMenu: (options?: MenuOptions) => Composer<Context>;
}

/** Three buttons in two columns, with a header and a footer: the layout the issue fixes. */
const example = { buttons: ["Option 1", "Option 2", "Option 3"], columns: 2, header: "Top", footer: "Close" };

const load = async (answers: Record<string, unknown>) => (await renderRecipe("menu-builder", answers)).load<MenuModule>();

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

/** The markup of the one message a /menu produced. */
function sentMarkup<T>(t: TestBot<Context>): T {
  const sent = t.callsOf("sendMessage");
  expect(sent).toHaveLength(1);
  return sent[0]!.payload.reply_markup as T;
}

describe("buildMenu", () => {
  it("lays 3 buttons out in 2 columns between a header row and a footer row", async () => {
    const { buildMenu } = await load({ kind: "inline" });
    expect(buildMenu(["col1", "col2", "row 2"], 2, { header: "header", footer: "footer" })).toEqual([["header"], ["col1", "col2"], ["row 2"], ["footer"]]);
  });

  it("takes a list for the header or footer as one row, without wrapping it twice", async () => {
    const { buildMenu } = await load({ kind: "reply" });
    expect(buildMenu([1, 2, 3, 4, 5], 3, { header: [10, 11], footer: [20] })).toEqual([[10, 11], [1, 2, 3], [4, 5], [20]]);
    expect(buildMenu(["a", "b"], 1)).toEqual([["a"], ["b"]]);
    expect(buildMenu([], 2, { footer: "f" })).toEqual([["f"]]);
  });

  it("refuses a column count below 1", async () => {
    const { buildMenu } = await load({ kind: "inline" });
    expect(() => buildMenu(["a"], 0)).toThrow(RangeError);
    expect(() => buildMenu(["a"], 1.5)).toThrow(RangeError);
  });
});

describe("inline menu", () => {
  it("/menu sends the exact keyboard: header, 2 columns, footer, with data derived from the labels", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example });
    const t = createTestBot();
    t.bot.use(menuBuilder());
    await t.send(commandMessage("menu", "", { from: 7 }));

    expect(t.callsOf("sendMessage")[0]!.payload).toMatchObject({ chat_id: 7, text: "Choose an option:" });
    expect(sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard).toEqual([
      [{ text: "Top", callback_data: "menu:top" }],
      [
        { text: "Option 1", callback_data: "menu:option-1" },
        { text: "Option 2", callback_data: "menu:option-2" },
      ],
      [{ text: "Option 3", callback_data: "menu:option-3" }],
      [{ text: "Close", callback_data: "menu:close" }],
    ]);
  });

  it("keeps every callback_data within 64 bytes and unique, whatever the labels, and routes each one back", async () => {
    const command = "a_very_long_command_name_of_32ch";
    expect(command).toHaveLength(32);
    const labels = [
      "x".repeat(64),
      `${"x".repeat(63)}y`, // same 64-byte budget prefix as the one above
      "Ünïcödé ✓ crème brûlée, façade, naïve, jalapeño, smörgåsbord", // 3-byte ✓, 2-byte accents
      "👍",
      "🔥🔥🔥",
      "Да",
      "Yes!",
      "yes?",
      "YES",
      ".0",
      "—",
    ];
    const { menuBuilder, MENU_BUTTONS } = await load({ kind: "inline", command, buttons: labels, columns: 3, header: "ℹ️", footer: "Close" });
    const t = createTestBot();
    const pressed: string[] = [];
    t.bot.use(menuBuilder({ onPress: (_ctx, label) => void pressed.push(label) }));
    await t.send(commandMessage(command));

    const buttons = sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard.flat() as InlineKeyboardButton.CallbackButton[];
    expect(buttons.map((b) => b.text)).toEqual(["ℹ️", ...labels, "Close"]);
    const data = buttons.map((b) => b.callback_data);
    for (const d of data) expect(bytes(d), d).toBeLessThanOrEqual(64);
    expect(new Set(data).size).toBe(data.length);
    expect(MENU_BUTTONS.map((b) => b.data)).toEqual(data);

    for (const d of data) await t.send(callbackQuery(d));
    expect(pressed).toEqual(["ℹ️", ...labels, "Close"]);
    expect(t.callsOf("answerCallbackQuery")).toHaveLength(data.length);
  });

  it("a press routes to its own handler and answers the callback query exactly once", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example });
    const t = createTestBot();
    const seen: Array<[string, string | undefined]> = [];
    t.bot.use(
      menuBuilder({
        handlers: {
          "Option 2": async (ctx, label) => {
            seen.push([label, ctx.callbackQuery?.data]);
            await ctx.reply("two");
          },
        },
        onPress: (_ctx, label) => void seen.push([label, "fallback"]),
      }),
    );

    await t.send(callbackQuery("menu:option-2", { from: 7, id: "q-2" }));

    expect(seen).toEqual([["Option 2", "menu:option-2"]]);
    expect(t.calls.map((c) => c.method)).toEqual(["sendMessage", "answerCallbackQuery"]);
    expect(t.callsOf("answerCallbackQuery")[0]!.payload).toEqual({ callback_query_id: "q-2" });
  });

  it("by default replies with the choice; a handler's returned string becomes the notification", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example });
    const t = createTestBot();
    t.bot.use(menuBuilder({ handlers: { Close: () => "Bye!" } }));

    await t.send(callbackQuery("menu:option-1", { from: 7, id: "q-1" }));
    await t.send(callbackQuery("menu:close", { from: 7, id: "q-close" }));

    expect(t.calls.map((c) => [c.method, c.payload.text, c.payload.callback_query_id])).toEqual([
      ["sendMessage", "You chose: Option 1", undefined],
      ["answerCallbackQuery", undefined, "q-1"],
      ["answerCallbackQuery", "Bye!", "q-close"],
    ]);
  });

  it("still answers once when the handler throws, and the error reaches the bot", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example });
    const t = createTestBot();
    t.bot.use(
      menuBuilder({
        onPress: () => {
          throw new Error("handler failed");
        },
      }),
    );
    await expect(t.send(callbackQuery("menu:option-3"))).rejects.toThrow("handler failed");
    expect(t.calls.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
  });

  it("answers a button of an outdated menu without running a handler, and leaves other callback data to later handlers", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example });
    const t = createTestBot();
    let handled = 0;
    t.bot.use(menuBuilder({ onPress: () => void handled++ }));
    const later: string[] = [];
    t.bot.on("callback_query:data", (ctx) => void later.push(ctx.callbackQuery.data));

    await t.send(callbackQuery("menu:removed-button"));
    await t.send(callbackQuery("menuz:option-1"));
    await t.send(callbackQuery("other:1"));

    expect(handled).toBe(0);
    expect(t.calls).toEqual([{ method: "answerCallbackQuery", payload: expect.objectContaining({ text: "This menu is out of date." }) }]);
    expect(later).toEqual(["menuz:option-1", "other:1"]);
  });

  it("uses the command answer for the command and the data prefix", async () => {
    const { menuBuilder } = await load({ kind: "inline", ...example, command: "settings" });
    const t = createTestBot();
    t.bot.use(menuBuilder());
    await t.send(commandMessage("menu"));
    expect(t.calls).toEqual([]);
    await t.send(commandMessage("settings"));
    const data = (sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard.flat() as InlineKeyboardButton.CallbackButton[]).map((b) => b.callback_data);
    expect(data).toEqual(["settings:top", "settings:option-1", "settings:option-2", "settings:option-3", "settings:close"]);
  });
});

describe("reply menu", () => {
  it("/menu sends a resized custom keyboard with the exact rows, and a press (its text) routes to its handler", async () => {
    const { menuBuilder } = await load({ kind: "reply", ...example });
    const t = createTestBot();
    const seen: string[] = [];
    t.bot.use(menuBuilder({ handlers: { "Option 3": async (ctx, label) => void (await ctx.reply(`three (${label})`)) } }));
    t.bot.on("message:text", (ctx) => void seen.push(ctx.msg.text));

    await t.send(commandMessage("menu", "", { from: 7 }));
    expect(JSON.parse(JSON.stringify(sentMarkup<ReplyKeyboardMarkup>(t)))).toEqual({
      keyboard: [[{ text: "Top" }], [{ text: "Option 1" }, { text: "Option 2" }], [{ text: "Option 3" }], [{ text: "Close" }]],
      resize_keyboard: true,
    });

    await t.send(textMessage("Option 3", { from: 7 }));
    await t.send(textMessage("Top", { from: 7 }));
    await t.send(textMessage("Option 4", { from: 7 }));

    expect(t.calls.slice(1).map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ["sendMessage", 7, "three (Option 3)"],
      ["sendMessage", 7, "You chose: Top"],
    ]);
    expect(seen).toEqual(["Option 4"]); // not a button: passed on to the bot's own handlers
    expect(t.callsOf("answerCallbackQuery")).toEqual([]);
  });

  it("/hide removes the keyboard", async () => {
    const { menuBuilder } = await load({ kind: "reply", ...example });
    const t = createTestBot();
    t.bot.use(menuBuilder());
    await t.send(commandMessage("hide", "", { from: 7 }));
    expect(t.calls).toEqual([{ method: "sendMessage", payload: expect.objectContaining({ chat_id: 7, reply_markup: { remove_keyboard: true } }) }]);
  });
});

describe("interactive menu (@grammyjs/menu)", () => {
  it("renders the menu with the same layout, every callback_data within 64 bytes", async () => {
    const { interactiveMenu } = await load({ kind: "interactive", ...example });
    const t = createTestBot();
    t.bot.use(interactiveMenu());
    await t.send(commandMessage("menu", "", { from: 7 }));

    const rows = sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard as InlineKeyboardButton.CallbackButton[][];
    expect(rows.map((row) => row.map((b) => b.text))).toEqual([["Top"], ["Option 1", "Option 2"], ["Option 3"], ["Close"]]);
    for (const b of rows.flat()) {
      expect(b.callback_data.startsWith("menu/")).toBe(true);
      expect(bytes(b.callback_data)).toBeLessThanOrEqual(64);
    }
  });

  it("routes a press of a rendered button offline to its handler, with ctx.menu, and answers once", async () => {
    const { interactiveMenu } = await load({ kind: "interactive", ...example });
    const t = createTestBot();
    const seen: string[] = [];
    t.bot.use(
      interactiveMenu({
        handlers: {
          "Option 2": (ctx, label) => {
            seen.push(label);
            ctx.menu!.close();
            return "Closed";
          },
        },
      }),
    );
    const later: string[] = [];
    t.bot.on("callback_query:data", (ctx) => void later.push(ctx.callbackQuery.data));

    await t.send(commandMessage("menu", "", { from: 7 }));
    const rows = sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard as InlineKeyboardButton.CallbackButton[][];
    const option2 = rows[1]![1]!;
    expect(option2.text).toBe("Option 2");
    t.calls.length = 0;

    await t.send(callbackQuery(option2.callback_data, { from: 7, id: "q-menu" }));

    expect(seen).toEqual(["Option 2"]);
    expect(later).toEqual([]); // consumed by the menu
    expect(t.callsOf("answerCallbackQuery")).toEqual([{ method: "answerCallbackQuery", payload: { callback_query_id: "q-menu", text: "Closed" } }]);
    expect(t.callsOf("editMessageReplyMarkup")).toHaveLength(1); // ctx.menu.close() removed the buttons
  });

  it("a button without its own handler replies with the choice", async () => {
    const { interactiveMenu } = await load({ kind: "interactive", ...example });
    const t = createTestBot();
    t.bot.use(interactiveMenu());
    await t.send(commandMessage("menu", "", { from: 7 }));
    const top = (sentMarkup<InlineKeyboardMarkup>(t).inline_keyboard as InlineKeyboardButton.CallbackButton[][])[0]![0]!;
    t.calls.length = 0;
    await t.send(callbackQuery(top.callback_data, { from: 7, id: "q-top" }));
    expect(t.calls.map((c) => [c.method, c.payload.text])).toEqual([
      ["sendMessage", "You chose: Top"],
      ["answerCallbackQuery", undefined],
    ]);
  });
});

describe("applying menu-builder to the fixture projects", () => {
  it("installs the menu in §6.0 order for every kind, adds @grammyjs/menu for interactive, and every kind type-checks", async () => {
    for (const fixture of fixtureNames) {
      const root = tmpDir(`menu-builder-apply-${fixture}`);
      for (const kind of ["inline", "reply", "interactive"] as const) {
        mkdirSync(join(root, kind), { recursive: true });
        const dir = copyFixture(fixture, join(root, kind));
        // Added together with the auto-chat-action plugin (rank 70) and access control (rank 20).
        const plan = await applyRecipes(dir, [
          { id: "menu-builder", answers: { kind, ...example } },
          { id: "chat-action", answers: { style: "plugin" } },
          { id: "access-control", answers: { userIds: [7] } },
        ]);
        expect(plan.manual).toEqual([]);
        expect(plan.dependencies.map((d) => d.name).sort()).toEqual(
          kind === "interactive" ? ["@grammyjs/auto-chat-action", "@grammyjs/menu"] : ["@grammyjs/auto-chat-action"],
        );
        const botText = read(dir, plan.bot!.file);
        const installed = ["accessControl()", "autoChatAction()", kind === "interactive" ? "interactiveMenu()" : "menuBuilder()"].map((code) => botText.indexOf(`.use(${code})`));
        expect(installed.every((at) => at > 0)).toBe(true);
        expect([...installed].sort((a, b) => a - b)).toEqual(installed);
      }
      expect(typecheck(root, join(fixturesDir, fixture, "tsconfig.json"))).toBe("");
    }
  });
});
