// Behaviour of the rendered media-send recipe in a real grammY Bot: the
// transformer payload shows what would go to Telegram (an InputFile upload or a string).
import { InputFile, type Context } from "grammy";
import type { PhotoSize } from "grammy/types";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandMessage, createTestBot } from "../helpers/harness.js";
import { renderRecipe } from "../helpers/recipes.js";

type Source = { path: string; filename?: string } | { url: string; reupload?: boolean; filename?: string } | { data: Uint8Array; filename: string } | { fileId: string };
type Send = (ctx: Context, source: Source, other?: Record<string, unknown>) => Promise<unknown>;
interface AlbumItem {
  type: "photo" | "video" | "document" | "audio";
  source: Source;
  caption?: string;
}
interface MediaModule {
  ASSETS_DIR: string;
  toInputFile: (source: Source) => InputFile | string;
  sendPhoto: Send;
  sendVoice: Send;
  sendAudio: Send;
  sendDocument: Send;
  sendAnimation: Send;
  sendAlbum: (ctx: Context, items: AlbumItem[]) => Promise<unknown>;
  buildAlbum: (items: AlbumItem[]) => unknown[];
  closestPhotoSize: (sizes: PhotoSize[], w: number, h: number) => PhotoSize;
  largestPhotoSize: (sizes: PhotoSize[]) => PhotoSize;
}

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("media-send", { assetsDir: "media/assets", ...answers })).load<MediaModule>();

/** What an InputFile will upload (grammY keeps it private; a path string for disk files). */
const dataOf = (file: unknown): unknown => (file as { fileData: unknown }).fileData;

/** Runs `send` inside a real handler and returns the one recorded call. */
async function sendVia(send: (ctx: Context) => Promise<unknown>) {
  const t = createTestBot();
  t.bot.command("go", async (ctx) => {
    await send(ctx);
  });
  await t.send(commandMessage("go", "", { from: 21 }));
  return t.calls;
}

describe("media-send helpers", () => {
  const helpers = [
    ["sendPhoto", "sendPhoto", "photo"],
    ["sendVoice", "sendVoice", "voice"],
    ["sendAudio", "sendAudio", "audio"],
    ["sendDocument", "sendDocument", "document"],
    ["sendAnimation", "sendAnimation", "animation"],
  ] as const;

  it.each(helpers)("%s from disk uploads an InputFile resolved inside the assets folder", async (name, method, field) => {
    const mod = await load();
    const calls = await sendVia((ctx) => mod[name](ctx, { path: "cat.bin" }, { caption: "hi" }));
    expect(calls.map((c) => c.method)).toEqual([method]);
    const file = calls[0]!.payload[field];
    expect(file).toBeInstanceOf(InputFile);
    expect((file as InputFile).filename).toBe("cat.bin");
    expect(calls[0]!.payload).toMatchObject({ chat_id: 21, caption: "hi" });
    // the path is resolved in ASSETS_DIR: the upload reads exactly that file
    expect(dataOf(file)).toBe(join("media/assets", "cat.bin"));
  });

  it.each(helpers)("%s from a URL sends the URL string for Telegram to fetch", async (name, method, field) => {
    const mod = await load();
    const calls = await sendVia((ctx) => mod[name](ctx, { url: "https://telegram.org/img/t_logo.png" }));
    expect(calls).toEqual([{ method, payload: { chat_id: 21, [field]: "https://telegram.org/img/t_logo.png" } }]);
  });

  it.each(helpers)("%s from memory uploads an InputFile with the given file name", async (name, method, field) => {
    const mod = await load();
    const bytes = new Uint8Array([1, 2, 3]);
    const calls = await sendVia((ctx) => mod[name](ctx, { data: bytes, filename: "image.jpeg" }));
    expect(calls.map((c) => c.method)).toEqual([method]);
    const file = calls[0]!.payload[field] as InputFile;
    expect(file).toBeInstanceOf(InputFile);
    expect(file.filename).toBe("image.jpeg");
    expect(await file.toRaw()).toBe(bytes);
  });

  it("re-uploads a URL through grammY when asked, sends file_ids as they are", async () => {
    const mod = await load();
    const reupload = mod.toInputFile({ url: "https://example.com/a.png", reupload: true });
    expect(reupload).toBeInstanceOf(InputFile);
    expect((reupload as InputFile).filename).toBe("a.png");
    expect(mod.toInputFile({ fileId: "AgACAgIAAxkB" })).toBe("AgACAgIAAxkB");
  });

  it("refuses the grammY quirks: a URL given as a path, file: URLs, nameless bytes", async () => {
    const mod = await load();
    expect(() => mod.toInputFile({ path: "https://example.com/a.png" })).toThrow(/is a URL, not a path; pass \{ url: … \}/);
    expect(() => mod.toInputFile({ url: "file:///etc/passwd" })).toThrow(/only http\(s\) URLs.*file:/);
    expect(() => mod.toInputFile({ url: "not a url" })).toThrow(/not a valid URL/);
    expect(() => mod.toInputFile({ data: new Uint8Array(1), filename: " " })).toThrow(/need a file name/);
  });

  it("absolute paths are used as they are", async () => {
    const mod = await load();
    const file = mod.toInputFile({ path: "/srv/files/x.pdf", filename: "report.pdf" }) as InputFile;
    expect(file.filename).toBe("report.pdf");
    expect(dataOf(file)).toBe("/srv/files/x.pdf");
  });

  it("renders only the chosen sources", async () => {
    const urlOnly = await renderRecipe("media-send", { sources: ["url"], album: false });
    const code = Object.values(urlOnly.files).map((f) => f).join();
    const { readFileSync } = await import("node:fs");
    const text = readFileSync(code, "utf8");
    expect(text).toContain("{ url: string");
    expect(text).not.toContain("{ path: string");
    expect(text).not.toContain("data: Uint8Array");
    expect(text).not.toContain("ASSETS_DIR");
    expect(text).not.toContain("sendAlbum");
    const mod = await urlOnly.load<MediaModule>();
    expect(mod.toInputFile({ url: "https://example.com/x.gif" })).toBe("https://example.com/x.gif");
    expect(() => mod.toInputFile({ path: "x.jpg" })).toThrow(/unknown media source/);
  });
});

