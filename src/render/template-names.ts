import Handlebars from "handlebars";
import { builtinHelpers, helpers } from "./helpers.js";

// === What a template refers to ===
//
// Used at render time (every root variable must be defined: handlebars'
// strict mode misses helper arguments, #if and #each) and by lint (every
// variable a declared question or fact, every helper known).

type Program = hbs.AST.Program;
type Node = hbs.AST.Node;

/** A problem at a 1-based line and column of the template text. */
export interface TemplateProblem {
  line: number;
  column: number;
  message: string;
  hint?: string;
}

export const knownHelpers = new Set([...builtinHelpers, ...Object.keys(helpers)]);

/** Parses a template; a syntax error comes back as a problem at its line. */
export function parseTemplate(text: string): { ast: Program } | { problem: TemplateProblem } {
  const deep = tooDeep(text);
  if (deep) return { problem: deep };
  try {
    return { ast: Handlebars.parse(text) };
  } catch (error) {
    return { problem: { ...errorPosition(error), message: `handlebars syntax error: ${summarize(error)}`, hint: "fix the mustache at this line" } };
  }
}

/** Line and column (1-based) of a handlebars parse or runtime error. */
export function errorPosition(error: unknown): { line: number; column: number } {
  const e = error as { message?: string; lineNumber?: number; column?: number };
  const message = e.message ?? "";
  const parseLine = /Parse error on line (\d+)/.exec(message)?.[1];
  if (parseLine) return { line: Number(parseLine), column: 1 };
  const tail = / - (\d+):(\d+)$/.exec(message.split("\n")[0] ?? "");
  if (tail) return { line: Number(tail[1]), column: Number(tail[2]) + 1 };
  if (typeof e.lineNumber === "number") return { line: e.lineNumber, column: (e.column ?? 0) + 1 };
  return { line: 1, column: 1 };
}

/** One line saying what handlebars complained about, without its ASCII art. */
export function summarize(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const lines = message.split("\n").filter((l) => l.trim() !== "" && !/^Parse error on line/.test(l) && !/^-*\^$/.test(l.trim()));
  const expecting = lines.find((l) => l.startsWith("Expecting"));
  const text = expecting ?? lines[0] ?? message;
  if (expecting?.endsWith("got 'EOF'")) return "unexpected end of template (a {{#block}} is not closed)";
  return text.replace(/ - \d+:\d+$/, "").replace(/^Expecting .*, got /, "unexpected ").trim();
}

/**
 * Every variable a template uses must be a declared question or a known fact
 * (`names`), and every helper must exist. Names inside `{{#each}}`/`{{#with}}`
 * refer to the item; with `plainItems` (recipe answers: strings, numbers,
 * lists of those) looking a field up on an item is a problem too.
 */
