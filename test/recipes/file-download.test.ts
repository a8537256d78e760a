// Behaviour of the rendered file-download recipe: a real grammY Bot talking
// to a local HTTP server on 127.0.0.1 (apiRoot) that plays both the Bot API
// (getFile, sendMessage) and its file endpoint, with the files plugin installed
// exactly as the recipe installs it.
import { hydrateFiles } from "@grammyjs/files";
import { Bot, BotError, type Composer, type Context } from "grammy";
import type { PhotoSize } from "grammy/types";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BOT_INFO, groupChat, message } from "../helpers/harness.js";
import { renderRecipe, tmpDir } from "../helpers/recipes.js";

// Shaped like a real token: digits, a colon, 35 characters.
const SECRET = "AAH-SECRET_token_0123456789abcdefghi";
const TOKEN = `123456789:${SECRET}`;

interface DownloadOptions {
  dir?: string;
  log?: (m: string) => void;
  maxBytes?: number;
  timeoutMs?: number;
  filesPerUser?: number;
  bytesPerUser?: number;
  quotaWindowMs?: number;
  maxDirBytes?: number;
  concurrency?: number;
  maxPending?: number;
  now?: () => number;
}
interface DownloadModule {
  filesPlugin: <C extends Context>(bot: Bot<C>) => Parameters<Bot<C>["api"]["config"]["use"]>[0];
  fileDownloads: <C extends Context>(options?: DownloadOptions) => Composer<C> & { idle: () => Promise<void> };
  redactToken: (text: string) => string;
  downloadDir: () => string;
  DOWNLOAD_DIR: string;
  MAX_BYTES: number;
  CHAT_TYPES: readonly string[];
  FILES_PER_USER_PER_HOUR: number;
  BYTES_PER_USER_PER_HOUR: number;
  MAX_DIR_BYTES: number;
}

const load = async (answers: Record<string, unknown> = {}) =>
  (await renderRecipe("file-download", { downloadDir: "data/uploads", maxBytes: 1000, ...answers })).load<DownloadModule>();

// === The fake Telegram: Bot API + file server over real HTTP ===

interface Call {
  method: string;
  payload: Record<string, unknown>;
}
let server: Server;
let base: string;
const calls: Call[] = [];
const fileRequests: string[] = [];
/** file_id → what getFile answers; file_path → bytes served (or an HTTP status). */
const files = new Map<string, { file_path?: string; file_size?: number } | { error: string }>();
const contents = new Map<string, Buffer | number | "stall">();
/** file_path → a promise the file server waits for before it answers (to hold a download open). */
const held = new Map<string, Promise<void>>();
/** Bot API methods whose requests are cut off (the client sees a network error). */
const failing = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "";
    if (req.method === "GET" && url.startsWith(`/file/bot${TOKEN}/`)) {
      const path = url.slice(`/file/bot${TOKEN}/`.length);
      fileRequests.push(path);
      const body = contents.get(path);
      const hold = held.get(path);
      if (hold !== undefined && Buffer.isBuffer(body)) {
        void hold.then(() => res.writeHead(200, { "content-type": "application/octet-stream" }).end(body));
      } else if (body === "stall") {
        res.writeHead(200, { "content-type": "application/octet-stream" }).write(Buffer.alloc(10)); // and never ends
      } else if (typeof body === "number" || body === undefined) {
        res.writeHead(typeof body === "number" ? body : 404).end(`{"ok":false,"error_code":404,"description":"Not Found: ${url}"}`);
      } else {
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
      }
      return;
    }
    const method = url.startsWith(`/bot${TOKEN}/`) ? url.slice(`/bot${TOKEN}/`.length) : "";
    if (failing.has(method)) {
      req.socket.destroy();
      return;
    }
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      const payload = raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
      calls.push({ method, payload });
      let answer: unknown = { ok: true, result: true };
      if (method === "getFile") {
        const id = String(payload.file_id);
        const f = files.get(id);
        answer =
          f === undefined
            ? { ok: false, error_code: 400, description: "Bad Request: invalid file_id" }
            : "error" in f
              ? { ok: false, error_code: 400, description: f.error }
              : { ok: true, result: { file_id: id, file_unique_id: `u-${id}`, ...f } };
      } else if (method === "sendMessage") {
        answer = { ok: true, result: { message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private", first_name: "U" }, text: payload.text } };
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

// Every console line, to prove the token never reaches a log.
const consoleLines: string[] = [];
const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
  vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
    consoleLines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "));
  }),
);
afterEach(() => {
  calls.length = 0;
  fileRequests.length = 0;
  files.clear();
  contents.clear();
  held.clear();
  failing.clear();
});
afterAll(() => spies.forEach((s) => s.mockRestore()));

