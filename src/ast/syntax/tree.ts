// === A light syntax tree in TypeScript's shape ===
//
// The engine locates its edits on this tree. It has TypeScript's node kinds,
// field names and positions (a node starts at its first token, after comments
// and whitespace; it ends where TypeScript's node ends), and the subset of
// ts-morph's navigation the engine uses (`getExpression()`,
// `getDescendantsOfKind(…)`, `Node.isCallExpression(…)`), so an edit located
// here is byte-for-byte the edit located with ts-morph.
//
// It is built by a JavaScript parser (./from-babel.ts) in a few milliseconds,
// or, for the files that parser refuses, from TypeScript's own tree
// (./from-typescript.ts), which is also the oracle the tests compare it with.

/** Flags a node carries instead of keyword children. */
export interface NodeFlags {
  /** Modifiers written on a declaration: `export`, `default`, `async`, `static`, `declare`, `abstract`, `readonly`, `public`, … */
  modifiers?: ReadonlySet<string>;
  /** `import type`, `export type`, `{ type X }`. */
  typeOnly?: boolean;
  /** `const`, `let`, `var`, `using`, `await using` for a VariableDeclarationList. */
  declarationKind?: string;
  /** The operator of a binary or unary expression (`=`, `&&`, `!`, `++`). */
  operator?: string;
  /** `extends` or `implements` for a HeritageClause. */
  token?: string;
}

export type FieldValue = SyntaxNode | SyntaxNode[] | undefined;

export class SyntaxNode {
  parent: SyntaxNode | undefined;
  private childList: SyntaxNode[] | undefined;

  constructor(
    readonly kind: string,
    readonly start: number,
    readonly end: number,
    readonly fields: Readonly<Record<string, FieldValue>>,
    readonly flags: NodeFlags = {},
    /** The value of a string or template literal (escapes resolved). */
    readonly value?: string,
  ) {}

  /** Sets `parent` on every node below (called once by the converters). */
  link(): this {
    for (const child of this.children()) {
      child.parent = this;
      child.link();
    }
    return this;
  }

  /** Child nodes in source order. */
  children(): SyntaxNode[] {
    if (!this.childList) {
      const out: SyntaxNode[] = [];
      for (const value of Object.values(this.fields)) {
        if (value instanceof SyntaxNode) out.push(value);
        else if (Array.isArray(value)) out.push(...value);
      }
      this.childList = out.sort((a, b) => a.start - b.start || b.end - a.end);
    }
    return this.childList;
  }

  /** The node in field `name` (`name`, `expression`, `importClause`…), if it holds one node. */
  field(name: string): SyntaxNode | undefined {
    const value = this.fields[name];
    return value instanceof SyntaxNode ? value : undefined;
  }

  /** The nodes in field `name` (`statements`, `elements`…), if it holds a list. */
  list(name: string): SyntaxNode[] {
    const value = this.fields[name];
    return Array.isArray(value) ? value : [];
  }

  // --- position and text ---

  getSourceFile(): SourceFile {
    let node: SyntaxNode = this;
    while (node.parent) node = node.parent;
    return node as SourceFile;
  }

  getKind(): string {
    return this.kind;
  }

  /** The first token's offset; with `includeJsDoc`, the first `/** … *\/` comment right before the node, as TypeScript counts it. */
  getStart(includeJsDoc = false): number {
    if (!includeJsDoc) return this.start;
    return this.getSourceFile().jsDocStart(this.start) ?? this.start;
  }

  getEnd(): number {
    return this.end;
  }

  /** Where the node's leading whitespace and comments begin: the end of the token before it. */
  getFullStart(): number {
    return this.getSourceFile().fullStart(this.start);
  }

  getWidth(): number {
    return this.end - this.start;
  }

  getText(): string {
    return this.getSourceFile().text.slice(this.start, this.end);
  }

