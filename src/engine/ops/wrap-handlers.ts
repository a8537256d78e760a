import { ensureNamedImport, wrapCommandHandlers } from "../../ast/text-edits.js";
import type { WrapHandlersEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/**
 * `wrap-handlers`: for each command named by a list answer, wrap the handler
 * of `x.command("name", handler)` as `wrapper(handler)` wherever it is
 * registered (only files whose text mentions the command are parsed), and
 * import the wrapper there. A command not found is reported with the line to write.
 */
export function wrapHandlers(edit: WrapHandlersEdit, ctx: OpContext): void {
  const commands = (ctx.answers[edit.commands] as string[] | undefined) ?? [];
  if (commands.length === 0) return;
  const wrapper = ctx.render(edit.wrapper, "wrap-handlers.wrapper");
  const target = ctx.tree.path(ctx.render(edit.file, "wrap-handlers.file"));
  const found = new Set<string>();
  for (const [file, original] of ctx.project.texts) {
    if (!commands.some((c) => original.includes(c)) || !original.includes(".command(")) continue;
    const text = ctx.tree.read(file)!;
    const result = wrapCommandHandlers(file, text, commands, wrapper);
    for (const c of result.wrapped) found.add(c);
    if (result.text === false) continue;
    const { specifier, aliases } = ctx.specifierFor(file, target);
    const imported = ensureNamedImport(file, result.text, { specifier, aliases, names: [wrapper] }, ctx.styleOf(file));
    ctx.tree.write(file, imported === false ? result.text : imported);
  }
  for (const c of commands.filter((c) => !found.has(c))) {
    ctx.manual({ file: ctx.bot.file, code: `${ctx.bot.variable ?? "bot"}.command("${c}", ${wrapper}(async (ctx) => { /* … */ }));`, reason: `no handler for /${c} was found; wrap it like this` });
  }
}
