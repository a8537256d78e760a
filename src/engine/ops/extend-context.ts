import { findBotSites } from "../../ast/find-bot.js";
import { withParsed } from "../../ast/parse.js";
import { createContextType, ensureNamedImport, extendContextType, typeOrigin, wrapBotTypeArgument } from "../../ast/text-edits.js";
import { importRank, placeNewImport } from "../../project/import-order.js";
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
    const text = ctx.tree.read(file)!;
    const next = ensureNamedImport(file, text, { specifier, aliases, names: [`type ${flavorName}`] }, ctx.styleOf(file));
    // Where the project's import order puts a new import line (see add-import).
    if (next !== false) ctx.tree.write(file, placeNewImport(file, text, next, specifier, importRank(ctx.project)));
  };
  const manual = (file: string, reason: string) =>
    ctx.manual({ file, line: ctx.bot.line, code: `type MyContext = Context & ${flavor};`, reason });

  if (ctx.bot.unwireable || !ctx.bot.variable) return manual(ctx.bot.file, "add the flavor to your context type");
  const botText = ctx.tree.read(ctx.bot.file)!;
  const site = withParsed(ctx.bot.file, botText, (sf) => findBotSites(sf).find((s) => s.variable === ctx.bot.variable && s.className === ctx.bot.className));
  const contextType = site?.contextType;

  const wrap = edit.wrap === true;
  const variable = ctx.bot.variable;
  /** Declares `type BotContext = <typeText>` in the bot's file and makes the bot use it. */
  const createAlias = (typeText: string, importContext: boolean) => {
    const next = createContextType(ctx.bot.file, ctx.tree.read(ctx.bot.file)!, variable, createdContextName, typeText, ctx.styleOf(ctx.bot.file), ctx.bot.className);
    if (!next) return manual(ctx.bot.file, "add the flavor to your context type");
    ctx.tree.write(ctx.bot.file, next);
    if (importContext) {
      const withContext = ensureNamedImport(ctx.bot.file, next, { specifier: "grammy", names: ["type Context"] }, ctx.styleOf(ctx.bot.file));
      if (withContext !== false) ctx.tree.write(ctx.bot.file, withContext);
    }
    importFlavor(ctx.bot.file);
  };

  if (!contextType) return createAlias(wrap ? `${flavorName}<Context>` : `Context & ${flavor}`, true);

  // `new Bot<MyContext>`: find where MyContext is declared, looking through
  // wrapping flavors from packages (`new Bot<FileFlavor<AppContext>>`).
  let typeText = contextType.trim();
  for (let m = /^([\w$.]+)<(.*)>$/s.exec(typeText); m; m = /^([\w$.]+)<(.*)>$/s.exec(typeText)) {
    if (wrap && m[1] === flavorName) return; // already wrapped
    const outer = typeOrigin(ctx.bot.file, botText, m[1]!);
    if (!outer || outer.local || outer.specifier.startsWith(".")) break;
    typeText = m[2]!.trim();
  }
  const typeName = typeText.replace(/<.*$/s, "").trim();
  let file = ctx.bot.file;
  let name = typeName;
  const origin = typeOrigin(file, botText, typeName);
  if (origin && !origin.local) {
    const resolved = ctx.resolveModule(file, origin.specifier);
    if (!resolved) return manual(file, `${typeName} comes from "${origin.specifier}", which the engine does not edit; add the flavor there`);
    file = resolved;
    name = origin.importedAs;
  } else if (!origin) {
    return manual(file, `${typeName} is not declared in ${file}; add the flavor where it is`);
  }
  const result = extendContextType(file, ctx.tree.read(file)!, name, flavor, wrap);
  if (result === false) return;
  // An interface cannot be wrapped: the bot's type argument is wrapped where it stands.
  if (result === "unsupported" && wrap) {
    const wrapped = wrapBotTypeArgument(ctx.bot.file, ctx.tree.read(ctx.bot.file)!, variable, flavorName, ctx.bot.className);
    if (wrapped === undefined) return manual(ctx.bot.file, `wrap your context type: new Bot<${flavorName}<${contextType}>>`);
    if (wrapped !== false) ctx.tree.write(ctx.bot.file, wrapped);
    importFlavor(ctx.bot.file);
    return;
  }
  if (result === "not-found" || result === "unsupported") return manual(file, `${name} could not be extended automatically; add the flavor to it`);
  ctx.tree.write(file, result);
  importFlavor(file);
}
