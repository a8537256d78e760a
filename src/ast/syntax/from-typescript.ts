import { requireCjs } from "../../core/cjs.js";
import type { ts as TS } from "ts-morph";
import { SourceFile, SyntaxNode, type FieldValue, type NodeFlags } from "./tree.js";

// The light tree from TypeScript's own parser: used for the files the fast
// parser refuses (and by the tests, as the oracle the fast tree must equal).
// TypeScript is loaded on the first call only: about half a second.

let loaded: typeof TS | undefined;

/** TypeScript's compiler API (the copy ts-morph bundles), loaded on first use through `require`: importing ts-morph's CommonJS bundle from ESM would also run Node's export scanner over all of it. */
export function typescript(): typeof TS {
  loaded ??= (requireCjs("ts-morph") as typeof import("ts-morph")).ts;
  return loaded;
}

/** Kind names without TypeScript's `FirstX`/`LastX` aliases. */
let kindNames: Map<number, string> | undefined;
function kindName(ts: typeof TS, kind: number): string {
  if (!kindNames) {
    kindNames = new Map();
    for (const [name, value] of Object.entries(ts.SyntaxKind)) {
      if (typeof value !== "number" || /^(First|Last)/.test(name) || kindNames.has(value)) continue;
      kindNames.set(value, name);
    }
    // Names ts-morph's predicates use for these kinds.
    kindNames.set(ts.SyntaxKind.TypeAssertionExpression, "TypeAssertionExpression");
  }
  return kindNames.get(kind) ?? `Kind${kind}`;
}

const skipped = new Set(["parent", "original", "emitNode", "jsDoc", "jsDocCache", "symbol", "localSymbol", "locals", "nextContainer", "flowNode", "endFlowNode", "returnFlowNode", "modifiers", "illegalDecorators", "operatorToken", "questionDotToken", "asteriskToken", "questionToken", "exclamationToken", "dotDotDotToken", "equalsGreaterThanToken", "equalsToken", "postfixToken", "readonlyToken", "plusToken", "minusToken", "awaitModifier", "colonToken", "endOfFileToken"]);

export interface Parsed {
  file: SourceFile;
  /** The first syntax error, if TypeScript reports one. */
  error?: { line: number; column: number; message: string };
}

/** Parses with TypeScript and converts to the light tree. */
export function parseWithTypescript(path: string, text: string): Parsed {
  const ts = typescript();
  const kind = /\.[cm]?tsx$/.test(path) ? ts.ScriptKind.TSX : /\.[cm]?jsx$/.test(path) ? ts.ScriptKind.JSX : /\.[cm]?js$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const diagnostics = (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  const comments: Array<{ start: number; end: number }> = [];
  // Comments are collected from the leading and trailing trivia of every token.
  const seen = new Set<number>();
  const collect = (pos: number) => {
    for (const r of [...(ts.getLeadingCommentRanges(text, pos) ?? []), ...(ts.getTrailingCommentRanges(text, pos) ?? [])]) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      comments.push({ start: r.pos, end: r.end });
    }
  };
  const convert = (node: TS.Node): SyntaxNode => {
    collect(node.pos);
    collect(node.end);
    const fields: Record<string, FieldValue> = {};
    for (const key of Object.keys(node)) {
      if (skipped.has(key)) continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      if (isNode(value)) fields[key] = convert(value);
      else if (Array.isArray(value) && "pos" in value && value.every(isNode)) fields[key] = value.map(convert);
    }
    // `modifiers` holds keywords and (since TypeScript 5) decorators: keywords become flags, decorators a field.
    const written = (node as unknown as { modifiers?: readonly TS.Node[] }).modifiers ?? [];
    const decorators = written.filter((m) => m.kind === ts.SyntaxKind.Decorator);
    if (decorators.length > 0) fields.decorators = decorators.map(convert);
    const flags: NodeFlags = {};
    const modifiers = written.filter((m) => m.kind !== ts.SyntaxKind.Decorator).map((m) => m.getText(sf));
    if (modifiers.length > 0) Object.assign(flags, { modifiers: new Set(modifiers) });
    if (ts.isImportClause(node) || ts.isImportSpecifier(node) || ts.isExportDeclaration(node) || ts.isExportSpecifier(node) || ts.isImportEqualsDeclaration(node)) {
      if (node.isTypeOnly) flags.typeOnly = true;
    }
    if (ts.isVariableDeclarationList(node)) {
      const f = node.flags;
      // AwaitUsing is Const | Using.
      flags.declarationKind = (f & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing ? "await using" : f & ts.NodeFlags.Using ? "using" : f & ts.NodeFlags.Const ? "const" : f & ts.NodeFlags.Let ? "let" : "var";
    }
    if (ts.isBinaryExpression(node)) flags.operator = node.operatorToken.getText(sf);
    if (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) flags.operator = ts.tokenToString(node.operator);
    if (ts.isHeritageClause(node)) flags.token = node.token === ts.SyntaxKind.ExtendsKeyword ? "extends" : "implements";
    const value = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
    return new SyntaxNode(kindName(ts, node.kind), node.getStart(sf), node.getEnd(), fields, flags, value);
  };
  const statements = sf.statements.map(convert);
  collect(sf.endOfFileToken.pos);
  comments.sort((a, b) => a.start - b.start);
  const file = new SourceFile(text, statements, comments).link();
  if (!first) return { file };
  const { line, character } = sf.getLineAndCharacterOfPosition(first.start);
  return { file, error: { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(first.messageText, " ") } };
}

function isNode(value: unknown): value is TS.Node {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "number" && typeof (value as { pos?: unknown }).pos === "number" && !Array.isArray(value);
}
