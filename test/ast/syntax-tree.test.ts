import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTs } from "../../src/ast/parse.js";
import { parseWithBabel } from "../../src/ast/syntax/from-babel.js";
import { parseWithTypescript } from "../../src/ast/syntax/from-typescript.js";
import { modelledKinds, type SourceFile } from "../../src/ast/syntax/tree.js";

// The engine locates its edits on a tree built by Babel's parser; TypeScript's
// own parser is the oracle: on every file below, both trees must have the same
// nodes of every kind the engine looks at, at the same offsets, with the same
// modifiers, flags and literal values.

const repo = join(import.meta.dirname, "../..");
const compared = new Set<string>(modelledKinds);

function sourceFiles(dir: string, pattern: RegExp, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, pattern, out);
    else if (pattern.test(entry.name)) out.push(path);
  }
  return out;
}

/** Every compared node as one line: kind, range, modifiers, flags, value. */
function shape(file: SourceFile): string[] {
  return file
    .getDescendants()
    .filter((n) => compared.has(n.kind))
    .map((n) => [n.kind, n.start, n.end, [...(n.flags.modifiers ?? [])].sort().join(","), n.flags.typeOnly ?? "", n.flags.declarationKind ?? "", n.flags.token ?? "", n.value ?? ""].join(" "));
}

function compare(path: string, text: string): { refused: boolean } {
  const fast = parseWithBabel(path, text);
  const oracle = parseWithTypescript(path, text);
  if (!fast) {
    // Babel may refuse what TypeScript reads (the engine then uses TypeScript's tree), never the reverse in these files.
    return { refused: true };
  }
  expect(oracle.error, `${path}: Babel read a file TypeScript reports as broken`).toBeUndefined();
  expect(shape(fast), path).toEqual(shape(oracle.file));
  return { refused: false };
}

