import { Node, SyntaxKind, type ImportDeclaration, type SourceFile, type Statement } from "./syntax/tree.js";
import type { CodeStyle } from "../project/code-style.js";
import { botHeritage, findBotStatement, findInstallBlock, grammyBotNames } from "./find-bot.js";
import { withParsed } from "./parse.js";

// === Pure edits of TypeScript text ===
//
// Every function here is `(text, args) → text | false`: it parses the text,
// finds where to edit with the AST, and splices the smallest possible change
// into the original string, so every line it does not touch stays
// byte-identical. `false` means "already there, nothing to do".

/** A change at one offset of a text: `remove` characters taken out, `insert` put in. */
export interface Splice {
  at: number;
  remove?: number;
  insert: string;
}

/** Applies splices from the end backwards, so each offset still points into the original text. */
export function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.at - a.at)) out = out.slice(0, s.at) + s.insert + out.slice(s.at + (s.remove ?? 0));
  return out;
}

const semi = (style: CodeStyle) => (style.semicolons ? ";" : "");
const quoted = (value: string, style: CodeStyle) => `${style.quote}${value}${style.quote}`;

/** The end of the line the node ends on (before the line break), so trailing comments stay put. */
function endOfLine(text: string, pos: number): number {
  const nl = text.indexOf("\n", pos);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

function indentOf(text: string, pos: number): string {
  const lineStart = text.lastIndexOf("\n", pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** Compares code ignoring whitespace, quotes and semicolons. */
export function sameCode(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, "").replace(/'/g, '"').replace(/;+$/g, "").replace(/,([)\]}])/g, "$1");
  return norm(a) === norm(b);
}

// === Imports ===

export interface ImportRequest {
  /** The module specifier as it must be written. */
  specifier: string;
  /** Other spellings of the same module already accepted (`./x`, `./x.js`, `./x.ts`). */
  aliases?: string[];
  /** Names, `type X` for type-only. */
  names: string[];
}

/** `X`, `type X`, `X as Y`: the imported name, whether type-only, and the text of the import element. */
function importedName(name: string): { name: string; typeOnly: boolean; key: string; text: string } {
  const m = /^(type\s+)?([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(name.trim());
  if (!m) return { name: name.trim(), typeOnly: false, key: name.trim(), text: name.trim() };
  const text = m[3] ? `${m[2]} as ${m[3]}` : m[2]!;
  return { name: m[2]!, typeOnly: m[1] !== undefined, key: m[3] ? `${m[2]} as ${m[3]}` : m[2]!, text };
}

/**
 * Names declared at the top level of a file that an import from `specifier`
 * (or its aliases) would clash with: functions, classes, variables, and
 * names imported from other modules.
 */
export function clashingNames(path: string, text: string, names: string[], specifiers: string[]): string[] {
  return withParsed(path, text, (sf) => {
    const taken = new Set<string>();
    for (const f of sf.getFunctions()) if (f.getName()) taken.add(f.getName()!);
    for (const c of sf.getClasses()) if (c.getName()) taken.add(c.getName()!);
    for (const v of sf.getVariableDeclarations()) taken.add(v.getName());
    for (const [local, from] of importedLocals(sf)) if (!specifiers.includes(from)) taken.add(local);
    return names.filter((n) => taken.has(n));
  });
}

/** Names bound by the file's imports, by local name. */
export function importedLocals(sf: SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const decl of sf.getImportDeclarations()) {
    const spec = decl.getModuleSpecifierValue();
    for (const n of decl.getNamedImports()) out.set(n.getAliasNode()?.getText() ?? n.getName(), spec);
    const def = decl.getDefaultImport();
    if (def) out.set(def.getText(), spec);
    const ns = decl.getNamespaceImport();
    if (ns) out.set(ns.getText(), spec);
  }
  return out;
}

/**
 * Ensures `import { names } from "specifier"`: nothing when every name is
 * already imported from it, a merge into an existing named import, or a new
 * import line after the last import.
 */
export function ensureNamedImport(path: string, text: string, request: ImportRequest, style: CodeStyle): string | false {
  return withParsed(path, text, (sf) => {
    const specs = new Set([request.specifier, ...(request.aliases ?? [])]);
    const decls = sf.getImportDeclarations().filter((d) => specs.has(d.getModuleSpecifierValue()));
    const present = new Set<string>();
    for (const d of decls) {
      for (const n of d.getNamedImports()) {
        present.add(n.getName());
        if (n.getAliasNode()) present.add(`${n.getName()} as ${n.getAliasNode()!.getText()}`);
      }
    }
    const wanted = request.names.map(importedName).filter((n) => !present.has(n.key));
    if (wanted.length === 0) return false;

    const mergeInto = decls.find((d) => d.getNamedImports().length > 0 && !d.getNamespaceImport());
    if (mergeInto) {
      const declTypeOnly = mergeInto.isTypeOnly();
      const elements = mergeInto.getNamedImports();
      const last = elements[elements.length - 1]!;
      if (!declTypeOnly || wanted.every((w) => w.typeOnly)) {
        const items = wanted.map((w) => (w.typeOnly && !declTypeOnly ? `type ${w.text}` : w.text));
        return applySplices(text, [{ at: last.getEnd(), insert: `, ${items.join(", ")}` }]);
      }
      // A value joins `import type { A }`: it becomes `import { type A, value }`.
      // The import clause of `import type { … }` starts at its `type` keyword.
      const typeKeyword = mergeInto.getImportClause()?.getStart();
      if (typeKeyword !== undefined && text.startsWith("type", typeKeyword) && !mergeInto.getDefaultImport()) {
        const end = typeKeyword + "type".length;
        const splices: Splice[] = [{ at: typeKeyword, remove: end - typeKeyword + (text[end] === " " ? 1 : 0), insert: "" }];
        for (const element of elements) if (!element.isTypeOnly()) splices.push({ at: element.getStart(), insert: "type " });
        splices.push({ at: last.getEnd(), insert: `, ${wanted.map((w) => (w.typeOnly ? `type ${w.text}` : w.text)).join(", ")}` });
        return applySplices(text, splices);
      }
    }
    const allTypes = wanted.every((w) => w.typeOnly);
    const items = wanted.map((w) => (w.typeOnly && !allTypes ? `type ${w.text}` : w.text)).join(", ");
    const line = `import ${allTypes ? "type " : ""}{ ${items} } from ${quoted(request.specifier, style)}${semi(style)}`;
    return insertImportLine(sf, text, line, style);
  });
}

function insertImportLine(sf: SourceFile, text: string, line: string, style: CodeStyle): string {
  const imports = sf.getImportDeclarations();
  const last: ImportDeclaration | undefined = imports[imports.length - 1];
  if (last) {
    const at = endOfLine(text, last.getEnd());
    return applySplices(text, [{ at, insert: `${style.eol}${line}` }]);
  }
  // No imports: after a shebang, leading comments and directive prologue ("use strict").
  let at = 0;
  const first = sf.getStatements()[0];
  const directives = sf.getStatements().filter((s) => Node.isExpressionStatement(s) && Node.isStringLiteral(s.getExpression()));
  if (directives.length > 0 && directives[0] === first) at = endOfLine(text, directives[directives.length - 1]!.getEnd()) + style.eol.length;
  else if (first) at = first.getStart();
  else at = text.length;
  const rest = text.slice(at);
  return `${text.slice(0, at)}${line}${style.eol}${rest.length > 0 && !rest.startsWith(style.eol) ? style.eol : ""}${rest}`;
}

// === Statements after the bot is created ===

export interface InstallRequest {
  /** The variable holding the bot; `this` in a subclass of Bot. */
  bot: string;
  /** The subclass of Bot whose registering method receives the statement. */
  className?: string;
  /** The statement to install, without a trailing semicolon. */
  code: string;
  rank: number;
  /**
   * Ranks of statements installed earlier by recipes, by the identifiers they
   * use (built from the catalogue by the engine). A statement counts as part
   * of the recipe block when it uses one of these names and the file imports it.
   */
  ranks: Map<string, number>;
}

/** Which earlier recipe install a statement is, by the imported names it uses. */
function rankOf(statement: Statement, ranks: Map<string, number>, locals: Map<string, string>): number | undefined {
  let found: number | undefined;
  for (const id of statement.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const rank = ranks.get(id.getText());
    if (rank !== undefined && locals.has(id.getText())) found = found === undefined ? rank : Math.min(found, rank);
  }
  return found;
}

/**
 * From this rank on, installs are features (commands, menus, handlers), not
 * gates: they go after the user's own middleware, which may set context
 * properties, and still before the user's handlers.
 */
export const featureRank = 200;

/**
 * `bot.use(async (ctx, next) => { …; await next() })`: the user's own
 * middleware, an inline function that takes `next` and calls it.
 */
function isUserMiddleware(statement: Statement, bot: string): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const call = statement.getExpression();
  if (!Node.isCallExpression(call)) return false;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "use" || callee.getExpression().getText() !== bot) return false;
  const args = call.getArguments();
  return (
    args.length > 0 &&
    args.every((arg) => {
      if (!Node.isArrowFunction(arg) && !Node.isFunctionExpression(arg)) return false;
      const next = arg.getParameters()[1]?.getName();
      return next !== undefined && new RegExp(`\\b${next}\\s*\\(`).test(arg.getBody()?.getText() ?? "");
    })
  );
}

/**
 * Installs a statement in the "recipe block": the run of recipe statements
 * directly after `const bot = new Bot(…)`, kept sorted by rank, and always
 * before the user's own handlers (which may never call `next()`).
 * Returns false when an equivalent statement already exists in that scope,
 * and undefined when the bot statement cannot be found.
 */
export function installAfterBot(path: string, text: string, request: InstallRequest, style: CodeStyle): string | false | undefined {
  return withParsed(path, text, (sf) => {
    const found = findInstallBlock(sf, request.bot, request.className);
    if (!found) return undefined;
    const { anchor: botStatement, siblings, block } = found;
    if (siblings.some((s) => sameCode(s.getText(), request.code))) return false;
    const locals = importedLocals(sf);
    let anchor: Statement | undefined = botStatement;
    let before: Statement | undefined;
    for (let i = botStatement ? siblings.indexOf(botStatement) + 1 : 0; i < siblings.length; i++) {
      const s = siblings[i]!;
      const rank = rankOf(s, request.ranks, locals);
      if (rank === undefined) {
        // Features go after the user's own middleware (which may set context properties they read).
        if (request.rank >= featureRank && isUserMiddleware(s, request.bot)) {
          anchor = s;
          continue;
        }
        before ??= anchor ? undefined : s;
        break;
      }
      if (rank > request.rank) {
        before = s;
        break;
      }
      anchor = s;
    }
    const line = `${request.code}${semi(style)}`;
    if (before) {
      const lineStart = text.lastIndexOf("\n", before.getStart(true) - 1) + 1;
      const leading = before.getStart(true);
      // Keep a comment that sits on the lines above the statement with it.
      const at = Math.min(lineStart, leading);
      return applySplices(text, [{ at, insert: `${indentOf(text, before.getStart())}${line}${style.eol}` }]);
    }
    if (anchor) return applySplices(text, [{ at: endOfLine(text, anchor.getEnd()), insert: `${style.eol}${indentOf(text, anchor.getStart())}${line}` }]);
    // An empty method body: one level deeper than the line that opens it.
    const open = block.getStart() + 1;
    const indent = indentOf(text, block.getStart()) + style.indent;
    return applySplices(text, [{ at: open, insert: `${style.eol}${indent}${line}` }]);
  });
}

/** Where `bot.catch(…)` already stands in the file, if anywhere. */
export function findErrorHandler(path: string, text: string, bot: string): { line: number; text: string } | undefined {
  return withParsed(path, text, (sf) => {
    for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === "catch" && callee.getExpression().getText() === bot) {
        return { line: call.getStartLineNumber(), text: call.getText() };
      }
    }
    return undefined;
  });
}

