// Behaviour of the rendered media-group-collector recipe in a real grammY Bot.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Composer, Context, MiddlewareObj } from "grammy";
import type { Chat, Message, Update } from "grammy/types";
import { describe, expect, it, vi } from "vitest";
import { commandMessage, createTestBot, groupChat, message, privateChat, textMessage, type TestBot } from "../helpers/harness.js";
import { FakeClock } from "../helpers/jobs.js";
import { applyRecipes, copyFixture, renderRecipe } from "../helpers/recipes.js";

interface Timers {
  setTimeout(callback: () => unknown, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
interface Album<C extends Context> {
  chatId: number;
  mediaGroupId: string;
  ctx: C;
  contexts: C[];
  messages: Message[];
}
interface UploadItem {
  kind: string;
  fileId: string;
  mediaGroupId?: string;
}
interface MediaModule {
  mediaGroupCollector: <C extends Context>(options?: { waitMs?: number; timers?: Timers; now?: () => number }) => Composer<C>;
  flushMediaGroups?: () => Promise<void>;
  albumCollector?: <C extends Context>(options: {
    onAlbum: (album: Album<C>) => unknown;
    onError?: (error: unknown, album: Album<C>) => unknown;
    waitMs?: number;
    timers?: Timers;
  }) => MiddlewareObj<C> & { flushAll(): Promise<void>; readonly pending: number };
  uploadCollector?: <C extends Context>(options: { onUpload: (ctx: C, items: UploadItem[]) => unknown; maxItems?: number; ttlMs?: number; now?: () => number }) => Composer<C>;
  WAIT_MS?: number;
  MAX_ITEMS?: number;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("media-group-collector", answers)).load<MediaModule>();

const photo = (id: string) => [
  { file_id: `${id}-small`, file_unique_id: `${id}-s`, width: 90, height: 90 },
  { file_id: `${id}-large`, file_unique_id: `${id}-l`, width: 1280, height: 1280 },
];
const photoPart = (group: string, id: string, from = 7, chat: Chat = groupChat(-100)) => message({ media_group_id: group, photo: photo(id) }, { from, chat });
const videoPart = (group: string, id: string, from = 7, chat: Chat = groupChat(-100)) =>
  message({ media_group_id: group, video: { file_id: id, file_unique_id: `${id}-u`, width: 1, height: 1, duration: 1 } }, { from, chat });
const documentMessage = (id: string, from = 7) => message({ document: { file_id: id, file_unique_id: `${id}-u` } }, { from });
const idOf = (u: Update) => u.message!.message_id;

/** Fails fast instead of hanging when a handler waits for a timer that only the test can fire. */
async function sendPromptly(t: TestBot<Context>, update: Update): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("handleUpdate waited for the album timer")), 1000);
  });
  try {
    await Promise.race([t.send(update), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const texts = (t: TestBot<Context>) => t.callsOf("sendMessage").map((c) => [c.payload.chat_id, c.payload.text]);

describe("media-group-collector, timer mode", () => {
  it("delivers three out-of-order parts once, sorted, waitMs after the LAST part, without blocking updates", async () => {
    const { albumCollector } = await load({ waitMs: 1000 });
    const clock = new FakeClock();
    const t = createTestBot();
    const albums: number[][] = [];
    t.bot.use(albumCollector!({ onAlbum: (a) => void albums.push(a.messages.map((m) => m.message_id)), timers: clock }));
    const parts = [photoPart("g1", "a"), photoPart("g1", "b"), videoPart("g1", "c")];

    await sendPromptly(t, parts[2]!);
    await clock.advance(600);
    await sendPromptly(t, parts[0]!);
    await clock.advance(600);
    await sendPromptly(t, parts[1]!);
    await clock.advance(999);
    expect(albums).toEqual([]); // 1000 ms after the first part, but not after the last

    await clock.advance(1);
    expect(albums).toEqual([parts.map(idOf)]);
    await clock.advance(10_000);
    expect(albums).toHaveLength(1);
  });

  it("the installed collector replies once with a summary by default, and parts never reach later handlers", async () => {
    const { mediaGroupCollector, WAIT_MS } = await load();
    expect(WAIT_MS).toBe(1000);
    const clock = new FakeClock();
    const t = createTestBot();
    t.bot.use(mediaGroupCollector({ timers: clock }));
    const later = vi.fn();
    t.bot.on("message", later);

    for (const part of [videoPart("g2", "v"), photoPart("g2", "p1"), photoPart("g2", "p2")]) await sendPromptly(t, part);
    expect(t.calls).toEqual([]);
    await clock.advance(1000);

    expect(texts(t)).toEqual([[-100, "Got an album of 3 items: 1 video, 2 photos."]]);
    expect(later).not.toHaveBeenCalled();
  });

  it("a plain text message during collection reaches the next handler at once", async () => {
    const { mediaGroupCollector } = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    t.bot.use(mediaGroupCollector({ timers: clock }));
    t.bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.msg.text}`));

    await sendPromptly(t, photoPart("g3", "a", 7, groupChat(-100)));
    await sendPromptly(t, textMessage("hello", { from: 7, chat: groupChat(-100) }));
    expect(texts(t)).toEqual([[-100, "echo hello"]]);

    await sendPromptly(t, photoPart("g3", "b", 7, groupChat(-100)));
    await clock.advance(1000);
    expect(texts(t)).toEqual([
      [-100, "echo hello"],
      [-100, "Got an album of 2 items: 2 photos."],
    ]);
  });

  it("two albums in two chats (even with the same media_group_id) stay separate", async () => {
    const { albumCollector } = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    const albums: Array<[number, string, number[]]> = [];
    t.bot.use(albumCollector!({ onAlbum: (a) => void albums.push([a.chatId, a.mediaGroupId, a.messages.map((m) => m.message_id)]), timers: clock }));
    const a1 = photoPart("same", "a1", 7, groupChat(-1));
    const b1 = photoPart("same", "b1", 8, groupChat(-2));
    const a2 = photoPart("same", "a2", 7, groupChat(-1));
    const b2 = videoPart("same", "b2", 8, groupChat(-2));
    const b3 = photoPart("other", "b3", 8, groupChat(-2));
    for (const u of [a1, b1, a2, b2, b3]) await sendPromptly(t, u);
    await clock.advance(1000);

    expect(albums).toEqual([
      [-1, "same", [idOf(a1), idOf(a2)]],
      [-2, "same", [idOf(b1), idOf(b2)]],
      [-2, "other", [idOf(b3)]],
    ]);
  });

  it("flushMediaGroups() delivers pending albums on shutdown, once, and clears their timers", async () => {
    const { mediaGroupCollector, flushMediaGroups } = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    t.bot.use(mediaGroupCollector({ timers: clock }));
    await sendPromptly(t, photoPart("g4", "a", 7, groupChat(-4)));
    await sendPromptly(t, photoPart("g4", "b", 7, groupChat(-4)));
    await sendPromptly(t, photoPart("g5", "c", 7, groupChat(-5)));
    expect(clock.pending).toBe(2);

    await flushMediaGroups!();
    expect(texts(t)).toEqual([
      [-4, "Got an album of 2 items: 2 photos."],
      [-5, "Got an album of 1 item: 1 photo."],
    ]);
    expect(clock.pending).toBe(0);
    await clock.advance(5000);
    expect(t.callsOf("sendMessage")).toHaveLength(2);
  });

  it("errors of the album handler go to onError, never to the update (bot.catch cannot see them)", async () => {
    const { albumCollector } = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    const errors: Array<[string, string]> = [];
    t.bot.use(
      albumCollector!({
        onAlbum: () => {
          throw new Error("disk full");
        },
        onError: (error, album) => void errors.push([(error as Error).message, album.mediaGroupId]),
        timers: clock,
      }),
    );
    await expect(t.send(photoPart("g6", "a"))).resolves.toBeUndefined();
    await clock.advance(1000);
    expect(errors).toEqual([["disk full", "g6"]]);
  });

  it("the default error handler logs a failing onAlbum (a rejected reply) instead of crashing", async () => {
    const { mediaGroupCollector } = await load();
    const clock = new FakeClock();
    const t = createTestBot();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    t.respond(() => ({ ok: false, error_code: 403, description: "Forbidden: bot was kicked" }));
    t.bot.use(mediaGroupCollector({ timers: clock }));
    await sendPromptly(t, photoPart("g7", "a", 7, groupChat(-7)));
    await clock.advance(1000);
    expect(log).toHaveBeenCalledWith(expect.stringContaining("album g7 in chat -7"), expect.objectContaining({ error_code: 403 }));
    log.mockRestore();
  });

  it("timer mode has no upload commands: /upload passes through", async () => {
    const mod = await load({ mode: "timer" });
    expect(mod.uploadCollector).toBeUndefined();
    const t = createTestBot();
    t.bot.use(mod.mediaGroupCollector({ timers: new FakeClock() }));
    t.bot.command("upload", (ctx) => ctx.reply("user's own /upload"));
    await t.send(commandMessage("upload", "", { from: 7 }));
    expect(texts(t)).toEqual([[7, "user's own /upload"]]);
  });
});

describe("media-group-collector, manual mode", () => {
  it("/upload, media (an album too), /done delivers the file_ids in order; other messages pass through", async () => {
    const mod = await load({ mode: "manual", startCommand: "upload", finishCommand: "done" });
    expect(mod.albumCollector).toBeUndefined();
    expect(mod.flushMediaGroups).toBeUndefined();
    const t = createTestBot();
    const delivered: UploadItem[][] = [];
    t.bot.use(mod.uploadCollector!({ onUpload: (_ctx, items) => void delivered.push(items) }));
    t.bot.on("message", (ctx) => ctx.reply("next handler"));

    await t.send(commandMessage("upload", "", { from: 7 }));
    await t.send(message({ photo: photo("p") }, { from: 7 }));
    await t.send(documentMessage("doc", 7));
    await t.send(textMessage("a caption in between", { from: 7 }));
    await t.send(photoPart("album", "q", 7, privateChat(7)));
    await t.send(videoPart("album", "v", 7, privateChat(7)));
    await t.send(commandMessage("done", "", { from: 7 }));

    expect(delivered).toEqual([
      [
        { kind: "photo", fileId: "p-large" },
        { kind: "document", fileId: "doc" },
        { kind: "photo", fileId: "q-large", mediaGroupId: "album" },
        { kind: "video", fileId: "v", mediaGroupId: "album" },
      ],
    ]);
    expect(JSON.parse(JSON.stringify(delivered))).toEqual(delivered); // file_ids only: plain JSON, no contexts
    expect(texts(t)).toEqual([
      [7, "Send me up to 10 photos, videos or files, then /done."],
      [7, "next handler"],
    ]);
  });

  it("the installed collector uses the answers and replies with a summary; uploads are per user and chat", async () => {
    const { mediaGroupCollector } = await load({ mode: "manual", startCommand: "collect", finishCommand: "finish" });
    const t = createTestBot();
    t.bot.use(mediaGroupCollector());
    t.bot.on("message", (ctx) => ctx.reply("next handler"));
    const group = groupChat(-50);

    await t.send(commandMessage("collect", "", { from: 7, chat: group }));
    await t.send(message({ photo: photo("mine") }, { from: 7, chat: group }));
    await t.send(message({ photo: photo("theirs") }, { from: 8, chat: group })); // user 8 is not uploading
    await t.send(message({ photo: photo("elsewhere") }, { from: 7 })); // same user, other chat
    await t.send(message({ animation: { file_id: "gif", file_unique_id: "g", width: 1, height: 1, duration: 1 }, document: { file_id: "gif", file_unique_id: "g" } }, { from: 7, chat: group }));
    await t.send(commandMessage("finish", "", { from: 7, chat: group }));
    await t.send(commandMessage("finish", "", { from: 7, chat: group }));

    expect(texts(t)).toEqual([
      [-50, "Send me up to 10 photos, videos or files, then /finish."],
      [-50, "next handler"],
      [7, "next handler"],
      [-50, "Received 2 files: 1 photo, 1 animation."],
      [-50, "Nothing to finish: send /collect first."],
    ]);
  });

  it("stale uploads expire, and the item count is capped with one notice", async () => {
    const { uploadCollector, MAX_ITEMS } = await load({ mode: "manual", maxItems: 2 });
    expect(MAX_ITEMS).toBe(2);
    const clock = new FakeClock();
    const t = createTestBot();
    const delivered: string[][] = [];
    t.bot.use(uploadCollector!({ onUpload: (_ctx, items) => void delivered.push(items.map((i) => i.fileId)), now: clock.now }));
    t.bot.on("message", (ctx) => ctx.reply("next handler"));

    await t.send(commandMessage("upload", "", { from: 7 }));
    for (const id of ["1", "2", "3", "4"]) await t.send(documentMessage(id, 7));
    await t.send(commandMessage("done", "", { from: 7 }));
    expect(delivered).toEqual([["1", "2"]]);
    expect(texts(t).slice(1)).toEqual([[7, "That is 2 files, the most one upload takes: send /done."]]);

    t.calls.length = 0;
    await t.send(commandMessage("upload", "", { from: 7 }));
    await t.send(documentMessage("x", 7));
    clock.jump(10 * 60 * 1000 + 1); // abandoned for more than 10 minutes
    await t.send(documentMessage("late", 7));
    await t.send(commandMessage("done", "", { from: 7 }));
    expect(delivered).toHaveLength(1);
    expect(texts(t).slice(1)).toEqual([
      [7, "next handler"],
      [7, "Nothing to finish: send /upload first."],
    ]);
  });

  it("an empty upload says so instead of delivering nothing", async () => {
    const { mediaGroupCollector } = await load({ mode: "manual" });
    const t = createTestBot();
    t.bot.use(mediaGroupCollector());
    await t.send(commandMessage("upload", "", { from: 7 }));
    await t.send(commandMessage("done", "", { from: 7 }));
    expect(texts(t)[1]).toEqual([7, "You sent no files. Send /upload to start again."]);
  });

  it("manual mode leaves albums of users who are not uploading to later handlers", async () => {
    const { mediaGroupCollector } = await load({ mode: "manual" });
    const t = createTestBot();
    t.bot.use(mediaGroupCollector());
    const later = vi.fn();
    t.bot.on("message", later);
    await t.send(photoPart("g8", "a"));
    expect(later).toHaveBeenCalledTimes(1);
  });
});

describe("media-group-collector, both modes", () => {
  it("an album sent during an upload joins the upload; other albums are collected by the timer", async () => {
    const { mediaGroupCollector } = await load({ mode: "both" });
    const clock = new FakeClock();
    const t = createTestBot();
    t.bot.use(mediaGroupCollector({ timers: clock, now: clock.now }));

    await t.send(commandMessage("upload", "", { from: 7 }));
    await sendPromptly(t, photoPart("up", "a", 7, privateChat(7)));
    await sendPromptly(t, photoPart("up", "b", 7, privateChat(7)));
    await sendPromptly(t, photoPart("free", "c", 8, privateChat(8))); // user 8 is not uploading
    await clock.advance(1000);
    await t.send(commandMessage("done", "", { from: 7 }));

    expect(texts(t)).toEqual([
      [7, "Send me up to 10 photos, videos or files, then /done."],
      [8, "Got an album of 1 item: 1 photo."],
      [7, "Received 2 files: 2 photos."],
    ]);
  });
});

describe("media-group-collector, wiring", () => {
  it("flushMediaGroups() runs once the bot has stopped: after `await bot.start()` in the main module, imported there", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "media-group-collector", answers: { mode: "timer" } }]);
    const main = readFileSync(join(dir, "src/main.ts"), "utf8");
    expect(main).toContain("import { flushMediaGroups } from './recipes/media-group-collector.js'");
    expect(main).toMatch(/\nawait bot\.start\(\)\nawait flushMediaGroups\(\)\n$/);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).not.toContain("flushMediaGroups");
    expect(plan.manual).toEqual([]);
    expect(plan.notes.join("\n")).not.toContain("flushMediaGroups");
  });

  it("manual mode has nothing to flush: no stop code", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const plan = await applyRecipes(dir, [{ id: "media-group-collector", answers: { mode: "manual" } }]);
    expect(readFileSync(join(dir, "src/main.ts"), "utf8")).not.toContain("flushMediaGroups");
    expect(plan.manual).toEqual([]);
  });
});
