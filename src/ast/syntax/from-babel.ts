import { loadBabelParser } from "./babel-loader.js";
import { SourceFile, SyntaxNode, type FieldValue, type NodeFlags } from "./tree.js";

// The light tree from @babel/parser: Babel's ESTree-like nodes are turned into
// TypeScript's kinds, fields and positions (`const x = 1;` is a
// VariableStatement holding a VariableDeclarationList; `export` is a modifier
// of the declaration, which then starts at `export`; `x: T` in a parameter is a
// name and a type, not one identifier). Babel loads and parses a file in a few
// milliseconds where TypeScript's bundle takes half a second to load.
//
// Anything Babel reports, even an error it recovered from, sends the file to
// TypeScript's parser instead (./from-typescript.ts): that decides what is a
// syntax error, as before. test/ast/syntax-tree.test.ts checks that both trees
// are the same on real files.

/** A Babel node, read loosely: its type, range, and named children. */
interface BabelNode {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface BabelFile {
  program: BabelNode & { body: BabelNode[]; directives: BabelNode[] };
  comments?: Array<{ start: number; end: number }>;
  errors?: unknown[];
}

type BabelParse = (text: string, options: object) => BabelFile;
let babelParse: BabelParse | undefined;

function parser(): BabelParse {
  babelParse ??= loadBabelParser() as BabelParse;
  return babelParse;
}

/** The light tree of `text`, or undefined when Babel reports anything (TypeScript decides then). */
export function parseWithBabel(path: string, text: string): SourceFile | undefined {
  const jsx = /\.[cm]?[jt]sx$/.test(path);
  let file: BabelFile;
  try {
    file = parser()(text, {
      sourceType: "module",
      errorRecovery: true,
      createParenthesizedExpressions: true,
      attachComment: false,
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      allowSuperOutsideMethod: true,
      allowUndeclaredExports: true,
      plugins: [["typescript", { dts: /\.d\.[cm]?ts$/.test(path) }], "decorators-legacy", "explicitResourceManagement", ["importAttributes", { deprecatedAssertSyntax: true }], ...(jsx ? ["jsx"] : [])],
    });
  } catch {
    return undefined;
  }
  if (file.errors && file.errors.length > 0) return undefined;
  try {
    const convert = new Converter(text);
    const statements = convert.statements(file.program.body, file.program.directives);
    return new SourceFile(text, statements, (file.comments ?? []).map((c) => ({ start: c.start, end: c.end }))).link();
  } catch {
    // A shape this converter does not know: TypeScript's parser takes the file.
    return undefined;
  }
}

const isNode = (value: unknown): value is BabelNode => typeof value === "object" && value !== null && typeof (value as BabelNode).type === "string" && typeof (value as BabelNode).start === "number";

/** Babel's names (without `TS`) for kinds TypeScript names otherwise. */
const renamed: Record<string, string> = { JSXIdentifier: "Identifier", CallSignatureDeclaration: "CallSignature", ConstructSignatureDeclaration: "ConstructSignature" };

/** Babel's nodes without children, under TypeScript's kind. */
const leaves: Record<string, string> = {
  PrivateName: "PrivateIdentifier",
  ThisExpression: "ThisKeyword",
  Super: "SuperKeyword",
  Import: "ImportKeyword",
  NullLiteral: "NullKeyword",
  NumericLiteral: "NumericLiteral",
  BigIntLiteral: "BigIntLiteral",
  RegExpLiteral: "RegularExpressionLiteral",
};

/** The Babel types `statement()` converts (a statement nested where an expression is read). */
const statementTypes = new Set([
  "VariableDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration", "ExportDefaultDeclaration", "ClassDeclaration", "TSInterfaceDeclaration",
  "TSTypeAliasDeclaration", "TSEnumDeclaration", "TSModuleDeclaration", "TSImportEqualsDeclaration", "TSExportAssignment", "ImportDeclaration",
  "BlockStatement", "ExpressionStatement", "IfStatement", "ReturnStatement", "ThrowStatement", "TryStatement", "ForStatement", "ForOfStatement",
  "ForInStatement", "WhileStatement", "DoWhileStatement", "SwitchStatement", "LabeledStatement", "BreakStatement", "ContinueStatement",
  "EmptyStatement", "DebuggerStatement", "WithStatement",
]);

class Converter {
  constructor(private readonly text: string) {}

  // --- helpers ---

  private node(kind: string, start: number, end: number, fields: Record<string, FieldValue> = {}, flags: NodeFlags = {}, value?: string): SyntaxNode {
    return new SyntaxNode(kind, start, end, fields, flags, value);
  }

  private child(b: BabelNode, key: string): BabelNode | undefined {
    const value = b[key];
    return isNode(value) ? value : undefined;
  }

  private children(b: BabelNode, key: string): BabelNode[] {
    const value = b[key];
    return Array.isArray(value) ? value.filter(isNode) : [];
  }

  private opt(b: BabelNode | undefined): SyntaxNode | undefined {
    return b ? this.any(b) : undefined;
  }

