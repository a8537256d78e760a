// update-filters' greeting under a bulk add and hostile names.
import type { Composer, Context } from "grammy";
import type { Update, User } from "grammy/types";
import { describe, expect, it } from "vitest";
import { apiError, createTestBot, groupChat, message, user } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

interface FiltersModule {
  welcomeNewMembers: <C extends Context>(options?: { text?: string; log?: (message: string, error: unknown) => void }) => Composer<C>;
}

const GROUP = groupChat(-100321);
const load = async (welcomeText = "Welcome, {name}!") => (await renderRecipe("update-filters", { welcomeNewMembers: true, welcomeText })).load<FiltersModule>();
const joined = (members: User[]): Update => message({ new_chat_members: members }, { from: 5, chat: GROUP });
/** The text a user sees: tags removed, entities decoded. */
const visible = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe("update-filters: one greeting per join", () => {
  it("a bulk add of 20 users is greeted with one message naming all 20", async () => {
    const { welcomeNewMembers } = await load();
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    const members = Array.from({ length: 20 }, (_, i) => user(100 + i, { first_name: `Member${i}` }));
    await t.send(joined(members));

    expect(t.callsOf("sendMessage")).toHaveLength(1);
    const text = String(t.callsOf("sendMessage")[0]!.payload.text);
    expect(visible(text)).toBe(`Welcome, ${members.map((m) => m.first_name).join(", ")}!`);
    for (const m of members) expect(text).toContain(`<a href="tg://user?id=${m.id}">${m.first_name}</a>`);
  });

  it("names are escaped for HTML and linked, so they cannot format the text or mention someone else", async () => {
    const { welcomeNewMembers } = await load("<b>Hi</b> {name} & co");
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    await t.send(joined([user(11, { first_name: '<i>evil</i> & "@admin"' }), user(12, { first_name: "x", username: "bob_b" })]));

    const sent = t.callsOf("sendMessage")[0]!.payload;
    expect(sent.parse_mode).toBe("HTML");
    expect(sent.text).toBe('&lt;b&gt;Hi&lt;/b&gt; <a href="tg://user?id=11">&lt;i&gt;evil&lt;/i&gt; &amp; "@admin"</a>, <a href="tg://user?id=12">@bob_b</a> &amp; co');
    // "@admin" stays inside the link to user 11: Telegram parses no mention there.
  });

  it("when the names do not fit in 4096 characters, the list ends with 'and N more'", async () => {
    const { welcomeNewMembers } = await load();
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    const members = Array.from({ length: 200 }, (_, i) => user(1000 + i, { first_name: `${"N".repeat(60)}${i}` }));
    await t.send(joined(members));

    const text = visible(String(t.callsOf("sendMessage")[0]!.payload.text));
    expect(text.length).toBeLessThanOrEqual(4096);
    const more = /and (\d+) more!$/.exec(text);
    expect(more).not.toBeNull();
    const shown = text.slice("Welcome, ".length).split(", ").length;
    expect(shown + Number(more![1])).toBe(200);
    expect(shown).toBeGreaterThan(50);
  });

  it("a failing greeting (429, bot muted) is logged, not thrown, and the update still goes on", async () => {
    const { welcomeNewMembers } = await load();
    const t = createTestBot();
    t.respond((method) => (method === "sendMessage" ? apiError(429, "Too Many Requests: retry after 30", { retry_after: 30 }) : undefined));
    const logged: string[] = [];
    t.bot.use(welcomeNewMembers({ log: (m) => logged.push(m) }));
    let later = 0;
    t.bot.on("message:new_chat_members", () => void later++);
    await t.send(joined([user(11), user(12)]));
    expect(logged).toEqual(["update-filters: could not greet the new members"]);
    expect(later).toBe(1);
  });
});