/** A bot wired like the recipe wires it, saving into a fresh folder; `send` waits for the background downloads too. */
async function setup(answers: Record<string, unknown> = {}, options: { hydrate?: boolean; download?: DownloadOptions } = {}) {
  const mod = await load(answers);
  const dir = tmpDir("downloads");
  const logs: string[] = [];
  const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: base } });
  // the recipe's install line, verbatim:
  if (options.hydrate !== false) bot.api.config.use(mod.filesPlugin(bot));
  const downloads = mod.fileDownloads({ dir, log: (m) => logs.push(m), ...options.download });
  bot.use(downloads);
  // the user's own handlers, after the recipe's
  let reachedNext = 0;
  const seen: string[] = [];
  bot.on("message", (ctx) => {
    reachedNext++;
    seen.push(ctx.chat.type);
  });
  const replies = () => calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
  return {
    mod,
    dir,
    bot,
    logs,
    replies,
    downloads,
    seen,
    reached: () => reachedNext,
    /** Handles the update and waits until its download (if any) has finished. */
    send: async (u: Parameters<Bot["handleUpdate"]>[0]) => {
      await bot.handleUpdate(u);
      await downloads.idle();
    },
  };
}

const listFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort() : [];

function expectNoTokenAnywhere(logs: string[], replies: string[]) {
  for (const line of [...logs, ...consoleLines, ...replies]) {
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(TOKEN);
  }
}

