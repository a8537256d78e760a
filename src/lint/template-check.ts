import { builtinHelpers, compileOptions, handlebars, helpers } from "../render/handlebars-env.js";

// === Handlebars templates, read as data ===
//
// Lint parses every template with the same environment `add` renders with,
// walks its syntax tree for the names it uses, and renders it with invisible
// line markers so a problem in the rendered TypeScript can be reported at the
// template line that produced it.

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
  try {
    return { ast: handlebars.parse(text) };
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
  return text.replace(/ - \d+:\d+$/, "").replace(/^Expecting .*, got /, "unexpected ").trim();
}

/**
 * Every variable a template uses must be a declared question or a known fact
 * (`names`), and every helper must exist. Names inside `{{#each}}`/`{{#with}}`
 * refer to the item and are checked when the template is rendered.
 */
export function checkTemplateNames(ast: Program, names: ReadonlySet<string>): TemplateProblem[] {
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
    } else if (level > 0 && head !== "length") {
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

/** What a marked rendering gives: the text, and where each part of it came from. */
export interface MarkedRender {
  text: string;
  /** The template position (1-based) that produced the character at `offset` of `text`. */
  origin(offset: number): { line: number; column: number };
}

export type MarkedRenderer = (view: Record<string, unknown>) => MarkedRender;

const markerPattern = /\u0000(\d+)\u0001/g;

/**
 * Compiles a template so that its output carries a marker at the start of
 * every template line (and after every mustache). The markers are taken out
 * of the text again; the output is byte-for-byte what `add` renders.
 */
export function compileMarked(ast: Program): MarkedRenderer {
  const marked = structuredClone(ast);
  const marks: Array<{ line: number; column: number }> = [];
  const mark = (line: number, column: number) => `\u0000${marks.push({ line, column }) - 1}\u0001`;

  const visit = (program: Program | undefined): void => {
    for (const statement of program?.body ?? []) {
      if (statement.type === "ContentStatement") {
        const content = statement as hbs.AST.ContentStatement;
        const original = content.original as unknown as string;
        const value = content.value;
        const offset = valueOffset(original, value);
        // Position of index i of `original`.
        const position = (i: number) => {
          const before = original.slice(0, i);
          const newlines = before.split("\n").length - 1;
          const lastNl = before.lastIndexOf("\n");
          return {
            line: content.loc.start.line + newlines,
            column: lastNl === -1 ? content.loc.start.column + i + 1 : i - lastNl,
          };
        };
        let out = "";
        let from = 0;
        const start = position(offset);
        out += mark(start.line, start.column);
        for (let i = 0; i < value.length; i++) {
          if (value[i] === "\n") {
            out += value.slice(from, i + 1);
            from = i + 1;
            const p = position(offset + i + 1);
            out += mark(p.line, p.column);
          }
        }
        out += value.slice(from);
        content.value = out;
      } else if (statement.type === "BlockStatement") {
        const b = statement as hbs.AST.BlockStatement;
        visit(b.program);
        visit(b.inverse);
      }
    }
  };
  visit(marked);
  const template = handlebars.compile(marked, compileOptions);

  return (view) => {
    const raw = template(view);
    const points: Array<{ offset: number; line: number; column: number }> = [];
    let text = "";
    let last = 0;
    for (const match of raw.matchAll(markerPattern)) {
      text += raw.slice(last, match.index);
      last = match.index + match[0].length;
      const m = marks[Number(match[1])]!;
      points.push({ offset: text.length, line: m.line, column: m.column });
    }
    text += raw.slice(last);
    return {
      text,
      origin(offset) {
        let found: (typeof points)[number] | undefined;
        for (const p of points) {
          if (p.offset > offset) break;
          found = p;
        }
        if (!found) return { line: 1, column: 1 };
        const between = text.slice(found.offset, offset);
        return between.includes("\n") ? { line: found.line, column: 1 } : { line: found.line, column: found.column + between.length };
      },
    };
  };
}

/** Where `value` starts in `original`: whitespace control only strips a prefix and trailing blanks. */
function valueOffset(original: string, value: string): number {
  for (const candidate of [original, original.replace(/[ \t]+$/, ""), original.replace(/\s+$/, "")]) {
    if (candidate.endsWith(value)) return candidate.length - value.length;
  }
  const found = original.indexOf(value);
  return found === -1 ? 0 : found;
}
