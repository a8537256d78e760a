// Behaviour of the rendered i18n recipe in a real grammY Bot: the user's
// language from ctx.from.language_code, the /language picker and where the
// choice is kept (in memory without a session, in the persistence recipe's
// session files with it), and the fallback to the default language.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context, MiddlewareFn, SessionFlavor, StorageAdapter } from "grammy";
import type { Update } from "grammy/types";
import { beforeAll, describe, expect, it } from "vitest";
import { callbackQuery, commandMessage, createTestBot, textMessage, user, type TestBot } from "../helpers/harness.js";
import { applyRecipes, copyFixture, renderRecipe, tmpDir } from "../helpers/recipes.js";

type I18nContext = Context & I18nFlavor;
interface I18nModule {
  i18n: <C extends I18nContext>(options?: { directory?: string; storage?: StorageAdapter<string> }) => MiddlewareFn<C>;
  languagePicker: <C extends I18nContext>(options?: { storage?: StorageAdapter<string> }) => MiddlewareFn<C>;
  LANGUAGES: readonly string[];
  DEFAULT_LANGUAGE: string;
}
interface PersistenceModule {
  createStorage: (dir: string) => unknown;
  persistentSession: <C extends Context & SessionFlavor<Record<string, unknown>>>(storage: unknown) => MiddlewareFn<C>;
}

/** A text message from a user whose Telegram app is set to `language`. */
const textFrom = (id: number, language: string | undefined, text = "hi"): Update => {
  const update = textMessage(text, { from: id });
  update.message!.from = user(id, language === undefined ? {} : { language_code: language });
  return update;
};
const pressFrom = (id: number, language: string, data: string): Update => {
  const update = callbackQuery(data, { from: id });
  update.callback_query!.from = user(id, { language_code: language });
  return update;
};

let mod: I18nModule;
let localesDir: string;

/** A bot with the recipe's two installs (as the engine writes them) and a handler that greets in the user's language. */
function i18nBot(before?: MiddlewareFn<I18nContext>, storage?: StorageAdapter<string>): TestBot<I18nContext> {
  const t = createTestBot<I18nContext>();
  if (before) t.bot.use(before);
  t.bot.use(mod.i18n({ directory: localesDir, ...(storage ? { storage } : {}) }));
  t.bot.use(mod.languagePicker(storage ? { storage } : {}));
  t.bot.on("message:text", (ctx) => ctx.reply(ctx.t("greeting", { name: ctx.from.first_name })));
  return t;
}
const replies = (t: TestBot<I18nContext>) => t.callsOf("sendMessage").map((c) => c.payload.text);

