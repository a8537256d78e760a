// Behaviour of the rendered update-filters recipe in a real grammY Bot.
import type { Composer, Context, MiddlewareFn } from "grammy";
import type { Chat, Update, User } from "grammy/types";
import { describe, expect, it } from "vitest";
import { BOT_INFO, callbackQuery, channelPost, createTestBot, groupChat, message, textMessage, user } from "../helpers/harness.js";
import { applyRecipes, copyFixture } from "../helpers/recipes.js";
import { renderRecipe } from "../helpers/recipes.js";

interface FiltersModule {
  dropUnwantedUpdates: <C extends Context>() => MiddlewareFn<C>;
  isUnwantedUpdate: () => (ctx: Context) => boolean;
  welcomeNewMembers: <C extends Context>(options?: { text?: string }) => Composer<C>;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("update-filters", answers)).load<FiltersModule>();

const GROUP = groupChat(-100321);
const LINKED_CHANNEL: Chat = { id: -100999, type: "channel", title: "News" };

/** A channel post that Telegram forwarded into the discussion group. */
const automaticForward = (): Update =>
  textMessage("new post", { from: 777000, chat: GROUP, extra: { is_automatic_forward: true, sender_chat: LINKED_CHANNEL } });
/** The same, flagged only by the service user (older clients, or the flag missing). */
const fromServiceUser = (): Update => textMessage("new post", { from: 777000, chat: GROUP });
/** A message an anonymous admin sent as the group. */
const anonymousAdmin = (): Update => textMessage("hello as group", { from: 1087968824, chat: GROUP, extra: { sender_chat: GROUP } });
/** A message sent on behalf of a channel (not an anonymous admin). */
const asChannel = (): Update => textMessage("hello as channel", { from: 136817688, chat: GROUP, extra: { sender_chat: LINKED_CHANNEL } });
const normal = (): Update => textMessage("hello", { from: 5, chat: GROUP });

/** A bot with the filter installed as the recipe wires it, recording which updates reach later handlers. */
async function filteredBot(answers: Record<string, unknown>) {
  const { dropUnwantedUpdates } = await load(answers);
  const t = createTestBot();
  t.bot.use(dropUnwantedUpdates());
  const seen: string[] = [];
  t.bot.use((ctx) => void seen.push(ctx.callbackQuery?.data ?? ctx.msg?.text ?? "?"));
  return { t, seen };
}

describe("update-filters: automatic forwards", () => {
  it("dropAutomaticForwards: true drops is_automatic_forward and 777000 messages, a normal one passes", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: true, dropAnonymousAdmins: false });
    await t.send(automaticForward());
    await t.send(fromServiceUser());
    await t.send(normal());
    expect(seen).toEqual(["hello"]);
  });

  it("dropAutomaticForwards: false lets them through", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: false, dropAnonymousAdmins: true });
    await t.send(automaticForward());
    await t.send(fromServiceUser());
    expect(seen).toEqual(["new post", "new post"]);
  });

  it("a user's button press under a forwarded post is not dropped", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: true, dropAnonymousAdmins: true });
    const press = callbackQuery("vote", { from: 5, chat: GROUP });
    Object.assign(press.callback_query!.message!, { is_automatic_forward: true, sender_chat: GROUP, from: user(777000) });
    await t.send(press);
    expect(seen).toEqual(["vote"]);
  });
});

describe("update-filters: anonymous admins", () => {
  it("dropAnonymousAdmins: true drops messages sent as the group; messages sent as a channel and normal ones pass", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: false, dropAnonymousAdmins: true });
    await t.send(anonymousAdmin());
    await t.send(asChannel());
    await t.send(normal());
    expect(seen).toEqual(["hello as channel", "hello"]);
  });

  it("dropAnonymousAdmins: true recognises sender_chat equal to the chat alone, and the 1087968824 sender alone", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: false, dropAnonymousAdmins: true });
    await t.send(textMessage("a", { from: 5, chat: GROUP, extra: { sender_chat: GROUP } }));
    await t.send(textMessage("b", { from: 1087968824, chat: GROUP }));
    expect(seen).toEqual([]);
  });

  it("dropAnonymousAdmins: false lets them through", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: true, dropAnonymousAdmins: false });
    await t.send(anonymousAdmin());
    expect(seen).toEqual(["hello as group"]);
  });

  it("never drops channel posts (a channel post's sender_chat is the channel itself)", async () => {
    const { t, seen } = await filteredBot({ dropAutomaticForwards: true, dropAnonymousAdmins: true });
    await t.send(channelPost("in the channel"));
    expect(seen).toEqual(["in the channel"]);
  });
});

