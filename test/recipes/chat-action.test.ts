// Behaviour of the rendered chat-action recipe in a real grammY Bot: the
// wrapper style (withChatAction and its aliases) and the plugin style
// (@grammyjs/auto-chat-action, as the recipe wires it).
import { autoChatAction, chatAction, type AutoChatActionFlavor } from "@grammyjs/auto-chat-action";
import { GrammyError, InputFile, type Context, type MiddlewareFn } from "grammy";
import { Bot as Bot120, type Context as Context120, type MiddlewareFn as MiddlewareFn120 } from "grammy-1.20";
import type { Update } from "grammy/types";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { apiError, BOT_INFO, commandMessage, createTestBot, groupChat, textMessage, user } from "../helpers/harness.js";
import { applyRecipes, copyFixture, fixtureNames, fixturesDir, read, renderRecipe, tmpDir, typecheck } from "../helpers/recipes.js";

type ChatAction = Parameters<Context["api"]["sendChatAction"]>[1];

interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface ChatActionOptions {
  repeatMs?: number;
  onError?: (error: unknown) => void;
  timers?: Timers;
}

type Alias = <C extends Context>(handler: MiddlewareFn<C>, options?: ChatActionOptions) => MiddlewareFn<C>;

interface ChatActionModule {
  REPEAT_MS: number;
  withChatAction: <C extends Context>(action: ChatAction, handler: MiddlewareFn<C>, options?: ChatActionOptions) => MiddlewareFn<C>;
  withTyping: Alias;
}

const load = async () => (await renderRecipe("chat-action", { style: "wrapper" })).load<ChatActionModule>();

/** Timers fired by hand: `fire()` runs every pending callback once. */
function manualTimers() {
  let ids = 0;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      pending.set(++ids, { callback, ms });
      return ids;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
  };
  const fire = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const t of due) t.callback();
  };
  return { timers, pending, fire };
}