describe("i18n", () => {
  beforeAll(async () => {
    const rendered = await renderRecipe("i18n", { languages: ["en", "de"], defaultLanguage: "en", command: "language" });
    expect(Object.keys(rendered.files).sort()).toEqual(["locales/de.ftl", "locales/en.ftl", "src/recipes/i18n.ts"]);
    localesDir = dirname(rendered.files["locales/de.ftl"]!);
    mod = await rendered.load<I18nModule>("src/recipes/i18n.ts");
  });

  it("answers a German user in German, an English one in English, and anyone else in the default language", async () => {
    expect([mod.LANGUAGES, mod.DEFAULT_LANGUAGE]).toEqual([["en", "de"], "en"]);
    const t = i18nBot();
    await t.send(textFrom(1, "de"));
    await t.send(textFrom(2, "de-AT"));
    await t.send(textFrom(3, "en"));
    await t.send(textFrom(4, "fr"));
    await t.send(textFrom(5, undefined));
    expect(replies(t)).toEqual(["Hallo, User1!", "Hallo, User2!", "Hello, User3!", "Hello, User4!", "Hello, User5!"]);
  });

  it("/language shows one button per language in its own language; a press switches, and the choice survives the next update", async () => {
    const t = i18nBot();
    const commandUpdate = commandMessage("language", "", { from: 7 });
    commandUpdate.message!.from = user(7, { language_code: "de" });
    await t.send(commandUpdate);
    const [prompt] = t.callsOf("sendMessage");
    expect(prompt!.payload.text).toBe("Wähle deine Sprache:");
    expect(JSON.parse(JSON.stringify(prompt!.payload.reply_markup))).toEqual({
      inline_keyboard: [[{ text: "English", callback_data: "language:en" }], [{ text: "Deutsch", callback_data: "language:de" }]],
    });

    await t.send(pressFrom(7, "de", "language:en"));
    expect(t.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(t.callsOf("editMessageText").map((c) => c.payload.text)).toEqual(["From now on I speak English with you."]);

    await t.send(textFrom(7, "de"));
    expect(replies(t).slice(1)).toEqual(["Hello, User7!"]);
    // Another German user is not affected by user 7's choice.
    await t.send(textFrom(8, "de"));
    expect(replies(t).slice(2)).toEqual(["Hallo, User8!"]);
    // A button for a language the bot does not speak changes nothing.
    await t.send(pressFrom(7, "de", "language:xx"));
    await t.send(textFrom(7, "de"));
    expect(replies(t).slice(3)).toEqual(["Hello, User7!"]);
  });

  it("falls back to the default language for a key missing from the user's file", async () => {
    const dir = tmpDir("i18n-missing");
    for (const name of readdirSync(localesDir)) {
      const text = readFileSync(join(localesDir, name), "utf8");
      writeFileSync(join(dir, name), name === "de.ftl" ? text.replace(/^greeting = .*$/m, "") : text);
    }
    expect(readFileSync(join(dir, "de.ftl"), "utf8")).not.toMatch(/^greeting\b/m);
    const t = createTestBot<I18nContext>();
    t.bot.use(mod.i18n({ directory: dir }));
    t.bot.on("message:text", (ctx) => ctx.reply(`${ctx.t("language-prompt")} | ${ctx.t("greeting", { name: "Ada" })}`));
    await t.send(textFrom(1, "de"));
    expect(replies(t as TestBot<I18nContext>)).toEqual(["Wähle deine Sprache: | Hello, Ada!"]);
  });

  it("keeps the choice in the persistence recipe's session when it is installed first: it survives a restart", async () => {
    const persistence = await (await renderRecipe("persistence", { store: "file", sessionKey: "user" })).load<PersistenceModule>();
    const dataDir = tmpDir("i18n-persistence");
    // The memory store of bots without a session must not be what remembers: each bot gets an empty one.
    const empty = (): StorageAdapter<string> => {
      const map = new Map<string, string>();
      return { read: (k) => map.get(k), write: (k, v) => void map.set(k, v), delete: (k) => void map.delete(k) };
    };
    const first = i18nBot(persistence.persistentSession(persistence.createStorage(dataDir)) as unknown as MiddlewareFn<I18nContext>, empty());
    await first.send(pressFrom(9, "de", "language:en"));
    const files = readdirSync(join(dataDir, "sessions"), { recursive: true }).map(String).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dataDir, "sessions", files[0]!), "utf8"))).toEqual({ __language_code: "en" });

    // A new bot (a restart) reading the same session files answers user 9 in English.
    const second = i18nBot(persistence.persistentSession(persistence.createStorage(dataDir)) as unknown as MiddlewareFn<I18nContext>, empty());
    await second.send(textFrom(9, "de"));
    expect(replies(second)).toEqual(["Hello, User9!"]);
  });

  it("writes one .ftl per chosen language plus the default's, with the project's line endings", async () => {
    const dir = copyFixture("crlf-4space");
    const plan = await applyRecipes(dir, [{ id: "i18n", answers: { languages: ["de", "uk"], defaultLanguage: "en" } }]);
    const ftl = plan.changes.filter((c) => c.path.endsWith(".ftl"));
    expect(ftl.map((c) => c.path).sort()).toEqual(["locales/de.ftl", "locales/en.ftl", "locales/uk.ftl"]);
    for (const c of ftl) {
      expect(c.after).toContain("\r\n");
      expect(c.after.replace(/\r\n/g, "")).not.toContain("\n");
    }
    expect(ftl.find((c) => c.path === "locales/uk.ftl")!.after).toContain("language-name = Українська");
    // The default language is offered in the picker too.
    const picked = await (await renderRecipe("i18n", { languages: ["de", "uk"], defaultLanguage: "en" })).load<I18nModule>("src/recipes/i18n.ts");
    expect(picked.LANGUAGES).toEqual(["en", "de", "uk"]);
  });
});
