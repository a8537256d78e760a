import type { CodeStyle } from "../project/code-style.js";
import { tsString } from "../render/literals.js";
import { parseTolerant } from "./parse.js";
import type { SyntaxNode } from "./syntax/tree.js";

/**
 * Rewrites code written in the templates' canonical style (double quotes,
 * semicolons, two-space indent, LF) into the user's style. It works on the
 * syntax tree, so string contents, template literals and comments keep their
 * meaning: strings are re-quoted by value, template literal lines are never
 * re-indented, and a semicolon is dropped only where ASI cannot change the
 * meaning (the next line does not start with `(`, `[`, `` ` ``, `+`, `-`, `/`).
 */
export function applyStyle(code: string, style: CodeStyle): string {
  // The templates' own style: nothing to rewrite, nothing to parse.
  if (style.quote === '"' && style.semicolons && style.indent === "  " && style.eol === "\n") return code;
  // Code with a syntax error (a broken pack template) is restyled as far as TypeScript's parser reads it; lint reports the error.
  const sf = parseTolerant("generated.ts", code);
  const splices: Array<{ start: number; end: number; text: string }> = [];
  const verbatim: Array<[number, number]> = [];

  for (const node of sf.getDescendants()) {
    if (node.kind === "StringLiteral" && style.quote === "'") {
      if (code[node.start] === '"') splices.push({ start: node.start, end: node.end, text: tsString(node.getLiteralValue(), "'") });
    } else if (node.kind === "NoSubstitutionTemplateLiteral" || node.kind === "TemplateExpression") {
      verbatim.push([node.start, node.end]);
    }
    if (!style.semicolons && endsWithDroppableSemicolon(node)) {
      const end = node.end;
      if (!asiHazardAfter(code, end)) splices.push({ start: end - 1, end, text: "" });
    }
  }

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
  "ExpressionStatement",
  "VariableStatement",
  "ReturnStatement",
  "ThrowStatement",
  "BreakStatement",
  "ContinueStatement",
  "ImportDeclaration",
  "ExportDeclaration",
  "ExportAssignment",
  "TypeAliasDeclaration",
  "PropertyDeclaration",
  "DoStatement",
  // Members of interfaces and multi-line type literals (`label: string;`): on a line of their own, ASI ends them too.
  "PropertySignature",
  "MethodSignature",
  "CallSignature",
  "ConstructSignature",
  "IndexSignature",
]);

function endsWithDroppableSemicolon(node: SyntaxNode): boolean {
  return statementKinds.has(node.kind) && node.getText().endsWith(";");
}