// === Context types ===

export type ExtendResult = string | false | "not-found" | "unsupported";

/**
 * Adds `& Flavor` to `type Name = …`, or `Flavor` to the `extends` clause of
 * `interface Name extends …`. A wrapping flavor (`wrap`, such as grammY's
 * `FileFlavor<C>`) turns `type Name = T` into `type Name = Flavor<T>`; an
 * interface cannot be wrapped ("unsupported"). `false` when already there.
 */
export function extendContextType(path: string, text: string, typeName: string, flavor: string, wrap = false): ExtendResult {
  return withParsed(path, text, (sf) => {
    const flavorName = flavor.replace(/<.*$/s, "").trim();
    const alias = sf.getTypeAlias(typeName);
    if (alias) {
      const node = alias.getTypeNode();
      if (!node) return "unsupported";
      if (new RegExp(`\\b${flavorName}\\b`).test(node.getText())) return false;
      if (wrap) return applySplices(text, [{ at: node.getStart(), insert: `${flavorName}<` }, { at: node.getEnd(), insert: ">" }]);
      const needsParens = Node.isUnionTypeNode(node) || Node.isFunctionTypeNode(node) || Node.isConditionalTypeNode(node);
      if (needsParens) return applySplices(text, [{ at: node.getStart(), insert: "(" }, { at: node.getEnd(), insert: `) & ${flavor}` }]);
      return applySplices(text, [{ at: node.getEnd(), insert: ` & ${flavor}` }]);
    }
    const iface = sf.getInterface(typeName);
    if (iface) {
      if (wrap) return "unsupported";
      const heritage = iface.getInterfaceExtends();
      if (heritage.some((h) => h.getExpression().getText() === flavorName)) return false;
      const last = heritage[heritage.length - 1];
      if (!last) return "unsupported";
      return applySplices(text, [{ at: last.getEnd(), insert: `, ${flavor}` }]);
    }
    return "not-found";
  });
}