  /** Skips whitespace and comments from `pos`. */
  private skipTrivia(pos: number): number {
    const t = this.text;
    for (;;) {
      while (pos < t.length && /\s/.test(t[pos]!)) pos++;
      if (t.startsWith("//", pos)) {
        const nl = t.indexOf("\n", pos);
        pos = nl === -1 ? t.length : nl;
      } else if (t.startsWith("/*", pos)) {
        const close = t.indexOf("*/", pos + 2);
        pos = close === -1 ? t.length : close + 2;
      } else return pos;
    }
  }

  /** The offset of the next `ch` at or after `pos`, outside comments. */
  private find(ch: string, pos: number): number {
    for (;;) {
      pos = this.skipTrivia(pos);
      if (pos >= this.text.length) throw new Error(`expected ${ch}`);
      if (this.text[pos] === ch) return pos;
      pos++;
    }
  }

  /** The offset after the last non-whitespace character before `pos`. */
  private trimBack(pos: number): number {
    while (pos > 0 && /\s/.test(this.text[pos - 1]!)) pos--;
    return pos;
  }

  private modifiers(b: BabelNode, extra: string[] = []): NodeFlags {
    const mods = [...extra];
    if (typeof b.accessibility === "string") mods.push(b.accessibility);
    for (const key of ["declare", "abstract", "static", "readonly", "override", "async"]) if (b[key] === true) mods.push(key);
    return mods.length > 0 ? { modifiers: new Set(mods) } : {};
  }

  private decorators(b: BabelNode): SyntaxNode[] | undefined {
    const list = this.children(b, "decorators");
    return list.length > 0 ? list.map((d) => this.node("Decorator", d.start, d.end, { expression: this.any(this.child(d, "expression")!) })) : undefined;
  }

  private startWithDecorators(b: BabelNode): number {
    const first = this.children(b, "decorators")[0];
    return first ? Math.min(first.start, b.start) : b.start;
  }

  /** `: T` annotations hold the type one level down. */
  private type(annotation: unknown): SyntaxNode | undefined {
    if (!isNode(annotation)) return undefined;
    const inner = annotation.type === "TSTypeAnnotation" ? this.child(annotation, "typeAnnotation") : annotation;
    return inner ? this.any(inner) : undefined;
  }

  private typeArguments(b: BabelNode): SyntaxNode[] | undefined {
    const inst = this.child(b, "typeParameters") ?? this.child(b, "typeArguments");
    return inst ? this.children(inst, "params").map((p) => this.any(p)) : undefined;
  }

  private typeParameters(b: BabelNode): SyntaxNode[] | undefined {
    const decl = this.child(b, "typeParameters");
    return decl && decl.type === "TSTypeParameterDeclaration" ? this.children(decl, "params").map((p) => this.any(p)) : undefined;
  }

  /** An identifier ends at its name, even when Babel's node runs on over `?: T`. */
  private identifier(b: BabelNode): SyntaxNode {
    const name = String(b.name);
    const end = b.typeAnnotation || b.optional ? b.start + name.length : b.end;
    return this.node("Identifier", b.start, end);
  }

  /** A property name: identifier, string, number, private name, or `[computed]`. */
  private propertyName(key: BabelNode, computed: unknown): SyntaxNode {
    if (computed === true) {
      const open = this.text.lastIndexOf("[", key.start);
      const close = this.find("]", key.end);
      return this.node("ComputedPropertyName", open, close + 1, { expression: this.any(key) });
    }
    return this.any(key);
  }

  // --- statements ---

  statements(body: BabelNode[], directives: BabelNode[] = []): SyntaxNode[] {
    const out = directives.map((d) => {
      const literal = this.child(d, "value")!;
      return this.node("ExpressionStatement", d.start, d.end, { expression: this.node("StringLiteral", literal.start, literal.end, {}, {}, String(literal.value)) });
    });
    for (const s of body) out.push(this.statement(s));
    return out;
  }