describe("file-download", () => {
  it("saves the LARGEST photo size: getFile gets its file_id, the bytes land in <dir>/photo/", async () => {
    const t = await setup();
    const sizes: PhotoSize[] = [
      { file_id: "mid", file_unique_id: "u-mid", width: 320, height: 240, file_size: 300 },
      { file_id: "big", file_unique_id: "u-big", width: 800, height: 600, file_size: 900 },
      { file_id: "small", file_unique_id: "u-small", width: 90, height: 67, file_size: 100 },
    ];
    files.set("big", { file_path: "photos/file_7.jpg", file_size: 900 });
    contents.set("photos/file_7.jpg", Buffer.alloc(900, 7));
    await t.send(message({ photo: sizes }, { from: 5 }));

    expect(calls.map((c) => [c.method, c.payload.file_id ?? c.payload.chat_id])).toEqual([
      ["getFile", "big"],
      ["sendMessage", 5],
    ]);
    expect(fileRequests).toEqual(["photos/file_7.jpg"]);
    expect(listFiles(t.dir)).toEqual([join("photo", "u-big.jpg")]);
    expect(readFileSync(join(t.dir, "photo", "u-big.jpg"))).toEqual(Buffer.alloc(900, 7));
    expect(t.replies()).toEqual(["Saved your photo (900 B)."]);
    expect(t.reached()).toBe(1); // the message goes on to the user's handlers
    expectNoTokenAnywhere(t.logs, t.replies());
  });

  it("saves voice messages and documents with a safe extension", async () => {
    const t = await setup();
    files.set("v1", { file_path: "voice/file_1.oga", file_size: 10 });
    files.set("d1", { file_path: "documents/file_2.PDF" });
    contents.set("voice/file_1.oga", Buffer.from("OggS-voice"));
    contents.set("documents/file_2.PDF", Buffer.from("%PDF-1.7"));
    await t.send(message({ voice: { file_id: "v1", file_unique_id: "uv1", duration: 2, file_size: 10 } }));
    await t.send(message({ document: { file_id: "d1", file_unique_id: "ud1", file_name: "../../etc/passwd" } }));
    expect(listFiles(t.dir)).toEqual([join("document", "ud1.pdf"), join("voice", "uv1.oga")]);
    expect(readFileSync(join(t.dir, "document", "ud1.pdf"), "utf8")).toBe("%PDF-1.7");
    expect(t.replies()).toEqual(["Saved your voice (10 B).", "Saved your document (8 B)."]);
  });

  it("refuses a file above the limit BEFORE getFile, with the limit in the message", async () => {
    const t = await setup();
    await t.send(message({ document: { file_id: "d2", file_unique_id: "ud2", file_size: 1001 } }, { from: 8 }));
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(t.replies()).toEqual(["This file is 1001 B, and it is too large: I save files up to 1000 B."]);
    expect(listFiles(t.dir)).toEqual([]);
  });

  it("explains the 20 MB Bot API limit for larger files, also when getFile says 'file is too big'", async () => {
    const t = await setup({ maxBytes: 20971520 });
    await t.send(message({ document: { file_id: "huge", file_unique_id: "uh", file_size: 25 * 1024 * 1024 } }));
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    files.set("nosize", { error: "Bad Request: file is too big" });
    await t.send(message({ video: { file_id: "nosize", file_unique_id: "un", width: 1, height: 1, duration: 1 } }));
    // video is not among the default kinds: it passes on untouched
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(t.reached()).toBe(2);
    await t.send(message({ document: { file_id: "nosize", file_unique_id: "un" } }));
    expect(t.replies()).toEqual([
      "This file is 25.0 MB. Telegram only lets bots download files up to 20 MB, so I can't save it.",
      "This file is larger than 20 MB. Telegram only lets bots download files up to 20 MB, so I can't save it.",
    ]);
    expect(fileRequests).toEqual([]);
  });

  it("refuses when getFile reports a size above the limit (no download), or the stream exceeds it (nothing left on disk)", async () => {
    const t = await setup();
    files.set("d3", { file_path: "documents/big.bin", file_size: 5000 });
    await t.send(message({ document: { file_id: "d3", file_unique_id: "ud3" } }));
    expect(fileRequests).toEqual([]);

    files.set("d4", { file_path: "documents/liar.bin" });
    contents.set("documents/liar.bin", Buffer.alloc(64 * 1024, 1));
    await t.send(message({ document: { file_id: "d4", file_unique_id: "ud4" } }));
    expect(fileRequests).toEqual(["documents/liar.bin"]);
    expect(listFiles(t.dir)).toEqual([]);
    expect(t.replies()).toEqual(["This file is 4.9 KB, and it is too large: I save files up to 1000 B.", "This file is too large: I save files up to 1000 B."]);
  });

  it("a failed download (HTTP 404, whose body echoes the URL) is logged and replied without the token, leaving no file", async () => {
    const t = await setup();
    files.set("d5", { file_path: "documents/gone.bin", file_size: 10 });
    contents.set("documents/gone.bin", 404);
    await t.send(message({ document: { file_id: "d5", file_unique_id: "ud5", file_size: 10 } }));
    expect(t.logs).toEqual(["file-download: could not save document ud5: download failed with HTTP 404"]);
    expect(t.replies()).toEqual(["Sorry, I could not save that file. Please try again later."]);
    expect(listFiles(t.dir)).toEqual([]);
    expectNoTokenAnywhere(t.logs, t.replies());
  });

  it("a network failure is logged without the token", async () => {
    const mod = await load();
    const dir = tmpDir("downloads");
    const logs: string[] = [];
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: base } });
    // the file URL points at a closed port, so fetch fails with a network error
    bot.api.config.use(hydrateFiles(bot.token, { buildFileUrl: (_root, token, path) => `http://127.0.0.1:1/file/bot${token}/${path}` }));
    const downloads = mod.fileDownloads({ dir, log: (m) => logs.push(m) });
    bot.use(downloads);
    files.set("d6", { file_path: "documents/x.bin", file_size: 10 });
    await bot.handleUpdate(message({ document: { file_id: "d6", file_unique_id: "ud6" } }));
    await downloads.idle();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^file-download: could not save document ud6: /);
    expectNoTokenAnywhere(logs, calls.map((c) => String(c.payload.text)));
  });

  it("a download that stalls is cut off after timeoutMs: logged, replied, nothing left on disk", async () => {
    const t = await setup({}, { download: { timeoutMs: 150 } });
    files.set("d8", { file_path: "documents/slow.bin", file_size: 100 });
    contents.set("documents/slow.bin", "stall");
    await t.send(message({ document: { file_id: "d8", file_unique_id: "ud8" } }));
    expect(fileRequests).toEqual(["documents/slow.bin"]);
    expect(t.logs).toEqual(["file-download: could not save document ud8: download timed out after 150 ms"]);
    expect(t.replies()).toEqual(["Sorry, I could not save that file. Please try again later."]);
    expect(listFiles(t.dir)).toEqual([]);
  });

  it("without hydrateFiles on bot.api it fails loudly with the fix, instead of silently not saving", async () => {
    const t = await setup({}, { hydrate: false });
    files.set("d7", { file_path: "documents/x.bin", file_size: 10 });
    const error = await t.send(message({ document: { file_id: "d7", file_unique_id: "ud7" } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotError);
    expect(String((error as BotError).error)).toContain("bot.api.config.use(hydrateFiles(bot.token))");
  });

  it("only handles the chosen kinds; other messages reach later handlers", async () => {
    const t = await setup({ types: ["document"] });
    await t.send(message({ photo: [{ file_id: "p", file_unique_id: "up", width: 1, height: 1 }] }));
    await t.send(message({ text: "hello" }));
    expect(calls).toEqual([]);
    expect(t.reached()).toBe(2);
  });

  it("the answered folder, limits, chats and quotas become the module's constants", async () => {
    const mod = await load();
    expect(mod.DOWNLOAD_DIR).toBe("data/uploads");
    expect(mod.downloadDir()).toBe(resolve("data/uploads"));
    expect(mod.MAX_BYTES).toBe(1000);
    expect(mod.CHAT_TYPES).toEqual(["private"]);
    expect([mod.FILES_PER_USER_PER_HOUR, mod.BYTES_PER_USER_PER_HOUR, mod.MAX_DIR_BYTES]).toEqual([20, 104857600, 1073741824]);
    const answered = await load({ chats: "groups", filesPerUserPerHour: 3, bytesPerUserPerHour: 5000, maxDirBytes: 7000 });
    expect(answered.CHAT_TYPES).toEqual(["private", "group", "supergroup"]);
    expect([answered.FILES_PER_USER_PER_HOUR, answered.BYTES_PER_USER_PER_HOUR, answered.MAX_DIR_BYTES]).toEqual([3, 5000, 7000]);
  });
});

