import { ensureNamedImport } from "../../ast/text-edits.js";
import type { AddImportEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/** `add-import`: import names into the bot's file, from a package or a rendered file. */
export function addImport(edit: AddImportEdit, ctx: OpContext): void {
  const file = ctx.bot.file;
  const names = edit.named.map((n) => ctx.render(n, "add-import.named"));
  const target = edit.file ? ctx.tree.path(ctx.render(edit.file, "add-import.file")) : undefined;
  const { specifier, aliases } = target ? ctx.specifierFor(file, target) : { specifier: ctx.render(edit.module!, "add-import.module"), aliases: [] };
  if (ctx.bot.unwireable || !ctx.bot.variable) {
    const items = names.join(", ");
    ctx.manual({ file, code: `import { ${items} } from "${specifier}";`, reason: "import the recipe" });
    return;
  }
  const text = ctx.tree.read(file)!;
  const next = ensureNamedImport(file, text, { specifier, aliases, names }, ctx.styleOf(file));
  if (next !== false) ctx.tree.write(file, next);
}