  getStartLineNumber(): number {
    return this.getSourceFile().getLineAndColumnAtPos(this.start).line;
  }

  // --- navigation ---

  getParent(): SyntaxNode | undefined {
    return this.parent;
  }

  getParentOrThrow(): SyntaxNode {
    if (!this.parent) throw new Error(`${this.kind} has no parent`);
    return this.parent;
  }

  getFirstAncestor(test: (node: SyntaxNode) => boolean): SyntaxNode | undefined {
    for (let node = this.parent; node; node = node.parent) if (test(node)) return node;
    return undefined;
  }

  getFirstAncestorByKind(kind: string): SyntaxNode | undefined {
    return this.getFirstAncestor((n) => n.kind === kind);
  }

  forEachChild<T>(visit: (node: SyntaxNode) => T | undefined): T | undefined {
    for (const child of this.children()) {
      const result = visit(child);
      if (result) return result;
    }
    return undefined;
  }

  /** Every node below, in source order (pre-order). */
  getDescendants(): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    const walk = (node: SyntaxNode) => {
      for (const child of node.children()) {
        out.push(child);
        walk(child);
      }
    };
    walk(this);
    return out;
  }

  getDescendantsOfKind(kind: string): SyntaxNode[] {
    return this.getDescendants().filter((n) => n.kind === kind);
  }

  getFirstDescendant(test: (node: SyntaxNode) => boolean): SyntaxNode | undefined {
    return this.getDescendants().find(test);
  }

  // --- fields, under ts-morph's names ---

  /** `x` of `x.y`, `x(…)`, `new x(…)`, `await x`, `(x)`, `x as T`, `return x`, `x;`, `extends x<T>`, `...x`. */
  getExpression(): SyntaxNode {
    return this.field("expression")!;
  }

  getArguments(): SyntaxNode[] {
    return this.list("arguments");
  }

  getTypeArguments(): SyntaxNode[] {
    return this.list("typeArguments");
  }

  getParameters(): SyntaxNode[] {
    return this.list("parameters");
  }

  getElements(): SyntaxNode[] {
    return this.list("elements");
  }

  getProperties(): SyntaxNode[] {
    return this.list("properties");
  }

  getStatements(): SyntaxNode[] {
    return this.list("statements");
  }

  getBody(): SyntaxNode | undefined {
    return this.field("body");
  }

  getInitializer(): SyntaxNode | undefined {
    return this.field("initializer");
  }

  getInitializerOrThrow(): SyntaxNode {
    const init = this.getInitializer();
    if (!init) throw new Error(`${this.kind} has no initializer`);
    return init;
  }

  /** The type annotation of a declaration or parameter (`x: T`), the type of an alias, or of an `as` expression. */
  getTypeNode(): SyntaxNode | undefined {
    return this.field("type");
  }

  getReturnTypeNode(): SyntaxNode | undefined {
    return this.field("type");
  }

  getTypeName(): SyntaxNode {
    return this.field("typeName")!;
  }

  getPropertyNameNode(): SyntaxNode | undefined {
    return this.field("propertyName");
  }

  /** The name as declared; for an import specifier, the name imported (`a` of `a as b`). */
  getNameNode(): SyntaxNode {
    if (this.kind === "ImportSpecifier" || this.kind === "ExportSpecifier") return this.field("propertyName") ?? this.field("name")!;
    return this.field("name")!;
  }

  /** `b` of `import { a as b }`. */
  getAliasNode(): SyntaxNode | undefined {
    if (this.kind === "ImportSpecifier" || this.kind === "ExportSpecifier") return this.field("propertyName") ? this.field("name") : undefined;
    return undefined;
  }

  getName(): string {
    if (this.kind === "Identifier" || this.kind === "PrivateIdentifier") return this.getText();
    const name = this.getNameNode();
    if (!name) return undefined as unknown as string;
    return name.kind === "StringLiteral" || name.kind === "NoSubstitutionTemplateLiteral" ? name.value! : name.getText();
  }

  getLiteralValue(): string {
    return this.value ?? "";
  }

  getLiteralText(): string {
    return this.value ?? "";
  }

  // --- modifiers ---

  hasModifier(modifier: string): boolean {
    return this.flags.modifiers?.has(modifier) ?? false;
  }

  isAsync(): boolean {
    return this.hasModifier("async");
  }

  isStatic(): boolean {
    return this.hasModifier("static");
  }

  /** `import type …`, `{ type X }`. */
  isTypeOnly(): boolean {
    if (this.kind === "ImportDeclaration") return this.field("importClause")?.flags.typeOnly ?? false;
    return this.flags.typeOnly ?? false;
  }

  /** An `export` keyword, or a name the file exports with `export { name }` or `export default name`. */
  isExported(): boolean {
    if (this.hasModifier("export")) return true;
    const name = this.kind === "VariableStatement" ? undefined : this.fields.name instanceof SyntaxNode ? this.fields.name.getText() : undefined;
    const names = this.kind === "VariableStatement" ? this.getDeclarations().map((d) => d.getName()) : name ? [name] : [];
    if (names.length === 0 || (this.parent && this.parent.kind !== "SourceFile")) return false;
    const exported = this.getSourceFile().exportedLocals();
    return names.some((n) => exported.has(n));
  }

  // --- variables ---

  getDeclarations(): SyntaxNode[] {
    if (this.kind === "VariableStatement") return this.field("declarationList")?.list("declarations") ?? [];
    return this.list("declarations");
  }

  /** `const`, `let` or `var` of a VariableStatement or VariableDeclarationList. */
  getDeclarationKind(): string {
    const list = this.kind === "VariableStatement" ? this.field("declarationList") : this;
    return list?.flags.declarationKind ?? "var";
  }

  /** The VariableStatement of a VariableDeclaration (none in `for (const x of …)`). */
  getVariableStatement(): SyntaxNode | undefined {
    const list = this.parent;
    const statement = list?.parent;
    return list?.kind === "VariableDeclarationList" && statement?.kind === "VariableStatement" ? statement : undefined;
  }

  // --- imports ---

  getModuleSpecifier(): SyntaxNode | undefined {
    return this.field("moduleSpecifier");
  }

  getModuleSpecifierValue(): string {
    return this.field("moduleSpecifier")?.value ?? "";
  }

  getImportClause(): SyntaxNode | undefined {
    return this.field("importClause");
  }

  getNamedImports(): SyntaxNode[] {
    const bindings = this.field("importClause")?.field("namedBindings");
    return bindings?.kind === "NamedImports" ? bindings.list("elements") : [];
  }

  getDefaultImport(): SyntaxNode | undefined {
    return this.field("importClause")?.field("name");
  }

  /** The local name of `import * as name`. */
  getNamespaceImport(): SyntaxNode | undefined {
    const bindings = this.field("importClause")?.field("namedBindings");
    return bindings?.kind === "NamespaceImport" ? bindings.field("name") : undefined;
  }

  // --- classes, interfaces, members ---

  /** `extends X<T>` of a class: the ExpressionWithTypeArguments. */
  getExtends(): SyntaxNode | undefined {
    return this.heritage("extends")[0];
  }

  /** The types of an interface's `extends` clause. */
  getInterfaceExtends(): SyntaxNode[] {
    return this.heritage("extends");
  }

  private heritage(token: string): SyntaxNode[] {
    return this.list("heritageClauses")
      .filter((h) => h.flags.token === token)
      .flatMap((h) => h.list("types"));
  }

  getMembers(): SyntaxNode[] {
    return this.list("members");
  }

  getConstructors(): SyntaxNode[] {
    return this.getMembers().filter((m) => m.kind === "Constructor");
  }

  getMethods(): SyntaxNode[] {
    return this.getMembers().filter((m) => m.kind === "MethodDeclaration");
  }

  getMethod(name: string): SyntaxNode | undefined {
    return this.getMethods().find((m) => m.getName() === name);
  }

  /** A property of an object literal by name (assignment, shorthand or method). */
  getProperty(name: string): SyntaxNode | undefined {
    return this.getProperties().find((p) => p.fields.name instanceof SyntaxNode && p.getName() === name);
  }
}

