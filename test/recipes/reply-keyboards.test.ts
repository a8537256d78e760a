// Behaviour of the rendered reply-keyboards recipe in a real grammY Bot.
import type { Composer, Context, Keyboard } from "grammy";
import { describe, expect, it } from "vitest";
import { commandMessage, createTestBot, groupChat, message, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface KeyboardModule {
  replyKeyboards: <C extends Context>(options?: { onChoice?: (ctx: C, label: string) => unknown }) => Composer<C>;
  parseRows: (rows: readonly string[]) => string[][];
  buildKeyboard: () => Keyboard;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("reply-keyboards", { rows: ["Yes | No", "Maybe"], ...answers })).load<KeyboardModule>();

/** The reply_markup exactly as it goes over the wire (JSON). */
const wire = (markup: unknown): unknown => JSON.parse(JSON.stringify(markup));

describe("reply-keyboards", () => {
  it("/keyboard sends exactly the answered rows, resized, with no other flags set", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(commandMessage("keyboard", "", { from: 7 }));
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.method).toBe("sendMessage");
    expect(t.calls[0]!.payload.chat_id).toBe(7);
    expect(wire(t.calls[0]!.payload.reply_markup)).toEqual({
      keyboard: [[{ text: "Yes" }, { text: "No" }], [{ text: "Maybe" }]],
      resize_keyboard: true,
      one_time_keyboard: false,
    });
  });

  it("honours oneTime, persistent, placeholder, resized=false and custom command names", async () => {
    const { replyKeyboards } = await load({ oneTime: true, persistent: true, resized: false, placeholder: "Pick one", showCommand: "menu", hideCommand: "close" });
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(commandMessage("keyboard"));
    expect(t.calls).toEqual([]); // the default name is no longer registered
    await t.send(commandMessage("menu"));
    await t.send(commandMessage("close"));
    expect(wire(t.calls[0]!.payload.reply_markup)).toEqual({
      keyboard: [[{ text: "Yes" }, { text: "No" }], [{ text: "Maybe" }]],
      resize_keyboard: false,
      one_time_keyboard: true,
      is_persistent: true,
      input_field_placeholder: "Pick one",
    });
    expect(t.calls[1]!.payload.reply_markup).toEqual({ remove_keyboard: true });
  });

  it("/hide removes the keyboard with remove_keyboard: true", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(commandMessage("hide", "", { from: 9 }));
    expect(t.calls.map((c) => [c.method, c.payload.chat_id, wire(c.payload.reply_markup)])).toEqual([["sendMessage", 9, { remove_keyboard: true }]]);
  });

  it("routes a button press (plain text equal to a label) to onChoice, and lets other text through", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    const chosen: string[] = [];
    t.bot.use(replyKeyboards({ onChoice: (_ctx, label) => chosen.push(label) }));
    let fallthrough = 0;
    t.bot.on("message:text", () => {
      fallthrough++;
    });
    await t.send(textMessage("Maybe"));
    await t.send(textMessage("No"));
    await t.send(textMessage("Maybe not"));
    expect(chosen).toEqual(["Maybe", "No"]);
    expect(fallthrough).toBe(1);
  });

  it("the default onChoice replies with the label", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(textMessage("Yes", { from: 3 }));
    expect(t.calls.map((c) => [c.payload.chat_id, c.payload.text])).toEqual([[3, "You chose: Yes"]]);
  });

  it("/share sends a one-time location + contact request keyboard in private chats, a hint in groups", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(commandMessage("share", "", { from: 5 }));
    expect(wire(t.calls[0]!.payload.reply_markup)).toEqual({
      keyboard: [[{ text: "📍 Send my location", request_location: true }, { text: "📞 Send my contact", request_contact: true }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    });
    await t.send(commandMessage("share", "", { from: 5, chat: groupChat(-100777) }));
    expect(t.calls[1]!.payload).toEqual({ chat_id: -100777, text: "Open a private chat with me to share it." });
  });

  it("a shared location reaches its handler", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(message({ location: { latitude: 52.520008, longitude: 13.404954 } }, { from: 11 }));
    expect(t.calls.map((c) => [c.payload.chat_id, c.payload.text, wire(c.payload.reply_markup)])).toEqual([
      [11, "Thanks! Got your location: 52.52001, 13.40495", { remove_keyboard: true }],
    ]);
  });

  it("accepts the sender's own contact and refuses someone else's (or one without user_id)", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(message({ contact: { phone_number: "+491234", first_name: "Ann", user_id: 11 } }, { from: 11 }));
    await t.send(message({ contact: { phone_number: "+499999", first_name: "Bob", user_id: 12 } }, { from: 11 }));
    await t.send(message({ contact: { phone_number: "+498888", first_name: "Cid" } }, { from: 11 }));
    expect(t.calls.map((c) => c.payload.text)).toEqual([
      "Thanks, Ann! Got your number.",
      "Please share your own contact with the button, not someone else's.",
      "Please share your own contact with the button, not someone else's.",
    ]);
    expect(t.calls[0]!.payload.reply_markup).toEqual({ remove_keyboard: true });
  });

  it("without requestLocation the location handler and button are absent; without both, /share does nothing", async () => {
    const noLocation = (await load({ requestLocation: false })).replyKeyboards;
    const t = createTestBot();
    t.bot.use(noLocation());
    await t.send(commandMessage("share"));
    await t.send(message({ location: { latitude: 1, longitude: 2 } }));
    expect(t.calls).toHaveLength(1);
    expect(wire(t.calls[0]!.payload.reply_markup)).toMatchObject({ keyboard: [[{ text: "📞 Send my contact", request_contact: true }]] });

    const neither = (await load({ requestLocation: false, requestContact: false })).replyKeyboards;
    const t2 = createTestBot();
    t2.bot.use(neither());
    await t2.send(commandMessage("share"));
    await t2.send(message({ contact: { phone_number: "+1", first_name: "A", user_id: 1 } }));
    expect(t2.calls).toEqual([]);
  });

  it("rejects bad rows at startup with the row that is wrong", async () => {
    const { parseRows } = await load();
    expect(parseRows([" A | B ", "C"])).toEqual([["A", "B"], ["C"]]);
    expect(() => parseRows(["A||B"])).toThrow(/row 1 .*empty label/);
    expect(() => parseRows(["A", "B|A"])).toThrow(/row 2 .*"A" is used twice/);
    expect(() => parseRows(["x".repeat(65)])).toThrow(/longer than 64/);
    expect(() => parseRows([Array.from({ length: 13 }, (_, i) => `b${i}`).join("|")])).toThrow(/13 buttons/);
    expect(() => parseRows([])).toThrow(/at least one row/);
    // A bad answer is refused when answering; a module edited by hand still fails when it loads, not inside a handler.
    await expect(load({ rows: ["Yes|"] })).rejects.toThrow(/a row is 1-12 labels/);
    await expect(load({ rows: ["A", "B|A"] })).rejects.toThrow(/row 2 .*"A" is used twice/);
  });
});
