import { clashingNames, ensureNamedImport } from "../../ast/text-edits.js";
import { usageError } from "../../core/errors.js";
import { moduleSpecifierProblem } from "../../recipes/dependency-spec.js";
import { importRank, placeNewImport } from "../../project/import-order.js";
import type { AddImportEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { lifecycleOnlyNames } from "./lifecycle.js";

/** `add-import`: import names into the bot's file, from a package or a rendered file. */
export function addImport(edit: AddImportEdit, ctx: OpContext): void {
  const file = ctx.bot.file;
  // Names only the recipe's start or stop code uses are imported by that op, where the code lands.
  const deferred = lifecycleOnlyNames(ctx.recipe.manifest);
  const names = edit.named.map((n) => ctx.render(n, "add-import.named")).filter((n) => !deferred.has(n.replace(/^type\s+/, "").trim()));
  if (names.length === 0) return;
  const target = edit.file ? ctx.tree.path(ctx.render(edit.file, "add-import.file")) : undefined;
  const { specifier, aliases } = target ? ctx.specifierFor(file, target) : { specifier: ctx.render(edit.module!, "add-import.module"), aliases: [] };
  const bad = target ? undefined : moduleSpecifierProblem(specifier);
  if (bad) throw usageError(`add-import.module: ${bad}`, "a pack imports packages by name; fix the recipe's manifest");
  if (ctx.bot.unwireable || !ctx.bot.variable) {
    const items = names.join(", ");
    ctx.manual({ file, code: `import { ${items} } from "${specifier}";`, reason: "import the recipe" });
    return;
  }
  const text = ctx.tree.read(file)!;
  // A name the file already declares for something else: importing it would break the file.
  const clashes = clashingNames(file, text, names.map((n) => n.replace(/^type\s+/, "").trim()), [specifier, ...aliases]);
  if (clashes.length > 0) {
    ctx.manual({ file, code: `import { ${names.join(", ")} } from "${specifier}";`, reason: `${file} already declares ${clashes.join(", ")}; import the recipe's under another name and use that` });
    return;
  }
  const next = ensureNamedImport(file, text, { specifier, aliases, names }, ctx.styleOf(file));
  if (next === false) return;
  // A new import line goes where the project's import order puts it (packages, aliases, relative paths; or its import/order groups).
  ctx.tree.write(file, placeNewImport(file, text, next, specifier, importRank(ctx.project)));
}
