import { Node, SyntaxKind, type Block, type ClassDeclaration, type ExpressionWithTypeArguments, type SourceFile, type Statement } from "./syntax/tree.js";

/** A place where a grammY `Bot` is constructed (or subclassed). */
export interface BotSite {
  /** 1-based line of the construction. */
  line: number;
  column: number;
  /**
   * `variable`: `const bot = new Bot(…)`, the engine wires after it.
   * `class`: `class MyBot extends Bot<C>`, the engine wires `this.use(…)` into
   * the method that registers middleware. Otherwise why it cannot.
   */
  kind: "variable" | "class" | "unwireable";
  /** The variable holding the bot (for `variable` sites); `this` for `class` sites. */
  variable?: string;
  /** The subclass's name (for `class` sites). */
  className?: string;
  /** The type argument of `new Bot<MyContext>(…)`, if any. */
  contextType?: string;
  /** Why the site cannot be wired automatically. */
  reason?: string;
  /** Whether the construction sits in a function (a factory) rather than at module level. */
  inFunction: boolean;
}

/** The local names under which grammY's `Bot` class is imported: `Bot`, `Bot as X`, `ns.Bot`. */
export function grammyBotNames(sf: SourceFile): { names: Set<string>; namespaces: Set<string> } {
  const names = new Set<string>();
  const namespaces = new Set<string>();
  for (const decl of sf.getImportDeclarations()) {
    if (!/^grammy(\/web)?$/.test(decl.getModuleSpecifierValue())) continue;
    for (const named of decl.getNamedImports()) {
      if (named.getName() === "Bot") names.add(named.getAliasNode()?.getText() ?? "Bot");
    }
    const ns = decl.getNamespaceImport();
    if (ns) namespaces.add(ns.getText());
  }
  return { names, namespaces };
}

function isBotClassRef(node: Node, names: Set<string>, namespaces: Set<string>): boolean {
  if (Node.isIdentifier(node)) return names.has(node.getText());
  if (Node.isPropertyAccessExpression(node)) return node.getName() === "Bot" && namespaces.has(node.getExpression().getText());
  return false;
}

/** Every construction or subclass of grammY's `Bot` in a file. */
export function findBotSites(sf: SourceFile): BotSite[] {
  const { names, namespaces } = grammyBotNames(sf);
  if (names.size === 0 && namespaces.size === 0) return [];
  const sites: BotSite[] = [];
  const at = (node: Node) => {
    const { line, column } = sf.getLineAndColumnAtPos(node.getStart());
    return { line, column, inFunction: node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a)) !== undefined };
  };
  for (const expr of sf.getDescendantsOfKind(SyntaxKind.NewExpression)) {
    if (!isBotClassRef(expr.getExpression(), names, namespaces)) continue;
    const contextType = expr.getTypeArguments()[0]?.getText();
    const parent = expr.getParent();
    if (Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode()) && parent.getInitializer() === expr) {
      const statement = parent.getVariableStatement();
      const container = statement?.getParent();
      if (statement && (Node.isSourceFile(container) || Node.isBlock(container))) {
        sites.push({ ...at(expr), kind: "variable", variable: parent.getName(), contextType });
        continue;
      }
    }
    const why = Node.isReturnStatement(parent)
      ? "the bot is returned straight from a function"
      : Node.isBinaryExpression(parent)
        ? "the bot is assigned to a property"
        : "the bot is not stored in a variable";
    sites.push({ ...at(expr), kind: "unwireable", reason: why, contextType });
  }
  for (const cls of sf.getDescendantsOfKind(SyntaxKind.ClassDeclaration)) {
    const heritage = cls.getExtends();
    const base = heritage?.getExpression();
    if (!heritage || !base || !isBotClassRef(base, names, namespaces)) continue;
    const name = cls.getName();
    const contextType = heritage.getTypeArguments()[0]?.getText();
    if (name && registrationMethod(cls)) sites.push({ ...at(cls), kind: "class", variable: "this", className: name, contextType });
    else sites.push({ ...at(cls), kind: "unwireable", reason: name ? `class ${name} extends Bot but has no constructor or method that registers middleware` : "an anonymous class extends Bot", contextType });
  }
  return sites.sort((a, b) => a.line - b.line);
}