/** Where a type name used in a file comes from: declared here, or imported from a specifier. */
export function typeOrigin(path: string, text: string, typeName: string): { local: true } | { local: false; specifier: string; importedAs: string } | undefined {
  return withParsed(path, text, (sf) => {
    if (sf.getTypeAlias(typeName) || sf.getInterface(typeName)) return { local: true } as const;
    for (const decl of sf.getImportDeclarations()) {
      for (const n of decl.getNamedImports()) {
        if ((n.getAliasNode()?.getText() ?? n.getName()) === typeName) return { local: false, specifier: decl.getModuleSpecifierValue(), importedAs: n.getName() } as const;
      }
    }
    return undefined;
  });
}

/** The type arguments of the bot: `new Bot<…>(…)`, or the `extends Bot<…>` clause of a subclass. */
function botTypeTarget(sf: SourceFile, bot: string, className?: string): { typeArgument?: Node; insertAt: number } | undefined {
  if (bot === "this" && className) {
    const heritage = botHeritage(sf, className);
    if (!heritage) return undefined;
    return { typeArgument: heritage.getTypeArguments()[0], insertAt: heritage.getExpression().getEnd() };
  }
  const decl = findBotStatement(sf, bot)?.statement.getDescendantsOfKind(SyntaxKind.NewExpression)[0];
  if (!decl) return undefined;
  return { typeArgument: decl.getTypeArguments()[0], insertAt: decl.getExpression().getEnd() };
}

