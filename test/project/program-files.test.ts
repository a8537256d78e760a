// The scan of a large repository reads the bot's program (its entries and
// what they import), not every file: src/project/program-files.ts. These
// tests hold it to the full read: on every fixture the walk from the entries
// reaches every file; padded past the limit with files nothing imports, a
// project scans and plans exactly as it does alone, without reading them; and
// when the walk cannot stand for the project, every file is read.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/plan-types.js";
import { entryFiles, fullReadLimit, importedSpecifiers, loadsComputedModules } from "../../src/project/program-files.js";
import { listTsFiles, scanProject } from "../../src/project/scan-project.js";
import type { ProjectFacts } from "../../src/project/project-facts.js";
import { applyRecipes, fixturesDir, tmpDir } from "../helpers/recipes.js";
import { fieldFixtureNames } from "../helpers/toolchain.js";

const fixtures = ["cjs-single", "esm-nodenext-factory", "webhook-split", "crlf-4space", ...fieldFixtureNames.map((n) => `field/${n}`)];
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of a fixture, with `count` TypeScript files under `src/unused/` that nothing imports, each one the scan would notice if it read it. */
function padded(fixture: string, count = fullReadLimit + 50): string {
  const dir = tmpDir(`padded-${fixture.replace(/\//g, "-")}`);
  made.push(dir);
  cpSync(join(fixturesDir, fixture), dir, { recursive: true });
  mkdirSync(join(dir, "src/unused"), { recursive: true });
  for (let i = 0; i < count; i++) {
    // A second bot, a webhook, the runner and a /start handler: had the scan read these, its facts and the plans would differ.
    const body =
      i === 0
        ? `import { Bot, webhookCallback } from "grammy";\nimport { run } from "@grammyjs/runner";\n\nexport const other = new Bot("");\nexport const handle = webhookCallback(other, "std/http");\nrun(other);\n`
        : `import { Composer } from "grammy";\n\nexport const unused${i} = new Composer();\n\nunused${i}.command("start", async (ctx) => {\n\tawait ctx.reply('unused ${i}')\n})\n`;
    writeFileSync(join(dir, `src/unused/unused${i}.ts`), body);
  }
  return dir;
}

/** The facts a plan depends on, without the root (the copies differ there). */
function factsOf(project: ProjectFacts) {
  const { root: _root, installed: _installed, ...rest } = project;
  return { ...rest, texts: [...project.texts.keys()] };
}

/** A plan's effect, or the one-line refusal. */
async function planOf(dir: string, id: string): Promise<unknown> {
  try {
    const plan: Plan = await applyRecipes(dir, [{ id, answers: id === "access-control" ? { commands: ["start", "admin"] } : {} }], { write: false });
    return { changes: plan.changes.map((c) => [c.path, c.after]), manual: plan.manual, notes: plan.notes, skipped: plan.skipped };
  } catch (error) {
    return { refused: (error as Error).message.split(dir).join("<project>") };
  }
}

