import { ts } from "ts-morph";
import type { CodeStyle } from "../project/code-style.js";
import { tsString } from "../render/literals.js";

/**
 * Rewrites code written in the templates' canonical style (double quotes,
 * semicolons, two-space indent, LF) into the user's style. It works on the
 * syntax tree, so string contents, template literals and comments keep their
 * meaning: strings are re-quoted by value, template literal lines are never
 * re-indented, and a semicolon is dropped only where ASI cannot change the
 * meaning (the next line does not start with `(`, `[`, `` ` ``, `+`, `-`, `/`).
 */
export function applyStyle(code: string, style: CodeStyle): string {
  const sf = ts.createSourceFile("generated.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const splices: Array<{ start: number; end: number; text: string }> = [];
  const verbatim: Array<[number, number]> = [];

  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) && style.quote === "'") {
      const raw = node.getText(sf);
      if (raw.startsWith('"')) splices.push({ start: node.getStart(sf), end: node.getEnd(), text: tsString(node.text, "'") });
    } else if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      verbatim.push([node.getStart(sf), node.getEnd()]);
    }
    if (!style.semicolons && endsWithDroppableSemicolon(node, sf)) {
      const end = node.getEnd();
      if (!asiHazardAfter(code, end)) splices.push({ start: end - 1, end, text: "" });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);

  // Indentation: every line that does not start inside a template literal.
  if (style.indent !== "  ") {
    let pos = 0;
    for (const line of code.split("\n")) {
      const inside = verbatim.some(([s, e]) => pos > s && pos < e);
      const lead = /^ +/.exec(line)?.[0].length ?? 0;
      if (!inside && lead > 0) {
        const levels = Math.floor(lead / 2);
        splices.push({ start: pos, end: pos + lead, text: style.indent.repeat(levels) + " ".repeat(lead % 2) });
      }
      pos += line.length + 1;
    }
  }

  let out = code;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return style.eol === "\r\n" ? out.replace(/\r?\n/g, "\r\n") : out;
}

/**
 * Whether dropping a semicolon at `end` could join this statement with the
 * next: the next code (after spaces, line breaks and comments) starts with a
 * character that continues an expression. Code on the same line also counts.
 */
function asiHazardAfter(code: string, end: number): boolean {
  let rest = code.slice(end);
  const sameLine = /^[ \t]*(\/\/[^\n]*)?(\r?\n|$)/.exec(rest);
  if (!sameLine) return true;
  rest = rest.slice(sameLine[0].length);
  for (;;) {
    const skipped = rest.replace(/^\s+/, "").replace(/^\/\/[^\n]*/, "").replace(/^\/\*[\s\S]*?\*\//, "");
    if (skipped === rest) break;
    rest = skipped;
  }
  return /^[([`+\-/*,.]/.test(rest);
}

const statementKinds = new Set([
  ts.SyntaxKind.ExpressionStatement,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement,
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.ExportAssignment,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.DoStatement,
  // Members of interfaces and multi-line type literals (`label: string;`): on a line of their own, ASI ends them too.
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.CallSignature,
  ts.SyntaxKind.ConstructSignature,
  ts.SyntaxKind.IndexSignature,
]);

function endsWithDroppableSemicolon(node: ts.Node, sf: ts.SourceFile): boolean {
  if (!statementKinds.has(node.kind)) return false;
  const text = node.getText(sf);
  return text.endsWith(";");
}