describe("albums", () => {
  it("sends one sendMediaGroup with N InputMediaPhoto, each with its own caption", async () => {
    const mod = await load();
    const urls = ["https://example.com/1.jpg", "https://example.com/2.jpg", "https://example.com/3.jpg"];
    const calls = await sendVia((ctx) => mod.sendAlbum(ctx, urls.map((url, i) => ({ type: "photo", source: { url }, caption: `Turtle ${i + 1}` }))));
    expect(calls).toEqual([
      {
        method: "sendMediaGroup",
        payload: {
          chat_id: 21,
          media: [
            { type: "photo", media: urls[0], caption: "Turtle 1" },
            { type: "photo", media: urls[1], caption: "Turtle 2" },
            { type: "photo", media: urls[2], caption: "Turtle 3" },
          ],
        },
      },
    ]);
  });

  it("mixes photos and videos, uploads from disk and memory as InputFiles", async () => {
    const mod = await load();
    const calls = await sendVia((ctx) =>
      mod.sendAlbum(ctx, [
        { type: "photo", source: { path: "a.jpg" } },
        { type: "video", source: { data: new Uint8Array([9]), filename: "b.mp4" }, caption: "clip" },
      ]),
    );
    const media = calls[0]!.payload.media as Array<Record<string, unknown>>;
    expect(media.map((m) => [m.type, (m.media as InputFile).filename, m.caption])).toEqual([
      ["photo", "a.jpg", undefined],
      ["video", "b.mp4", "clip"],
    ]);
    expect(media.every((m) => m.media instanceof InputFile)).toBe(true);
  });

  it("refuses albums outside 2-10 items and mixed documents with a clear error, before calling Telegram", async () => {
    const mod = await load();
    const photo = (i: number): AlbumItem => ({ type: "photo", source: { url: `https://example.com/${i}.jpg` } });
    const items = (n: number) => Array.from({ length: n }, (_, i) => photo(i));
    expect(() => mod.buildAlbum(items(0))).toThrow("an album has 2 to 10 items, got 0");
    expect(() => mod.buildAlbum(items(1))).toThrow(/got 1; send a single item/);
    expect(() => mod.buildAlbum(items(11))).toThrow("an album has 2 to 10 items, got 11");
    expect(mod.buildAlbum(items(2))).toHaveLength(2);
    expect(mod.buildAlbum(items(10))).toHaveLength(10);
    expect(() => mod.buildAlbum([photo(1), { type: "document", source: { url: "https://example.com/a.pdf" } }])).toThrow(/with documents can only contain documents/);
    const calls = await sendVia((ctx) => mod.sendAlbum(ctx, items(11)).catch(() => undefined));
    expect(calls).toEqual([]);
  });
});

describe("photo sizes", () => {
  // A real `message.photo` list as Telegram sends it (smallest first).
  const sizes: PhotoSize[] = [
    { file_id: "s", file_unique_id: "us", width: 90, height: 67, file_size: 1254 },
    { file_id: "m", file_unique_id: "um", width: 320, height: 240, file_size: 15391 },
    { file_id: "x", file_unique_id: "ux", width: 800, height: 600, file_size: 64206 },
    { file_id: "y", file_unique_id: "uy", width: 1280, height: 960, file_size: 121560 },
  ];

  it("closestPhotoSize picks the nearest size by Euclidean distance", async () => {
    const { closestPhotoSize } = await load();
    expect(closestPhotoSize(sizes, 100, 100).file_id).toBe("s");
    expect(closestPhotoSize(sizes, 300, 300).file_id).toBe("m");
    expect(closestPhotoSize(sizes, 700, 500).file_id).toBe("x");
    expect(closestPhotoSize(sizes, 1100, 900).file_id).toBe("y");
    expect(closestPhotoSize(sizes, 5000, 5000).file_id).toBe("y");
    expect(() => closestPhotoSize([], 1, 1)).toThrow(/no photo sizes/);
  });

  it("largestPhotoSize does not depend on the order", async () => {
    const { largestPhotoSize } = await load();
    expect(largestPhotoSize(sizes).file_id).toBe("y");
    expect(largestPhotoSize([...sizes].reverse()).file_id).toBe("y");
  });
});