/** The root: the text, line lookups and the file-level queries of ts-morph's SourceFile. */
export class SourceFile extends SyntaxNode {
  private lineStarts: number[] | undefined;
  private exported: Set<string> | undefined;

  constructor(
    readonly text: string,
    statements: SyntaxNode[],
    /** Every comment, in order: `[start, end)`. */
    readonly comments: ReadonlyArray<{ start: number; end: number }>,
  ) {
    super("SourceFile", 0, text.length, { statements });
  }

  getFullText(): string {
    return this.text;
  }

  override getText(): string {
    return this.text;
  }

  /** 1-based line and column, counting `\n` as ts-morph does. */
  getLineAndColumnAtPos(pos: number): { line: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf("\n"); i !== -1; i = this.text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - this.lineStarts[lo]! + 1 };
  }

  /** The start of the first JSDoc comment among the comments right before `start` (only whitespace between them). */
  jsDocStart(start: number): number | undefined {
    let first: number | undefined;
    let at = start;
    for (let i = this.comments.length - 1; i >= 0; i--) {
      const c = this.comments[i]!;
      if (c.end > at) continue;
      if (!/^\s*$/.test(this.text.slice(c.end, at))) break;
      if (this.text.startsWith("/**", c.start) && !this.text.startsWith("/**/", c.start)) first = c.start;
      at = c.start;
    }
    return first;
  }

  /** `start` moved back over the whitespace and comments before it. */
  fullStart(start: number): number {
    let at = start;
    let i = this.comments.length - 1;
    for (;;) {
      while (at > 0 && /\s/.test(this.text[at - 1]!)) at--;
      while (i >= 0 && this.comments[i]!.end > at) i--;
      if (i >= 0 && this.comments[i]!.end === at) at = this.comments[i--]!.start;
      else return at;
    }
  }

  /** Local names exported by `export { a, b as c }` (without `from`) and `export default a`. */
  exportedLocals(): Set<string> {
    if (!this.exported) {
      this.exported = new Set();
      for (const s of this.getStatements()) {
        if (s.kind === "ExportDeclaration" && !s.fields.moduleSpecifier) {
          const clause = s.fields.exportClause;
          if (clause instanceof SyntaxNode && clause.kind === "NamedExports") for (const e of clause.getElements()) this.exported.add(e.getNameNode().getText());
        } else if (s.kind === "ExportAssignment" && s.getExpression()?.kind === "Identifier") {
          this.exported.add(s.getExpression().getText());
        }
      }
    }
    return this.exported;
  }

  getImportDeclarations(): SyntaxNode[] {
    return this.getStatements().filter((s) => s.kind === "ImportDeclaration");
  }

  getClasses(): SyntaxNode[] {
    return this.getStatements().filter((s) => s.kind === "ClassDeclaration");
  }

  getClass(name: string): SyntaxNode | undefined {
    return this.getClasses().find((c) => c.getName() === name);
  }

  getFunctions(): SyntaxNode[] {
    return this.getStatements().filter((s) => s.kind === "FunctionDeclaration");
  }

  getFunction(name: string): SyntaxNode | undefined {
    return this.getFunctions().find((f) => f.getName() === name && f.getBody() !== undefined) ?? this.getFunctions().find((f) => f.getName() === name);
  }

  getVariableStatements(): SyntaxNode[] {
    return this.getStatements().filter((s) => s.kind === "VariableStatement");
  }

  getVariableDeclarations(): SyntaxNode[] {
    return this.getVariableStatements().flatMap((s) => s.getDeclarations());
  }

  getVariableDeclaration(name: string): SyntaxNode | undefined {
    return this.getVariableDeclarations().find((d) => d.getName() === name);
  }

  getTypeAlias(name: string): SyntaxNode | undefined {
    return this.getStatements().find((s) => s.kind === "TypeAliasDeclaration" && s.getName() === name);
  }

  getInterface(name: string): SyntaxNode | undefined {
    return this.getStatements().find((s) => s.kind === "InterfaceDeclaration" && s.getName() === name);
  }
}

