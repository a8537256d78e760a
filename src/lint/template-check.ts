import { compileOptions, handlebars } from "../render/handlebars-env.js";

// === Handlebars templates, read as data ===
//
// Lint parses every template with the same environment `add` renders with,
// checks the names it uses (src/render/template-names.ts), and renders it with
// invisible line markers so a problem in the rendered TypeScript can be
// reported at the template line that produced it.

export { checkTemplateNames, errorPosition, knownHelpers, parseTemplate, summarize, type TemplateProblem } from "../render/template-names.js";

type Program = hbs.AST.Program;

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
