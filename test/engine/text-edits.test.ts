// The engine's text edits, string in → string out, each tested once for all recipes.
import { describe, expect, it } from "vitest";
import { applyStyle } from "../../src/ast/apply-style.js";
import {
  createContextType,
  ensureNamedImport,
  extendContextType,
  installAfterBot,
  wrapBotTypeArgument,
  wrapCommandHandlers,
} from "../../src/ast/text-edits.js";
import { detectCodeStyle, type CodeStyle } from "../../src/project/code-style.js";

const dq: CodeStyle = { quote: '"', semicolons: true, indent: "  ", eol: "\n" };
const sq: CodeStyle = { quote: "'", semicolons: false, indent: "  ", eol: "\n" };

describe("ensureNamedImport", () => {
  it("adds an import line after the last import, in the file's style", () => {
    const text = "import { Bot } from 'grammy'\nimport { x } from './x.js'\n\nconst bot = new Bot('')\n";
    expect(ensureNamedImport("a.ts", text, { specifier: "./recipes/gate.js", names: ["gate"] }, sq)).toBe(
      "import { Bot } from 'grammy'\nimport { x } from './x.js'\nimport { gate } from './recipes/gate.js'\n\nconst bot = new Bot('')\n",
    );
  });

  it("merges into an existing import of the same module, also spelled without suffix", () => {
    const text = 'import { Bot } from "grammy";\nimport { a } from "./recipes/gate";\n';
    expect(ensureNamedImport("a.ts", text, { specifier: "./recipes/gate.js", aliases: ["./recipes/gate"], names: ["b", "type C"] }, dq)).toBe(
      'import { Bot } from "grammy";\nimport { a, b, type C } from "./recipes/gate";\n',
    );
  });

  it("does nothing when every name is already imported", () => {
    const text = 'import { Bot, Context as Ctx } from "grammy";\n';
    expect(ensureNamedImport("a.ts", text, { specifier: "grammy", names: ["Bot", "type Context"] }, dq)).toBe(false);
  });

  it("turns `import type { A }` into `import { type A, value }` when a value joins it", () => {
    const text = 'import type { Context, Api } from "grammy";\n';
    expect(ensureNamedImport("a.ts", text, { specifier: "grammy", names: ["Bot", "type Filter"] }, dq)).toBe('import { type Context, type Api, Bot, type Filter } from "grammy";\n');
  });

  it("puts the first import after a directive prologue", () => {
    expect(ensureNamedImport("a.ts", '"use strict";\nconst x = 1;\n', { specifier: "m", names: ["y"] }, dq)).toBe('"use strict";\nimport { y } from "m";\n\nconst x = 1;\n');
  });

  it("keeps CRLF", () => {
    const text = 'import { Bot } from "grammy";\r\n\r\nconst bot = new Bot("");\r\n';
    const out = ensureNamedImport("a.ts", text, { specifier: "m", names: ["y"] }, { ...dq, eol: "\r\n" }) as string;
    expect(out).toBe('import { Bot } from "grammy";\r\nimport { y } from "m";\r\n\r\nconst bot = new Bot("");\r\n');
  });
});

