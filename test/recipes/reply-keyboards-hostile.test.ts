// reply-keyboards where users do unexpected things: share locations and
// contacts in groups, send photos captioned like a button, block the bot.
import type { Composer, Context } from "grammy";
import { describe, expect, it } from "vitest";
import { apiError, commandMessage, createTestBot, groupChat, message, textMessage } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface Options<C extends Context> {
  onChoice?: (ctx: C, label: string) => unknown;
  privateChatsOnly?: boolean;
  log?: (message: string, error: unknown) => void;
}

interface KeyboardModule {
  replyKeyboards: <C extends Context>(options?: Options<C>) => Composer<C>;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("reply-keyboards", { rows: ["Yes | No", "Maybe"], ...answers })).load<KeyboardModule>();

const photo = [{ file_id: "p", file_unique_id: "u", width: 1, height: 1 }];
const group = groupChat(-100777);

describe("reply-keyboards: shared locations and contacts", () => {
  it("in a group they are not taken: no reply, and the bot's own location/contact handlers run", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    const own: string[] = [];
    t.bot.on("message:location", () => void own.push("location"));
    t.bot.on("message:contact", (ctx) => void own.push(`contact ${ctx.msg.contact.first_name}`));

    await t.send(message({ location: { latitude: 1, longitude: 2 } }, { from: 11, chat: group }));
    await t.send(message({ contact: { phone_number: "+1", first_name: "Ann", user_id: 11 } }, { from: 11, chat: group }));
    await t.send(message({ contact: { phone_number: "+2", first_name: "Bob", user_id: 12 } }, { from: 11, chat: group }));

    expect(t.calls).toEqual([]);
    expect(own).toEqual(["location", "contact Ann", "contact Bob"]);
  });

  it("in a private chat they are handled as before; privateChatsOnly: false takes them in groups too", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    t.bot.use(replyKeyboards());
    await t.send(message({ location: { latitude: 1, longitude: 2 } }, { from: 11 }));
    expect(t.callsOf("sendMessage").map((c) => c.payload.text)).toEqual(["Thanks! Got your location: 1.00000, 2.00000"]);

    const everywhere = createTestBot();
    everywhere.bot.use(replyKeyboards({ privateChatsOnly: false }));
    await everywhere.send(message({ location: { latitude: 1, longitude: 2 } }, { from: 11, chat: group }));
    expect(everywhere.callsOf("sendMessage").map((c) => [c.payload.chat_id, c.payload.text])).toEqual([[-100777, "Thanks! Got your location: 1.00000, 2.00000"]]);
  });
});

describe("reply-keyboards: a button press is a text message", () => {
  it("a photo whose caption equals a button label does not trigger onChoice and goes on to the bot's photo handler", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    const chosen: string[] = [];
    const photos: string[] = [];
    t.bot.use(replyKeyboards({ onChoice: (_ctx, label) => void chosen.push(label) }));
    t.bot.on("message:photo", (ctx) => void photos.push(ctx.msg.caption ?? ""));

    await t.send(message({ photo, caption: "Yes" }, { from: 5 }));
    await t.send(message({ photo, caption: "Maybe" }, { from: 5, chat: group }));
    await t.send(textMessage("Yes", { from: 5 })); // the real press

    expect(chosen).toEqual(["Yes"]);
    expect(photos).toEqual(["Yes", "Maybe"]);
  });
});

describe("reply-keyboards: its own replies never fail the update", () => {
  it("a 403 or 429 on /keyboard, /hide, /share, a press, a location or a contact is logged, not thrown", async () => {
    const { replyKeyboards } = await load();
    const t = createTestBot();
    let n = 0;
    t.respond((method) => (method !== "sendMessage" ? undefined : n++ % 2 === 0 ? apiError(403, "Forbidden: bot was blocked by the user") : apiError(429, "Too Many Requests: retry after 3", { retry_after: 3 })));
    const logged: string[] = [];
    t.bot.use(replyKeyboards({ log: (m) => logged.push(m) }));

    await t.send(commandMessage("keyboard", "", { from: 5 }));
    await t.send(commandMessage("hide", "", { from: 5 }));
    await t.send(commandMessage("share", "", { from: 5 }));
    await t.send(commandMessage("share", "", { from: 5, chat: group }));
    await t.send(textMessage("No", { from: 5 }));
    await t.send(message({ location: { latitude: 1, longitude: 2 } }, { from: 5 }));
    await t.send(message({ contact: { phone_number: "+1", first_name: "Ann", user_id: 5 } }, { from: 5 }));
    await t.send(message({ contact: { phone_number: "+2", first_name: "Bob", user_id: 6 } }, { from: 5 }));

    expect(logged).toEqual([
      "reply-keyboards: could not send the keyboard",
      "reply-keyboards: could not remove the keyboard",
      "reply-keyboards: could not send the request keyboard",
      "reply-keyboards: could not send the hint",
      "reply-keyboards: could not reply to a button press",
      "reply-keyboards: could not thank for the location",
      "reply-keyboards: could not thank for the contact",
      "reply-keyboards: could not refuse the contact",
    ]);
  });
});