// --- kinds and predicates, under ts-morph's names ---

export const modelledKinds = [
  "SourceFile", "Identifier", "PrivateIdentifier", "ThisKeyword", "SuperKeyword", "NullKeyword", "TrueKeyword", "FalseKeyword",
  "StringLiteral", "NumericLiteral", "BigIntLiteral", "RegularExpressionLiteral", "NoSubstitutionTemplateLiteral", "TemplateExpression",
  "PropertyAccessExpression", "ElementAccessExpression", "CallExpression", "NewExpression", "TaggedTemplateExpression",
  "ParenthesizedExpression", "ArrowFunction", "FunctionExpression", "AwaitExpression", "VoidExpression", "TypeOfExpression", "DeleteExpression",
  "PrefixUnaryExpression", "PostfixUnaryExpression", "BinaryExpression", "ConditionalExpression", "SpreadElement",
  "ArrayLiteralExpression", "ObjectLiteralExpression", "PropertyAssignment", "ShorthandPropertyAssignment", "SpreadAssignment",
  "AsExpression", "SatisfiesExpression", "TypeAssertionExpression", "NonNullExpression", "ClassExpression",
  "Block", "VariableStatement", "VariableDeclarationList", "VariableDeclaration", "ExpressionStatement", "IfStatement", "ReturnStatement",
  "ThrowStatement", "TryStatement", "CatchClause", "ForStatement", "ForOfStatement", "ForInStatement", "WhileStatement", "DoStatement",
  "SwitchStatement", "CaseBlock", "CaseClause", "DefaultClause", "LabeledStatement", "BreakStatement", "ContinueStatement", "EmptyStatement", "DebuggerStatement", "WithStatement",
  "FunctionDeclaration", "ClassDeclaration", "InterfaceDeclaration", "TypeAliasDeclaration", "EnumDeclaration", "ModuleDeclaration", "ModuleBlock",
  "ImportDeclaration", "ImportClause", "NamedImports", "NamespaceImport", "ImportSpecifier", "ImportEqualsDeclaration", "ExternalModuleReference",
  "ExportDeclaration", "NamedExports", "NamespaceExport", "ExportSpecifier", "ExportAssignment",
  "HeritageClause", "ExpressionWithTypeArguments", "Constructor", "MethodDeclaration", "PropertyDeclaration", "GetAccessor", "SetAccessor",
  "Parameter", "Decorator", "ObjectBindingPattern", "ArrayBindingPattern", "BindingElement", "ComputedPropertyName",
  "TypeReference", "QualifiedName", "UnionType", "IntersectionType", "FunctionType", "ConditionalType", "TypeLiteral",
  "PropertySignature", "MethodSignature", "CallSignature", "ConstructSignature", "IndexSignature", "LiteralType", "ClassStaticBlockDeclaration",
] as const;

