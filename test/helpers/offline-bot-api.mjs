// Preloaded with `node --import`: every grammY Bot of the process talks to a
// fake Bot API in memory instead of Telegram, so a generated bot can run as a
// real process offline. getMe answers a test bot, getUpdates long-polls for
// 100 ms and returns nothing, sendMessage answers a message, anything else `true`.
// The bot's own module resolves to the same grammY (node_modules is linked).
import { Bot } from "grammy";

const botInfo = {
  id: 42,
  is_bot: true,
  first_name: "Test Bot",
  username: "test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

const wired = new WeakSet();
function offline(bot) {
  if (wired.has(bot)) return;
  wired.add(bot);
  bot.api.config.use(async (_prev, method, payload) => {
    if (method === "getMe") return { ok: true, result: botInfo };
    if (method === "getUpdates") {
      if ((payload?.timeout ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      return { ok: true, result: [] };
    }
    if (method === "sendMessage") return { ok: true, result: { message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private", first_name: "U" }, text: payload.text } };
    return { ok: true, result: true };
  });
}

for (const name of ["init", "start"]) {
  const original = Bot.prototype[name];
  Bot.prototype[name] = function (...args) {
    offline(this);
    return original.apply(this, args);
  };
}