describe("the light syntax tree", () => {
  it("equals TypeScript's tree on this repository's sources, tests and fixtures (CRLF, tabs, CommonJS, subclasses, factories)", () => {
    const files = [...sourceFiles(join(repo, "src"), /\.ts$/), ...sourceFiles(join(repo, "test"), /\.(m|c)?[jt]sx?$/), ...sourceFiles(join(repo, "bench"), /\.js$/)].filter((f) => !f.includes("/bad"));
    expect(files.length).toBeGreaterThan(300);
    let refused = 0;
    for (const file of files) if (compare(relative(repo, file), readFileSync(file, "utf8")).refused) refused++;
    expect(refused).toBe(0);
  });

  it("equals TypeScript's tree on grammY's own JavaScript and declaration files", () => {
    const files = sourceFiles(join(repo, "node_modules/grammy/out"), /\.(js|d\.ts)$/);
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) compare(relative(repo, file), readFileSync(file, "utf8"));
  });

  it("equals TypeScript's tree on the syntax real bots use", () => {
    const text = [
      "#!/usr/bin/env node",
      '"use strict";',
      "import type { Context } from 'grammy'",
      'import Default, { Bot as TelegramBot, type Api, "x-y" as xy } from "grammy";',
      "import * as ns from './ns.js';",
      "import fs = require('node:fs');",
      "export import Alias = ns.Inner;",
      "declare const declared: unique symbol;",
      "export const bot = new TelegramBot<MyContext>(process.env.BOT_TOKEN!);",
      "export default bot;",
      "export { bot as theBot, type Api };",
      "export * as all from './all';",
      "type MyContext = Context & { readonly x?: number } | null;",
      "interface Flavor extends ns.Base<string>, Other { (a: string): void; new (b: number): Flavor; [key: string]: unknown; get size(): number; method?<T>(x: T): T }",
      "@sealed export class MyBot extends TelegramBot<MyContext> implements ns.Runner {",
      "  static #count = 0; declare readonly name: string; accessor acc = 1;",
      "  constructor(@inject() private readonly deps: Deps, public token = '') { super(token); this.use(async (ctx, next) => { await next() }) }",
      "  get count() { return MyBot.#count } set count(v) {} static { MyBot.#count++ } async *gen() {} [Symbol.iterator]() {}",
      "}",
      "const { a, b: [c = 1, ...d], ...rest } = obj as unknown as Record<string, never>;",
      "({ a, b = 2 } = obj); [x, y] = [y, x];",
      "for await (const u of updates) { if (!u) continue; else break }",
      "label: for (let i = 0, j = 1; i < j; i++) switch (i) { case 1: { break label } default: void 0 }",
      "try { throw new Error(`at ${where} and ${1 + 1}`) } catch ({ message }: any) {} finally {}",
      "const f = async <T,>(x: T): Promise<T> => (x satisfies T)!, g = <T>x, h = tag`a${b}c`;",
      "type Fn = (ctx: MyContext, ...rest: [a?: string, ...b: number[]]) => `p${string}` | typeof import('./x').y | keyof T[K] | (T extends U ? X : Y);",
      "enum E { A = 1, B } namespace N.M { export const z = 1 } declare global { interface Window {} } declare module 'm' {}",
      "using res = getResource(); label2: do x++; while (x < 3)",
      "a?.b?.(c)?.[d]; new.target; import.meta.url; await import('./lazy.js'); x ??= y ||= z &&= w;",
    ].join("\n");
    for (const eol of ["\n", "\r\n"]) compare("shapes.ts", text.replace(/\n/g, eol).replace(/  /g, "\t"));
  });

  it("equals TypeScript's tree on any small program built from the engine's shapes (fast-check)", () => {
    const name = fc.constantFrom("bot", "app", "b", "$x", "_y");
    const expr = fc.constantFrom("1", "'s'", '"d"', "`t`", "`a${b}`", "x.y", "x?.y", "f()", "new Bot('t')", "(a, b)", "[1, , 2]", "{ a, b: 1, ...c }", "async (ctx, next) => { await next() }", "function (x: number): void {}", "x as const", "<T>y", "!z");
    const statement = fc.oneof(
      fc.tuple(fc.constantFrom("const", "let", "var", "export const"), name, fc.constantFrom("", ": Bot<MyContext>", ": number | null"), expr).map(([k, n, t, e]) => `${k} ${n}${t} = ${e};`),
      fc.tuple(name, expr).map(([n, e]) => `${n}.use(${e})`),
      fc.tuple(name, fc.array(name, { maxLength: 3 })).map(([n, ns]) => `import { ${[n, ...ns.map((m, i) => `${m} as ${m}${i}`)].join(", ")} } from "./m${n}.js";`),
      fc.tuple(name, expr).map(([n, e]) => `/** doc */\nexport function ${n}(a = ${e}, ...r: unknown[]) { return ${e} }`),
      fc.tuple(name, name).map(([n, m]) => `class ${n}X extends ${m}.Bot<C> { constructor() { super("t"); this.on("message", () => {}) } }`),
    );
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 8 }), fc.constantFrom("\n", "\r\n", "\n\n  "), (statements, eol) => {
        compare("gen.ts", statements.join(eol));
      }),
      { seed: 15, numRuns: 300 },
    );
  });

  it("reports a real syntax error in TypeScript's words, at its line and column", () => {
    expect(() => parseTs("src/bot.ts", "const bot = new Bot(;\n")).toThrow(/^src\/bot\.ts:1:21: cannot parse: .\). expected\.$/);
  });

  it("refuses code nested too deeply to walk with one line, not a stack overflow", () => {
    const text = `import { Bot } from "grammy";\nconst bot = new Bot("t");\nconst s = ${Array.from({ length: 20_000 }, (_, i) => `"a${i}"`).join(" + ")};\n`;
    expect(() => parseTs("src/bot.ts", text)).toThrow(/^src\/bot\.ts: cannot parse: the code is nested too deeply for the engine to read$/);
    // Thousands of terms are fine.
    const long = `const s = ${Array.from({ length: 2_000 }, (_, i) => `"a${i}"`).join(" + ")};\nbot.start();\n`;
    expect(parseTs("src/bot.ts", long).getDescendantsOfKind("CallExpression")).toHaveLength(1);
  });

  it("takes TypeScript's tree when Babel refuses what TypeScript reads", () => {
    // Babel rejects a second declaration of the same name; TypeScript parses it (the checker would complain later).
    const text = "let a = 1;\nlet a = 2;\nbot.use(x);\n";
    expect(parseWithBabel("x.ts", text)).toBeUndefined();
    const tree = parseTs("x.ts", text);
    expect(tree.getDescendantsOfKind("CallExpression").map((c) => c.getText())).toEqual(["bot.use(x)"]);
  });
});
