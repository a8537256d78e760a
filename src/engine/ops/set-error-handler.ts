import { dropUnusedNamedImports, findErrorHandlerCalls, type ErrorHandlerCall } from "../../ast/error-handlers.js";
import { ensureNamedImport, replaceRange } from "../../ast/text-edits.js";
import { resolveProjectModule } from "../../project/module-aliases.js";
import type { ProjectFacts } from "../../project/project-facts.js";
import type { SetErrorHandlerEdit } from "../../recipes/manifest.js";
import type { BotLocation, OpContext } from "../plan-types.js";
import { insertStatement } from "./install.js";
import { botImporters, botMatcher } from "./replace-start.js";

/** Rank of `bot.catch(…)`: after every middleware a recipe installs. */
export const errorHandlerRank = 1000;

/** The question a recipe asks when the project already has an error handler (see `leaveExistingHandler`). */
export const existingHandlerQuestion = "existingHandler";

/**
 * The answer (of that question, asked when the project already has an
 * error handler) that leaves the project's handler alone: the op writes
 * nothing then. Any other answer, or none, puts the recipe's handler in
 * front of the project's, which it calls afterwards.
 */
export const leaveExistingHandler = "leave";

type Where = Pick<OpContext, "project" | "bot" | "resolveModule">;

/**
 * Every `bot.catch(…)` and `bot.errorBoundary(…)` of the project: in the
 * bot's file and in every module that imports the bot (relative, through an
 * alias or a barrel). Only the files whose text mentions one are parsed.
 */
