// lint --typecheck checks one of several generated modules that differ only in
// the text of non-empty string literals (`normalize`). A wrong "alike" means a
// module is never type-checked, so normalize must see strings as TypeScript
// does: not a quote in a comment, a template literal or a regular expression.
// The code here is generated from a small grammar that knows what normalize
// should give (`want`); pieces whose `/` is ambiguous make it give the code
// unchanged.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalize } from "../../src/lint/typecheck-recipes.js";

/** A piece of code: its text, and what normalize should make of it. */
interface Piece {
  text: string;
  want: string;
  /** Its `/` may divide or start a regular expression: normalize must leave the whole code as it is. */
  ambiguous?: boolean;
  /** A string literal whose content may be replaced (non-empty, not a module specifier). */
  string?: { quote: string; units: string[] };
}

const nasty = ["a", "b", " ", "'", '"', "`", "/", "*", "$", "{", "}", "(", ")", "[", "]", "=", ";", "\\", "\u2028", "é"];
const char = (exclude: string[]) => fc.constantFrom(...nasty.filter((c) => !exclude.includes(c)));

/** The characters of a '…' or "…" literal: plain ones, or an escape of anything (a line break too). */
const stringUnits = (quote: string) => fc.array(fc.oneof(char([quote, "\\", "\u2028"]), fc.constantFrom(...nasty, "\n").map((c) => `\\${c}`)), { maxLength: 6 });

const word = fc.constantFrom("a", "b", "foo", "x1", "$y", "_z", "const", "let", "number", "string", "if", "2");
const punct = fc.constantFrom(";", ",", ".", "(", ")", "[", "]", "=", "+", "-", "*", "<", ">", ":", "?", "!", "&", "|", "=>");

const stringLiteral: fc.Arbitrary<Piece> = fc.constantFrom("'", '"').chain((quote) =>
  stringUnits(quote).map((units) => {
    const text = `${quote}${units.join("")}${quote}`;
    return units.length === 0 ? { text, want: text } : { text, want: `${quote}x${quote}`, string: { quote, units } };
  }),
);
/** A module specifier: kept as it is (another path is another module). */
const specifier: fc.Arbitrary<Piece> = fc.tuple(fc.constantFrom("from ", "import ", "import(", "require(", "declare module "), stringLiteral).map(([lead, s]) => ({ text: lead + s.text, want: lead + s.text }));
const lineComment: fc.Arbitrary<Piece> = fc.array(char(["\u2028"]), { maxLength: 8 }).map((cs) => ({ text: `//${cs.join("")}\n`, want: `//${cs.join("")}\n` }));
const blockComment: fc.Arbitrary<Piece> = fc.array(fc.oneof(char(["*"]), fc.constant("*\n")), { maxLength: 8 }).map((cs) => ({ text: `/*${cs.join("")}*/`, want: `/*${cs.join("")}*/` }));
const regexBody = fc.array(fc.oneof(char(["/", "\\", "[", "]", "\u2028"]), char(["\u2028"]).map((c) => `\\${c}`), fc.array(char(["]", "\\", "\u2028"]), { maxLength: 3 }).map((cs) => `[${cs.join("")}]`)), { minLength: 1, maxLength: 5 });
const regex: fc.Arbitrary<Piece> = fc.tuple(fc.constantFrom("= ", "(", ", ", "; "), regexBody, fc.constantFrom("", "g", "iu")).filter(([, body]) => !body[0]!.startsWith("*")).map(([lead, body, flags]) => ({ text: `${lead}/${body.join("")}/${flags}`, want: `${lead}/${body.join("")}/${flags}` }));
const division: fc.Arbitrary<Piece> = fc.tuple(fc.constantFrom("a", "x1", "b]", "'s'", "2", "f(a)", "Date.now()"), fc.constantFrom("a", "2")).map(([l, r]) => (l === "'s'" ? { text: `${l} / ${r}`, want: `'x' / ${r}` } : { text: `${l} / ${r}`, want: `${l} / ${r}` }));
/** A `/` after `if (…)`, `}`, `++`, `<`, `>` or a keyword: divide or regular expression? */
const ambiguous: fc.Arbitrary<Piece> = fc.constantFrom("if (a) /'/.test(s)", "while (f(a)) /'/.test(s)", "{} /a'/", "a++ / 2", "return /'/", "x => /'/.test(s)", "a as Array<T> / 2").map((text) => ({ text, want: text, ambiguous: true }));

const join = (pieces: Piece[], seps: string[]) => ({
  text: pieces.map((p, i) => p.text + (seps[i] ?? " ")).join(""),
  want: pieces.map((p, i) => p.want + (seps[i] ?? " ")).join(""),
  ambiguous: pieces.some((p) => p.ambiguous),
});

