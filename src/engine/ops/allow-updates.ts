import { Node, SyntaxKind, type CallExpression, type Expression, type ObjectLiteralExpression, type SourceFile } from "../../ast/syntax/tree.js";
import { withParsed } from "../../ast/parse.js";
import { ensureNamedImport, findStartCalls } from "../../ast/text-edits.js";
import type { CodeStyle } from "../../project/code-style.js";
import type { AllowUpdatesEdit } from "../../recipes/manifest.js";
import type { OpContext } from "../plan-types.js";
import { botMatcher } from "./replace-start.js";

import satisfies from "semver/functions/satisfies.js";
import coerce from "semver/functions/coerce.js";

/**
 * Update types Telegram delivers only when `allowed_updates` names them
 * (https://core.telegram.org/bots/api#getupdates): a project that passes no
 * list gets every other type already.
 */
const OPT_IN = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** The default types every grammY from 1.11 knows, for projects whose grammY has no `API_CONSTANTS` (before 1.20). */
const DEFAULT_TYPES_1_11 = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "inline_query",
  "chosen_inline_result",
  "callback_query",
  "shipping_query",
  "pre_checkout_query",
  "poll",
  "poll_answer",
  "my_chat_member",
  "chat_join_request",
];

interface Splice {
  at: number;
  remove: number;
  insert: string;
}

type Outcome =
  | { status: "present" }
  | { status: "edited"; splices: Splice[]; usesConstants: boolean }
  | { status: "manual"; line: number; reason: string }
  /** Started by a recipe's start function (`startBot(bot)`), which names the update types in its own module. */
  | { status: "starter"; line: number; name: string };

/** How one file's start calls ask for update types: what to write, given the types the recipe needs. */
interface Want {
  types: string[];
  /** `[...API_CONSTANTS.DEFAULT_UPDATE_TYPES, "chat_member"]`: the whole list when there was none, in the file's quotes. */
  fullList: (quote: string) => string;
  /** Whether `fullList` names `API_CONSTANTS` (imported from "grammy"). */
  constants: boolean;
}

/**
 * `allow-updates`: makes sure the call that starts the bot asks Telegram for
 * the update types a recipe needs. A start call that lists `allowed_updates`
 * gets the missing types added to its list (or to the `const` array the list
 * is held in), in the file's quotes and layout; a call with no list is left
 * alone unless a type Telegram does not deliver by default is needed
 * (`chat_member`), in which case it gets the default list plus that type.
 * `bot.start(…)`, runner's `run(bot, { runner: { fetch: … } })` and
 * `bot.api.setWebhook(url, …)` are edited; anything else (a list built at run
 * time, a webhook set outside the code) becomes a manual step with the exact
 * line. A second run changes nothing.
 */
