import { bindsBot, clashingNames, ensureNamedImport, findStartCalls, hasCallMatching, replaceRange, sameCode } from "../../ast/text-edits.js";
import type { SourceFile } from "../../ast/syntax/tree.js";
import { findBotImporters, type BotImporters } from "../../ast/importers.js";
import type { ProjectFacts } from "../../project/project-facts.js";
import type { ReplaceStartEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";

/**
 * `replace-start`: replace the call that starts the bot (`bot.start()`, or
 * runner's `run(bot)`) with the recipe's own start code, wherever it is (the
 * bot's file, or a main module that imports the bot or calls its factory),
 * and import what that code uses. A start call with options, or none at all,
 * becomes a manual step: the engine never guesses.
 */
export function replaceStart(edit: ReplaceStartEdit, ctx: OpContext): void {
  const botFile = ctx.bot.file;
  const target = ctx.tree.path(ctx.render(edit.file, "replace-start.file"));
  // `{{bot}}` is the expression at the call site (`app` in main.ts), not the bot's own variable (`this` in a subclass).
  const marker = "\u0000bot\u0000";
  const optionsMarker = "\u0000options\u0000";
  const renderCode = (template: string, where: string) =>
    ctx.render(template.replace(/\{\{\s*bot\s*\}\}/g, marker).replace(/\{\{\s*options\s*\}\}/g, optionsMarker), where);
  const rendered = renderCode(edit.code, "replace-start.code");
  const renderedWithOptions = edit.codeWithOptions === undefined ? undefined : renderCode(edit.codeWithOptions, "replace-start.codeWithOptions");
  const codeFor = (receiver: string, options?: string) =>
    (options === undefined ? rendered : renderedWithOptions!).split(marker).join(receiver).split(optionsMarker).join(options ?? "");
  const manualCode = codeFor(ctx.bot.variable && ctx.bot.variable !== "this" ? ctx.bot.variable : `<your ${ctx.bot.className ?? "bot"} instance>`);
  if (ctx.bot.unwireable || !ctx.bot.variable) {
    ctx.manual({ file: botFile, code: manualCode, reason: "start the bot with this instead of bot.start()" });
    return;
  }
  const variable = ctx.bot.variable;
  const botIn = botMatcher(ctx);
  let replaced = 0;
  let foundWithOptions = 0;
  const named = edit.named.map((n) => ctx.render(n, "replace-start.named"));
  const prefix = ctx.recipe.manifest.id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  for (const [file, original] of ctx.project.texts) {
    if (!/\.start\s*\(|\brun\s*\(/.test(original) && !ctx.tree.read(file)?.includes(edit.named[0] ?? "\0")) continue;
    const text = ctx.tree.read(file)!;
    const calls = findStartCalls(file, text, botIn(file));
    // A name the file already declares (the user's own `startBot`) is imported under the recipe's name.
    const { specifier, aliases } = ctx.specifierFor(file, target);
    const clashes = clashingNames(file, text, named, [specifier, ...aliases]);
    const local = (n: string) => (clashes.includes(n) ? `${prefix}${n[0]!.toUpperCase()}${n.slice(1)}` : n);
    if (calls.length === 0) {
      // Already replaced by an earlier run: the recipe's start function, imported from its file, is called here.
      const starter = named[0];
      const importsRecipe = [specifier, ...aliases].some((spec) => text.includes(`"${spec}"`) || text.includes(`'${spec}'`));
      const already = hasCallMatching(file, text, (call, first) => sameCode(call, codeFor(first ?? variable)) || (starter !== undefined && importsRecipe && call.startsWith(`${local(starter)}(`)));
      if (already) replaced++;
      continue;
    }
    const codeHere = (receiver: string, options?: string) =>
      clashes.reduce((code, n) => code.replace(new RegExp(`(^|[^\\w$.])${n}\\(`, "g"), `$1${local(n)}(`), codeFor(receiver, options));
    let next = text;
    for (const call of [...calls].sort((a, b) => b.start - a.start)) {
      if (resultUsed(text, call.start)) {
        // `const runner = run(bot)`, then `runner.stop()`: the recipe's start code returns something else.
        ctx.manual({ file, line: call.line, code: codeHere(call.receiver), reason: "the result of this start call is used (kept in a variable or passed on); start the bot with this instead and adapt the code that uses the result:" });
        foundWithOptions++;
        continue;
      }
      if (call.hasArguments) {
        // `bot.start({ onStart })`: the options are carried into the recipe's start code, as written.
        if (call.kind === "start" && call.options !== undefined && renderedWithOptions !== undefined) {
          next = replaceRange(next, call.start, call.end, codeHere(call.receiver, call.options));
          replaced++;
          continue;
        }
        ctx.manual({ file, line: call.line, code: codeHere(call.receiver), reason: "this start call has options; move them into the recipe's start code and replace the call with" });
        foundWithOptions++;
        continue;
      }
      next = replaceRange(next, call.start, call.end, codeHere(call.receiver));
      replaced++;
    }
    if (next !== text) {
      const imported = ensureNamedImport(file, next, { specifier, aliases, names: named.map((n) => (clashes.includes(n) ? `${n} as ${local(n)}` : n)) }, ctx.styleOf(file));
      ctx.tree.write(file, imported === false ? next : imported);
    }
  }
  if (replaced === 0 && foundWithOptions === 0) {
    ctx.manual({ file: botFile, code: manualCode, reason: "no bot.start() or run(bot) was found; start the bot with" });
  }
}

/**
 * Whether the call at `start` is more than a statement of its own: what
 * precedes it on its line is not empty, `await`, `void`, `return`, `=>` or
 * the end of another statement (`const runner = run(bot)`, `f(bot.start())`).
 */
function resultUsed(text: string, start: number): boolean {
  const before = text.slice(text.lastIndexOf("\n", start - 1) + 1, start).trim();
  return !/(^|[;{}]|=>|\bawait|\bvoid|\breturn)$/.test(before);
}

/**
 * Which expressions hold the bot in a project file: the bot's variable in
 * its own file, an import of it, the result of its factory, or, for a
 * subclass, an instance made by a module that constructs it or a property
 * declared to hold one. Shared by the ops that find where the bot is started.
 */
export function botMatcher(ctx: Pick<OpContext, "project" | "bot" | "resolveModule">): (file: string) => (receiver: string, sf: SourceFile) => boolean {
  const botFile = ctx.bot.file;
  const variable = ctx.bot.variable ?? "bot";
  // For a subclass: the modules that make an instance (a container, a factory), and properties declared to hold one.
  const className = ctx.bot.className;
  const makers = new Set<string>();
  const botProperties = new Set<string>();
  if (className) {
    const made = new RegExp(`\\bnew\\s+${className}\\s*[(<]`);
    const typed = new RegExp(`(?:this\\.)?([A-Za-z_$][\\w$]*)\\s*[!?]?\\s*(?::\\s*${className}\\b|=\\s*new\\s+${className}\\s*[(<])`, "g");
    for (const [file, text] of ctx.project.texts) {
      if (file !== botFile && made.test(text)) makers.add(file);
      for (const m of text.matchAll(typed)) botProperties.add(m[1]!);
    }
  }
  return (file) => {
    const fromBotModule = (specifier: string) => {
      const target = ctx.resolveModule(file, specifier);
      // The bot's module itself, a barrel that re-exports it (`export * from "./bot"`), or a module making an instance.
      return target !== undefined && (botImporters(ctx.project, botFile, ctx.resolveModule).exporters.has(target) || makers.has(target));
    };
    return (receiver, sf) => bindsBot(sf, receiver, variable, fromBotModule, file === botFile, className, botProperties);
  };
}

const importersCache = new WeakMap<ProjectFacts, { botFile: string; found: BotImporters }>();

/** The modules that import the bot (see `findBotImporters`), found once per project. */
export function botImporters(project: ProjectFacts, botFile: string, resolve: (from: string, specifier: string) => string | undefined): BotImporters {
  const cached = importersCache.get(project);
  if (cached?.botFile === botFile) return cached.found;
  const found = findBotImporters(project.texts, botFile, resolve);
  importersCache.set(project, { botFile, found });
  return found;
}
