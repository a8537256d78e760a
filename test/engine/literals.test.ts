// Answers end up inside generated TypeScript: any string must come out as a
// literal with exactly the same value, and comment text can never end its comment.
import fc from "fast-check";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { applyStyle } from "../../src/ast/apply-style.js";
import { commentText, toCamelCase, tsLiteral, tsString } from "../../src/render/literals.js";
import { compileTemplate } from "../../src/render/handlebars-env.js";

/** Evaluates a JavaScript expression without eval's scope (the literal is self-contained). */
const evaluate = (code: string): unknown => new Function(`return (${code});`)();

/** Syntax errors of a TypeScript text, by the compiler's parser. */
function syntaxErrors(code: string): string[] {
  const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, true);
  const diagnostics = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
}

const nasty = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("${x}", "*/", "/*", "\\", "'", '"', "`", "\n", "\r\n", "\u2028", "\u2029", "\uD800", "</script>", "{{x}}"),
  fc.array(fc.constantFrom("${", "*/", "\\", "'", '"', "`", "\n", "a", "😀", "\uDC00"), { maxLength: 12 }).map((a) => a.join("")),
);

describe("tsString / tsLiteral", () => {
  it("any string round-trips through a double-quoted literal", () => {
    fc.assert(fc.property(nasty, (s) => evaluate(tsString(s)) === s && syntaxErrors(`const x = ${tsString(s)};`).length === 0), { numRuns: 500 });
  });

  it("any string round-trips through a single-quoted literal", () => {
    fc.assert(fc.property(nasty, (s) => evaluate(tsString(s, "'")) === s && tsString(s, "'").startsWith("'")), { numRuns: 500 });
  });

  it("any JSON value round-trips through tsLiteral", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
        expect(evaluate(tsLiteral(v))).toStrictEqual(JSON.parse(JSON.stringify(v)));
      }), { numRuns: 300 });
  });

  it("comment text never ends the comment it stands in", () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const code = `/* ${commentText(s)} */\n// ${commentText(s)}\nexport const ok = 1;\n`;
        const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, true);
        return sf.statements.length === 1 && syntaxErrors(code).length === 0;
      }),
      { numRuns: 300 },
    );
  });

  it("camelCase always gives an identifier", () => {
    fc.assert(fc.property(fc.string(), (s) => /^[A-Za-z_$][\w$]*$/.test(toCamelCase(s))));
  });
});

describe("templates with the str helper", () => {
  it("render any answer into code that parses and keeps the value, in the user's quote style", () => {
    const render = compileTemplate("export const TEXT: string = {{str text}};\n", "property.hbs");
    fc.assert(
      fc.property(nasty, fc.constantFrom<'"' | "'">('"', "'"), fc.boolean(), (text, quote, semicolons) => {
        const code = applyStyle(render({ text }), { quote, semicolons, indent: "  ", eol: "\n" });
        expect(syntaxErrors(code)).toEqual([]);
        const literal = code.slice(code.indexOf("=") + 1).trim().replace(/;$/, "");
        expect(evaluate(literal)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("strict mode: a missing variable is an error naming the template", () => {
    const render = compileTemplate("const x = {{json missing}};", "templates/x/x.ts.hbs");
    expect(() => render({})).toThrow(/templates\/x\/x\.ts\.hbs:1:18: template error: unknown variable "missing"/);
    expect(() => compileTemplate("{{#if nope}}x{{/if}}{{#each list}}{{this}}{{../alsoNope}}{{/each}}", "t.hbs")({ list: [1] })).toThrow(/"nope"/);
    expect(() => compileTemplate("{{#each list}}{{../alsoNope}}{{/each}}", "t.hbs")({ list: [1] })).toThrow(/"alsoNope"/);
    expect(compileTemplate("{{#each list}}[{{this}}]{{/each}}", "t.hbs")({ list: [5, 6] })).toBe("[5][6]");
  });

  it("a syntax error is reported with the template's line", () => {
    expect(() => compileTemplate("line one\n{{#if x}}\nnever closed\n", "templates/x/broken.ts.hbs")).toThrow(/templates\/x\/broken\.ts\.hbs:\d+:\d+: template error: handlebars syntax error: unexpected end of template/);
  });

  it("an unknown helper is refused", () => {
    expect(() => compileTemplate("{{shout x}}", "t.hbs")({ x: 1 })).toThrow(/template error/);
  });
});