describe("installAfterBot", () => {
  const ranks = new Map([
    ["errorBoundary", 0],
    ["accessControl", 20],
    ["rateLimit", 30],
  ]);
  const base = [
    'import { Bot } from "grammy";',
    'import { accessControl } from "./recipes/access-control";',
    'import { rateLimit } from "./recipes/rate-limit";',
    'import { errorBoundary } from "./recipes/error-handler";',
    "",
    'const bot = new Bot("");',
    "",
    'bot.on("message", (ctx) => ctx.reply("catch-all"));',
    "",
  ].join("\n");

  it("installs right after the bot, before the user's handlers", () => {
    const out = installAfterBot("a.ts", base, { bot: "bot", code: "bot.use(rateLimit())", rank: 30, ranks }, dq) as string;
    expect(out).toContain('const bot = new Bot("");\nbot.use(rateLimit());\n\nbot.on("message"');
  });

  it("keeps rank order whatever order recipes are added in", () => {
    let text = base;
    for (const [code, rank] of [["bot.use(rateLimit())", 30], ["bot.use(errorBoundary())", 0], ["bot.use(accessControl())", 20]] as const) {
      text = installAfterBot("a.ts", text, { bot: "bot", code, rank, ranks }, dq) as string;
    }
    expect(text).toContain('const bot = new Bot("");\nbot.use(errorBoundary());\nbot.use(accessControl());\nbot.use(rateLimit());\n\nbot.on(');
  });

  it("is idempotent, ignoring quotes, spaces and semicolons", () => {
    const once = installAfterBot("a.ts", base, { bot: "bot", code: "bot.use(accessControl())", rank: 20, ranks }, dq) as string;
    expect(installAfterBot("a.ts", once, { bot: "bot", code: "bot.use( accessControl() );", rank: 20, ranks }, dq)).toBe(false);
  });

  it("works inside a factory, with the statement's indentation", () => {
    const text = "import { Bot } from 'grammy'\nexport function createBot() {\n\tconst app = new Bot('')\n\tapp.command('x', () => {})\n\treturn app\n}\n";
    const out = installAfterBot("a.ts", text, { bot: "app", code: "app.use(gate())", rank: 20, ranks }, { ...sq, indent: "\t" });
    expect(out).toBe("import { Bot } from 'grammy'\nexport function createBot() {\n\tconst app = new Bot('')\n\tapp.use(gate())\n\tapp.command('x', () => {})\n\treturn app\n}\n");
  });

  it("puts features (rank >= 200) after the user's own middleware, gates before it", () => {
    const featureRanks = new Map([...ranks, ["menu", 200]]);
    const head = 'import { Bot } from "grammy";\nimport { accessControl } from "./recipes/access-control";\nimport { menu } from "./recipes/menu";\n\n';
    const text = `${head}const bot = new Bot("");\nbot.use(async (ctx, next) => {\n  ctx.config = 1;\n  await next();\n});\nbot.on("message", h);\n`;
    let out = installAfterBot("a.ts", text, { bot: "bot", code: "bot.use(menu())", rank: 200, ranks: featureRanks }, dq) as string;
    out = installAfterBot("a.ts", out, { bot: "bot", code: "bot.use(accessControl())", rank: 20, ranks: featureRanks }, dq) as string;
    expect(out).toBe(`${head}const bot = new Bot("");\nbot.use(accessControl());\nbot.use(async (ctx, next) => {\n  ctx.config = 1;\n  await next();\n});\nbot.use(menu());\nbot.on("message", h);\n`);
  });

  it("returns undefined when the bot statement is not there", () => {
    expect(installAfterBot("a.ts", "const x = 1;\n", { bot: "bot", code: "bot.use(x())", rank: 1, ranks }, dq)).toBeUndefined();
  });
});

describe("context types", () => {
  it("adds a flavor to a type alias, once", () => {
    const text = "import type { Context } from 'grammy'\nexport type MyContext = Context & { config: string }\n";
    const out = extendContextType("c.ts", text, "MyContext", "MenuFlavor") as string;
    expect(out).toBe("import type { Context } from 'grammy'\nexport type MyContext = Context & { config: string } & MenuFlavor\n");
    expect(extendContextType("c.ts", out, "MyContext", "MenuFlavor")).toBe(false);
  });

  it("parenthesises a union before intersecting", () => {
    expect(extendContextType("c.ts", "type C = A | B;\n", "C", "F")).toBe("type C = (A | B) & F;\n");
  });

  it("adds a flavor to an interface's extends clause", () => {
    expect(extendContextType("c.ts", "interface C extends Context {\n  x: number;\n}\n", "C", "SessionFlavor<S>")).toBe("interface C extends Context, SessionFlavor<S> {\n  x: number;\n}\n");
  });

  it("says when the type is not declared in the file", () => {
    expect(extendContextType("c.ts", "const x = 1;\n", "C", "F")).toBe("not-found");
  });

  it("creates a context type for a bot without one", () => {
    const text = 'import { Bot } from "grammy";\n\nconst bot = new Bot("");\n';
    expect(createContextType("b.ts", text, "bot", "BotContext", "Context & F", dq)).toBe(
      'import { Bot } from "grammy";\n\n/** The bot\'s context type: grammY\'s Context plus the flavors recipes add. */\nexport type BotContext = Context & F;\n\nconst bot = new Bot<BotContext>("");\n',
    );
  });
});