describe("update-filters: welcome", () => {
  const joined = (members: User[], chat: Chat = GROUP): Update => message({ new_chat_members: members }, { from: 5, chat });

  it("greets the new members of one join together, by @username or else first name, skips the bot itself, and passes the update on", async () => {
    const { welcomeNewMembers } = await load({ welcomeNewMembers: true, welcomeText: "Hi {name}, welcome! ({name})" });
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    let later = 0;
    t.bot.on("message:new_chat_members", () => void later++);

    await t.send(joined([user(11, { username: "alice" }), user(BOT_INFO.id, { is_bot: true, first_name: "Test Bot", username: BOT_INFO.username }), user(12, { first_name: "Bob" })]));

    const names = '<a href="tg://user?id=11">@alice</a>, <a href="tg://user?id=12">Bob</a>';
    expect(t.calls.map((c) => [c.method, c.payload.chat_id, c.payload.text, c.payload.parse_mode])).toEqual([
      ["sendMessage", GROUP.id, `Hi ${names}, welcome! (${names})`, "HTML"],
    ]);
    expect(later).toBe(1);
  });

  it("says nothing when only the bot was added, and ignores other messages", async () => {
    const { welcomeNewMembers } = await load({ welcomeNewMembers: true });
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    await t.send(joined([user(BOT_INFO.id, { is_bot: true })]));
    await t.send(normal());
    expect(t.calls).toEqual([]);
  });

  it("uses the default text and refuses a text without {name}", async () => {
    const { welcomeNewMembers } = await load({ welcomeNewMembers: true });
    const t = createTestBot();
    t.bot.use(welcomeNewMembers());
    await t.send(joined([user(13, { first_name: "Carol" })]));
    expect(t.callsOf("sendMessage")[0]!.payload.text).toBe('Welcome, <a href="tg://user?id=13">Carol</a>!');

    expect(() => welcomeNewMembers({ text: "Welcome!" })).toThrow(/must contain \{name\}/);
    // The answer itself is refused when answering, before anything is rendered.
    await expect(load({ welcomeNewMembers: true, welcomeText: "Welcome, friend!" })).rejects.toThrow(/the greeting must contain \{name\}/);
    await expect(load({ welcomeNewMembers: true, welcomeText: "x".repeat(4001) })).rejects.toThrow(/at most 4000/);
  });
});

describe("update-filters: wiring follows the answers", () => {
  const wired = async (answers: Record<string, unknown>) => {
    const plan = await applyRecipes(copyFixture("cjs-single"), [{ id: "update-filters", answers }], { write: false });
    return plan.changes.find((c) => c.path === "bot.ts")?.after ?? "";
  };

  it("installs the drop filter when either filter is on, once, and the greeting only when welcomeNewMembers is on", async () => {
    const both = await wired({ dropAutomaticForwards: true, dropAnonymousAdmins: true, welcomeNewMembers: false });
    expect(both.match(/bot\.use\(dropUnwantedUpdates\(\)\)/g)).toHaveLength(1);
    expect(both).not.toContain("welcomeNewMembers");

    const one = await wired({ dropAutomaticForwards: false, dropAnonymousAdmins: true, welcomeNewMembers: true });
    expect(one.match(/bot\.use\(dropUnwantedUpdates\(\)\)/g)).toHaveLength(1);
    expect(one).toContain("bot.use(welcomeNewMembers());");
    expect(one.indexOf("bot.use(dropUnwantedUpdates())")).toBeLessThan(one.indexOf("bot.use(welcomeNewMembers())"));

    const none = await wired({ dropAutomaticForwards: false, dropAnonymousAdmins: false, welcomeNewMembers: true });
    expect(none).not.toContain("dropUnwantedUpdates");
    expect(none).toContain("bot.use(welcomeNewMembers());");
  });
});
