// Behaviour of the rendered media-send recipe in a real grammY Bot: the
// transformer payload shows what would go to Telegram (an InputFile upload or a string).
import { InputFile, type Context } from "grammy";
import type { PhotoSize } from "grammy/types";
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandMessage, createTestBot } from "../helpers/harness.js";
import { renderRecipe, tmpRoot } from "../helpers/recipes.js";

type Source = { path: string; filename?: string } | { url: string; reupload?: boolean; filename?: string } | { data: Uint8Array; filename: string } | { fileId: string };
type Send = (ctx: Context, source: Source, other?: Record<string, unknown>) => Promise<unknown>;
interface AlbumItem {
  type: "photo" | "video" | "document" | "audio";
  source: Source;
  caption?: string;
}
interface MediaModule {
  ASSETS_DIR: string;
  assetPath: (path: string) => string;
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

// A real assets folder (relative to the working directory, as the recipe resolves it),
// with a real file OUTSIDE it that no path may reach.
const ROOT = join(tmpRoot, `media-send-${process.pid}`);
const ASSETS = `test/.tmp/media-send-${process.pid}/assets`;
const SECRET_FILE = join(ROOT, "secret.txt");
beforeAll(() => {
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(join(ROOT, "assets/cats"), { recursive: true });
  mkdirSync(join(ROOT, "assets-evil"), { recursive: true });
  writeFileSync(SECRET_FILE, "top secret");
  writeFileSync(join(ROOT, "assets-evil/x.jpg"), "evil");
  for (const name of ["cat.bin", "a.jpg", "cats/1.jpg"]) writeFileSync(join(ROOT, "assets", name), `bytes of ${name}`);
  symlinkSync(SECRET_FILE, join(ROOT, "assets/link-out.txt")); // a symlink leading out
  symlinkSync(ROOT, join(ROOT, "assets/up")); // a folder symlink leading out
  symlinkSync(join(ROOT, "assets/cats/1.jpg"), join(ROOT, "assets/favourite.jpg")); // a symlink staying inside
});
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

const load = async (answers: Record<string, unknown> = {}) => (await renderRecipe("media-send", { assetsDir: ASSETS, ...answers })).load<MediaModule>();

/** What an InputFile will upload (grammY keeps it private; a path string for disk files). */
const dataOf = (file: unknown): unknown => (file as { fileData: unknown }).fileData;

/** The bytes an InputFile uploads, as text (grammY reads a path as a stream). */
async function readAll(file: InputFile): Promise<string> {
  const raw = await file.toRaw();
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of raw as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

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
    expect(dataOf(file)).toBe(realpathSync(join(ASSETS, "cat.bin")));
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

  it("a { path } that leads out of the assets folder is refused; the file outside is never read", async () => {
    const mod = await load();
    const calls = await sendVia(async (ctx) => {
      for (const path of [
        "../secret.txt",
        "../../../../../../../../etc/passwd",
        "cats/../../secret.txt",
        "../assets-evil/x.jpg", // a sibling folder whose name starts with the same letters
        "link-out.txt", // a symlink to the file outside
        "up/secret.txt", // through a symlinked folder
      ]) {
        await expect(mod.sendDocument(ctx, { path })).rejects.toThrow(`"${path}" is outside ${ASSETS}/`);
      }
      await expect(mod.sendDocument(ctx, { path: SECRET_FILE })).rejects.toThrow(/is not a path inside .*give it relative to that folder/);
      await expect(mod.sendDocument(ctx, { path: "/etc/passwd" })).rejects.toThrow(/is not a path inside/);
      await expect(mod.sendDocument(ctx, { path: resolve(ASSETS, "cat.bin") })).rejects.toThrow(/is not a path inside/); // absolute, even inside
      await expect(mod.sendDocument(ctx, { path: "cat.bin\0../../secret.txt" })).rejects.toThrow("cannot contain a NUL byte");
      await expect(mod.sendDocument(ctx, { path: "" })).rejects.toThrow(/is not a path inside/);
      await expect(mod.sendDocument(ctx, { path: "missing.jpg" })).rejects.toThrow(`"missing.jpg" was not found in ${ASSETS}/`);
    });
    // nothing was sent: every refusal happened before the upload
    expect(calls).toEqual([]);
  });

  it("paths inside the folder work, also through a symlink that stays inside; the file read is the resolved one", async () => {
    const mod = await load();
    expect(mod.assetPath("cats/1.jpg")).toBe(realpathSync(join(ASSETS, "cats/1.jpg")));
    expect(mod.assetPath("./cats/../cat.bin")).toBe(realpathSync(join(ASSETS, "cat.bin")));
    const file = mod.toInputFile({ path: "favourite.jpg" }) as InputFile;
    expect(dataOf(file)).toBe(realpathSync(join(ASSETS, "cats/1.jpg")));
    expect(file.filename).toBe("favourite.jpg"); // the name the caller gave, not the link's target
    expect(await readAll(file)).toBe("bytes of cats/1.jpg");
    const named = mod.toInputFile({ path: "cat.bin", filename: "report.pdf" }) as InputFile;
    expect(named.filename).toBe("report.pdf");
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

  it("closestPhotoSize weighs height as much as width: portrait photos and portrait targets", async () => {
    const { closestPhotoSize } = await load();
    // A portrait photo's sizes: same widths as a landscape one would have, very different heights.
    const portrait: PhotoSize[] = [
      { file_id: "p90", file_unique_id: "up90", width: 90, height: 160 },
      { file_id: "p360", file_unique_id: "up360", width: 360, height: 640 },
      { file_id: "p720", file_unique_id: "up720", width: 720, height: 1280 },
    ];
    // Width alone would pick p360 (|360-400| < |720-400|); the height (1300) makes p720 far closer.
    expect(closestPhotoSize(portrait, 400, 1300).file_id).toBe("p720");
    expect(closestPhotoSize(portrait, 700, 200).file_id).toBe("p360"); // a landscape target: width alone says p720
    expect(closestPhotoSize(portrait, 100, 600).file_id).toBe("p360"); // width alone says p90
    // Sizes that differ only in height: width cannot tell them apart, the order must not decide.
    const sameWidth: PhotoSize[] = [
      { file_id: "short", file_unique_id: "us", width: 300, height: 200 },
      { file_id: "tall", file_unique_id: "ut", width: 300, height: 900 },
    ];
    expect(closestPhotoSize(sameWidth, 300, 800).file_id).toBe("tall");
    expect(closestPhotoSize([...sameWidth].reverse(), 300, 250).file_id).toBe("short");
  });

  it("largestPhotoSize does not depend on the order", async () => {
    const { largestPhotoSize } = await load();
    expect(largestPhotoSize(sizes).file_id).toBe("y");
    expect(largestPhotoSize([...sizes].reverse()).file_id).toBe("y");
  });
});