describe("file-download leaves the user's context type as it is", () => {
  it("code that passes the bot on as Bot<MyContext> (an interface context) still type-checks", async () => {
    const { applyRecipes, typecheck, fixturesDir } = await import("../helpers/recipes.js");
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const parent = tmpDir("file-download-context");
    const dir = join(parent, "p");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", private: true, dependencies: { grammy: "^1.46.0" } }));
    writeFileSync(join(dir, "src/context.ts"), 'import type { Context, SessionFlavor } from "grammy";\n\nexport interface MyContext extends Context, SessionFlavor<{ count: number }> {}\n');
    writeFileSync(join(dir, "src/register.ts"), 'import type { Bot } from "grammy";\nimport type { MyContext } from "./context";\n\nexport function register(bot: Bot<MyContext>): void {\n  bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));\n}\n');
    const bot = 'import { Bot, session } from "grammy";\nimport type { MyContext } from "./context";\nimport { register } from "./register";\n\nconst bot = new Bot<MyContext>("t");\nbot.use(session({ initial: () => ({ count: 0 }) }));\nregister(bot);\nbot.start();\n';
    writeFileSync(join(dir, "src/bot.ts"), bot);
    const plan = await applyRecipes(dir, [{ id: "file-download" }]);
    expect(plan.changes.map((c) => c.path)).not.toContain("src/context.ts");
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toContain("const bot = new Bot<MyContext>(\"t\");");
    expect(typecheck(parent, join(fixturesDir, "cjs-single/tsconfig.json"))).toBe("");
  });
});