export function existingErrorHandlers(where: Where): Array<{ file: string; call: ErrorHandlerCall }> {
  const botFile = where.bot.file;
  const { importers } = botImporters(where.project, botFile, where.resolveModule);
  const matcher = botMatcher(where);
  const out: Array<{ file: string; call: ErrorHandlerCall }> = [];
  for (const file of [botFile, ...[...importers].sort()]) {
    const text = where.project.texts.get(file);
    // `name.catch(` (not `main().catch(`) or `.errorBoundary(`: the files worth parsing.
    if (text === undefined || !/[\w$]\s*\.\s*catch\s*\(|\.\s*errorBoundary\s*\(/.test(text)) continue;
    const isBot = matcher(file);
    const subclass = where.bot.className !== undefined && file === botFile;
    for (const call of findErrorHandlerCalls(file, text, (receiver, sf) => (receiver === "this" ? subclass : isBot(receiver, sf)))) out.push({ file, call });
  }
  return out;
}

/**
 * The `errorHandler` fact: whether the project sets its own error handler
 * (`catch`), error boundary (`boundary`), `both` or `none`. What a recipe put
 * there (a handler imported from the recipes folder) does not count.
 */
export function existingErrorHandlerFact(project: ProjectFacts, bot: BotLocation, recipesDir: string): string {
  if (!bot.variable || bot.unwireable) return "none";
  const resolveModule = (from: string, specifier: string) => resolveProjectModule(project.aliases, from, specifier, (p) => project.texts.has(p));
  const own = existingErrorHandlers({ project, bot, resolveModule }).filter(({ file, call }) => {
    const from = call.head?.from === undefined ? undefined : resolveModule(file, call.head.from);
    return !(from !== undefined && from.startsWith(`${recipesDir}/`));
  });
  const catches = own.some((h) => h.call.kind === "catch");
  const boundaries = own.some((h) => h.call.kind === "boundary");
  return catches && boundaries ? "both" : catches ? "catch" : boundaries ? "boundary" : "none";
}

/**
 * `set-error-handler`: `bot.catch(handler)`. A bot has one error handler, the
 * last `bot.catch` that runs: when the project sets one (in the bot's file or
 * in a module that imports the bot, such as the app's entry, which runs
 * later), the op edits that one instead of adding a second that would be
 * replaced at run time. With the user's agreement (the recipe's question,
 * `leave` to refuse) the project's handler becomes the fallback the recipe's
 * calls: `bot.catch((err) => handleBotError(err, yourHandler))`; the same
 * goes for the handler of a `bot.errorBoundary(…)`. Otherwise nothing is
 * written, and the import an earlier op added for it is taken out again.
 */
export function setErrorHandler(edit: SetErrorHandlerEdit, ctx: OpContext): void {
  const bot = ctx.bot.variable ?? "bot";
  const code = `${bot}.catch(${edit.handler})`;
  if (!ctx.bot.variable || ctx.bot.unwireable) {
    insertStatement(code, errorHandlerRank, ctx);
    return;
  }
  const handler = edit.handler.trim();
  const named = /^[A-Za-z_$][\w$]*$/.test(handler);
  const found = existingErrorHandlers(ctx);
  const isOurs = (call: ErrorHandlerCall) => call.handler?.text === handler || call.head?.name === handler;
  const leave = ctx.answers[existingHandlerQuestion] === leaveExistingHandler;
  const { imports } = botImporters(ctx.project, ctx.bot.file, ctx.resolveModule);

  // The `bot.catch` that runs last: in a module no other module with one imports (the entry), the last in its file.
  const catches = found.filter((h) => h.call.kind === "catch");
  const last = catches.filter((h) => !catches.some((o) => o.file !== h.file && imports(o.file, h.file))).sort((a, b) => (a.file === b.file ? b.call.line - a.call.line : a.file === ctx.bot.file ? 1 : b.file === ctx.bot.file ? -1 : 0))[0];
  const boundaries = found.filter((h) => h.call.kind === "boundary" && !isOurs(h.call));

  const wrap = (target: { file: string; call: ErrorHandlerCall }) => {
    const h = target.call.handler!;
    const text = ctx.tree.read(target.file)!;
    // Positions are those of the project's text; an earlier op may have changed the file, so find the call again.
    const at = text.indexOf(target.call.text);
    if (at === -1) return false;
    // The handler is the call's first argument: its first occurrence after the opening parenthesis.
    const from = at + target.call.text.indexOf(h.text, target.call.text.indexOf("("));
    const next = replaceRange(text, from, from + h.text.length, `(err) => ${handler}(err, ${h.text})`);
    ctx.tree.write(target.file, importHandler(target.file, next, edit, ctx) ?? next);
    return true;
  };
  const where = (h: { file: string; call: ErrorHandlerCall }) => `${h.file}:${h.call.line}`;
  let placedIn: string | undefined;

  if (last && isOurs(last.call)) {
    placedIn = last.file;
  } else if (last) {
    if (!leave && named && last.call.handler && wrap(last)) {
      placedIn = last.file;
      ctx.note(`${where(last)}: the bot's error handler now runs the recipe's ${handler} first, then yours`);
    } else {
      ctx.note(`${where(last)}: the bot already has an error handler, the one that runs last; it is left as it is and the recipe's ${handler} is not installed${named ? ` (answer existingHandler=fallback to run ${handler} first and yours after it)` : ""}`);
    }
  } else {
    insertStatement(code, errorHandlerRank, ctx);
    placedIn = ctx.bot.file;
  }
  for (const b of boundaries) {
    if (!leave && named && b.call.handler && wrap(b)) {
      placedIn ??= b.file;
      ctx.note(`${where(b)}: your error boundary now runs the recipe's ${handler} first, then your handler`);
    } else {
      ctx.note(`${where(b)}: errors inside your error boundary go to your handler, not to the recipe's; the boundary is left as it is`);
    }
  }
  // `leave` with the project's own boundary: the recipe's boundary this run installed would be the second one.
  const takenBack = leave && boundaries.length > 0 ? takeBackInstalls(edit, ctx) : [];
  if (takenBack.length > 0) ctx.note(`the recipe's own ${takenBack.join(", ")} is not installed either: your error boundary stays the only one`);
  // The imports the recipe added to the bot's file for what landed elsewhere or nowhere.
  dropRecipeImports(ctx.bot.file, [...(placedIn !== ctx.bot.file ? [handler] : []), ...takenBack], ctx);
}

/**
 * Takes out of the bot's file the statements this recipe's `install` edits
 * put there in this run (not those an earlier run wrote) that call a name the
 * recipe imports from its handler's module (`bot.use(errorBoundary())`).
 * Returns those names.
 */
function takeBackInstalls(edit: SetErrorHandlerEdit, ctx: OpContext): string[] {
  const file = ctx.bot.file;
  const imports = ctx.recipe.manifest.edits.filter((e): e is Extract<typeof e, { op: "add-import" }> => e.op === "add-import" && e.file !== undefined);
  const handlerFiles = new Set(imports.filter((e) => e.named.includes(edit.handler.trim())).map((e) => e.file));
  const names = imports.filter((e) => handlerFiles.has(e.file)).flatMap((e) => e.named).filter((n) => n !== edit.handler.trim());
  const original = ctx.project.texts.get(file) ?? "";
  const taken: string[] = [];
  for (const e of ctx.recipe.manifest.edits) {
    if (e.op !== "install" || !ctx.holds(e.when)) continue;
    const code = ctx.render(e.code, "install.code").trim().replace(/;$/, "");
    const used = names.filter((n) => new RegExp(`(^|[^\\w$.])${n.replace(/\$/g, "\\$")}\\(`).test(code));
    const text = ctx.tree.read(file);
    if (used.length === 0 || text === undefined || original.includes(code)) continue;
    const at = text.indexOf(code);
    if (at === -1) continue;
    const start = text.lastIndexOf("\n", at - 1) + 1;
    const newline = text.indexOf("\n", at);
    ctx.tree.write(file, text.slice(0, start) + (newline === -1 ? "" : text.slice(newline + 1)));
    taken.push(...used);
  }
  return taken;
}

/** The specifiers of the recipe's own files that export `names` (its add-import edits), as written from `file`. */
function recipeSpecifiers(file: string, names: string[], ctx: OpContext): Array<{ specifier: string; aliases: string[] }> {
  return ctx.recipe.manifest.edits
    .filter((e) => e.op === "add-import" && e.file !== undefined && e.named.some((n) => names.includes(n)))
    .map((e) => ctx.specifierFor(file, ctx.tree.path(ctx.render((e as { file: string }).file, "add-import.file"))));
}

function importHandler(file: string, text: string, edit: SetErrorHandlerEdit, ctx: OpContext): string | undefined {
  const spec = recipeSpecifiers(file, [edit.handler.trim()], ctx)[0];
  if (!spec) return undefined;
  const next = ensureNamedImport(file, text, { ...spec, names: [edit.handler.trim()] }, ctx.styleOf(file));
  return next === false ? undefined : next;
}

function dropRecipeImports(file: string, names: string[], ctx: OpContext): void {
  const text = ctx.tree.read(file);
  if (text === undefined || names.length === 0) return;
  const specifiers = recipeSpecifiers(file, names, ctx).flatMap((s) => [s.specifier, ...s.aliases]);
  if (specifiers.length === 0) return;
  const next = dropUnusedNamedImports(file, text, specifiers, names);
  if (next !== false) ctx.tree.write(file, next);
}
