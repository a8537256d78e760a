import { Node, SyntaxKind, type SourceFile, type Statement } from "ts-morph";

/** A place where a grammY `Bot` is constructed (or subclassed). */
export interface BotSite {
  /** 1-based line of the construction. */
  line: number;
  column: number;
  /** `variable`: `const bot = new Bot(…)`, the engine can wire after it. Otherwise why it cannot. */
  kind: "variable" | "unwireable";
  /** The variable holding the bot (for `variable` sites). */
  variable?: string;
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
    const base = cls.getExtends()?.getExpression();
    if (base && isBotClassRef(base, names, namespaces)) {
      sites.push({ ...at(cls), kind: "unwireable", reason: `class ${cls.getName() ?? "(anonymous)"} extends Bot`, contextType: cls.getExtends()?.getTypeArguments()[0]?.getText() });
    }
  }
  return sites.sort((a, b) => a.line - b.line);
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