const { code, piece } = fc.letrec<{ code: Piece[]; piece: Piece }>((tie) => ({
  code: fc.array(tie("piece"), { maxLength: 8 }),
  piece: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    ...[
      word.map((w) => ({ text: w, want: w })),
      punct.map((p) => ({ text: p, want: p })),
      stringLiteral,
      specifier,
      lineComment,
      blockComment,
      regex,
      division,
      tie("code").map((inner) => {
        const body = join(inner, []);
        return { text: `{ ${body.text}}`, want: `{ ${body.want}}`, ambiguous: body.ambiguous };
      }),
      fc.tuple(fc.array(fc.oneof(char(["`", "\\", "$"]), char([]).map((c) => `\\${c}`)), { maxLength: 5 }), tie("code"), fc.array(char(["`", "\\", "$"]), { maxLength: 3 })).map(([head, inner, tail]) => {
        const body = join(inner, []);
        return { text: `\`${head.join("")}\${ ${body.text}}${tail.join("")}\``, want: `\`${head.join("")}\${ ${body.want}}${tail.join("")}\``, ambiguous: body.ambiguous };
      }),
    ].map((arbitrary) => ({ arbitrary: arbitrary as fc.Arbitrary<Piece>, weight: 5 })),
    { arbitrary: ambiguous, weight: 1 }, // rare: one makes the whole code stay as it is
  ),
}));

/** The code, and what normalize should give for it: string contents replaced, or the code as it is when a `/` is ambiguous. */
const expected = (pieces: Piece[], seps: string[] = []) => {
  const all = join(pieces, seps);
  return { text: all.text, want: all.ambiguous ? all.text : all.want };
};
/** Pieces with what separates them (a space or a line break). */
const codeAndSeps = fc.tuple(code, fc.array(fc.constantFrom(" ", "\n", "  "), { maxLength: 8 }));

/** The same code with every replaceable string literal's content changed (still non-empty). */
const otherContents = (pieces: Piece[]): Piece[] =>
  pieces.map((p) => (p.string ? { ...p, text: `${p.string.quote}${[...p.string.units].reverse().join("")}b${p.string.quote}` } : p));

describe("lint --typecheck: normalize (which generated modules type-check alike)", () => {
  it("replaces exactly the contents of non-empty '…' and \"…\" literals outside comments, templates, regular expressions and module specifiers", () => {
    fc.assert(
      fc.property(codeAndSeps, ([pieces, seps]) => {
        const { text, want } = expected(pieces, seps);
        expect(normalize(text)).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it("two codes that differ outside string-literal contents never normalize alike", () => {
    fc.assert(
      fc.property(code, code, (a, b) => {
        const x = expected(a);
        const y = expected(b);
        fc.pre(x.want !== y.want);
        expect(normalize(x.text)).not.toBe(normalize(y.text));
      }),
      { numRuns: 3000 },
    );
    // A piece changed, added or removed in one code (a comment's text, a template's text, code, a quote).
    fc.assert(
      fc.property(code, fc.nat(), fc.option(piece, { nil: undefined }), (pieces, at, other) => {
        const changed = [...pieces];
        if (other === undefined) changed.splice(at % (pieces.length + 1), 1);
        else changed.splice(at % (pieces.length + 1), 0, other);
        const a = expected(pieces);
        const b = expected(changed);
        fc.pre(a.want !== b.want);
        expect(normalize(a.text)).not.toBe(normalize(b.text));
      }),
      { numRuns: 3000 },
    );
  });

  it("two codes that differ only inside non-empty string literals normalize alike", () => {
    fc.assert(
      fc.property(code, (pieces) => {
        fc.pre(pieces.some((p) => p.string) && !pieces.some((p) => p.ambiguous));
        expect(normalize(expected(otherContents(pieces)).text)).toBe(normalize(expected(pieces).text));
      }),
      { numRuns: 2000 },
    );
  });

  it("a quote in a comment, a template literal or a regular expression does not pair with a later one", () => {
    const pairs: Array<[string, string]> = [
      ["const n = 1; /* don't */ const s: string = 'a';", "const n = 1; /* don't */ const s: number = 'a';"],
      ["f(); // don't use 'b' as the key\n", "f(); // don't use 'c' as the key\n"],
      ["const t = `it's ${a}` + 'b';", "const t = `it's ${c}` + 'b';"],
      ['const r = /"/.test(s) ? limit : "z";', 'const r = /"/.test(s) ? other : "z";'],
      ['import { a } from "../recipes/a.js";', 'import { a } from "../features/a.js";'],
    ];
    for (const [a, b] of pairs) expect(normalize(a)).not.toBe(normalize(b));
    expect(normalize("const a = 'one', b = \"two\", c = '';")).toBe("const a = 'x', b = \"x\", c = '';");
    expect(normalize("ctx.reply(`Hi ${'there'}`); // it's")).toBe("ctx.reply(`Hi ${'x'}`); // it's");
  });
});
