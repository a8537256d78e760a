// What the type-check cannot see (issue 17, items 5, 7, 8): a recipe that
// needs a long-running process on a bot served as a serverless function, a
// second session()/conversations() next to the project's own, and imports
// written in the project's style (its alias where ESLint forbids relative
// paths, in its import/order groups), checked by running the built bot.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { CliError } from "../../src/core/errors.js";
import { NeedsRefusal } from "../../src/engine/requirements.js";
import { groupRank, importGroup, placeNewImport } from "../../src/project/import-order.js";
import { importRulesFromText } from "../../src/project/import-rules.js";
import { scanProject } from "../../src/project/scan-project.js";
import { applyRecipes, recipes, repoRoot, tmpDir } from "../helpers/recipes.js";

const field = join(repoRoot, "test/fixtures/field");

/** A fresh copy of a field fixture (planning needs no toolchain: the repository's packages are found above it). */
function copy(fixture: string): string {
  const dir = join(tmpDir(`runtime-${fixture}`), fixture);
  cpSync(join(field, fixture), dir, { recursive: true });
  return dir;
}

async function refusal(run: Promise<unknown>): Promise<CliError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe("serverless entry points (needs: long-running)", () => {
  it("the manifests of job-scheduler, broadcast and media-group-collector say they need a long-running process; no other does", () => {
    const needing = recipes.filter((r) => r.manifest.needs?.includes("long-running")).map((r) => r.manifest.id).sort();
    expect(needing).toEqual(["broadcast", "job-scheduler", "media-group-collector"]);
  });

  it("a webhookCallback exported from api/ (Vercel) makes the project serverless; a webhook server does not", () => {
    expect(scanProject(copy("ts59-vercel-serverless")).hosting).toEqual({ kind: "serverless", evidence: "api/bot.ts" });
    expect(scanProject(copy("ts59-cjs-loose")).hosting).toEqual({ kind: "process" });
  });

  it.each(["job-scheduler", "broadcast", "media-group-collector"])("%s on a serverless bot: refused in one line, nothing written; --force writes it", async (id) => {
    const dir = copy("ts59-vercel-serverless");
    const before = readFileSync(join(dir, "src/bot.ts"), "utf8");
    const error = await refusal(applyRecipes(dir, [{ id }]));
    expect(error).toBeInstanceOf(NeedsRefusal);
    expect(error.message).toBe(`${id} needs a long-running process, but this bot is served as a serverless function (api/bot.ts): its timers, queues and in-memory state end with each request; nothing was written`);
    expect(error.hint).toContain("--force");
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toBe(before);
    expect(existsSync(join(dir, "src/recipes"))).toBe(false);
    const plan = await applyRecipes(dir, [{ id }], { force: true });
    expect(plan.changes.length).toBeGreaterThan(0);
  });

  it("a recipe without needs is added to the serverless bot as usual", async () => {
    const plan = await applyRecipes(copy("ts59-vercel-serverless"), [{ id: "chat-action", answers: { style: "plugin" } }]);
    expect(plan.changes.map((c) => c.path)).toContain("src/bot.ts");
  });
});

describe("a second session() (conflicts)", () => {
  it("persistence on a bot that installs session() and conversations(): refused, naming both lines, nothing written", async () => {
    const dir = copy("ts59-session-conversations");
    const before = readFileSync(join(dir, "src/bot.ts"), "utf8");
    const error = await refusal(applyRecipes(dir, [{ id: "persistence" }]));
    expect(error.message).toBe(
      "persistence installs its own session() and conversations(), and this bot already installs session() from grammy at src/bot.ts:18, conversations() from @grammyjs/conversations at src/bot.ts:19: a second one would hide the first one's data; nothing was written",
    );
    expect(error.message).not.toContain("\n");
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toBe(before);
    expect(existsSync(join(dir, "src/recipes"))).toBe(false);
  });

  it("conversations() alone (ts7-paths-conversations) is found too; a bot without either gets persistence, and a re-run finds only the recipe's own", async () => {
    const error = await refusal(applyRecipes(copy("ts7-paths-conversations"), [{ id: "persistence" }]));
    expect(error.message).toContain("conversations() from @grammyjs/conversations at src/bot/index.ts:8");
    const dir = copy("ts59-cjs-loose");
    await applyRecipes(dir, [{ id: "persistence" }]);
    // The rendered persistence.ts calls conversations() itself: that is the recipe's, not a second one.
    const again = await applyRecipes(dir, [{ id: "persistence" }]);
    expect(again.changes).toEqual([]);
  });
});

