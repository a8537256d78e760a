import { installAfterBot } from "../../ast/text-edits.js";
import type { InstallEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/** `install`: a statement in the recipe block after `new Bot(…)`, ordered by rank. */
export function install(edit: InstallEdit, ctx: OpContext): void {
  const code = ctx.render(edit.code, "install.code").trim().replace(/;$/, "");
  insertStatement(code, edit.rank, ctx);
}

export function insertStatement(code: string, rank: number, ctx: OpContext): void {
  const file = ctx.bot.file;
  if (ctx.bot.unwireable || !ctx.bot.variable) {
    ctx.manual({ file, line: ctx.bot.line, code: `${code};`, reason: "install it right after the bot is created, before your handlers" });
    return;
  }
  const text = ctx.tree.read(file)!;
  const next = installAfterBot(file, text, { bot: ctx.bot.variable, className: ctx.bot.className, code, rank, ranks: ctx.ranks }, ctx.styleOf(file));
  if (next === undefined) {
    ctx.manual({ file, line: ctx.bot.line, code: `${code};`, reason: "the bot statement could not be found again; add it after the bot is created" });
  } else if (next !== false) {
    ctx.tree.write(file, next);
  }
}
