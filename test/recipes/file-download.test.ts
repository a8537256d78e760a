// Behaviour of the rendered file-download recipe: a real grammY Bot talking
// to a local HTTP server on 127.0.0.1 (apiRoot) that plays both the Bot API
// (getFile, sendMessage) and its file endpoint, with the files plugin installed
// exactly as the recipe installs it.
import { hydrateFiles } from "@grammyjs/files";
import { Bot, BotError, type Composer, type Context } from "grammy";
import type { PhotoSize } from "grammy/types";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { BOT_INFO, message } from "../helpers/harness.js";
import { renderRecipe, tmpDir } from "../helpers/recipes.js";

const TOKEN = "123456:SECRET-token_abcdef";
const SECRET = "SECRET-token_abcdef";

interface DownloadModule {
  filesPlugin: <C extends Context>(bot: Bot<C>) => Parameters<Bot<C>["api"]["config"]["use"]>[0];
  fileDownloads: <C extends Context>(options?: { dir?: string; log?: (m: string) => void; maxBytes?: number; timeoutMs?: number }) => Composer<C>;
  downloadDir: () => string;
  DOWNLOAD_DIR: string;
  MAX_BYTES: number;
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

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "";
    if (req.method === "GET" && url.startsWith(`/file/bot${TOKEN}/`)) {
      const path = url.slice(`/file/bot${TOKEN}/`.length);
      fileRequests.push(path);
      const body = contents.get(path);
      if (body === "stall") {
        res.writeHead(200, { "content-type": "application/octet-stream" }).write(Buffer.alloc(10)); // and never ends
      } else if (typeof body === "number" || body === undefined) {
        res.writeHead(typeof body === "number" ? body : 404).end(`{"ok":false,"error_code":404,"description":"Not Found: ${url}"}`);
      } else {
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
      }
      return;
    }
    const method = url.startsWith(`/bot${TOKEN}/`) ? url.slice(`/bot${TOKEN}/`.length) : "";
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
});
afterAll(() => spies.forEach((s) => s.mockRestore()));

/** A bot wired like the recipe wires it, saving into a fresh folder. */
async function setup(answers: Record<string, unknown> = {}, options: { hydrate?: boolean } = {}) {
  const mod = await load(answers);
  const dir = tmpDir("downloads");
  const logs: string[] = [];
  const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: base } });
  // the recipe's install line, verbatim:
  if (options.hydrate !== false) bot.api.config.use(mod.filesPlugin(bot));
  bot.use(mod.fileDownloads({ dir, log: (m) => logs.push(m) }));
  let reachedNext = 0;
  bot.on("message", () => {
    reachedNext++;
  });
  const replies = () => calls.filter((c) => c.method === "sendMessage").map((c) => String(c.payload.text));
  return { mod, dir, bot, logs, replies, reached: () => reachedNext, send: (u: Parameters<Bot["handleUpdate"]>[0]) => bot.handleUpdate(u) };
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
    expect(t.reached()).toBe(0);
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
    expect(t.reached()).toBe(1);
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
    bot.use(mod.fileDownloads({ dir, log: (m) => logs.push(m) }));
    files.set("d6", { file_path: "documents/x.bin", file_size: 10 });
    await bot.handleUpdate(message({ document: { file_id: "d6", file_unique_id: "ud6" } }));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^file-download: could not save document ud6: /);
    expectNoTokenAnywhere(logs, calls.map((c) => String(c.payload.text)));
  });

  it("a download that stalls is cut off after timeoutMs: logged, replied, nothing left on disk", async () => {
    const mod = await load();
    const dir = tmpDir("downloads");
    const logs: string[] = [];
    const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { apiRoot: base } });
    bot.api.config.use(mod.filesPlugin(bot));
    bot.use(mod.fileDownloads({ dir, log: (m) => logs.push(m), timeoutMs: 150 }));
    files.set("d8", { file_path: "documents/slow.bin", file_size: 100 });
    contents.set("documents/slow.bin", "stall");
    await bot.handleUpdate(message({ document: { file_id: "d8", file_unique_id: "ud8" } }));
    expect(fileRequests).toEqual(["documents/slow.bin"]);
    expect(logs).toEqual(["file-download: could not save document ud8: download timed out after 150 ms"]);
    expect(calls.filter((c) => c.method === "sendMessage").map((c) => c.payload.text)).toEqual(["Sorry, I could not save that file. Please try again later."]);
    expect(listFiles(dir)).toEqual([]);
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

  it("the answered folder and limit become the module's constants", async () => {
    const mod = await load();
    expect(mod.DOWNLOAD_DIR).toBe("data/uploads");
    expect(mod.downloadDir()).toBe(resolve("data/uploads"));
    expect(mod.MAX_BYTES).toBe(1000);
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
