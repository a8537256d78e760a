import { placeLifecycleCode } from "../../ast/lifecycle-edits.js";
import { clashingNames, ensureNamedImport } from "../../ast/text-edits.js";
import type { EditSpec, LifecycleEdit, RecipeManifest } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { botMatcher } from "./replace-start.js";

/**
 * `on-start` / `on-stop`: a statement that runs when the bot starts (before
 * the call that starts it) or once it has stopped (after an awaited
 * `bot.start()`, `startBot(bot)` or the like, which resolve when the bot
 * stops; else in the project's SIGINT/SIGTERM handlers, after the call that
 * stops the bot). The names the code uses are imported where it lands, from
 * the recipe's `add-import` edits. Nowhere to put it: a manual step with the
 * exact lines.
 */
export function lifecycle(edit: LifecycleEdit, ctx: OpContext): void {
  const when = edit.op === "on-start" ? "start" : "stop";
  // `{{bot}}` is the expression at the call site (`app` in main.ts), not the bot's own variable.
  const marker = "\u0000bot\u0000";
  const rendered = ctx.render(edit.code.replace(/\{\{\s*bot\s*\}\}/g, marker), `${edit.op}.code`).trim().replace(/;+$/, "");
  const codeFor = (receiver: string) => rendered.split(marker).join(receiver);
  const fallbackReceiver = ctx.bot.variable && ctx.bot.variable !== "this" ? ctx.bot.variable : `<your ${ctx.bot.className ?? "bot"} instance>`;
  const imports = importsFor(ctx, rendered);
  const where =
    when === "start"
      ? "run this right before the bot is started"
      : "run this once the bot has stopped: after `await bot.start()` resolves, or in your SIGINT/SIGTERM handler after `await bot.stop()`";
  const manual = (file: string, reason: string, line?: number) => {
    const importLines = imports.map((i) => `import { ${i.names.join(", ")} } from "${i.specifierFrom(file).specifier}";`);
    ctx.manual({ file, ...(line !== undefined && { line }), code: [...importLines, `${codeFor(fallbackReceiver)};`].join("\n"), reason });
  };
  if (ctx.bot.unwireable || !ctx.bot.variable) return manual(ctx.bot.file, where);

  const botIn = botMatcher(ctx);
  const { starters, keyOf, keyFor } = ctx.lifecycle;
  const key = keyFor(ctx.recipe.manifest.id, rendered);
  let done = false;
  let problem: { file: string; line: number; reason: string } | undefined;
  for (const [file, original] of ctx.project.texts) {
    if (!/\.start\s*\(|\brun\s*\(/.test(original) && ![...starters.keys()].some((s) => original.includes(s))) continue;
    const text = ctx.tree.read(file)!;
    const style = ctx.styleOf(file);
    const topLevelAwait = /\.m[jt]s$/.test(file) || (ctx.project.moduleKind === "esm" && !/\.c[jt]s$/.test(file));
    const result = placeLifecycleCode(file, text, { when, codeFor, isBot: botIn(file), starters, key, keyOf: (s) => keyOf(when, s), topLevelAwait }, style);
    if (result.status === "none") continue;
    if (result.status === "manual") {
      problem ??= { file, line: result.line, reason: result.reason };
      continue;
    }
    done = true;
    if (result.status === "present") continue;
    let next = result.text;
    for (const i of imports) {
      const { specifier, aliases } = i.specifierFrom(file);
      if (clashingNames(file, next, i.names, [specifier, ...aliases]).length > 0) {
        ctx.manual({ file, code: `import { ${i.names.join(", ")} } from "${specifier}";`, reason: `${file} already declares one of these names; import the recipe's under another name and use that in the code added here` });
        continue;
      }
      const imported = ensureNamedImport(file, next, { specifier, aliases, names: i.names }, style);
      if (imported !== false) next = imported;
    }
    ctx.tree.write(file, next);
  }
  if (done) return;
  if (problem) return manual(problem.file, problem.reason, problem.line);
  manual(ctx.bot.file, `no bot.start(), run(bot) or start function was found (a webhook?); ${where}`);
}

/** The recipe's imports the code uses: names of its `add-import` edits that appear in it. */
function importsFor(ctx: OpContext, code: string): Array<{ names: string[]; specifierFrom: (file: string) => { specifier: string; aliases: string[] } }> {
  const used = new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const out: ReturnType<typeof importsFor> = [];
  for (const edit of ctx.recipe.manifest.edits) {
    if (edit.op !== "add-import" || !ctx.holds(edit.when)) continue;
    const names = edit.named.map((n) => ctx.render(n, "add-import.named")).filter((n) => !/^type\s/.test(n) && used.has(n.trim()));
    if (names.length === 0) continue;
    const target = edit.file ? ctx.tree.path(ctx.render(edit.file, "add-import.file")) : undefined;
    const module = edit.module ? ctx.render(edit.module, "add-import.module") : undefined;
    out.push({ names, specifierFrom: (file) => (target ? ctx.specifierFor(file, target) : { specifier: module!, aliases: [] }) });
  }
  return out;
}

/**
 * Names a recipe imports only for its start and stop code: `add-import`
 * leaves them to the lifecycle op, which imports them where that code lands
 * (often the main module, not the bot's file).
 */
export function lifecycleOnlyNames(manifest: RecipeManifest): Set<string> {
  const lifecycleCode = manifest.edits.filter((e) => e.op === "on-start" || e.op === "on-stop").map((e) => (e as LifecycleEdit).code);
  if (lifecycleCode.length === 0) return new Set();
  const other = JSON.stringify(manifest.edits.filter((e: EditSpec) => e.op !== "add-import" && e.op !== "on-start" && e.op !== "on-stop"));
  const names = new Set<string>();
  for (const edit of manifest.edits) {
    if (edit.op !== "add-import") continue;
    for (const raw of edit.named) {
      const name = raw.replace(/^type\s+/, "").trim();
      const word = new RegExp(`(^|[^\\w$])${name.replace(/\$/g, "\\$")}($|[^\\w$])`);
      if (lifecycleCode.some((c) => word.test(c)) && !word.test(other)) names.add(name);
    }
  }
  return names;
}