export type SyntaxKindName = (typeof modelledKinds)[number];
export const SyntaxKind = Object.fromEntries(modelledKinds.map((k) => [k, k])) as { readonly [K in SyntaxKindName]: K };

const statementKinds = new Set([
  "Block", "BreakStatement", "ClassDeclaration", "ContinueStatement", "DebuggerStatement", "DoStatement", "EmptyStatement", "EnumDeclaration",
  "ExportAssignment", "ExportDeclaration", "ExpressionStatement", "ForInStatement", "ForOfStatement", "ForStatement", "FunctionDeclaration",
  "IfStatement", "ImportDeclaration", "ImportEqualsDeclaration", "InterfaceDeclaration", "LabeledStatement", "ModuleBlock", "ModuleDeclaration",
  "ReturnStatement", "SwitchStatement", "ThrowStatement", "TryStatement", "TypeAliasDeclaration", "VariableStatement", "WhileStatement", "WithStatement",
]);
const functionLikeKinds = new Set(["ArrowFunction", "Constructor", "FunctionDeclaration", "FunctionExpression", "GetAccessor", "MethodDeclaration", "SetAccessor"]);

declare const kindBrand: unique symbol;
/** A node known to be of kind `K` (the brand only steers TypeScript's narrowing: a failed test leaves a SyntaxNode, not `never`). */
export type NodeOf<K extends string> = SyntaxNode & { readonly [kindBrand]: K };