describe("the bot's program", () => {
  it.each(fixtures)("%s: the walk from the entries reaches every file, so a large repo of this shape loses nothing", (fixture) => {
    const root = join(fixturesDir, fixture);
    const files = listTsFiles(root);
    // Padded past the limit, the scan reads exactly the fixture's own files.
    const dir = padded(fixture);
    expect([...scanProject(dir).texts.keys()]).toEqual(files);
  });

  it.each(["esm-nodenext-factory", "webhook-split", "field/ts50-paths-alias", "field/ts59-entry-catch-start", "field/ts59-vercel-serverless", "field/ts7-two-bots"])(
    "%s: padded with 1,050 files nothing imports, it scans and plans as it does alone",
    async (fixture) => {
      const alone = join(fixturesDir, fixture);
      const dir = padded(fixture);
      expect(factsOf(scanProject(dir))).toEqual(factsOf(scanProject(alone)));
      for (const id of ["error-handler", "access-control", "server-lifecycle", "job-scheduler"]) {
        expect(await planOf(dir, id), id).toEqual(await planOf(alone, id));
      }
    },
  );

  it("reads every file when a module is loaded by a computed path", () => {
    const dir = padded("esm-nodenext-factory");
    writeFileSync(join(dir, "src/loader.ts"), `export async function load(name: string) {\n  return import(\`./unused/\${name}.js\`);\n}\n`);
    writeFileSync(join(dir, "src/index.ts"), `import "./loader.js";\n`);
    const project = scanProject(dir);
    expect(project.texts.size).toBe(listTsFiles(dir).length);
    // The second bot among the padding is found: the user is asked which bot, as on any project with two.
    expect(project.candidates).toContain("src/unused/unused0.ts");
    expect(project.served).toBe("webhook");
  });

  it.each([
    ["no entry is found", false],
    ["the entries lead to no bot", true],
  ])("reads every file when %s", (_, withIndex) => {
    const dir = tmpDir("no-entry");
    made.push(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", type: "module" }));
    // An entry that imports a helper, never the bot's module.
    if (withIndex) {
      writeFileSync(join(dir, "index.ts"), `export { m0 } from "./lib/m0.js";\n`);
      const files = listTsFiles(dir);
      expect(entryFiles(files, { packageJson: undefined, options: {}, tsconfigFiles: undefined, aliases: { aliases: [] } }, (p) => files.includes(p))).toEqual(["index.ts"]);
    }
    mkdirSync(join(dir, "lib/telegram"), { recursive: true });
    writeFileSync(join(dir, "lib/telegram/make-bot.ts"), `import { Bot } from "grammy";\nexport const bot = new Bot(process.env.BOT_TOKEN!);\n`);
    for (let i = 0; i <= fullReadLimit; i++) writeFileSync(join(dir, `lib/m${i}.ts`), `export const m${i} = ${i};\n`);
    const project = scanProject(dir);
    expect(project.texts.size).toBe(fullReadLimit + (withIndex ? 3 : 2));
    expect(project.candidates).toEqual(["lib/telegram/make-bot.ts"]);
  });
});

describe("entryFiles", () => {
  const settings = (packageJson: Record<string, unknown>, options: Record<string, unknown> = {}) => ({ packageJson, options, tsconfigFiles: undefined, aliases: { aliases: [] } });
  const has = (files: string[]) => (path: string) => files.includes(path);

  it("maps what package.json runs from the build folder back to the sources", () => {
    const files = ["source/cli.mts", "source/main.ts", "src/other.ts", "tools/seed.ts"];
    const found = entryFiles(files, settings({ main: "./out/main.js", bin: { seed: "tools/seed.ts" }, scripts: { cli: "node --enable-source-maps out/cli.mjs --verbose" } }, { outDir: "./out", rootDir: "./source" }), has(files));
    expect(found.sort()).toEqual(["source/cli.mts", "source/main.ts", "tools/seed.ts"]);
  });

  it("takes the usual entry names, script paths and serverless function folders", () => {
    const files = ["api/webhook.ts", "bot.ts", "netlify/functions/bot.ts", "scripts/set-webhook.ts", "src/feature.ts", "src/index.ts"];
    const found = entryFiles(files, settings({ scripts: { hook: "tsx scripts/set-webhook.ts && echo done" } }), has(files));
    expect(found.sort()).toEqual(["api/webhook.ts", "bot.ts", "netlify/functions/bot.ts", "scripts/set-webhook.ts", "src/index.ts"]);
  });

  it("never names a file outside the project", () => {
    const files = ["src/index.ts"];
    expect(entryFiles(files, settings({ main: "../elsewhere/src/index.ts", scripts: { x: "node /etc/passwd.js" } }), (p) => p.startsWith("..") || p.startsWith("/"))).toEqual([]);
  });
});

describe("reading imports", () => {
  it("finds every specifier with a string literal", () => {
    const text = `import a from "./a.js";\nimport type { B } from '@/b';\nexport * from "./c";\nimport "./side-effect.js";\nconst d = await import("./d.js");\nconst e = require("./e");\nimport f = require("./f");\nexport {\n  g,\n} from "#root/g.js";\n`;
    expect(importedSpecifiers(text)).toEqual(["./a.js", "@/b", "./c", "./side-effect.js", "./d.js", "./e", "./f", "#root/g.js"]);
  });

  it.each([
    ["import(`./commands/${name}.js`)", true],
    ["require(path.join(dir, file))", true],
    ["const modules = import.meta.glob('./commands/*.ts')", true],
    ["await import( name )", true],
    ['await import("./fixed.js")', false],
    ["type T = typeof import('./types')", false],
    ["bot.command('import', (ctx) => ctx.reply('no'))", false],
    ["myimport(x); obj.require(y)", false],
  ])("%s: computed %s", (text, computed) => {
    expect(loadsComputedModules(text)).toBe(computed);
  });
});
