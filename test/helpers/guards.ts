// Small helpers for the guard recipes' behaviour tests (group-admin-guard,
// channel-gate, update-filters, callback-dedupe): a fake clock, a promise
// resolved from outside, and updates the shared harness has no factory for.
import type { Chat, ChatMember, Update } from "grammy/types";
import { user } from "./harness.js";

/** A clock for injected `now` options: starts at `start`, moves only when told. */
export function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = start + ms;
    },
  };
}

/** A promise with its `resolve`/`reject` outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (several turns of the microtask queue and one macrotask). */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let updateIds = 900_000;

/** A member object as getChatMember / getChatAdministrators return it. */
export function member(userId: number, status: ChatMember["status"], extra: Record<string, unknown> = {}): ChatMember {
  const base = { user: user(userId), status } as Record<string, unknown>;
  if (status === "administrator") Object.assign(base, { can_be_edited: false, is_anonymous: false, can_manage_chat: true });
  if (status === "creator") Object.assign(base, { is_anonymous: false });
  if (status === "restricted") Object.assign(base, { is_member: true, until_date: 0 });
  return { ...base, ...extra } as unknown as ChatMember;
}

/** A `chat_member` update: `userId`'s status in `chat` changed from `from` to `to`. */
export function chatMemberUpdate(chat: Chat, userId: number, from: ChatMember["status"], to: ChatMember["status"], by = 1): Update {
  return {
    update_id: updateIds++,
    chat_member: {
      chat,
      from: user(by),
      date: Math.floor(Date.now() / 1000),
      old_chat_member: member(userId, from),
      new_chat_member: member(userId, to),
    },
  };
}

/** A `my_chat_member` update in a private chat: the user blocked (or unblocked) the bot. */
export function myChatMemberUpdate(userId: number, to: ChatMember["status"]): Update {
  return {
    update_id: updateIds++,
    my_chat_member: {
      chat: { id: userId, type: "private", first_name: `User${userId}` },
      from: user(userId),
      date: Math.floor(Date.now() / 1000),
      old_chat_member: member(42, "member"),
      new_chat_member: member(42, to),
    },
  };
}

/** A channel chat object. */
export const channelChat = (id: number, username?: string): Chat.ChannelChat => ({ id, type: "channel", title: "Channel", ...(username ? { username } : {}) });

/** A press of a button on a message sent in inline mode (no `message`, an `inline_message_id`). */
export function inlineCallbackQuery(data: string, inlineMessageId: string, from = 1): Update {
  return {
    update_id: updateIds++,
    callback_query: { id: `cbq-inline-${updateIds}`, from: user(from), chat_instance: "ci", data, inline_message_id: inlineMessageId },
  };
}
