// Preloaded with `node --import` in a field fixture's folder: every grammY
// Api of the process (bot.api, ctx.api) talks to a fake Bot API in memory. Unlike
// offline-bot-api.mjs it patches the grammY the project itself resolves (a
// field fixture runs on its own grammY version), delivers the updates of
// OFFLINE_UPDATES (a JSON array) to the first getUpdates call, and prints
// every other call as one line on stderr, `[api] <method> <payload JSON>`;
// the methods named in OFFLINE_FAIL answer 403.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "package.json"));
const { Api } = require("grammy");

const botInfo = { id: 42, is_bot: true, first_name: "Test Bot", username: "test_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
let pending = JSON.parse(process.env.OFFLINE_UPDATES ?? "[]");
/** Methods that fail (OFFLINE_FAIL, comma-separated), as Telegram refuses a call. */
const failing = (process.env.OFFLINE_FAIL ?? "").split(",").filter(Boolean);

const wired = new WeakSet();
function offline(api) {
  if (wired.has(api)) return;
  wired.add(api);
  api.config.use(async (_prev, method, payload) => {
    if (method === "getMe") return { ok: true, result: botInfo };
    if (method === "getUpdates") {
      if (pending.length > 0) {
        const result = pending;
        pending = [];
        return { ok: true, result };
      }
      if ((payload?.timeout ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      return { ok: true, result: [] };
    }
    process.stderr.write(`[api] ${method} ${JSON.stringify(payload)}\n`);
    if (failing.includes(method)) return { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" };
    if (method === "sendMessage") return { ok: true, result: { message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private", first_name: "U" }, text: payload.text } };
    return { ok: true, result: true };
  });
}

// Every method of Api (bot.api, ctx.api): the first call on an instance installs the fake,
// so calls made before bot.start() (deleteWebhook, setMyCommands) stay offline too.
for (const name of Object.getOwnPropertyNames(Api.prototype)) {
  const original = Object.getOwnPropertyDescriptor(Api.prototype, name)?.value;
  if (name === "constructor" || typeof original !== "function") continue;
  Api.prototype[name] = function (...args) {
    offline(this);
    return original.apply(this, args);
  };
}