// === Subclasses of Bot ===

/** Methods of `Composer` a subclass calls on `this` to register middleware. */
const registering = new Set(["use", "on", "command", "hears", "callbackQuery", "inlineQuery", "filter", "drop", "chatType", "errorBoundary", "lazy", "route", "branch", "fork", "reaction", "gameQuery", "chosenInlineResult", "preCheckoutQuery", "shippingQuery", "catch"]);

function registrations(body: Node): number {
  return body.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && callee.getExpression().getKind() === SyntaxKind.ThisKeyword && registering.has(callee.getName());
  }).length;
}

/**
 * The body a subclass registers its middleware in: the constructor when it
 * does, else the first method that does (`init()`, `prepare()`, `setup()`),
 * else the constructor. Undefined when there is none to edit.
 */
export function registrationMethod(cls: ClassDeclaration): { body: Block; isConstructor: boolean; name: string } | undefined {
  const ctor = cls.getConstructors().find((c) => c.getBody());
  const ctorBody = ctor?.getBody();
  if (ctorBody && Node.isBlock(ctorBody) && registrations(ctorBody) > 0) return { body: ctorBody, isConstructor: true, name: "constructor" };
  for (const method of cls.getMethods()) {
    const body = method.getBody();
    if (!method.isStatic() && body && Node.isBlock(body) && registrations(body) > 0) return { body, isConstructor: false, name: method.getName() };
  }
  if (ctorBody && Node.isBlock(ctorBody)) return { body: ctorBody, isConstructor: true, name: "constructor" };
  return undefined;
}

/** The `extends Bot<…>` clause of a subclass declared in the file. */
export function botHeritage(sf: SourceFile, className: string): ExpressionWithTypeArguments | undefined {
  return sf.getClass(className)?.getExtends();
}

/**
 * Where recipe statements go: the statements of the block that holds the
 * bot, and the one they follow (`const bot = new Bot(…)`, or `super(…)` in a
 * subclass's constructor; none at the top of a subclass's `init()`).
 */
export function findInstallBlock(sf: SourceFile, bot: string, className?: string): { anchor?: Statement; siblings: Statement[]; block: Block | SourceFile } | undefined {
  if (bot !== "this" || !className) {
    const found = findBotStatement(sf, bot);
    return found && { anchor: found.statement, siblings: found.siblings, block: found.statement.getParentOrThrow() as Block | SourceFile };
  }
  const cls = sf.getClass(className);
  const method = cls && registrationMethod(cls);
  if (!method) return undefined;
  const siblings = method.body.getStatements();
  const anchor = method.isConstructor
    ? siblings.find((s) => {
        const call = Node.isExpressionStatement(s) ? s.getExpression() : undefined;
        return call !== undefined && Node.isCallExpression(call) && call.getExpression().getKind() === SyntaxKind.SuperKeyword;
      })
    : undefined;
  return { anchor, siblings, block: method.body };
}

/** The statement `const <variable> = new Bot(…)` and the block it stands in. */
export function findBotStatement(sf: SourceFile, variable: string): { statement: Statement; siblings: Statement[] } | undefined {
  const { names, namespaces } = grammyBotNames(sf);
  for (const decl of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    if (decl.getName() !== variable) continue;
    const init = decl.getInitializer();
    if (!init || !Node.isNewExpression(init) || !isBotClassRef(init.getExpression(), names, namespaces)) continue;
    const statement = decl.getVariableStatement();
    const container = statement?.getParent();
    if (!statement || !(Node.isSourceFile(container) || Node.isBlock(container))) continue;
    return { statement, siblings: container.getStatements() };
  }
  return undefined;
}
