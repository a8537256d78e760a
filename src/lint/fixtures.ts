import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

// === The projects `lint --typecheck` applies recipes to ===
//
// In a checkout of this repository: the four fixture projects of the test
// suite (test/fixtures). The npm package does not ship test/, so an installed
// CLI falls back to the two small projects below (CommonJS, and ESM with
// NodeNext and a custom context type), written into the scratch folder.
// `--fixtures <dir>` (repeatable) checks against your own projects instead.

export const bundledFixtureNames = ["cjs-single", "esm-nodenext-factory", "webhook-split", "crlf-4space"] as const;

export function repoFixtureDirs(packageRoot: string): string[] | undefined {
  const dirs = bundledFixtureNames.map((name) => join(packageRoot, "test", "fixtures", name));
  return dirs.every((d) => existsSync(join(d, "package.json"))) ? dirs : undefined;
}

/** The field fixtures of a checkout (test/fixtures/field/*, each with a toolchain.json), for `--matrix`. */
export function fieldFixtureDirs(packageRoot: string): string[] {
  const dir = join(packageRoot, "test", "fixtures", "field");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((d) => existsSync(join(d, "toolchain.json")));
}

const builtin: Record<string, Record<string, string>> = {
  "mini-cjs": {
    "package.json": JSON.stringify({ name: "mini-cjs", private: true, dependencies: { grammy: "^1.46.0" } }, null, 2),
    "tsconfig.json": JSON.stringify(
      { compilerOptions: { target: "es2022", module: "commonjs", strict: true, noUncheckedIndexedAccess: true, esModuleInterop: true, skipLibCheck: true, noEmit: true }, include: ["*.ts", "src"] },
      null,
      2,
    ),
    "bot.ts": [
      'import { Bot } from "grammy";',
      "",
      'const bot = new Bot(process.env.BOT_TOKEN ?? "");',
      "",
      'bot.command("start", (ctx) => ctx.reply("Hello!"));',
      'bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));',
      "",
      "void bot.start();",
      "",
    ].join("\n"),
  },
  "mini-esm-nodenext": {
    "package.json": JSON.stringify({ name: "mini-esm-nodenext", private: true, type: "module", dependencies: { grammy: "^1.46.0" } }, null, 2),
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noUncheckedIndexedAccess: true, skipLibCheck: true, noEmit: true },
        include: ["src"],
      },
      null,
      2,
    ),
    "src/context.ts": ['import type { Context } from "grammy";', "", "export type MyContext = Context & { startedAt: number };", ""].join("\n"),
    "src/bot.ts": [
      'import { Bot } from "grammy";',
      'import type { MyContext } from "./context.js";',
      "",
      "export function createBot(token: string) {",
      "  const bot = new Bot<MyContext>(token);",
      "  bot.use(async (ctx, next) => {",
      "    ctx.startedAt = Date.now();",
      "    await next();",
      "  });",
      '  bot.command("start", (ctx) => ctx.reply("Hello!"));',
      "  return bot;",
      "}",
      "",
    ].join("\n"),
    "src/main.ts": ['import { createBot } from "./bot.js";', "", 'const bot = createBot(process.env.BOT_TOKEN ?? "");', "void bot.start();", ""].join("\n"),
  },
};

/** Writes the built-in fixture projects under `into`; returns their folders. */
export function writeBuiltinFixtures(into: string): string[] {
  return Object.entries(builtin).map(([name, files]) => {
    const dir = join(into, name);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  });
}