// === Issue 11: scope, background downloads, quotas, next(), token masking ===

const doc = (id: string, size?: number) => ({ document: { file_id: id, file_unique_id: `u${id}`, ...(size === undefined ? {} : { file_size: size }) } });
/** Serves `bytes` bytes for file `id` (getFile reports `reportedSize`, or no size). */
function serve(id: string, bytes: number, reportedSize: number | "no size" = bytes) {
  files.set(id, { file_path: `documents/${id}.bin`, ...(reportedSize === "no size" ? {} : { file_size: reportedSize }) });
  contents.set(`documents/${id}.bin`, Buffer.alloc(bytes, 1));
}
const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

describe("file-download: only private chats by default, and the user's handlers still run", () => {
  it("a photo in a group is ignored by default (no getFile, no reply) and reaches the next handler", async () => {
    const t = await setup();
    files.set("gp", { file_path: "photos/g.jpg", file_size: 5 });
    contents.set("photos/g.jpg", Buffer.alloc(5));
    await t.send(message({ photo: [{ file_id: "gp", file_unique_id: "ugp", width: 1, height: 1 }] }, { from: 5, chat: groupChat(-1001) }));
    expect(calls).toEqual([]);
    expect(fileRequests).toEqual([]);
    expect(listFiles(t.dir)).toEqual([]);
    expect(t.seen).toEqual(["supergroup"]);
  });

  it("with chats: groups, group attachments are saved too", async () => {
    const t = await setup({ chats: "groups" });
    serve("g2", 7);
    await t.send(message(doc("g2"), { from: 5, chat: groupChat(-1002) }));
    expect(listFiles(t.dir)).toEqual([join("document", "ug2.bin")]);
    expect(calls.filter((c) => c.method === "sendMessage").map((c) => c.payload.chat_id)).toEqual([-1002]);
  });

  it("next() runs the user's own photo handler for a saved photo and for a refused one", async () => {
    const mod = await load();
    const dir = tmpDir("downloads");
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: base } });
    bot.api.config.use(mod.filesPlugin(bot));
    const downloads = mod.fileDownloads({ dir, log: () => {} });
    bot.use(downloads);
    const handled: string[] = [];
    bot.on("message:photo", (ctx) => {
      handled.push(ctx.msg.photo[0]!.file_id);
    });
    files.set("ok", { file_path: "photos/ok.jpg", file_size: 5 });
    contents.set("photos/ok.jpg", Buffer.alloc(5));
    await bot.handleUpdate(message({ photo: [{ file_id: "ok", file_unique_id: "uok", width: 1, height: 1, file_size: 5 }] }));
    await bot.handleUpdate(message({ photo: [{ file_id: "huge", file_unique_id: "uhuge", width: 1, height: 1, file_size: 5000 }] }));
    await downloads.idle();
    expect(handled).toEqual(["ok", "huge"]);
    expect(listFiles(dir)).toEqual([join("photo", "uok.jpg")]);
  });
});

describe("file-download: downloads run off the update path", () => {
  it("the handler returns before the download finishes; the user is told when the file is saved", { timeout: 20_000 }, async () => {
    const t = await setup();
    let release = () => {};
    held.set("documents/slow.bin", new Promise<void>((ok) => (release = ok)));
    serve("slow", 500);
    const handled = t.bot.handleUpdate(message(doc("slow", 500), { from: 5 })).then(() => "returned");
    const first = await Promise.race([handled, sleep(3000).then(() => "still downloading")]);
    try {
      expect(first).toBe("returned");
      expect(t.reached()).toBe(1);
      expect(t.replies()).toEqual([]);
      expect(listFiles(t.dir)).toEqual([]);
    } finally {
      release();
      await handled;
    }
    await t.downloads.idle();
    expect(listFiles(t.dir)).toEqual([join("document", "uslow.bin")]);
    expect(t.replies()).toEqual(["Saved your document (500 B)."]);
  });

  it("a full queue refuses at once with a reply instead of making the update wait", { timeout: 20_000 }, async () => {
    const t = await setup({}, { download: { concurrency: 1, maxPending: 1 } });
    let release = () => {};
    held.set("documents/q1.bin", new Promise<void>((ok) => (release = ok)));
    serve("q1", 10);
    serve("q2", 10);
    try {
      await t.bot.handleUpdate(message(doc("q1", 10), { from: 5 }));
      await t.bot.handleUpdate(message(doc("q2", 10), { from: 6 }));
      expect(t.replies()).toEqual(["I am busy saving other files. Please send this one again in a minute."]);
    } finally {
      release();
    }
    await t.downloads.idle();
    expect(listFiles(t.dir)).toEqual([join("document", "uq1.bin")]);
    expect(t.reached()).toBe(2);
  });
});