/**
 * `Bot` written without a type argument where the bot is typed: the
 * variable's annotation and the return type of the function that makes and
 * returns it (plain `Bot` or `Promise<Bot>`).
 */
function botAnnotations(sf: SourceFile, bot: string, className?: string): Node[] {
  if (bot === "this" && className) return [];
  const found = findBotStatement(sf, bot);
  if (!found) return [];
  const { names } = grammyBotNames(sf);
  const bare = (node: Node | undefined): Node | undefined => {
    if (!node) return undefined;
    if (Node.isTypeReference(node) && node.getTypeArguments().length === 0 && names.has(node.getTypeName().getText())) return node;
    if (Node.isTypeReference(node) && node.getTypeName().getText() === "Promise") return bare(node.getTypeArguments()[0]);
    return undefined;
  };
  const out: Node[] = [];
  const decl = found.statement.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getName() === bot);
  const annotated = bare(decl?.getTypeNode());
  if (annotated) out.push(annotated);
  const fn = found.statement.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a));
  if (fn && (Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn))) {
    const returnsBot = fn.getDescendantsOfKind(SyntaxKind.ReturnStatement).some((r) => r.getExpression()?.getText() === bot);
    const returned = returnsBot ? bare(fn.getReturnTypeNode()) : undefined;
    if (returned) out.push(returned);
  }
  return out;
}

/**
 * Gives the bot a context type declared after the imports,
 * `type <name> = <typeText>`, and writes `new Bot<name>(…)` (or
 * `extends Bot<name>` for a subclass), replacing a type argument it had.
 * The caller imports what `typeText` uses.
 */