  /** A node in statement position: `var` declarations are VariableStatements, exports are modifiers. */
  private statement(b: BabelNode, exported: string[] = [], start = b.start): SyntaxNode {
    switch (b.type) {
      case "VariableDeclaration": {
        const list = this.declarationList(b);
        return this.node("VariableStatement", start, b.end, { declarationList: list }, this.modifiers(b, exported));
      }
      case "ExportNamedDeclaration": {
        const declaration = this.child(b, "declaration");
        if (declaration) return this.statement(declaration, ["export"], Math.min(b.start, this.startWithDecorators(declaration)));
        return this.exportDeclaration(b);
      }
      case "ExportAllDeclaration":
        return this.exportDeclaration(b);
      case "ExportDefaultDeclaration": {
        const declaration = this.child(b, "declaration")!;
        if (/^(FunctionDeclaration|ClassDeclaration|TSInterfaceDeclaration|TSDeclareFunction)$/.test(declaration.type)) return this.statement(declaration, ["export", "default"], Math.min(b.start, this.startWithDecorators(declaration)));
        return this.node("ExportAssignment", b.start, b.end, { expression: this.any(declaration) });
      }
      case "FunctionDeclaration":
      case "TSDeclareFunction":
        return this.fn("FunctionDeclaration", b, exported, start);
      case "ClassDeclaration":
        return this.classLike("ClassDeclaration", b, exported, Math.min(start, this.startWithDecorators(b)));
      case "TSInterfaceDeclaration": {
        const heritage = this.children(b, "extends");
        const clauses = heritage.length > 0 ? [this.heritageClause("extends", heritage)] : undefined;
        return this.node("InterfaceDeclaration", start, b.end, { name: this.identifier(this.child(b, "id")!), typeParameters: this.typeParameters(b), heritageClauses: clauses, members: this.children(this.child(b, "body")!, "body").map((m) => this.any(m)) }, this.modifiers(b, exported));
      }
      case "TSTypeAliasDeclaration":
        return this.node("TypeAliasDeclaration", start, b.end, { name: this.identifier(this.child(b, "id")!), typeParameters: this.typeParameters(b), type: this.type(b.typeAnnotation) }, this.modifiers(b, exported));
      case "TSEnumDeclaration":
        return this.node("EnumDeclaration", start, b.end, { name: this.identifier(this.child(b, "id")!), members: this.children(b, "members").map((m) => this.any(m)) }, this.modifiers(b, exported));
      case "TSModuleDeclaration":
        return this.moduleDeclaration(b, exported, start);
      case "TSImportEqualsDeclaration": {
        const ref = this.child(b, "moduleReference")!;
        const reference = ref.type === "TSExternalModuleReference" ? this.node("ExternalModuleReference", ref.start, ref.end, { expression: this.any(this.child(ref, "expression")!) }) : this.any(ref);
        return this.node("ImportEqualsDeclaration", start, b.end, { name: this.identifier(this.child(b, "id")!), moduleReference: reference }, { ...this.modifiers(b, b.isExport === true ? ["export", ...exported] : exported), ...(b.importKind === "type" && { typeOnly: true }) });
      }
      case "TSExportAssignment":
        return this.node("ExportAssignment", b.start, b.end, { expression: this.any(this.child(b, "expression")!) });
      case "ImportDeclaration":
        return this.importDeclaration(b);
      case "BlockStatement":
        return this.node("Block", b.start, b.end, { statements: this.statements(this.children(b, "body"), this.children(b, "directives")) });
      case "ExpressionStatement":
        return this.node("ExpressionStatement", b.start, b.end, { expression: this.any(this.child(b, "expression")!) });
      case "IfStatement":
        return this.node("IfStatement", b.start, b.end, { expression: this.any(this.child(b, "test")!), thenStatement: this.statement(this.child(b, "consequent")!), elseStatement: this.optStatement(this.child(b, "alternate")) });
      case "ReturnStatement":
        return this.node("ReturnStatement", b.start, b.end, { expression: this.opt(this.child(b, "argument")) });
      case "ThrowStatement":
        return this.node("ThrowStatement", b.start, b.end, { expression: this.opt(this.child(b, "argument")) });
      case "TryStatement": {
        const handler = this.child(b, "handler");
        const param = handler && this.child(handler, "param");
        const catchClause = handler && this.node("CatchClause", handler.start, handler.end, { variableDeclaration: param && this.node("VariableDeclaration", param.start, param.end, { name: this.binding(param), type: this.type(param.typeAnnotation) }), block: this.statement(this.child(handler, "body")!) });
        return this.node("TryStatement", b.start, b.end, { tryBlock: this.statement(this.child(b, "block")!), catchClause, finallyBlock: this.optStatement(this.child(b, "finalizer")) });
      }
      case "ForStatement": {
        const init = this.child(b, "init");
        return this.node("ForStatement", b.start, b.end, { initializer: init && (init.type === "VariableDeclaration" ? this.declarationList(init) : this.any(init)), condition: this.opt(this.child(b, "test")), incrementor: this.opt(this.child(b, "update")), statement: this.statement(this.child(b, "body")!) });
      }
      case "ForOfStatement":
      case "ForInStatement": {
        const left = this.child(b, "left")!;
        return this.node(b.type, b.start, b.end, { initializer: left.type === "VariableDeclaration" ? this.declarationList(left) : this.any(left), expression: this.any(this.child(b, "right")!), statement: this.statement(this.child(b, "body")!) });
      }
      case "WhileStatement":
        return this.node("WhileStatement", b.start, b.end, { expression: this.any(this.child(b, "test")!), statement: this.statement(this.child(b, "body")!) });
      case "DoWhileStatement":
        return this.node("DoStatement", b.start, b.end, { statement: this.statement(this.child(b, "body")!), expression: this.any(this.child(b, "test")!) });
      case "SwitchStatement": {
        const open = this.find("{", this.child(b, "discriminant")!.end + 1);
        const clauses = this.children(b, "cases").map((c) => {
          const test = this.child(c, "test");
          return this.node(test ? "CaseClause" : "DefaultClause", c.start, c.end, { expression: this.opt(test), statements: this.children(c, "consequent").map((s) => this.statement(s)) });
        });
        return this.node("SwitchStatement", b.start, b.end, { expression: this.any(this.child(b, "discriminant")!), caseBlock: this.node("CaseBlock", open, b.end, { clauses }) });
      }
      case "LabeledStatement":
        return this.node("LabeledStatement", b.start, b.end, { label: this.any(this.child(b, "label")!), statement: this.statement(this.child(b, "body")!) });
      case "BreakStatement":
      case "ContinueStatement":
        return this.node(b.type, b.start, b.end, { label: this.opt(this.child(b, "label")) });
      case "EmptyStatement":
      case "DebuggerStatement":
        return this.node(b.type, b.start, b.end);
      case "WithStatement":
        return this.node("WithStatement", b.start, b.end, { expression: this.any(this.child(b, "object")!), statement: this.statement(this.child(b, "body")!) });
      default:
        return this.any(b);
    }
  }