export function allowUpdates(edit: AllowUpdatesEdit, ctx: OpContext): void {
  const types = [...new Set(edit.types.map((t) => ctx.render(t, "allow-updates.types")))];
  const grammy = ctx.project.installed.get("grammy")?.version;
  const constants = grammy !== undefined && satisfies(coerce(grammy) ?? "0.0.0", ">=1.20.0");
  const optIn = types.filter((t) => OPT_IN.has(t));
  const want: Want = {
    types,
    constants,
    fullList: (q) => `[${[constants ? "...API_CONSTANTS.DEFAULT_UPDATE_TYPES" : DEFAULT_TYPES_1_11.map((t) => `${q}${t}${q}`).join(", "), ...optIn.map((t) => `${q}${t}${q}`)].join(", ")}]`,
  };
  const q = ctx.styleOf(ctx.bot.file).quote;
  const listText = want.fullList(q);
  const importLine = constants ? `import { API_CONSTANTS } from ${q}grammy${q};\n` : "";
  const manual = (file: string, reason: string, code: string, line?: number) => ctx.manual({ file, ...(line !== undefined && { line }), code, reason });
  const receiver = ctx.bot.variable && ctx.bot.variable !== "this" ? ctx.bot.variable : `<your ${ctx.bot.className ?? "bot"} instance>`;
  const what = `the update types ${types.map((t) => `"${t}"`).join(", ")}`;
  if (ctx.bot.unwireable || !ctx.bot.variable) {
    if (optIn.length > 0) manual(ctx.bot.file, `start the bot asking for ${what}`, `${importLine}${receiver}.start({ allowed_updates: ${listText} });`);
    return;
  }

  const botIn = botMatcher(ctx);
  // A subclass that overrides start() decides its own options: calls of that
  // start() pass nothing on to grammY (and may take no arguments), so only the
  // `super.start({ … })` inside it is edited.
  const className = ctx.bot.className;
  const botFileText = ctx.tree.read(ctx.bot.file);
  const overridesStart =
    className !== undefined &&
    botFileText !== undefined &&
    withParsed(ctx.bot.file, botFileText, (sf) => sf.getClasses().some((c) => c.getName() === className && c.getMethod("start") !== undefined));
  let found = 0;
  let webhookCalls = 0;
  const starters = ctx.lifecycle.starters;
  for (const [file, original] of ctx.project.texts) {
    if (!/\.start\s*\(|\brun\s*\(|\.setWebhook\s*\(/.test(original) && ![...starters.keys()].some((s) => original.includes(s))) continue;
    const text = ctx.tree.read(file)!;
    const style = ctx.styleOf(file);
    const calls = findStartCalls(file, text, botIn(file));
    const result = withParsed(file, text, (sf) => {
      const outcomes: Outcome[] = [];
      for (const call of calls) {
        const node = sf.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => c.getStart() === call.start && c.getEnd() === call.end);
        if (!node || (overridesStart && call.kind === "start")) continue;
        outcomes.push(call.kind === "start" ? ensureAt(sf, node, 0, ["allowed_updates"], want, style) : ensureAt(sf, node, 1, ["runner", "fetch", "allowed_updates"], want, style));
      }
      // A subclass of Bot that overrides `start()` and calls `super.start({ … })`.
      if (ctx.bot.className && file === ctx.bot.file) {
        for (const cls of sf.getClasses().filter((c) => c.getName() === ctx.bot.className)) {
          for (const node of cls.getDescendantsOfKind(SyntaxKind.CallExpression)) {
            const callee = node.getExpression();
            if (Node.isPropertyAccessExpression(callee) && callee.getName() === "start" && callee.getExpression().getKind() === SyntaxKind.SuperKeyword) {
              outcomes.push(ensureAt(sf, node, 0, ["allowed_updates"], want, style));
            }
          }
        }
      }
      // A recipe's start function (`startBot(bot, { polling: { allowed_updates } })`): the list carried
      // into it is edited; without one, its own module decides, so the user is told.
      for (const node of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const callee = node.getExpression();
        const [first, options] = node.getArguments();
        if (!Node.isIdentifier(callee) || !starters.has(callee.getText()) || !first || !botIn(file)(first.getText(), sf)) continue;
        const polling = options && objectOf(sf, options as Expression)?.getProperty("polling");
        const inner = polling && Node.isPropertyAssignment(polling) ? objectOf(sf, polling.getInitializerOrThrow()) : undefined;
        const list = inner?.getProperty("allowed_updates");
        if (inner && list) outcomes.push(ensureIn(sf, inner, ["allowed_updates"], want, style, node.getStartLineNumber()));
        else outcomes.push({ status: "starter", line: node.getStartLineNumber(), name: callee.getText() });
      }
      // `bot.api.setWebhook(url, { … })`: the webhook's list, kept by Telegram until the next setWebhook.
      let hooks = 0;
      for (const node of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const callee = node.getExpression();
        if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "setWebhook" || node.getArguments().length === 0) continue;
        hooks++;
        outcomes.push(ensureAt(sf, node, 1, ["allowed_updates"], want, style));
      }
      return { outcomes, hooks };
    });
    found += result.outcomes.length;
    webhookCalls += result.hooks;
    const splices: Splice[] = [];
    let usesConstants = false;
    for (const o of result.outcomes) {
      if (o.status === "starter") {
        const about = `${file}:${o.line}: the bot is started by ${o.name}(…), which asks Telegram for the update types its own module lists (all default types when the list is empty)`;
        if (optIn.length > 0) manual(file, `${about}; add these to that list`, types.map((t) => `${style.quote}${t}${style.quote}`).join(", "), o.line);
        else ctx.note(`${about}; if that list is not empty, add ${types.map((t) => `"${t}"`).join(", ")} to it`);
      }
      if (o.status === "manual") manual(file, `${o.reason}; add these update types to its allowed_updates (a list with none asks for Telegram's defaults)`, types.map((t) => `${style.quote}${t}${style.quote}`).join(", "), o.line);
      if (o.status === "edited") {
        splices.push(...o.splices);
        usesConstants ||= o.usesConstants;
      }
    }
    if (splices.length === 0) continue;
    let next = text;
    for (const s of [...splices].sort((a, b) => b.at - a.at)) next = next.slice(0, s.at) + s.insert + next.slice(s.at + s.remove);
    if (usesConstants) {
      const imported = ensureNamedImport(file, next, { specifier: "grammy", names: ["API_CONSTANTS"] }, style);
      if (imported !== false) next = imported;
    }
    ctx.tree.write(file, next);
  }
  if (found > 0) return;
  if (ctx.project.served === "webhook" || webhookCalls > 0) {
    if (optIn.length > 0) {
      manual(ctx.bot.file, `Telegram sends ${optIn.join(", ")} updates only when the webhook asks for them; set the webhook once with`, `${importLine}await ${receiver}.api.setWebhook("<your webhook URL>", { allowed_updates: ${listText} });`);
    } else {
      ctx.note(`if you set the webhook with allowed_updates, include ${types.map((t) => `"${t}"`).join(", ")} in it`);
    }
    return;
  }
  if (optIn.length > 0) manual(ctx.bot.file, `no bot.start() or run(bot) was found; start the bot asking for ${what}`, `${importLine}${receiver}.start({ allowed_updates: ${listText} });`);
}

/** Makes the options argument `index` of `call` hold the wanted types at `path` (`runner.fetch.allowed_updates`). */
function ensureAt(sf: SourceFile, call: CallExpression, index: number, path: string[], want: Want, style: CodeStyle): Outcome {
  const args = call.getArguments();
  const arg = args[index] as Expression | undefined;
  const needsList = want.types.some((t) => OPT_IN.has(t));
  if (!arg) {
    if (!needsList) return { status: "present" };
    if (args.length !== index) return { status: "manual", line: call.getStartLineNumber(), reason: "this start call's arguments are not the ones expected" };
    const value = nest(path, want.fullList(style.quote));
    const at = index === 0 ? call.getEnd() - 1 : args[index - 1]!.getEnd();
    return { status: "edited", splices: [{ at, remove: 0, insert: index === 0 ? value : `, ${value}` }], usesConstants: want.constants };
  }
  const object = objectOf(sf, arg);
  if (!object) return { status: "manual", line: call.getStartLineNumber(), reason: "the options of this start call are not an object literal the engine can edit" };
  return ensureIn(sf, object, path, want, style, call.getStartLineNumber());
}

function ensureIn(sf: SourceFile, object: ObjectLiteralExpression, path: string[], want: Want, style: CodeStyle, line: number): Outcome {
  const [key, ...rest] = path as [string, ...string[]];
  const prop = object.getProperty(key);
  if (!prop) {
    if (!want.types.some((t) => OPT_IN.has(t))) return { status: "present" };
    return { status: "edited", splices: [addProperty(object, `${key}: ${nest(rest, want.fullList(quoteIn(object, style)))}`)], usesConstants: want.constants };
  }
  let value: Expression | undefined;
  if (Node.isPropertyAssignment(prop)) value = prop.getInitializer();
  else if (Node.isShorthandPropertyAssignment(prop)) value = prop.getNameNode();
  if (!value) return { status: "manual", line, reason: `\`${key}\` is not a plain property` };
  if (rest.length > 0) {
    const inner = objectOf(sf, value);
    return inner ? ensureIn(sf, inner, rest, want, style, line) : { status: "manual", line, reason: `\`${key}\` is not an object literal the engine can edit` };
  }
  return ensureList(sf, value, want, style, line);
}

/** The update-type list itself: an array literal (or a `const` holding one), or grammY's constants. */
function ensureList(sf: SourceFile, expression: Expression, want: Want, style: CodeStyle, line: number): Outcome {
  const value = unwrap(expression);
  if (Node.isIdentifier(value)) {
    const init = constInitializer(sf, value.getText());
    if (init && Node.isArrayLiteralExpression(unwrap(init))) return ensureList(sf, init, want, style, line);
  }
  const text = value.getText().replace(/\s+/g, "");
  if (/(^|\.)ALL_UPDATE_TYPES$/.test(text)) return { status: "present" };
  if (/(^|\.)DEFAULT_UPDATE_TYPES$/.test(text)) {
    const missing = want.types.filter((t) => OPT_IN.has(t));
    if (missing.length === 0) return { status: "present" };
    const q = style.quote;
    return { status: "edited", splices: [{ at: value.getStart(), remove: value.getWidth(), insert: `[...${value.getText()}, ${missing.map((t) => `${q}${t}${q}`).join(", ")}]` }], usesConstants: false };
  }
  if (!Node.isArrayLiteralExpression(value)) return { status: "manual", line, reason: "the allowed_updates list is computed; the engine cannot add to it" };
  const elements = value.getElements();
  const present = new Set<string>();
  let defaults = elements.length === 0; // `[]` asks Telegram for its default types
  let quote = style.quote as string;
  for (const e of elements) {
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e)) {
      present.add(e.getLiteralText());
      quote = e.getText()[0]!;
    } else if (Node.isSpreadElement(e)) {
      const spread = e.getExpression().getText().replace(/\s+/g, "");
      if (/(^|\.)ALL_UPDATE_TYPES$/.test(spread)) return { status: "present" };
      if (/(^|\.)DEFAULT_UPDATE_TYPES$/.test(spread)) defaults = true;
    }
  }
  const missing = want.types.filter((t) => !present.has(t) && !(defaults && !OPT_IN.has(t)));
  if (missing.length === 0) return { status: "present" };
  const items = missing.map((t) => `${quote}${t}${quote}`);
  if (elements.length === 0) {
    return { status: "edited", splices: [{ at: value.getStart(), remove: value.getWidth(), insert: want.fullList(quote) }], usesConstants: want.constants };
  }
  return { status: "edited", splices: [appendAfter(elements[elements.length - 1]!, items)], usesConstants: false };
}