export function createContextType(path: string, text: string, bot: string, typeName: string, typeText: string, style: CodeStyle, className?: string): string | undefined {
  return withParsed(path, text, (sf) => {
    const target = botTypeTarget(sf, bot, className);
    if (!target) return undefined;
    const { typeArgument } = target;
    const splices: Splice[] = typeArgument
      ? [{ at: typeArgument.getStart(), remove: typeArgument.getWidth(), insert: typeName }]
      : [{ at: target.insertAt, insert: `<${typeName}>` }];
    // `function createBot(): Bot { const bot = new Bot(…); … return bot }`, `const bot: Bot = …`: the annotations follow.
    if (!typeArgument) for (const node of botAnnotations(sf, bot, className)) splices.push({ at: node.getEnd(), insert: `<${typeName}>` });
    const imports = sf.getImportDeclarations();
    const last = imports[imports.length - 1];
    const declaration = `${style.eol}${style.eol}/** The bot's context type: grammY's Context plus the flavors recipes add. */${style.eol}export type ${typeName} = ${typeText}${semi(style)}`;
    splices.push({ at: last ? endOfLine(text, last.getEnd()) : 0, insert: declaration });
    return applySplices(text, splices);
  });
}

/** Wraps the bot's type argument in place: `new Bot<AppContext>` → `new Bot<FileFlavor<AppContext>>`. */
export function wrapBotTypeArgument(path: string, text: string, bot: string, wrapper: string, className?: string): string | false | undefined {
  return withParsed(path, text, (sf) => {
    const typeArgument = botTypeTarget(sf, bot, className)?.typeArgument;
    if (!typeArgument) return undefined;
    if (typeArgument.getText().startsWith(`${wrapper}<`)) return false;
    return applySplices(text, [{ at: typeArgument.getStart(), insert: `${wrapper}<` }, { at: typeArgument.getEnd(), insert: ">" }]);
  });
}

// === Wrapping handlers ===

/**
 * Wraps the last handler of `x.command("name", …, handler)` as
 * `wrapper(handler)` for each named command. Returns the new text (or false)
 * and which commands were found.
 */
export function wrapCommandHandlers(path: string, text: string, commands: string[], wrapper: string): { text: string | false; wrapped: string[] } {
  return withParsed(path, text, (sf) => {
    const splices: Splice[] = [];
    const wrapped: string[] = [];
    for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "command") continue;
      const [first, ...rest] = call.getArguments();
      const handler = rest[rest.length - 1];
      if (!first || !handler) continue;
      const names = Node.isStringLiteral(first)
        ? [first.getLiteralValue()]
        : Node.isArrayLiteralExpression(first)
          ? first.getElements().filter(Node.isStringLiteral).map((e) => e.getLiteralValue())
          : [];
      const hit = commands.find((c) => names.includes(c));
      if (!hit) continue;
      wrapped.push(hit);
      if (Node.isCallExpression(handler) && handler.getExpression().getText() === wrapper) continue;
      splices.push({ at: handler.getStart(), insert: `${wrapper}(` }, { at: handler.getEnd(), insert: ")" });
    }
    return { text: splices.length > 0 ? applySplices(text, splices) : false, wrapped };
  });
}

// === Where the bot is started ===

export interface StartCall {
  /** The expression holding the bot at the call site (`bot`, `app`). */
  receiver: string;
  line: number;
  /** `start` for `x.start(…)`, `run` for `run(x)` of @grammyjs/runner. */
  kind: "start" | "run";
  hasArguments: boolean;
  /** The options expression as written: `bot.start(<options>)`, `run(bot, <options>)`. */
  options?: string;
  start: number;
  end: number;
}

/**
 * Calls that start the bot in a file: `x.start(…)` or runner's `run(x)`,
 * where `x` is accepted by `isBot` (the engine decides what holds the bot:
 * the variable itself, an import of it, or the result of its factory).
 */
export function findStartCalls(path: string, text: string, isBot: (receiver: string, sf: SourceFile) => boolean): StartCall[] {
  return withParsed(path, text, (sf) => {
    const out: StartCall[] = [];
    const runner = new Set<string>();
    for (const decl of sf.getImportDeclarations()) {
      if (decl.getModuleSpecifierValue() !== "@grammyjs/runner") continue;
      for (const n of decl.getNamedImports()) if (n.getName() === "run") runner.add(n.getAliasNode()?.getText() ?? "run");
    }
    for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const at = { line: call.getStartLineNumber(), start: call.getStart(), end: call.getEnd() };
      // `bot.start()`, or `container.bot.start()` (a property holding the bot).
      const holder = Node.isPropertyAccessExpression(callee) ? callee.getExpression() : undefined;
      if (holder && Node.isPropertyAccessExpression(callee) && callee.getName() === "start" && (Node.isIdentifier(holder) || (Node.isPropertyAccessExpression(holder) && /^[\w$.]+$/.test(holder.getText())))) {
        const receiver = callee.getExpression().getText();
        const args = call.getArguments();
        if (isBot(receiver, sf)) out.push({ receiver, kind: "start", hasArguments: args.length > 0, ...(args.length === 1 && { options: args[0]!.getText() }), ...at });
      } else if (Node.isIdentifier(callee) && runner.has(callee.getText())) {
        const [first, ...rest] = call.getArguments();
        if (first && (Node.isIdentifier(first) || Node.isPropertyAccessExpression(first)) && isBot(first.getText(), sf)) out.push({ receiver: first.getText(), kind: "run", hasArguments: rest.length > 0, ...(rest.length === 1 && { options: rest[0]!.getText() }), ...at });
      }
    }
    return out;
  });
}