  private optStatement(b: BabelNode | undefined): SyntaxNode | undefined {
    return b ? this.statement(b) : undefined;
  }

  private declarationList(b: BabelNode): SyntaxNode {
    const declarations = this.children(b, "declarations").map((d) => {
      const id = this.child(d, "id")!;
      const init = this.child(d, "init");
      return this.node("VariableDeclaration", d.start, d.end, { name: this.binding(id), type: this.type(id.typeAnnotation), initializer: this.opt(init) });
    });
    const last = declarations[declarations.length - 1];
    // `declare const x`: the list starts at `const`.
    const start = b.declare === true ? this.skipTrivia(b.start + "declare".length) : b.start;
    return this.node("VariableDeclarationList", start, last ? last.end : b.end, { declarations }, { declarationKind: String(b.kind) });
  }

  private moduleDeclaration(b: BabelNode, exported: string[], start: number): SyntaxNode {
    const body = this.child(b, "body");
    const inner = body?.type === "TSModuleDeclaration" ? this.moduleDeclaration(body, [], body.start) : body ? this.node("ModuleBlock", body.start, body.end, { statements: this.statements(this.children(body, "body")) }) : undefined;
    return this.node("ModuleDeclaration", start, b.end, { name: this.any(this.child(b, "id")!), body: inner }, this.modifiers(b, exported));
  }

  // --- imports and exports ---