/** `x as const`, `(x)`, `x satisfies T`, `<T>x`: the expression inside. */
function unwrap(e: Expression): Expression {
  let cur: Node = e;
  for (;;) {
    if (Node.isAsExpression(cur) || Node.isParenthesizedExpression(cur) || Node.isTypeAssertion(cur) || Node.isSatisfiesExpression(cur)) cur = cur.getExpression();
    else return cur as Expression;
  }
}

/** An object literal written here, or held in a `const` of this file. */
function objectOf(sf: SourceFile, e: Expression): ObjectLiteralExpression | undefined {
  let value = unwrap(e);
  if (Node.isIdentifier(value)) {
    const init = constInitializer(sf, value.getText());
    if (!init) return undefined;
    value = unwrap(init);
  }
  return Node.isObjectLiteralExpression(value) ? value : undefined;
}

/** The initializer of a top-level or local `const name = …` declared once in the file. */
function constInitializer(sf: SourceFile, name: string): Expression | undefined {
  const decls = sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => d.getName() === name);
  if (decls.length !== 1) return undefined;
  const decl = decls[0]!;
  if (decl.getVariableStatement()?.getDeclarationKind() !== "const") return undefined;
  return decl.getInitializer();
}

/** `{ runner: { fetch: <list> } }` for the keys below the one being added. */
function nest(path: string[], list: string): string {
  return path.reduceRight((inner, key) => `{ ${key}: ${inner} }`, list);
}