/** Replaces `[start, end)` of the text. */
export function replaceRange(text: string, start: number, end: number, insert: string): string {
  return applySplices(text, [{ at: start, remove: end - start, insert }]);
}

/**
 * How a local name relates to the bot: declared as the bot here, imported
 * from the bot's module, or the result of calling a function imported from it
 * (`const bot = createBot(token)`). For a subclass of Bot (`className`): an
 * instance of it, made with `new MyBot(…)`, typed `: MyBot`, or taken from a
 * container by the class (`container.get(MyBot)`), the class imported from
 * the bot's module or declared here.
 */
export function bindsBot(sf: SourceFile, name: string, botVariable: string, fromBotModule: (specifier: string) => boolean, sameFile: boolean, className?: string, botProperties: ReadonlySet<string> = new Set()): boolean {
  if (sameFile && name === botVariable && botVariable !== "this") return true;
  // `container.bot`: a property the project declares as holding an instance of the subclass.
  const dot = name.lastIndexOf(".");
  if (dot !== -1) return botProperties.has(name.slice(dot + 1));
  const imported = new Map<string, string>();
  for (const decl of sf.getImportDeclarations()) {
    if (!fromBotModule(decl.getModuleSpecifierValue())) continue;
    for (const n of decl.getNamedImports()) imported.set(n.getAliasNode()?.getText() ?? n.getName(), n.getName());
    const def = decl.getDefaultImport();
    if (def && className) imported.set(def.getText(), className);
  }
  if (imported.get(name) === botVariable) return true;
  const classLocal = className ? (sameFile ? className : [...imported].find(([, original]) => original === className)?.[0]) : undefined;
  for (const decl of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const nameNode = decl.getNameNode();
    // `const { bot } = createContainer()`: a name taken out of what a factory returns.
    const destructured = Node.isObjectBindingPattern(nameNode) && nameNode.getElements().some((e) => e.getName() === name && (e.getPropertyNameNode()?.getText() ?? name) === name);
    if (decl.getName() !== name && !destructured) continue;
    let init = decl.getInitializer();
    if (init && Node.isAwaitExpression(init)) init = init.getExpression();
    if (classLocal && !destructured) {
      if (decl.getTypeNode()?.getText() === classLocal) return true;
      // `new MyBot(…)`, `container.get(MyBot)`, `resolve<MyBot>()`, `get(() => new MyBot(…))`.
      if (init && (Node.isNewExpression(init) || Node.isCallExpression(init)) && init.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === classLocal)) return true;
    }
    if (init && Node.isCallExpression(init) && Node.isIdentifier(init.getExpression()) && imported.has(init.getExpression().getText())) return true;
    if (sameFile && init && Node.isCallExpression(init) && Node.isIdentifier(init.getExpression())) {
      // A factory declared in the bot file itself.
      const fn = sf.getFunction(init.getExpression().getText());
      if (fn?.getDescendantsOfKind(SyntaxKind.VariableDeclaration).some((v) => v.getName() === botVariable)) return true;
    }
  }
  return false;
}

/** Whether some call in the file satisfies `matches(callText, firstArgumentText)`. */
export function hasCallMatching(path: string, text: string, matches: (call: string, firstArgument: string | undefined, secondArgument: string | undefined) => boolean): boolean {
  return withParsed(path, text, (sf) => sf.getDescendantsOfKind(SyntaxKind.CallExpression).some((c) => matches(c.getText(), c.getArguments()[0]?.getText(), c.getArguments()[1]?.getText())));
}