const is =
  <K extends string>(kind: K) =>
  (node: SyntaxNode | undefined): node is NodeOf<K> =>
    node?.kind === kind;

/** ts-morph's `Node.isX` predicates for the kinds the engine looks at. */
export const Node = {
  isIdentifier: is("Identifier"),
  isStringLiteral: is("StringLiteral"),
  isNoSubstitutionTemplateLiteral: is("NoSubstitutionTemplateLiteral"),
  isPropertyAccessExpression: is("PropertyAccessExpression"),
  isCallExpression: is("CallExpression"),
  isNewExpression: is("NewExpression"),
  isParenthesizedExpression: is("ParenthesizedExpression"),
  isArrowFunction: is("ArrowFunction"),
  isFunctionExpression: is("FunctionExpression"),
  isAwaitExpression: is("AwaitExpression"),
  isVoidExpression: is("VoidExpression"),
  isBinaryExpression: is("BinaryExpression"),
  isSpreadElement: is("SpreadElement"),
  isArrayLiteralExpression: is("ArrayLiteralExpression"),
  isObjectLiteralExpression: is("ObjectLiteralExpression"),
  isPropertyAssignment: is("PropertyAssignment"),
  isShorthandPropertyAssignment: is("ShorthandPropertyAssignment"),
  isAsExpression: is("AsExpression"),
  isSatisfiesExpression: is("SatisfiesExpression"),
  isTypeAssertion: is("TypeAssertionExpression"),
  isBlock: is("Block"),
  isSourceFile: is("SourceFile"),
  isVariableDeclaration: is("VariableDeclaration"),
  isExpressionStatement: is("ExpressionStatement"),
  isReturnStatement: is("ReturnStatement"),
  isFunctionDeclaration: is("FunctionDeclaration"),
  isConstructorDeclaration: is("Constructor"),
  isMethodDeclaration: is("MethodDeclaration"),
  isObjectBindingPattern: is("ObjectBindingPattern"),
  isTypeReference: is("TypeReference"),
  isUnionTypeNode: is("UnionType"),
  isFunctionTypeNode: is("FunctionType"),
  isConditionalTypeNode: is("ConditionalType"),
  isStatement: (node: SyntaxNode | undefined): node is NodeOf<"Statement"> => node !== undefined && statementKinds.has(node.kind),
  isFunctionLikeDeclaration: (node: SyntaxNode | undefined): node is NodeOf<"FunctionLike"> => node !== undefined && functionLikeKinds.has(node.kind),
};

// ts-morph's type names, for the signatures of the engine's functions.
export type Statement = SyntaxNode;
export type Expression = SyntaxNode;
export type Block = SyntaxNode;
export type ClassDeclaration = SyntaxNode;
export type ExpressionWithTypeArguments = SyntaxNode;
export type ImportDeclaration = SyntaxNode;
export type CallExpression = SyntaxNode;
export type ObjectLiteralExpression = SyntaxNode;
export type Node = SyntaxNode;