function quoteIn(node: Node, style: CodeStyle): string {
  const literal = node.getFirstDescendant((d) => Node.isStringLiteral(d));
  return literal ? literal.getText()[0]! : style.quote;
}

/** A new property at the end of an object literal, in its layout (one line, or one property per line with or without a trailing comma). */
function addProperty(object: ObjectLiteralExpression, property: string): Splice {
  const props = object.getProperties();
  if (props.length === 0) {
    const open = object.getStart() + 1;
    return { at: open, remove: object.getEnd() - 1 - open, insert: ` ${property} ` };
  }
  return appendAfter(props[props.length - 1]!, [property]);
}

/** Items after the last element of a list (array elements or object properties), keeping its layout. */
function appendAfter(last: Node, items: string[]): Splice {
  const text = last.getSourceFile().getFullText();
  const end = last.getEnd();
  const after = /^\s*,/.exec(text.slice(end));
  const lineStart = text.lastIndexOf("\n", last.getStart()) + 1;
  const before = text.slice(lineStart, last.getStart());
  const multiline = /^\s*$/.test(before) && /^\s*,?\s*\r?\n/.test(text.slice(end));
  if (multiline) {
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const at = after ? end + after[0].length : end;
    const trailing = after ? "," : "";
    return { at, remove: 0, insert: `${after ? "" : ","}${items.map((i) => `${eol}${before}${i}`).join(",")}${trailing}` };
  }
  return { at: end, remove: 0, insert: items.map((i) => `, ${i}`).join("") };
}