  private importDeclaration(b: BabelNode): SyntaxNode {
    const specifiers = this.children(b, "specifiers");
    const source = this.child(b, "source")!;
    const moduleSpecifier = this.any(source);
    if (specifiers.length === 0 && !/^import\s*(type\s*)?\{/.test(this.text.slice(b.start, source.start))) {
      return this.node("ImportDeclaration", b.start, b.end, { moduleSpecifier });
    }
    const fields: Record<string, FieldValue> = {};
    const def = specifiers.find((s) => s.type === "ImportDefaultSpecifier");
    if (def) fields.name = this.identifier(this.child(def, "local")!);
    const ns = specifiers.find((s) => s.type === "ImportNamespaceSpecifier");
    let end = def ? def.end : b.start;
    if (ns) {
      fields.namedBindings = this.node("NamespaceImport", ns.start, ns.end, { name: this.identifier(this.child(ns, "local")!) });
      end = ns.end;
    }
    const named = specifiers.filter((s) => s.type === "ImportSpecifier");
    if (!ns && (named.length > 0 || !def)) {
      const open = this.find("{", def ? def.end : b.start + "import".length);
      const close = this.find("}", named.length > 0 ? named[named.length - 1]!.end : open + 1);
      const elements = named.map((s) => this.specifier("ImportSpecifier", s, this.child(s, "imported")!, this.child(s, "local")!, s.importKind === "type"));
      fields.namedBindings = this.node("NamedImports", open, close + 1, { elements });
      end = close + 1;
    }
    const clauseStart = this.skipTrivia(b.start + "import".length);
    const importClause = this.node("ImportClause", clauseStart, end, fields, b.importKind === "type" ? { typeOnly: true } : {});
    return this.node("ImportDeclaration", b.start, b.end, { importClause, moduleSpecifier });
  }

  /** `a`, `a as b`, `type a`: TypeScript's `propertyName` is the name before `as`. */
  private specifier(kind: string, s: BabelNode, outer: BabelNode, local: BabelNode, typeOnly: boolean): SyntaxNode {
    const renamed = outer.start !== local.start;
    const [first, second] = kind === "ImportSpecifier" ? [outer, local] : [local, outer];
    const fields: Record<string, FieldValue> = renamed ? { propertyName: this.any(first), name: this.any(second) } : { name: this.any(second) };
    return this.node(kind, s.start, s.end, fields, typeOnly ? { typeOnly: true } : {});
  }

  private exportDeclaration(b: BabelNode): SyntaxNode {
    const source = this.child(b, "source");
    const fields: Record<string, FieldValue> = { moduleSpecifier: this.opt(source) };
    if (b.type === "ExportAllDeclaration") {
      const exported = this.child(b, "exported");
      if (exported) fields.exportClause = this.node("NamespaceExport", this.text.indexOf("*", b.start), exported.end, { name: this.any(exported) });
    } else {
      const specifiers = this.children(b, "specifiers");
      const nsExport = specifiers.find((s) => s.type === "ExportNamespaceSpecifier");
      if (nsExport) {
        fields.exportClause = this.node("NamespaceExport", nsExport.start, nsExport.end, { name: this.any(this.child(nsExport, "exported")!) });
      } else {
        const open = this.find("{", b.start + "export".length);
        const close = this.find("}", specifiers.length > 0 ? specifiers[specifiers.length - 1]!.end : open + 1);
        const elements = specifiers.map((s) => this.specifier("ExportSpecifier", s, this.child(s, "exported")!, this.child(s, "local")!, s.exportKind === "type"));
        fields.exportClause = this.node("NamedExports", open, close + 1, { elements });
      }
    }
    return this.node("ExportDeclaration", b.start, b.end, fields, b.exportKind === "type" ? { typeOnly: true } : {});
  }

  // --- functions and classes ---

  private fn(kind: string, b: BabelNode, extra: string[] = [], start = b.start): SyntaxNode {
    const id = this.child(b, "id");
    const body = this.child(b, "body");
    return this.node(
      kind,
      start,
      b.end,
      {
        decorators: this.decorators(b),
        name: id && this.identifier(id),
        typeParameters: this.typeParameters(b),
        parameters: this.children(b, "params").map((p) => this.parameter(p)),
        type: this.type(b.returnType),
        body: body && (body.type === "BlockStatement" ? this.statement(body) : this.any(body)),
      },
      this.modifiers(b, extra),
    );
  }

  private parameter(p: BabelNode): SyntaxNode {
    if (p.type === "TSParameterProperty") {
      const inner = this.parameter(this.child(p, "parameter")!);
      return this.node("Parameter", this.startWithDecorators(p), p.end, { ...inner.fields, decorators: this.decorators(p) }, this.modifiers(p));
    }
    const decorators = this.decorators(p);
    const start = this.startWithDecorators(p);
    if (p.type === "AssignmentPattern") {
      const left = this.child(p, "left")!;
      return this.node("Parameter", start, p.end, { decorators, name: this.binding(left), type: this.type(left.typeAnnotation), initializer: this.any(this.child(p, "right")!) });
    }
    if (p.type === "RestElement") {
      const arg = this.child(p, "argument")!;
      return this.node("Parameter", start, p.end, { decorators, name: this.binding(arg), type: this.type(p.typeAnnotation ?? arg.typeAnnotation) });
    }
    return this.node("Parameter", start, p.end, { decorators, name: this.binding(p), type: this.type(p.typeAnnotation) });
  }

  /** A name being bound: an identifier or a destructuring pattern (ending before its `: T`). */
  private binding(b: BabelNode): SyntaxNode {
    if (b.type === "Identifier") return this.identifier(b);
    const annotation = this.child(b, "typeAnnotation");
    let end = annotation ? this.trimBack(annotation.start) : b.end;
    // `{ a }?: T` in a declaration: the pattern ends before its `?`.
    if (b.optional === true && this.text[end - 1] === "?") end = this.trimBack(end - 1);
    if (b.type === "ObjectPattern") {
      const elements = this.children(b, "properties").map((p) => {
        if (p.type === "RestElement") return this.node("BindingElement", p.start, p.end, { name: this.binding(this.child(p, "argument")!) });
        const key = this.child(p, "key")!;
        const value = this.child(p, "value")!;
        const target = value.type === "AssignmentPattern" ? this.child(value, "left")! : value;
        const initializer = value.type === "AssignmentPattern" ? this.any(this.child(value, "right")!) : undefined;
        if (p.shorthand === true) return this.node("BindingElement", p.start, p.end, { name: this.binding(target), initializer });
        return this.node("BindingElement", p.start, p.end, { propertyName: this.propertyName(key, p.computed), name: this.binding(target), initializer });
      });
      return this.node("ObjectBindingPattern", b.start, end, { elements });
    }
    if (b.type === "ArrayPattern") {
      const elements = (Array.isArray(b.elements) ? (b.elements as unknown[]) : []).map((e) => {
        if (!isNode(e)) return undefined;
        if (e.type === "RestElement") return this.node("BindingElement", e.start, e.end, { name: this.binding(this.child(e, "argument")!) });
        if (e.type === "AssignmentPattern") return this.node("BindingElement", e.start, e.end, { name: this.binding(this.child(e, "left")!), initializer: this.any(this.child(e, "right")!) });
        return this.node("BindingElement", e.start, e.end, { name: this.binding(e) });
      });
      return this.node("ArrayBindingPattern", b.start, end, { elements: elements.filter((e): e is SyntaxNode => e !== undefined) });
    }
    return this.any(b);
  }

  private heritageClause(token: string, types: BabelNode[]): SyntaxNode {
    const start = this.text.lastIndexOf(token, types[0]!.start);
    const converted = types.map((t) => {
      const expression = this.child(t, "expression")!;
      return this.node("ExpressionWithTypeArguments", t.start, t.end, { expression: this.entityAsExpression(expression), typeArguments: this.typeArguments(t) });
    });
    return this.node("HeritageClause", start, types[types.length - 1]!.end, { types: converted }, { token });
  }

  /** `a.B` in a heritage clause is a property access in TypeScript's tree. */
  private entityAsExpression(b: BabelNode): SyntaxNode {
    if (b.type === "TSQualifiedName") return this.node("PropertyAccessExpression", b.start, b.end, { expression: this.entityAsExpression(this.child(b, "left")!), name: this.any(this.child(b, "right")!) });
    return this.any(b);
  }

  private classLike(kind: string, b: BabelNode, extra: string[], start: number): SyntaxNode {
    const id = this.child(b, "id");
    const superClass = this.child(b, "superClass");
    const clauses: SyntaxNode[] = [];
    if (superClass) {
      const args = this.child(b, "superTypeParameters") ?? this.child(b, "superTypeArguments");
      const end = args ? args.end : superClass.end;
      const heritage = this.node("ExpressionWithTypeArguments", superClass.start, end, { expression: this.any(superClass), typeArguments: args ? this.children(args, "params").map((p) => this.any(p)) : undefined });
      clauses.push(this.node("HeritageClause", this.text.lastIndexOf("extends", superClass.start), end, { types: [heritage] }, { token: "extends" }));
    }
    const implemented = this.children(b, "implements");
    if (implemented.length > 0) clauses.push(this.heritageClause("implements", implemented));
    const members = this.children(this.child(b, "body")!, "body").map((m) => this.member(m));
    return this.node(kind, start, b.end, { decorators: this.decorators(b), name: id && this.identifier(id), typeParameters: this.typeParameters(b), heritageClauses: clauses.length > 0 ? clauses : undefined, members }, this.modifiers(b, extra));
  }

  private member(m: BabelNode): SyntaxNode {
    const start = this.startWithDecorators(m);
    switch (m.type) {
      case "ClassMethod":
      case "ClassPrivateMethod":
      case "TSDeclareMethod":
      case "ObjectMethod": {
        const kind = m.kind === "constructor" ? "Constructor" : m.kind === "get" ? "GetAccessor" : m.kind === "set" ? "SetAccessor" : "MethodDeclaration";
        const body = this.child(m, "body");
        const name = kind === "Constructor" ? undefined : this.propertyName(this.child(m, "key")!, m.computed);
        return this.node(
          kind,
          start,
          m.end,
          { decorators: this.decorators(m), name, typeParameters: this.typeParameters(m), parameters: this.children(m, "params").map((p) => this.parameter(p)), type: this.type(m.returnType), body: body && this.statement(body) },
          this.modifiers(m),
        );
      }
      case "ClassProperty":
      case "ClassPrivateProperty":
      case "ClassAccessorProperty":
        return this.node("PropertyDeclaration", start, m.end, { decorators: this.decorators(m), name: this.propertyName(this.child(m, "key")!, m.computed), type: this.type(m.typeAnnotation), initializer: this.opt(this.child(m, "value")) }, this.modifiers(m, m.type === "ClassAccessorProperty" ? ["accessor"] : []));
      case "StaticBlock":
        return this.node("ClassStaticBlockDeclaration", m.start, m.end, { body: this.node("Block", this.find("{", m.start + "static".length), m.end, { statements: this.statements(this.children(m, "body")) }) });
      default:
        return this.any(m);
    }
  }

  // --- everything else ---

  /** Any node outside statement position. */
  any(b: BabelNode): SyntaxNode {
    const leaf = leaves[b.type];
    if (leaf) return this.node(leaf, b.start, b.end);
    switch (b.type) {
      case "Identifier":
        return this.identifier(b);
      case "BooleanLiteral":
        return this.node(b.value === true ? "TrueKeyword" : "FalseKeyword", b.start, b.end);
      case "StringLiteral":
        return this.node("StringLiteral", b.start, b.end, {}, {}, String(b.value));
      case "TemplateLiteral": {
        const expressions = this.children(b, "expressions");
        if (expressions.length === 0) {
          const quasi = this.children(b, "quasis")[0];
          const cooked = quasi && (quasi.value as { cooked?: string | null }).cooked;
          return this.node("NoSubstitutionTemplateLiteral", b.start, b.end, {}, {}, cooked ?? "");
        }
        return this.node("TemplateExpression", b.start, b.end, { spans: expressions.map((e) => this.any(e)) });
      }
      case "TaggedTemplateExpression":
        return this.node("TaggedTemplateExpression", b.start, b.end, { tag: this.any(this.child(b, "tag")!), typeArguments: this.typeArguments(b), template: this.any(this.child(b, "quasi")!) });
      case "MemberExpression":
      case "OptionalMemberExpression": {
        const object = this.any(this.child(b, "object")!);
        const property = this.child(b, "property")!;
        if (b.computed === true) return this.node("ElementAccessExpression", b.start, b.end, { expression: object, argumentExpression: this.any(property) });
        return this.node("PropertyAccessExpression", b.start, b.end, { expression: object, name: this.any(property) });
      }
      case "CallExpression":
      case "OptionalCallExpression":
      case "NewExpression":
        return this.node(b.type === "NewExpression" ? "NewExpression" : "CallExpression", b.start, b.end, { expression: this.any(this.child(b, "callee")!), typeArguments: this.typeArguments(b), arguments: this.children(b, "arguments").map((a) => this.any(a)) });
      case "ParenthesizedExpression":
        return this.node("ParenthesizedExpression", b.start, b.end, { expression: this.any(this.child(b, "expression")!) });
      case "ArrowFunctionExpression":
        return this.fn("ArrowFunction", b);
      case "FunctionExpression":
        return this.fn("FunctionExpression", b);
      case "FunctionDeclaration":
      case "TSDeclareFunction":
        return this.fn("FunctionDeclaration", b);
      case "ClassExpression":
        return this.classLike("ClassExpression", b, [], this.startWithDecorators(b));
      case "AwaitExpression":
        return this.node("AwaitExpression", b.start, b.end, { expression: this.any(this.child(b, "argument")!) });
      case "YieldExpression":
        return this.node("YieldExpression", b.start, b.end, { expression: this.opt(this.child(b, "argument")) });
      case "UnaryExpression": {
        const operand = this.any(this.child(b, "argument")!);
        const kind = b.operator === "void" ? "VoidExpression" : b.operator === "typeof" ? "TypeOfExpression" : b.operator === "delete" ? "DeleteExpression" : undefined;
        if (kind) return this.node(kind, b.start, b.end, { expression: operand });
        return this.node("PrefixUnaryExpression", b.start, b.end, { operand }, { operator: String(b.operator) });
      }
      case "UpdateExpression":
        return this.node(b.prefix === true ? "PrefixUnaryExpression" : "PostfixUnaryExpression", b.start, b.end, { operand: this.any(this.child(b, "argument")!) }, { operator: String(b.operator) });
      case "BinaryExpression":
      case "LogicalExpression":
      case "AssignmentExpression":
        return this.node("BinaryExpression", b.start, b.end, { left: this.any(this.child(b, "left")!), right: this.any(this.child(b, "right")!) }, { operator: String(b.operator) });
      case "SequenceExpression": {
        const [first, ...rest] = this.children(b, "expressions").map((e) => this.any(e));
        return rest.reduce((left, right) => this.node("BinaryExpression", left.start, right.end, { left, right }, { operator: "," }), first!);
      }
      case "ConditionalExpression":
        return this.node("ConditionalExpression", b.start, b.end, { condition: this.any(this.child(b, "test")!), whenTrue: this.any(this.child(b, "consequent")!), whenFalse: this.any(this.child(b, "alternate")!) });
      case "SpreadElement":
        return this.node("SpreadElement", b.start, b.end, { expression: this.any(this.child(b, "argument")!) });
      case "ArrayExpression":
        return this.node("ArrayLiteralExpression", b.start, b.end, { elements: (Array.isArray(b.elements) ? (b.elements as unknown[]) : []).map((e) => (isNode(e) ? this.any(e) : undefined)).filter((e): e is SyntaxNode => e !== undefined) });
      case "ObjectExpression":
        return this.node("ObjectLiteralExpression", b.start, b.end, { properties: this.children(b, "properties").map((p) => this.objectMember(p)) });
      case "TSAsExpression":
        return this.node("AsExpression", b.start, b.end, { expression: this.any(this.child(b, "expression")!), type: this.type(b.typeAnnotation) });
      case "TSSatisfiesExpression":
        return this.node("SatisfiesExpression", b.start, b.end, { expression: this.any(this.child(b, "expression")!), type: this.type(b.typeAnnotation) });
      case "TSTypeAssertion":
        return this.node("TypeAssertionExpression", b.start, b.end, { type: this.type(b.typeAnnotation), expression: this.any(this.child(b, "expression")!) });
      case "TSNonNullExpression":
        return this.node("NonNullExpression", b.start, b.end, { expression: this.any(this.child(b, "expression")!) });
      case "TSInstantiationExpression":
        return this.node("ExpressionWithTypeArguments", b.start, b.end, { expression: this.any(this.child(b, "expression")!), typeArguments: this.typeArguments(b) });
      // Types
      case "TSTypeAnnotation":
        return this.any(this.child(b, "typeAnnotation")!);
      case "TSTypeReference":
        return this.node("TypeReference", b.start, b.end, { typeName: this.any(this.child(b, "typeName")!), typeArguments: this.typeArguments(b) });
      case "TSQualifiedName":
        return this.node("QualifiedName", b.start, b.end, { left: this.any(this.child(b, "left")!), right: this.any(this.child(b, "right")!) });
      case "TSUnionType":
      case "TSIntersectionType":
        return this.node(b.type === "TSUnionType" ? "UnionType" : "IntersectionType", b.start, b.end, { types: this.children(b, "types").map((t) => this.any(t)) });
      case "TSFunctionType":
      case "TSConstructorType":
        return this.node(b.type === "TSFunctionType" ? "FunctionType" : "ConstructorType", b.start, b.end, { typeParameters: this.typeParameters(b), parameters: this.children(b, "parameters").map((p) => this.parameter(p)), type: this.type(b.typeAnnotation) });
      case "TSConditionalType":
        return this.node("ConditionalType", b.start, b.end, { checkType: this.any(this.child(b, "checkType")!), extendsType: this.any(this.child(b, "extendsType")!), trueType: this.any(this.child(b, "trueType")!), falseType: this.any(this.child(b, "falseType")!) });
      case "TSTypeLiteral":
        return this.node("TypeLiteral", b.start, b.end, { members: this.children(b, "members").map((m) => this.any(m)) });
      case "TSPropertySignature":
        return this.node("PropertySignature", b.start, b.end, { name: this.propertyName(this.child(b, "key")!, b.computed), type: this.type(b.typeAnnotation) }, this.modifiers(b));
      case "TSMethodSignature":
        return this.node(b.kind === "get" ? "GetAccessor" : b.kind === "set" ? "SetAccessor" : "MethodSignature", b.start, b.end, { name: this.propertyName(this.child(b, "key")!, b.computed), typeParameters: this.typeParameters(b), parameters: this.children(b, "parameters").map((p) => this.parameter(p)), type: this.type(b.typeAnnotation) });
      case "TSParenthesizedType":
        return this.node("ParenthesizedType", b.start, b.end, { type: this.type(b.typeAnnotation) });
      case "TSTypeParameter": {
        const name = typeof b.name === "string" ? b.name : undefined;
        const nameNode = name !== undefined ? this.node("Identifier", this.text.indexOf(name, b.start), this.text.indexOf(name, b.start) + name.length) : isNode(b.name) ? this.any(b.name) : undefined;
        return this.node("TypeParameter", b.start, b.end, { name: nameNode, constraint: this.opt(this.child(b, "constraint")), default: this.opt(this.child(b, "default")) });
      }
      case "TSLiteralType": {
        const literal = this.child(b, "literal")!;
        if (literal.type === "TemplateLiteral" && this.children(literal, "expressions").length > 0) return this.node("TemplateLiteralType", b.start, b.end, { spans: this.children(literal, "expressions").map((e) => this.any(e)) });
        return this.node("LiteralType", b.start, b.end, { literal: this.any(literal) });
      }
      case "TSImportType": {
        const argument = this.child(b, "argument")!;
        const literal = argument.type === "StringLiteral" ? this.node("LiteralType", argument.start, argument.end, { literal: this.any(argument) }) : this.any(argument);
        return this.node("ImportType", b.start, b.end, { argument: literal, qualifier: this.opt(this.child(b, "qualifier")), typeArguments: this.typeArguments(b) });
      }
      case "TSIndexSignature":
        return this.node("IndexSignature", b.start, b.end, { parameters: this.children(b, "parameters").map((p) => this.parameter(p)), type: this.type(b.typeAnnotation) }, this.modifiers(b));
      case "MetaProperty":
        return this.node("MetaProperty", b.start, b.end, { name: this.any(this.child(b, "property")!) });
      // Destructuring assignment targets: TypeScript reads them as literals.
      case "ObjectPattern":
        return this.node("ObjectLiteralExpression", b.start, b.end, { properties: this.children(b, "properties").map((p) => this.objectMember(p)) });
      case "ArrayPattern":
        return this.node("ArrayLiteralExpression", b.start, b.end, { elements: (Array.isArray(b.elements) ? (b.elements as unknown[]) : []).filter(isNode).map((e) => this.any(e)) });
      case "AssignmentPattern":
        return this.node("BinaryExpression", b.start, b.end, { left: this.any(this.child(b, "left")!), right: this.any(this.child(b, "right")!) }, { operator: "=" });
      case "RestElement":
        return this.node("SpreadElement", b.start, b.end, { expression: this.any(this.child(b, "argument")!) });
      case "Decorator":
        return this.node("Decorator", b.start, b.end, { expression: this.any(this.child(b, "expression")!) });
      default:
        // `null` as a type is a literal type in TypeScript's tree.
        if (b.type === "TSNullKeyword") return this.node("LiteralType", b.start, b.end, { literal: this.node("NullKeyword", b.start, b.end) });
        if (/^TS\w+Keyword$/.test(b.type)) return this.node(b.type.slice(2), b.start, b.end);
        if (statementTypes.has(b.type)) return this.statement(b);
        return this.generic(b);
    }
  }

  private objectMember(p: BabelNode): SyntaxNode {
    if (p.type === "SpreadElement" || p.type === "RestElement") return this.node("SpreadAssignment", p.start, p.end, { expression: this.any(this.child(p, "argument")!) });
    if (p.type === "ObjectMethod") return this.member(p);
    if (p.type === "ObjectProperty") {
      const key = this.child(p, "key")!;
      const value = this.child(p, "value");
      // `{ a = 1 } = x`: a shorthand with a default.
      if (p.shorthand === true) return this.node("ShorthandPropertyAssignment", p.start, p.end, { name: this.any(key), ...(value?.type === "AssignmentPattern" && { objectAssignmentInitializer: this.any(this.child(value, "right")!) }) });
      return this.node("PropertyAssignment", p.start, p.end, { name: this.propertyName(key, p.computed), initializer: this.any(this.child(p, "value")!) });
    }
    return this.any(p);
  }

  /** A kind the engine never looks into: its children, in order, under Babel's type name. */
  private generic(b: BabelNode): SyntaxNode {
    const fields: Record<string, FieldValue> = {};
    for (const [key, value] of Object.entries(b)) {
      if (key === "loc" || key === "extra" || key === "leadingComments" || key === "trailingComments" || key === "innerComments") continue;
      const convert = key === "parameters" || (key === "params" && !b.type.startsWith("TSTypeParameter")) ? (v: BabelNode) => this.parameter(v) : (v: BabelNode) => this.any(v);
      if (isNode(value)) fields[key] = convert(value);
      else if (Array.isArray(value) && value.some(isNode)) fields[key] = value.filter(isNode).map(convert);
    }
    const name = b.type.startsWith("TS") ? b.type.slice(2) : b.type;
    return this.node(renamed[name] ?? name, b.start, b.end, fields);
  }
}
