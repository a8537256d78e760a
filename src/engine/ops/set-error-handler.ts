import { findErrorHandler, sameCode } from "../../ast/text-edits.js";
import type { SetErrorHandlerEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { insertStatement } from "./install.js";

/** Rank of `bot.catch(…)`: after every middleware a recipe installs. */
export const errorHandlerRank = 1000;

/**
 * `set-error-handler`: `bot.catch(handler)`. A bot has one error handler, so
 * when the user's code already sets another, the engine does not replace it:
 * it says where it is and what to write instead.
 */
export function setErrorHandler(edit: SetErrorHandlerEdit, ctx: OpContext): void {
  const bot = ctx.bot.variable ?? "bot";
  const code = `${bot}.catch(${edit.handler})`;
  if (ctx.bot.variable) {
    const existing = findErrorHandler(ctx.bot.file, ctx.tree.read(ctx.bot.file)!, bot);
    if (existing && sameCode(existing.text, code)) return;
    if (existing) {
      ctx.manual({ file: ctx.bot.file, line: existing.line, code: `${code};`, reason: "the bot already has an error handler here; replace it to use the recipe's" });
      return;
    }
    for (const [file, text] of ctx.project.texts) {
      if (file === ctx.bot.file) continue;
      const m = new RegExp(`\\b[\\w$]+\\.catch\\(\\s*(?!\\))`).exec(text);
      if (m && /["']grammy["']/.test(text) && /\bBotError\b|\berr(or)?\.ctx\b/.test(text)) {
        const line = text.slice(0, m.index).split("\n").length;
        ctx.manual({ file, line, code: `${code};`, reason: "this file seems to set the bot's error handler already; replace it to use the recipe's" });
        return;
      }
    }
  }
  insertStatement(code, errorHandlerRank, ctx);
}
