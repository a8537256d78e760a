// menu-builder against labels and failures a hostile user can bring: labels
// that name Object.prototype members, and replies that Telegram refuses.
import type { Composer, Context } from "grammy";
import { describe, expect, it } from "vitest";
import { apiError, callbackQuery, commandMessage, createTestBot, message, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

type PressHandler = (ctx: Context, label: string) => unknown;

interface MenuOptions {
  handlers?: Readonly<Record<string, PressHandler>> | ReadonlyMap<string, PressHandler>;
  onPress?: PressHandler;
  log?: (message: string, error: unknown) => void;
}

interface MenuModule {
  MENU_BUTTONS: ReadonlyArray<{ label: string; data: string }>;
  menuBuilder: (options?: MenuOptions) => Composer<Context>;
}

const prototypeLabels = ["toString", "__proto__", "constructor", "hasOwnProperty", "Plain"];
const load = async (kind: string) => (await renderRecipe("menu-builder", { kind, buttons: prototypeLabels, command: "menu" })).load<MenuModule>();

describe("menu-builder: handlers are looked up among their own entries only", () => {
  it("inline: buttons labelled toString, __proto__, constructor, hasOwnProperty reach the default reply, not Object.prototype", async () => {
    const { menuBuilder, MENU_BUTTONS } = await load("inline");
    const t = createTestBot();
    const plain: string[] = [];
    t.bot.use(menuBuilder({ handlers: { Plain: (_ctx, label) => void plain.push(label) } }));

    for (const button of MENU_BUTTONS) await t.send(callbackQuery(button.data, { from: 7, id: `q-${button.label}` }));

    expect(plain).toEqual(["Plain"]);
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["You chose: toString", "You chose: __proto__", "You chose: constructor", "You chose: hasOwnProperty"]);
    // Every press answered once, without a notification ("[object Undefined]" was Object.prototype.toString's answer).
    expect(t.callsOf("answerCallbackQuery").map((c) => [c.payload.callback_query_id, c.payload.text])).toEqual(prototypeLabels.map((label) => [`q-${label}`, undefined]));
  });

  it("inline: a Map of handlers (the way to give a __proto__ button its own) is used as given", async () => {
    const { menuBuilder, MENU_BUTTONS } = await load("inline");
    const t = createTestBot();
    t.bot.use(menuBuilder({ handlers: new Map<string, PressHandler>([["__proto__", () => "proto handled"]]) }));
    await t.send(callbackQuery(MENU_BUTTONS.find((b) => b.label === "__proto__")!.data, { from: 7, id: "q" }));
    expect(t.calls.map((c) => [c.method, c.payload.text])).toEqual([["answerCallbackQuery", "proto handled"]]);
  });

  it("reply: a press of toString or constructor replies with the choice", async () => {
    const { menuBuilder } = await load("reply");
    const t = createTestBot();
    t.bot.use(menuBuilder({ handlers: { Plain: () => undefined } }));
    await t.send(textMessage("toString", { from: 7 }));
    await t.send(textMessage("constructor", { from: 7 }));
    await t.send(textMessage("__proto__", { from: 7 }));
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["You chose: toString", "You chose: constructor", "You chose: __proto__"]);
  });

  it("reply: a photo whose caption equals a label is not a press", async () => {
    const { menuBuilder } = await load("reply");
    const t = createTestBot();
    const later: string[] = [];
    t.bot.use(menuBuilder());
    t.bot.on("message:photo", (ctx) => void later.push(ctx.msg.caption ?? ""));
    await t.send(message({ photo: [{ file_id: "p", file_unique_id: "u", width: 1, height: 1 }], caption: "Plain" }, { from: 7 }));
    expect(t.calls).toEqual([]);
    expect(later).toEqual(["Plain"]);
  });
});

describe("menu-builder: the menu's own replies never fail the update", () => {
  it.each(["inline", "reply"])("%s: a 403 or 429 on /menu, on the default reply and on answering a press is logged, not thrown", async (kind) => {
    const { menuBuilder, MENU_BUTTONS } = await load(kind);
    const t = createTestBot();
    t.respond((method) =>
      method === "sendMessage" ? apiError(403, "Forbidden: bot was blocked by the user") : method === "answerCallbackQuery" ? apiError(429, "Too Many Requests: retry after 5", { retry_after: 5 }) : undefined,
    );
    const logged: string[] = [];
    t.bot.use(menuBuilder({ log: (m) => logged.push(m) }));

    await t.send(commandMessage("menu", "", { from: 7 }));
    if (kind === "inline") await t.send(callbackQuery(MENU_BUTTONS[0]!.data, { from: 7 }));
    else await t.send(textMessage("Plain", { from: 7 }));

    expect(logged).toEqual(
      kind === "inline"
        ? ["menu-builder: could not send the menu", "menu-builder: could not reply to a press", "menu-builder: could not answer a press"]
        : ["menu-builder: could not send the menu", "menu-builder: could not reply to a press"],
    );
  });
});