export function checkTemplateNames(ast: Program, names: ReadonlySet<string>, options: { plainItems?: boolean } = {}): TemplateProblem[] {
  const plainItems = options.plainItems ?? true;
  const problems: TemplateProblem[] = [];
  const at = (node: Node) => ({ line: node.loc.start.line, column: node.loc.start.column + 1 });
  const known = [...names].sort().join(", ");

  const checkPath = (path: hbs.AST.PathExpression, depth: number, locals: ReadonlySet<string>) => {
    if (path.data) {
      if (path.parts[0] === "root" && path.parts[1] !== undefined && !names.has(path.parts[1])) {
        problems.push({ ...at(path), message: `unknown variable "${path.parts[1]}"`, hint: `declare a question "${path.parts[1]}" or use one of: ${known}` });
      }
      return;
    }
    const head = path.parts[0];
    if (head === undefined || locals.has(head)) return; // `this`, `.` or a block parameter
    const level = depth - path.depth;
    if (level < 0) problems.push({ ...at(path), message: `"${path.original}" goes above the template's root`, hint: "remove a ../" });
    else if (level === 0 && !names.has(head)) {
      problems.push({ ...at(path), message: `unknown variable "${head}"`, hint: `declare a question "${head}" or use one of: ${known}` });
    } else if (level > 0 && head !== "length" && plainItems) {
      // Answers are strings, numbers, booleans and lists of those: an item has no fields, and a
      // helper given a missing one silently renders "undefined".
      problems.push({
        ...at(path),
        message: `"${path.original}" is looked up on the {{#each}}/{{#with}} item, which is a plain value`,
        hint: names.has(head) ? `use ../${path.original} for the answer` : "use {{this}} for the item, or as |name| block parameters",
      });
    }
  };

  const checkHelper = (node: Node, name: string) => {
    if (!knownHelpers.has(name)) {
      problems.push({ ...at(node), message: `unknown helper "${name}"`, hint: `the helpers are: ${[...knownHelpers].join(", ")}` });
    }
  };

  const checkExpr = (expr: hbs.AST.Expression, depth: number, locals: ReadonlySet<string>): void => {
    if (expr.type === "PathExpression") checkPath(expr as hbs.AST.PathExpression, depth, locals);
    else if (expr.type === "SubExpression") {
      const sub = expr as hbs.AST.SubExpression;
      checkHelper(sub, sub.path.original);
      checkCall(sub.params, sub.hash, depth, locals);
    }
  };
  const checkCall = (params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, depth: number, locals: ReadonlySet<string>) => {
    for (const p of params) checkExpr(p, depth, locals);
    for (const pair of hash?.pairs ?? []) checkExpr(pair.value, depth, locals);
  };

  const walk = (program: Program | undefined, depth: number, locals: ReadonlySet<string>): void => {
    for (const statement of program?.body ?? []) {
      switch (statement.type) {
        case "MustacheStatement": {
          const m = statement as hbs.AST.MustacheStatement;
          if (m.path.type !== "PathExpression") break;
          const path = m.path as hbs.AST.PathExpression;
          const isCall = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
          if (isCall) checkHelper(m, path.original);
          else if (!(path.parts.length === 1 && knownHelpers.has(path.original) && !locals.has(path.original))) checkPath(path, depth, locals);
          checkCall(m.params, m.hash, depth, locals);
          break;
        }
        case "BlockStatement": {
          const b = statement as hbs.AST.BlockStatement;
          checkHelper(b, b.path.original);
          checkCall(b.params, b.hash, depth, locals);
          const scoped = b.path.original === "each" || b.path.original === "with";
          const inner = new Set([...locals, ...(b.program?.blockParams ?? [])]);
          walk(b.program, scoped ? depth + 1 : depth, inner);
          walk(b.inverse, depth, locals);
          break;
        }
        case "PartialStatement":
        case "PartialBlockStatement":
        case "DecoratorBlock":
        case "Decorator":
          problems.push({ ...at(statement), message: "partials and decorators are not available in recipe templates", hint: "inline the text, or split it into another file of the recipe" });
          break;
      }
    }
  };
  walk(ast, 0, new Set());
  return problems;
}

/** Deepest nesting of blocks and sub-expressions a template may have (Handlebars' parser recurses per level). */
export const maxTemplateDepth = 50;

/** A linear scan for nesting deeper than `maxTemplateDepth`, before the recursive parser can overflow the stack. */
function tooDeep(text: string): TemplateProblem | undefined {
  let blocks = 0;
  let parens = 0;
  let line = 1;
  let inMustache = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") line++;
    else if (!inMustache && ch === "{" && text[i + 1] === "{") {
      inMustache = true;
      const kind = text[i + 2] === "~" ? text[i + 3] : text[i + 2];
      if (kind === "#") blocks++;
      else if (kind === "/") blocks = Math.max(0, blocks - 1);
      i++;
    } else if (inMustache && ch === "}" && text[i + 1] === "}") {
      inMustache = false;
      parens = 0;
      i++;
    } else if (inMustache && ch === "(") parens++;
    else if (inMustache && ch === ")") parens = Math.max(0, parens - 1);
    if (blocks > maxTemplateDepth || parens > maxTemplateDepth) {
      return { line, column: 1, message: `nesting deeper than ${maxTemplateDepth} levels of blocks or sub-expressions`, hint: "split the template or use a helper" };
    }
  }
  return undefined;
}