describe("file-download: quotas", () => {
  it("files per user: the file over the quota is refused with one reply, later ones silently, other users unaffected, a new period allows more", async () => {
    let clock = 1_000_000;
    const t = await setup({}, { download: { filesPerUser: 2, now: () => clock } });
    for (const id of ["f1", "f2", "f3", "f4", "f5"]) serve(id, 10);
    for (const id of ["f1", "f2", "f3", "f4"]) await t.send(message(doc(id, 10), { from: 5 }));
    await t.send(message(doc("f5", 10), { from: 6 }));
    expect(listFiles(t.dir)).toEqual(["uf1.bin", "uf2.bin", "uf5.bin"].map((n) => join("document", n)));
    expect(t.replies()).toEqual([
      "Saved your document (10 B).",
      "Saved your document (10 B).",
      "You have reached the limit of 2 files per 60 min. Please send more in 60 min.",
      "Saved your document (10 B).",
    ]);
    expect(t.reached()).toBe(5);
    clock += 60 * 60 * 1000;
    await t.send(message(doc("f3", 10), { from: 5 }));
    expect(listFiles(t.dir)).toContain(join("document", "uf3.bin"));
  });

  it("bytes per user: a file that would go over the user's bytes is refused with a reply", async () => {
    const t = await setup({}, { download: { bytesPerUser: 1500 } });
    serve("b1", 900);
    serve("b2", 900);
    await t.send(message(doc("b1"), { from: 5 }));
    await t.send(message(doc("b2"), { from: 5 }));
    expect(listFiles(t.dir)).toEqual([join("document", "ub1.bin")]);
    expect(t.replies()).toEqual(["Saved your document (900 B).", "You have reached the limit of 1.5 KB per 60 min. Please send more in 60 min."]);
    expect(fileRequests).toEqual(["documents/b1.bin"]);
  });

  it("the folder's size limit counts the files already there and refuses with a reply (logged once)", async () => {
    const t = await setup({}, { download: { maxDirBytes: 2000 } });
    mkdirSync(join(t.dir, "document"), { recursive: true });
    writeFileSync(join(t.dir, "document", "old.bin"), Buffer.alloc(1500));
    serve("s1", 400);
    serve("s2", 400);
    serve("s3", 90);
    await t.send(message(doc("s1"), { from: 5 }));
    await t.send(message(doc("s2"), { from: 6 }));
    await t.send(message(doc("s3"), { from: 7 }));
    expect(listFiles(t.dir)).toEqual(["old.bin", "us1.bin", "us3.bin"].map((n) => join("document", n)));
    expect(t.replies()).toEqual(["Saved your document (400 B).", "Sorry, I have no space left to save files right now.", "Saved your document (90 B)."]);
    expect(t.logs).toEqual(["file-download: the download folder is full (limit 2.0 KB); files are refused until there is space"]);
    expect(fileRequests).toEqual(["documents/s1.bin", "documents/s3.bin"]);
  });
});