/** Lets pending promise callbacks (API calls, handler steps) run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A gate a test handler waits on until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe("withChatAction (wrapper style)", () => {
  it("sends the action to the chat before the handler's reply, and only once for a fast handler", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    t.bot.command("ask", withTyping((ctx) => ctx.reply("42")));

    await t.send(commandMessage("ask", "", { from: 7 }));

    expect(t.calls).toEqual([
      { method: "sendChatAction", payload: { chat_id: 7, action: "typing" } },
      { method: "sendMessage", payload: expect.objectContaining({ chat_id: 7, text: "42" }) },
    ]);
  });

  it("waits for the action to be sent before the handler starts, so it cannot arrive after the reply", async () => {
    const { withTyping } = await load();
    const log: string[] = [];
    const t = createTestBot();
    t.respond(async (method) => {
      if (method !== "sendChatAction") return undefined;
      await sleep(20); // a slow network
      log.push("action delivered");
      return { ok: true, result: true };
    });
    t.bot.command("ask", withTyping(async (ctx) => {
      log.push("handler started");
      await ctx.reply("42");
    }));
    await t.send(commandMessage("ask"));
    expect(log).toEqual(["action delivered", "handler started"]);
  });

  it("re-sends the action every repeatMs while a slow handler runs, and stops when it ends", async () => {
    const { withChatAction, REPEAT_MS } = await load();
    expect(REPEAT_MS).toBe(4500);
    const clock = manualTimers();
    const work = gate();
    const t = createTestBot();
    t.bot.command(
      "slow",
      withChatAction("upload_document", async (ctx) => {
        await work.opened;
        await ctx.reply("done");
      }, { timers: clock.timers }),
    );

    const handling = t.send(commandMessage("slow", "", { from: 7 }));
    await flush();
    expect(t.callsOf("sendChatAction")).toHaveLength(1);
    expect([...clock.pending.values()].map((p) => p.ms)).toEqual([4500]); // the next send is armed at the default interval
    clock.fire();
    await flush();
    clock.fire();
    await flush();
    expect(t.callsOf("sendChatAction")).toHaveLength(3);

    work.open();
    await handling;
    expect(clock.pending.size).toBe(0); // nothing left to send
    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendChatAction", "sendChatAction", "sendMessage"]);
    expect(t.callsOf("sendChatAction").every((c) => c.payload.action === "upload_document" && c.payload.chat_id === 7)).toBe(true);
  });

  it("with real timers and a short interval: several sends during the work, none after it", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    t.bot.command(
      "slow",
      withTyping(async (ctx) => {
        await sleep(150);
        await ctx.reply("done");
      }, { repeatMs: 25 }),
    );

    await t.send(commandMessage("slow"));
    const sent = t.callsOf("sendChatAction").length;
    expect(sent).toBeGreaterThanOrEqual(3);
    expect(sent).toBeLessThanOrEqual(8);
    expect(t.calls.at(-1)!.method).toBe("sendMessage");
    await sleep(80);
    expect(t.callsOf("sendChatAction")).toHaveLength(sent);
  });

  it("a 400 on sendChatAction does not fail the handler, is reported once and not retried", async () => {
    const { withTyping } = await load();
    const clock = manualTimers();
    const errors: unknown[] = [];
    const t = createTestBot();
    t.respond((method) => (method === "sendChatAction" ? apiError(400, "Bad Request: not enough rights to send chat actions") : undefined));
    const work = gate();
    t.bot.command(
      "ask",
      withTyping(async (ctx) => {
        await work.opened;
        await ctx.reply("still answered");
      }, { timers: clock.timers, onError: (e) => errors.push(e) }),
    );

    const handling = t.send(commandMessage("ask", "", { from: 7 }));
    await flush();
    expect(clock.pending.size).toBe(0); // no repeat armed while the handler still runs
    work.open();
    await handling;

    expect(t.calls.map((c) => [c.method, c.payload.text])).toEqual([
      ["sendChatAction", undefined],
      ["sendMessage", "still answered"],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(GrammyError);
    expect((errors[0] as GrammyError).error_code).toBe(400);
    expect(clock.pending.size).toBe(0);
  });

  it("by default a failed action only logs a warning", async () => {
    const { withTyping } = await load();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const t = createTestBot();
      t.respond((method) => (method === "sendChatAction" ? apiError(403, "Forbidden: bot was blocked by the user") : undefined));
      let ran = false;
      t.bot.command("ask", withTyping(() => {
        ran = true;
      }));
      await t.send(commandMessage("ask"));
      expect(ran).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain("bot was blocked by the user");
    } finally {
      warn.mockRestore();
    }
  });

  it("an onError that throws is logged, and neither fails the handler nor leaves an unhandled rejection", async () => {
    const { withTyping } = await load();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const t = createTestBot();
      t.respond((method) => (method === "sendChatAction" ? apiError(400, "Bad Request: chat not found") : undefined));
      t.bot.command("ask", withTyping((ctx) => ctx.reply("fine"), {
        onError: () => {
          throw new Error("reporting failed");
        },
      }));
      await t.send(commandMessage("ask"));
      await flush();
      expect(t.callsOf("sendMessage")).toHaveLength(1);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: "reporting failed" }));
    } finally {
      logged.mockRestore();
    }
  });

  it("does not hold the handler up longer than repeatMs when sendChatAction hangs", async () => {
    const { withTyping } = await load();
    const clock = manualTimers();
    const t = createTestBot();
    t.respond((method) => (method === "sendChatAction" ? new Promise(() => {}) : undefined));
    t.bot.command("ask", withTyping((ctx) => ctx.reply("answer"), { timers: clock.timers }));

    const handling = t.send(commandMessage("ask"));
    await flush();
    expect(t.callsOf("sendMessage")).toHaveLength(0); // still waiting for the action…
    clock.fire(); // …until repeatMs passed
    await handling;
    expect(t.callsOf("sendMessage")).toHaveLength(1);
  });

  it("sends the action into the forum topic of the message, and not into a reply thread of a plain group", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    t.bot.on("message", withTyping((ctx) => ctx.reply("in the topic")));

    await t.send(textMessage("hi", { chat: groupChat(-100500), extra: { is_topic_message: true, message_thread_id: 77 } }));
    await t.send(textMessage("hi", { chat: groupChat(-100600), extra: { message_thread_id: 12 } }));

    const [topicAction, topicReply, plainAction] = t.calls;
    expect(topicAction).toEqual({ method: "sendChatAction", payload: { chat_id: -100500, action: "typing", message_thread_id: 77 } });
    expect(topicReply!.payload).toMatchObject({ chat_id: -100500, message_thread_id: 77 });
    expect(plainAction).toEqual({ method: "sendChatAction", payload: { chat_id: -100600, action: "typing" } });
  });

  it("sends the action through the business connection of a business message", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    t.bot.on("business_message", withTyping(() => {}));
    const update: Update = {
      update_id: 9002,
      business_message: { message_id: 1, date: 0, chat: { id: 7, type: "private", first_name: "U" }, from: user(7), business_connection_id: "bc-1", text: "hi" },
    };
    await t.send(update);
    expect(t.calls).toEqual([{ method: "sendChatAction", payload: { chat_id: 7, action: "typing", business_connection_id: "bc-1" } }]);
  });

  it("works on grammY 1.20 (no ctx.chatId, no ctx.businessConnectionId): a real grammY 1.20 Bot sends the action", async () => {
    const { withTyping } = await load();
    const bot = new Bot120("1:TEST", { botInfo: BOT_INFO });
    const calls: Array<{ method: string; payload: unknown }> = [];
    bot.api.config.use(async (_prev, method, payload) => {
      calls.push({ method, payload });
      return { ok: true, result: true } as never;
    });
    // The module is typed with this repository's grammY; at run time it gets grammY 1.20's context.
    bot.on("message", withTyping(() => {}) as unknown as MiddlewareFn120<Context120>);
    await bot.handleUpdate(textMessage("hi", { chat: groupChat(-100500), extra: { is_topic_message: true, message_thread_id: 77 } }) as never);
    expect(calls).toEqual([{ method: "sendChatAction", payload: { chat_id: -100500, action: "typing", message_thread_id: 77 } }]);
  });

  it("runs the handler without an action where there is no chat (inline queries)", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    let ran = 0;
    t.bot.on("inline_query", withTyping(() => {
      ran++;
    }));
    const update: Update = { update_id: 9001, inline_query: { id: "iq", from: user(7), query: "x", offset: "" } };
    await t.send(update);
    expect(ran).toBe(1);
    expect(t.calls).toEqual([]);
  });

  it("stops repeating when the handler throws, and lets the error reach the bot", async () => {
    const { withTyping } = await load();
    const clock = manualTimers();
    const t = createTestBot();
    t.bot.command("boom", withTyping(() => {
      throw new Error("boom");
    }, { timers: clock.timers }));
    await expect(t.send(commandMessage("boom"))).rejects.toThrow("boom");
    expect(clock.pending.size).toBe(0);
  });

  it("passes next() through, so a wrapped middleware can hand on to later handlers", async () => {
    const { withTyping } = await load();
    const t = createTestBot();
    t.bot.use(withTyping((_ctx, next) => next()));
    t.bot.on("message", (ctx) => ctx.reply("later"));
    await t.send(textMessage("hi"));
    expect(t.calls.map((c) => c.method)).toEqual(["sendChatAction", "sendMessage"]);
  });

  it.each([
    ["withTyping", "typing"],
    ["withUploadPhoto", "upload_photo"],
    ["withRecordVideo", "record_video"],
    ["withUploadVideo", "upload_video"],
    ["withRecordVoice", "record_voice"],
    ["withUploadVoice", "upload_voice"],
    ["withUploadDocument", "upload_document"],
    ["withChooseSticker", "choose_sticker"],
    ["withFindLocation", "find_location"],
    ["withRecordVideoNote", "record_video_note"],
    ["withUploadVideoNote", "upload_video_note"],
  ])("%s sends %s", async (alias, action) => {
    const aliases = (await load()) as unknown as Record<string, Alias | undefined>;
    const t = createTestBot();
    t.bot.on("message", aliases[alias]!(() => {}));
    await t.send(textMessage("hi"));
    expect(t.calls).toEqual([{ method: "sendChatAction", payload: expect.objectContaining({ action }) }]);
  });
});

describe("auto-chat-action plugin (plugin style)", () => {
  type PluginContext = Context & AutoChatActionFlavor;

  it("bot.use(autoChatAction()) shows upload_photo while an InputFile photo is uploaded", async () => {
    const t = createTestBot<PluginContext>();
    t.bot.use(autoChatAction()); // the statement the recipe installs
    t.bot.command("photo", (ctx) => ctx.replyWithPhoto(new InputFile(new Uint8Array([137, 80, 78, 71]), "chart.png")));

    await t.send(commandMessage("photo", "", { from: 7 }));

    expect(t.calls.map((c) => c.method).sort()).toEqual(["sendChatAction", "sendPhoto"]);
    expect(t.callsOf("sendChatAction")[0]!.payload).toEqual({ chat_id: 7, action: "upload_photo" });
    expect(t.callsOf("sendPhoto")[0]!.payload.photo).toBeInstanceOf(InputFile);
  });

  it("chatAction(action) in front of a handler (the usage the recipe prints) sends it before the reply", async () => {
    const t = createTestBot<PluginContext>();
    t.bot.use(autoChatAction());
    t.bot.command("think", chatAction("typing"), (ctx) => ctx.reply("thought"));
    await t.send(commandMessage("think", "", { from: 7 }));
    expect(t.calls.map((c) => [c.method, c.payload.action ?? c.payload.text])).toEqual([
      ["sendChatAction", "typing"],
      ["sendMessage", "thought"],
    ]);
  });
});

describe("applying chat-action to the fixture projects", () => {
  it("wraps the listed commands where they are registered, prints the others, and every variant type-checks", async () => {
    const snapshots: Record<string, Record<string, string>> = {};
    for (const fixture of fixtureNames) {
      const root = tmpDir(`chat-action-apply-${fixture}`);
      const wrapperDir = copyFixture(fixture, join(root, "wrapper"));
      const wrapperPlan = await applyRecipes(wrapperDir, [{ id: "chat-action", answers: { commands: ["slow", "nope"], action: "upload_photo" } }]);
      expect(wrapperPlan.manual.map((m) => m.reason)).toEqual(["no handler for /nope was found; wrap it like this"]);
      expect(wrapperPlan.dependencies).toEqual([]);
      mkdirSync(join(root, "plugin"), { recursive: true });
      const pluginDir = copyFixture(fixture, join(root, "plugin"));
      const pluginPlan = await applyRecipes(pluginDir, [{ id: "chat-action", answers: { style: "plugin", commands: [] } }]);
      expect(pluginPlan.manual).toEqual([]);
      expect(pluginPlan.changes.some((c) => c.path.endsWith("chat-action.ts"))).toBe(false); // the plugin needs no module of ours
      expect(pluginPlan.dependencies.map((d) => `${d.name}@${d.version}`)).toEqual(["@grammyjs/auto-chat-action@^0.1.1"]);
      snapshots[fixture] = {
        wrapper: wrapperPlan.changes.map((c) => c.path).join(","),
        plugin: read(pluginDir, pluginPlan.bot!.file),
      };
      expect(typecheck(root, join(fixturesDir, fixture, "tsconfig.json"))).toBe("");
      // The wrapped handler reads the same in every style of project.
      const handlersFile = { "cjs-single": "bot.ts", "esm-nodenext-factory": "src/features/greeting.ts", "webhook-split": "src/handlers.ts", "crlf-4space": "src/index.ts" }[fixture];
      expect(read(wrapperDir, handlersFile)).toMatch(/\.command\((["'])slow\1, withUploadPhoto\(async \(ctx\) => \{/);
    }
    // Plugin: installed right after the bot is created, with the flavor in the context type.
    expect(snapshots["cjs-single"]!.plugin).toContain('import { autoChatAction, type AutoChatActionFlavor } from "@grammyjs/auto-chat-action";');
    expect(snapshots["cjs-single"]!.plugin).toContain("export type BotContext = Context & AutoChatActionFlavor;");
    expect(snapshots["cjs-single"]!.plugin).toContain('const bot = new Bot<BotContext>(process.env.BOT_TOKEN ?? "");\nbot.use(autoChatAction());\n');
    expect(snapshots["crlf-4space"]!.plugin).toContain("interface AppContext extends Context, AutoChatActionFlavor {");
    expect(snapshots["esm-nodenext-factory"]!.plugin).toContain("const bot = new Bot<MyContext>(token, options)\n  bot.use(autoChatAction())\n");
  });
});