describe("wrapCommandHandlers", () => {
  it("wraps the last handler of the named commands, once", () => {
    const text = 'bot.command("slow", auth, async (ctx) => {\n  await work();\n});\nbot.command(["a", "fast"], h);\nbot.command("other", h);\n';
    const first = wrapCommandHandlers("h.ts", text, ["slow", "fast", "missing"], "withTyping");
    expect(first.text).toBe('bot.command("slow", auth, withTyping(async (ctx) => {\n  await work();\n}));\nbot.command(["a", "fast"], withTyping(h));\nbot.command("other", h);\n');
    expect(first.wrapped.sort()).toEqual(["fast", "slow"]);
    expect(wrapCommandHandlers("h.ts", first.text as string, ["slow", "fast"], "withTyping").text).toBe(false);
  });
});

describe("applyStyle", () => {
  const canonical = 'import { a } from "b";\n\nexport function f(): string {\n  const s = "it\'s";\n  return `line\n  kept`;\n}\n\nconst x = 1;\n(globalThis as { y?: number }).y = x;\n';

  it("turns canonical code into single quotes, no semicolons, tabs, CRLF, keeping template literal lines", () => {
    const out = applyStyle(canonical, { quote: "'", semicolons: false, indent: "\t", eol: "\r\n" });
    expect(out).toBe("import { a } from 'b'\r\n\r\nexport function f(): string {\r\n\tconst s = 'it\\'s'\r\n\treturn `line\r\n  kept`\r\n}\r\n\r\nconst x = 1;\r\n(globalThis as { y?: number }).y = x\r\n");
  });

  it("is the identity for the canonical style", () => {
    expect(applyStyle(canonical, { quote: '"', semicolons: true, indent: "  ", eol: "\n" })).toBe(canonical);
  });
});

describe("detectCodeStyle", () => {
  it("reads quotes, semicolons, indent and line endings", () => {
    expect(detectCodeStyle("import { a } from 'b'\r\nfunction f() {\r\n    return 1\r\n}\r\n")).toEqual({ quote: "'", semicolons: false, indent: "    ", eol: "\r\n" });
    expect(detectCodeStyle('import { a } from "b";\nif (x) {\n\tf();\n}\n')).toEqual({ quote: '"', semicolons: true, indent: "\t", eol: "\n" });
  });
});

describe("wrapping flavors (FileFlavor<C>)", () => {
  it("wraps a type alias once", () => {
    const out = extendContextType("c.ts", "export type MyContext = Context & { config: string };\n", "MyContext", "FileFlavor", true) as string;
    expect(out).toBe("export type MyContext = FileFlavor<Context & { config: string }>;\n");
    expect(extendContextType("c.ts", out, "MyContext", "FileFlavor", true)).toBe(false);
  });

  it("cannot wrap an interface (the engine then declares a wrapping alias)", () => {
    expect(extendContextType("c.ts", "interface C extends Context {}\n", "C", "FileFlavor", true)).toBe("unsupported");
  });

  it("wraps the bot's type argument in place, once", () => {
    const text = 'import { Bot } from "grammy";\n\nconst app = new Bot<AppContext>("");\n';
    const out = wrapBotTypeArgument("b.ts", text, "app", "FileFlavor") as string;
    expect(out).toBe('import { Bot } from "grammy";\n\nconst app = new Bot<FileFlavor<AppContext>>("");\n');
    expect(wrapBotTypeArgument("b.ts", out, "app", "FileFlavor")).toBe(false);
  });
});