describe("file-download: anything shaped like the token is masked in logs and replies", () => {
  it("redactToken masks a token in a file URL and bare; short ids stay", async () => {
    const { redactToken } = await load();
    expect(redactToken(`GET https://api.telegram.org/file/bot${TOKEN}/documents/file_1.pdf failed`)).toBe("GET https://api.telegram.org/file/bot<token>/documents/file_1.pdf failed");
    expect(redactToken(`/var/lib/telegram-bot-api/${TOKEN}/documents`)).toBe("/var/lib/telegram-bot-api/<token>/documents");
    expect(redactToken("chat 123:456 at 12:30")).toBe("chat 123:456 at 12:30");
  });

  it("a local Bot API server's file path (a folder named after the token) that fails is logged masked", async () => {
    const t = await setup();
    // telegram-bot-api --local answers getFile with an absolute path under <dir>/<token>/
    const path = join(tmpDir("bot-api-local"), TOKEN, "documents", "file_1.pdf");
    files.set("loc", { file_path: path, file_size: 10 });
    await t.send(message(doc("loc", 10), { from: 5 }));
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]).toContain("file-download: could not save document uloc: ENOENT");
    expect(t.logs[0]).toContain(join("<token>", "documents", "file_1.pdf"));
    expect(t.replies()).toEqual(["Sorry, I could not save that file. Please try again later."]);
    expectNoTokenAnywhere(t.logs, t.replies());
  });

  it("HTTP 500 from the file server: logged and replied without the token", async () => {
    const t = await setup();
    files.set("e5", { file_path: "documents/e5.bin", file_size: 10 });
    contents.set("documents/e5.bin", 500);
    await t.send(message(doc("e5", 10), { from: 5 }));
    expect(t.logs).toEqual(["file-download: could not save document ue5: download failed with HTTP 500"]);
    expectNoTokenAnywhere(t.logs, t.replies());
  });

  it("the reply after a download failing with a network error is logged (its cause names the URL: masked), never thrown", async () => {
    const t = await setup();
    serve("r1", 10);
    failing.add("sendMessage");
    await t.send(message(doc("r1", 10), { from: 5 }));
    expect(listFiles(t.dir)).toEqual([join("document", "ur1.bin")]);
    expect(t.logs).toHaveLength(1);
    expect(t.logs[0]).toMatch(/^file-download: could not reply to chat 5: Network request for 'sendMessage' failed!/);
    expect(t.logs[0]).toContain("bot<token>/sendMessage");
    expectNoTokenAnywhere(t.logs, []);
  });
});

describe("file-download: file names and the byte cap (mutation tests)", () => {
  it("a hostile file_unique_id cannot name a file outside the folder", async () => {
    const t = await setup();
    const outside = join(t.dir, "..", "escaped");
    for (const [id, unique] of [
      ["h1", "../../escaped"],
      ["h2", "a/b\\c"],
      ["h3", ".."],
    ] as const) {
      files.set(id, { file_path: `documents/${id}.bin`, file_size: 3 });
      contents.set(`documents/${id}.bin`, Buffer.from(id));
      await t.send(message({ document: { file_id: id, file_unique_id: unique } }, { from: 5 }));
    }
    const escaped = [outside, `${outside}.bin`].filter((p) => existsSync(p));
    for (const p of escaped) rmSync(p); // a broken template's leftovers
    expect(escaped).toEqual([]);
    expect(listFiles(t.dir)).toEqual(["__.bin", "______escaped.bin", "a_b_c.bin"].map((n) => join("document", n)));
  });

  it("the streaming cap is exact: limit − 1 and limit bytes are saved, limit + 1 is refused (size not reported)", async () => {
    const t = await setup({ maxBytes: 1000 });
    serve("c999", 999, "no size");
    serve("c1000", 1000, "no size");
    serve("c1001", 1001, "no size");
    for (const id of ["c999", "c1000", "c1001"]) await t.send(message(doc(id), { from: 5 }));
    expect(fileRequests).toEqual(["documents/c999.bin", "documents/c1000.bin", "documents/c1001.bin"]);
    expect(listFiles(t.dir)).toEqual(["uc1000.bin", "uc999.bin"].map((n) => join("document", n)));
    expect(readFileSync(join(t.dir, "document", "uc1000.bin")).length).toBe(1000);
    expect(t.replies()).toEqual(["Saved your document (999 B).", "Saved your document (1000 B).", "This file is too large: I save files up to 1000 B."]);
  });
});
