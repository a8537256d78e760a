// The offline grammY harness (RECIPES.md §4): a real `Bot`, no token, no
// network. Outgoing API calls are intercepted by a transformer installed
// first (so plugin transformers added later still wrap it) and recorded in
// order; updates are fed with `bot.handleUpdate`. Answering with
// `{ ok: false, error_code, description }` makes grammY throw a real GrammyError.
import { Bot, type Context } from "grammy";
import type { Chat, Message, Update, User, UserFromGetMe } from "grammy/types";

export const BOT_INFO = {
  id: 42,
  is_bot: true,
  first_name: "Test Bot",
  username: "test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
} satisfies UserFromGetMe;

/** One recorded API call. */
export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

/** What the fake answers: a result (wrapped as ok), or a failure. */
export type FakeAnswer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> };

export type Responder = (method: string, payload: Record<string, unknown>) => FakeAnswer | undefined | Promise<FakeAnswer | undefined>;

let messageIds = 1000;

/** A plausible result for a method, so `ctx.reply(...)` resolves to a Message. */
export function defaultResult(method: string, payload: Record<string, unknown>): unknown {
  if (method.startsWith("send") && method !== "sendChatAction") {
    return {
      message_id: ++messageIds,
      date: Math.floor(Date.now() / 1000),
      chat: { id: payload.chat_id, type: "private", first_name: "User" },
      text: typeof payload.text === "string" ? payload.text : undefined,
    };
  }
  if (method === "getUpdates") return [];
  return true;
}

export interface TestBot<C extends Context> {
  bot: Bot<C>;
  /** Every API call, in order. */
  calls: ApiCall[];
  /** Calls of one method. */
  callsOf: (method: string) => ApiCall[];
  /** Answers matching calls differently (first responder returning an answer wins). */
  respond: (responder: Responder) => void;
  /** Feeds one update through the whole middleware stack. */
  send: (update: Update) => Promise<void>;
}

/** A real grammY Bot with the API intercepted. */
export function createTestBot<C extends Context = Context>(options: { ContextConstructor?: new (...args: ConstructorParameters<typeof Context>) => C } = {}): TestBot<C> {
  const bot = new Bot<C>("1:TEST", {
    botInfo: BOT_INFO,
    ContextConstructor: options.ContextConstructor,
    client: { fetch: fakeFetchRejecting as never },
  });
  const calls: ApiCall[] = [];
  const responders: Responder[] = [];
  bot.api.config.use(async (_prev, method, payload) => {
    const p = (payload ?? {}) as Record<string, unknown>;
    calls.push({ method, payload: p });
    for (const r of responders) {
      const answer = await r(method, p);
      if (answer) return answer as never;
    }
    return { ok: true, result: defaultResult(method, p) } as never;
  });
  return {
    bot,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    respond: (r) => responders.push(r),
    send: (update) => bot.handleUpdate(update),
  };
}

/** The transport below the transformer must never be reached in these tests. */
async function fakeFetchRejecting(url: string): Promise<never> {
  throw new Error(`network access in a test: ${String(url).replace(/bot[^/]+/, "bot<token>")}`);
}

// === Update factories ===

let updateIds = 1;
let incomingIds = 1;

export const user = (id: number, extra: Partial<User> = {}): User => ({ id, is_bot: false, first_name: `User${id}`, ...extra });
export const privateChat = (id: number): Chat.PrivateChat => ({ id, type: "private", first_name: `User${id}` });
export const groupChat = (id: number): Chat.SupergroupChat => ({ id, type: "supergroup", title: `Group ${id}` });

export interface MessageOptions {
  from?: number;
  chat?: Chat;
  extra?: Partial<Message>;
}

/** A text message; text starting with `/` gets the `bot_command` entity grammY matches on (gotcha 5). */
export function textMessage(text: string, options: MessageOptions = {}): Update {
  const from = options.from ?? 1;
  const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
  const message = {
    message_id: incomingIds++,
    date: Math.floor(Date.now() / 1000),
    chat: options.chat ?? privateChat(from),
    from: user(from),
    text,
    ...(command ? { entities: [{ type: "bot_command" as const, offset: 0, length: command[0].length }] } : {}),
    ...options.extra,
  } as Update["message"];
  return { update_id: updateIds++, message };
}

export const commandMessage = (command: string, args = "", options: MessageOptions = {}): Update =>
  textMessage(`/${command}${args ? ` ${args}` : ""}`, options);

/** Any message, with the given fields (photo, document, media_group_id…). */
export function message(fields: Partial<Message>, options: MessageOptions = {}): Update {
  const from = options.from ?? 1;
  return {
    update_id: updateIds++,
    message: {
      message_id: incomingIds++,
      date: Math.floor(Date.now() / 1000),
      chat: options.chat ?? privateChat(from),
      from: user(from),
      ...fields,
    } as Update["message"],
  };
}

/** A channel post: no `from`. */
export function channelPost(text: string, chatId = -1001234567890): Update {
  return {
    update_id: updateIds++,
    channel_post: {
      message_id: incomingIds++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "channel", title: "Channel" },
      sender_chat: { id: chatId, type: "channel", title: "Channel" },
      text,
    } as Update["channel_post"],
  };
}

/** A press of an inline button with `data` on message `messageId`. */
export function callbackQuery(data: string, options: { from?: number; chat?: Chat; messageId?: number; id?: string } = {}): Update {
  const from = options.from ?? 1;
  return {
    update_id: updateIds++,
    callback_query: {
      id: options.id ?? `cbq-${updateIds}`,
      from: user(from),
      chat_instance: "ci",
      data,
      message: {
        message_id: options.messageId ?? 500,
        date: Math.floor(Date.now() / 1000),
        chat: options.chat ?? privateChat(from),
        text: "menu",
      } as Message.TextMessage & { chat: Chat.PrivateChat },
    },
  };
}

/** A GrammyError-producing answer. */
export const apiError = (error_code: number, description: string, parameters?: Record<string, unknown>): FakeAnswer => ({
  ok: false,
  error_code,
  description,
  ...(parameters ? { parameters } : {}),
});