describe("imports in the project's style", () => {
  it("reads no-restricted-imports patterns and import/order groups from an ESLint config", () => {
    const rules = importRulesFromText(readFileSync(join(field, "ts59-alias-import-order/eslint.config.js"), "utf8"), "eslint.config.js");
    expect(rules).toEqual({ noRelative: "all", orderGroups: [["builtin"], ["external"], ["internal"], ["parent", "sibling", "index"]], source: "eslint.config.js" });
    expect(importRulesFromText(`{ "rules": { "no-restricted-imports": ["error", { "patterns": ["../*"] }] } }`, ".eslintrc.json").noRelative).toBe("parent");
    expect(importRulesFromText(`{ "rules": { "import/order": "error" } }`, ".eslintrc.json").orderGroups).toEqual([["builtin", "external"], ["parent", "sibling", "index"]]);
  });

  it("reads a YAML config's bare list items", () => {
    expect(importRulesFromText("rules:\n  no-restricted-imports:\n    - error\n    - patterns:\n        - ../*\n", ".eslintrc.yml").noRelative).toBe("parent");
  });

  it("places a new import after the last one of its group or an earlier one; a file not ordered by group keeps it last", () => {
    const rank = (s: string) => groupRank(importGroup(s, { aliases: [{ pattern: "@/*", targets: ["src/*"], kind: "paths" }] }), {});
    const before = 'import { Bot } from "grammy";\nimport { a } from "@/a";\nimport { b } from "./b";\n\nconst bot = new Bot("");\n';
    const appended = (line: string, text = before) => text.replace(/(import[^\n]*\n)(?!import)/, `$1${line}\n`);
    expect(placeNewImport("x.ts", before, appended('import { p } from "@grammyjs/p";'), "@grammyjs/p", rank)).toBe(
      'import { Bot } from "grammy";\nimport { p } from "@grammyjs/p";\nimport { a } from "@/a";\nimport { b } from "./b";\n\nconst bot = new Bot("");\n',
    );
    expect(placeNewImport("x.ts", before, appended('import { c } from "@/c";'), "@/c", rank)).toBe(
      'import { Bot } from "grammy";\nimport { a } from "@/a";\nimport { c } from "@/c";\nimport { b } from "./b";\n\nconst bot = new Bot("");\n',
    );
    expect(placeNewImport("x.ts", before, appended('import { d } from "./d";'), "./d", rank)).toBe(appended('import { d } from "./d";'));
    const unordered = 'import { b } from "./b";\nimport { Bot } from "grammy";\n\nnew Bot("");\n';
    expect(placeNewImport("x.ts", unordered, appended('import { p } from "@grammyjs/p";', unordered), "@grammyjs/p", rank)).toBe(appended('import { p } from "@grammyjs/p";', unordered));
  });

  it("an ESLint ban on relative imports: the recipe is imported through the alias even where the bot's file has no aliased import", async () => {
    const dir = copy("ts59-alias-import-order");
    // Without its own aliased imports the file gives no evidence; the rule does.
    const file = join(dir, "src/bot/index.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('import type { TeamContext } from "#root/bot/context.js";\nimport { team } from "#root/handlers/team.js";\n', "").replace("<TeamContext>", "").replace("<TeamContext>", "").replace("  bot.use(team);\n", ""));
    await applyRecipes(dir, [{ id: "rate-limit" }]);
    const text = readFileSync(file, "utf8");
    expect(text).toContain('from "#root/bot/recipes/rate-limit.js";');
    expect(text).not.toMatch(/from "\.\.?\//);
  });

  it(
    "alias fixture: the package import goes after grammy, the recipe's through #root/, and the built bot starts against the offline Bot API",
    { timeout: 120_000 },
    async () => {
      const dir = copy("ts59-alias-import-order");
      await applyRecipes(dir, [{ id: "chat-action", answers: { style: "plugin" } }]);
      await applyRecipes(dir, [{ id: "rate-limit" }]);
      const text = readFileSync(join(dir, "src/bot/index.ts"), "utf8");
      const imports = text.split("\n").filter((l) => l.startsWith("import "));
      expect(imports[0]).toBe('import { Bot } from "grammy";');
      expect(imports[1]).toBe('import { autoChatAction } from "@grammyjs/auto-chat-action";');
      expect(imports.slice(2).every((l) => l.includes('"#root/'))).toBe(true);
      expect(text).toContain('from "#root/bot/recipes/rate-limit.js";');
      // The flavor's import in the context file: after grammy, before the project's alias.
      const context = readFileSync(join(dir, "src/bot/context.ts"), "utf8").split("\n").filter((l) => l.startsWith("import "));
      expect(context).toEqual(['import type { Context } from "grammy";', 'import type { AutoChatActionFlavor } from "@grammyjs/auto-chat-action";', 'import type { Config } from "#root/config.js";']);

      // Built and run: the #root/ specifiers must resolve in Node, not only in tsc.
      symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
      const build = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8", timeout: 90_000 });
      expect(build.stdout + build.stderr).toBe("");
      const env: NodeJS.ProcessEnv = { ...process.env, BOT_TOKEN: "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz" };
      const child = spawn(process.execPath, ["--import", pathToFileURL(join(repoRoot, "test/helpers/offline-bot-api.mjs")).href, "build/src/main.js"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        const deadline = Date.now() + 20_000;
        while (!output.includes("is running") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(output).toContain("@test_bot is running");
        child.kill("SIGINT");
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    },
  );
});

describe("ESM with node10 resolution (issue 17, item 1, checked again)", () => {
  const project = (index: string, scripts: Record<string, string> = {}) => {
    const dir = join(tmpDir("runtime-esm-node10"), "bot");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "esm-node10", private: true, type: "module", scripts, dependencies: { grammy: "^1.38.0" } }));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "es2022", module: "es2022", moduleResolution: "node", strict: true, skipLibCheck: true, rootDir: "src", outDir: "dist", types: ["node"] }, include: ["src"] }));
    writeFileSync(join(dir, "src/util.ts"), 'export const greeting = "hi";\n');
    writeFileSync(join(dir, "src/index.ts"), index);
    return dir;
  };
  const bot = 'const bot = new Bot(process.env.BOT_TOKEN ?? "");\nprocess.once("SIGINT", () => bot.stop());\nawait bot.start({ onStart: (me) => console.log(`@${me.username} is running`) });\n';

  it("no relative import yet, but a start script runs the build with node: .js", async () => {
    const dir = project(`import { Bot } from "grammy";\n\n${bot}`, { start: "node --enable-source-maps dist/index.js" });
    await applyRecipes(dir, [{ id: "rate-limit" }]);
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain('from "./recipes/rate-limit.js";');
  });

  it("a single .js import is followed, and the built bot starts under Node", { timeout: 120_000 }, async () => {
    const dir = project(`import { Bot } from "grammy";\nimport { greeting } from "./util.js";\n\n${bot.replace("\nprocess.once", '\nbot.command("start", (ctx) => ctx.reply(greeting));\nprocess.once')}`);
    await applyRecipes(dir, [{ id: "rate-limit" }]);
    expect(readFileSync(join(dir, "src/index.ts"), "utf8")).toContain('from "./recipes/rate-limit.js";');
    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
    // TypeScript 5.9: TypeScript 7 no longer accepts node10 resolution.
    const build = spawnSync(process.execPath, [join(repoRoot, "test/toolchains/node_modules/typescript-5.9/bin/tsc"), "-p", dir], { encoding: "utf8", timeout: 90_000 });
    expect(build.stdout + build.stderr).toBe("");
    const child = spawn(process.execPath, ["--import", pathToFileURL(join(repoRoot, "test/helpers/offline-bot-api.mjs")).href, "dist/index.js"], { cwd: dir, env: { ...process.env, BOT_TOKEN: "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!output.includes("is running") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(output).toContain("@test_bot is running");
      child.kill("SIGINT");
      expect(await exited, output).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
