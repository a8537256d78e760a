// The shape of the kit's generated test/bot-kit.ts, for typing the dynamic import in test-kit.test.ts.
import type { Context } from "grammy";

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}
export declare function loadBot(): Promise<{
  calls: ApiCall[];
  send: (update: Context["update"]) => Promise<void>;
  sent: (method?: string, chatId?: number) => Array<Record<string, unknown>>;
  textsTo: (chatId: number) => string[];
}>;
export declare function command(name: string, args?: string, options?: { from?: number; chat?: "private" | "group" }): Context["update"];
export declare function message(text: string, options?: { from?: number; chat?: "private" | "group" }): Context["update"];
