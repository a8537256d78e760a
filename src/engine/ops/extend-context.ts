import { posix } from "node:path";
import { findBotSites } from "../../ast/find-bot.js";
import { withParsed } from "../../ast/parse.js";
import { createContextType, ensureNamedImport, extendContextType, typeOrigin } from "../../ast/text-edits.js";
import type { ExtendContextEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/** The name given to a context type the engine creates. */
export const createdContextName = "BotContext";

/**
 * `extend-context`: add a flavor to the user's context type where it is
 * declared (this file or the one it is imported from), or, for a bot without
 * one, declare `type BotContext = Context & Flavor` and use it in `new Bot<…>`.
 */
export function extendContext(edit: ExtendContextEdit, ctx: OpContext): void {
  const flavor = ctx.render(edit.flavor, "extend-context.flavor");
  const flavorName = flavor.replace(/<.*$/s, "").trim();
  const importFlavor = (file: string) => {
    const target = edit.file ? ctx.tree.path(ctx.render(edit.file, "extend-context.file")) : undefined;
    const { specifier, aliases } = target ? ctx.specifierFor(file, target) : { specifier: ctx.render(edit.module!, "extend-context.module"), aliases: [] };
    const next = ensureNamedImport(file, ctx.tree.read(file)!, { specifier, aliases, names: [`type ${flavorName}`] }, ctx.styleOf(file));
    if (next !== false) ctx.tree.write(file, next);
  };
  const manual = (file: string, reason: string) =>
    ctx.manual({ file, line: ctx.bot.line, code: `type MyContext = Context & ${flavor};`, reason });

  if (ctx.bot.unwireable || !ctx.bot.variable) return manual(ctx.bot.file, "add the flavor to your context type");
  const botText = ctx.tree.read(ctx.bot.file)!;
  const site = withParsed(ctx.bot.file, botText, (sf) => findBotSites(sf).find((s) => s.variable === ctx.bot.variable));
  const contextType = site?.contextType;

  if (!contextType) {
    const next = createContextType(ctx.bot.file, botText, ctx.bot.variable, createdContextName, flavor, ctx.styleOf(ctx.bot.file));
    if (!next) return manual(ctx.bot.file, "add the flavor to your context type");
    ctx.tree.write(ctx.bot.file, next);
    const withContext = ensureNamedImport(ctx.bot.file, next, { specifier: "grammy", names: ["type Context"] }, ctx.styleOf(ctx.bot.file));
    if (withContext !== false) ctx.tree.write(ctx.bot.file, withContext);
    importFlavor(ctx.bot.file);
    return;
  }

  // `new Bot<MyContext>`: find where MyContext is declared.
  const typeName = contextType.replace(/<.*$/s, "").trim();
  let file = ctx.bot.file;
  let name = typeName;
  const origin = typeOrigin(file, botText, typeName);
  if (origin && !origin.local) {
    const resolved = resolveRelativeModule(ctx, file, origin.specifier);
    if (!resolved) return manual(file, `${typeName} comes from "${origin.specifier}", which the engine does not edit; add the flavor there`);
    file = resolved;
    name = origin.importedAs;
  } else if (!origin) {
    return manual(file, `${typeName} is not declared in ${file}; add the flavor where it is`);
  }
  const result = extendContextType(file, ctx.tree.read(file)!, name, flavor);
  if (result === false) return;
  if (result === "not-found" || result === "unsupported") return manual(file, `${name} could not be extended automatically; add the flavor to it`);
  ctx.tree.write(file, result);
  importFlavor(file);
}

/** `./context.js` written in `src/bot.ts` → `src/context.ts`, if that file exists. */
function resolveRelativeModule(ctx: OpContext, fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const stem = base.replace(/\.(m|c)?(j|t)sx?$/, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${stem}/index.ts`]) {
    if (/\.(m|c)?tsx?$/.test(candidate) && ctx.tree.exists(candidate)) return candidate;
  }
  return undefined;
}
