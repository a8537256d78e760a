// The engine on the shapes real projects have: subclassed bots, path
// aliases, start calls with options, several bots, installed versions below
// what a recipe needs. Small projects written inline; a data-only pack
// exercises each op, so the tests do not depend on any bundled recipe.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { planAdd, type PlanRequest } from "../../src/engine/plan.js";
import { detectInstalledVersions } from "../../src/project/installed-versions.js";
import { aliasFor, readAliasSettings, resolveProjectModule } from "../../src/project/module-aliases.js";
import { scanProject } from "../../src/project/scan-project.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { tmpDir } from "../helpers/recipes.js";

// === A pack: one recipe using every op that touches the bot ===
const packDir = tmpDir("shapes-pack");
const write = (root: string, files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};
write(packDir, {
  "wire/recipe.json": JSON.stringify({
    id: "wire",
    title: "t",
    description: "d",
    seeds: [],
    questions: [],
    requires: [{ name: "grammy", range: ">=1.20.0" }],
    files: [{ template: "wire.ts.hbs", target: "{{recipesDir}}/wire.ts" }],
    edits: [
      { op: "add-import", file: "{{recipesDir}}/wire.ts", named: ["gate", "onError"] },
      { op: "install", code: "{{bot}}.use(gate())", rank: 10 },
      { op: "set-error-handler", handler: "onError" },
      { op: "extend-context", flavor: "WireFlavor", file: "{{recipesDir}}/wire.ts" },
      { op: "replace-start", code: "startBot({{bot}})", codeWithOptions: "startBot({{bot}}, { polling: {{options}} })", file: "{{recipesDir}}/wire.ts", named: ["startBot"] },
    ],
  }),
  "wire/wire.ts.hbs": [
    'import { Composer, type Bot, type Context, type PollingOptions } from "grammy";',
    "",
    "export interface WireFlavor {",
    "  wired?: true;",
    "}",
    "",
    "export function gate(): Composer<Context> {",
    "  return new Composer();",
    "}",
    "",
    "export function onError(): void {}",
    "",
    "export async function startBot<C extends Context>(bot: Bot<C>, options: { polling?: PollingOptions } = {}): Promise<void> {",
    "  await bot.start(options.polling);",
    "}",
    "",
  ].join("\n"),
  "needs-conv/recipe.json": JSON.stringify({
    id: "needs-conv",
    title: "t",
    description: "d",
    seeds: [],
    questions: [],
    requires: [{ name: "@grammyjs/conversations", range: ">=2.0.0", breaking: "v2 replays conversations differently: rewrite your conversation code", when: { "facts.major:@grammyjs/conversations": 2 } }],
    dependencies: [{ name: "@grammyjs/conversations", version: "^2.1.1", when: { "facts.major:@grammyjs/conversations": 2 } }],
    files: [
      { template: "v2.ts.hbs", target: "{{recipesDir}}/conv.ts", when: { "facts.major:@grammyjs/conversations": 2 } },
      { template: "v1.ts.hbs", target: "{{recipesDir}}/conv.ts", when: { "facts.major:@grammyjs/conversations": 1 } },
    ],
    edits: [],
  }),
  "needs-conv/v1.ts.hbs": "export const major = 1;\n",
  "needs-conv/v2.ts.hbs": "export const major = 2;\n",
  "needs-new/recipe.json": JSON.stringify({
    id: "needs-new",
    title: "t",
    description: "d",
    seeds: [],
    questions: [],
    requires: [{ name: "grammy", range: ">=1.30.0" }],
    dependencies: [{ name: "@grammyjs/conversations", version: "^2.1.1" }],
    files: [{ template: "n.ts.hbs", target: "{{recipesDir}}/n.ts" }],
    edits: [],
  }),
  "needs-new/n.ts.hbs": "export const n = 1;\n",
});
const catalogue = loadCatalogue([packDir]);

function plan(root: string, id = "wire", extra: Partial<PlanRequest> = {}) {
  return planAdd({ project: scanProject(root), recipes: [{ recipe: catalogue.get(id), answers: {} }], catalogue: catalogue.recipes, ...extra });
}
const after = (p: ReturnType<typeof plan>, path: string) => p.changes.find((c) => c.path === path)?.after;
const project = (files: Record<string, string>, root = tmpDir("shape")) => write(root, { "package.json": JSON.stringify({ name: "p", private: true, dependencies: { grammy: "^1.46.0" } }), ...files });
function applyTwice(root: string) {
  const first = plan(root);
  commitChanges(root, first.changes);
  return { first, second: plan(root) };
}

// === Subclassed bots ===
describe("a subclass of Bot", () => {
  const botFile = [
    'import { Bot } from "grammy";',
    'import type { MyContext } from "./context";',
    "",
    "export class MyBot extends Bot<MyContext> {",
    "\tconstructor(token: string, private readonly deps: { greeting: string }) {",
    "\t\tsuper(token);",
    "\t\tthis.command(\"start\", (ctx) => ctx.reply(this.deps.greeting));",
    "\t}",
    "}",
    "",
  ].join("\n");
  const files = {
    "src/context.ts": 'import type { Context } from "grammy";\n\nexport interface MyContext extends Context {\n\tstartedAt: number;\n}\n',
    "src/my-bot.ts": botFile,
    "src/main.ts": 'import { MyBot } from "./my-bot";\n\nconst container = { get: <T>(make: () => T): T => make() };\nconst bot = container.get(() => new MyBot(process.env.BOT_TOKEN ?? "", { greeting: "Hi" }));\nvoid bot.start();\n',
  };

  it("installs with this.use(…) right after super(…), sets this.catch, flavors the class's context, starts at the call site", () => {
    const { first, second } = applyTwice(project(files));
    expect(first.manual).toEqual([]);
    expect(after(first, "src/my-bot.ts")).toBe(
      botFile
        .replace('from "./context";', 'from "./context";\nimport { gate, onError } from "./recipes/wire";')
        .replace("\t\tsuper(token);", "\t\tsuper(token);\n\t\tthis.use(gate());\n\t\tthis.catch(onError);"),
    );
    expect(after(first, "src/context.ts")).toContain("export interface MyContext extends Context, WireFlavor {");
    expect(after(first, "src/main.ts")).toContain("void startBot(bot);");
    expect(second.changes).toEqual([]);
  });

  it("installs at the top of the method that registers middleware (setup()), and gives a class without a context one", () => {
    const root = project({
      "bot.ts": [
        'import { Bot } from "grammy";',
        "",
        "export class App extends Bot {",
        "  setup(): void {",
        '    this.on("message", (ctx) => ctx.reply("hi"));',
        "  }",
        "}",
        "",
        'const app = new App("t");',
        "app.setup();",
        "app.start();",
        "",
      ].join("\n"),
    });
    const { first, second } = applyTwice(root);
    const text = after(first, "bot.ts")!;
    expect(text).toContain("export class App extends Bot<BotContext> {\n  setup(): void {\n    this.use(gate());\n    this.catch(onError);\n    this.on(");
    expect(text).toContain("export type BotContext = Context & WireFlavor;");
    expect(text).toContain("startBot(app);");
    expect(second.changes).toEqual([]);
  });
});

// === A bot made in a function ===
describe("a bot made and typed in a function", () => {
  it("gives the return type and the annotation the new context too", () => {
    const root = project({
      "bot.ts": 'import { Bot } from "grammy";\n\nexport function startBot(token: string): Bot {\n  const bot: Bot = new Bot(token);\n  bot.start();\n  return bot;\n}\n',
    });
    const text = after(plan(root), "bot.ts")!;
    expect(text).toContain("export function startBot(token: string): Bot<BotContext> {\n  const bot: Bot<BotContext> = new Bot<BotContext>(token);\n  bot.use(gate());");
    // The user's own startBot keeps its name: the recipe's is imported under the recipe's.
    expect(text).toContain("  wireStartBot(bot);\n  return bot;");
    expect(text).toContain('import { gate, onError, type WireFlavor, startBot as wireStartBot } from "./recipes/wire";');
  });
});

// === Aliases ===
describe("path aliases", () => {
  it("resolves tsconfig paths, baseUrl and package.json imports (mapped from the build back to the sources)", () => {
    const settings = readAliasSettings({ baseUrl: ".", paths: { "@/*": ["src/*"] }, outDir: "build", rootDir: "." }, { imports: { "#root/*": "./build/src/*" } });
    const exists = (p: string) => ["src/bot/context.ts", "src/lib/index.ts"].includes(p);
    expect(resolveProjectModule(settings, "src/bot/index.ts", "@/bot/context", exists)).toBe("src/bot/context.ts");
    expect(resolveProjectModule(settings, "src/bot/index.ts", "#root/bot/context.js", exists)).toBe("src/bot/context.ts");
    expect(resolveProjectModule(settings, "src/x.ts", "src/lib", exists)).toBe("src/lib/index.ts");
    expect(resolveProjectModule(settings, "src/bot/index.ts", "./context.js", exists)).toBe("src/bot/context.ts");
    expect(resolveProjectModule(settings, "src/bot/index.ts", "grammy", exists)).toBeUndefined();
    expect(aliasFor(settings, "src/bot/recipes/wire.ts")).toBe("@/bot/recipes/wire");
    expect(aliasFor(settings, "src/bot/recipes/wire.ts", "imports")).toBe("#root/bot/recipes/wire");
  });

  it("edits the context type reached through @/…, and imports recipes through the alias where the file does", () => {
    const root = project({
      "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, baseUrl: ".", paths: { "@/*": ["src/*"] } } }),
      "src/bot/context.ts": 'import type { Context } from "grammy";\n\nexport type MyContext = Context & { startedAt: number };\n',
      "src/bot/index.ts": 'import { Bot } from "grammy";\nimport type { MyContext } from "@/bot/context";\n\nexport const bot = new Bot<MyContext>("t");\nbot.command("start", (ctx) => ctx.reply("hi"));\n',
      "src/main.ts": 'import { bot } from "@/bot/index";\n\nbot.start({ onStart: () => console.log("up") });\n',
    });
    const { first, second } = applyTwice(root);
    expect(first.manual).toEqual([]);
    expect(after(first, "src/bot/context.ts")).toContain("export type MyContext = Context & { startedAt: number } & WireFlavor;");
    expect(after(first, "src/bot/index.ts")).toContain('import { gate, onError } from "@/bot/recipes/wire";');
    // The start call with options is carried, through the alias-imported bot.
    expect(after(first, "src/main.ts")).toContain('startBot(bot, { polling: { onStart: () => console.log("up") } });');
    expect(after(first, "src/main.ts")).toContain('import { startBot } from "@/bot/recipes/wire";');
    expect(second.changes).toEqual([]);
  });
});

// === Import suffixes: what Node will do at run time ===
describe("import suffixes", () => {
  it("an ESM project with node10 resolution that writes .js on its relative imports gets .js", () => {
    const root = project({
      "package.json": JSON.stringify({ name: "p", type: "module", dependencies: { grammy: "^1.46.0" } }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "esnext", moduleResolution: "node", strict: true } }),
      "src/handlers.ts": 'import type { Bot } from "grammy";\n\nexport function register(bot: Bot): void {\n  bot.command("start", (ctx) => ctx.reply("hi"));\n}\n',
      "src/bot.ts": 'import { Bot } from "grammy";\nimport { register } from "./handlers.js";\n\nconst bot = new Bot("t");\nregister(bot);\nbot.start();\n',
      "src/util.ts": 'export { register } from "./handlers.js";\n',
    });
    expect(after(plan(root), "src/bot.ts")).toContain('import { gate, onError, type WireFlavor, startBot } from "./recipes/wire.js";');
  });

  it("a CommonJS project without extensions keeps writing none", () => {
    const root = project({
      "tsconfig.json": JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }),
      "src/handlers.ts": "export const x = 1;\n",
      "src/bot.ts": 'import { Bot } from "grammy";\nimport { x } from "./handlers";\nimport { x as y } from "./handlers";\n\nconst bot = new Bot("t" + x + y);\nbot.start();\n',
    });
    expect(after(plan(root), "src/bot.ts")).toContain('import { gate, onError, type WireFlavor, startBot } from "./recipes/wire";');
  });
});

// === Several bots ===
describe("several bots", () => {
  const files = { "bots.ts": 'import { Bot } from "grammy";\n\nexport const userBot = new Bot("a");\nexport const adminBot = new Bot("b");\n' };
  it("refuses naming them all, and --bot picks one", () => {
    expect(() => plan(project(files))).toThrow(/found 2 grammY bots: bots\.ts:3 \(userBot\), bots\.ts:4 \(adminBot\)/);
    const p = plan(project(files), "wire", { bot: "adminBot" });
    expect(after(p, "bots.ts")).toContain('export const adminBot = new Bot<BotContext>("b");\nadminBot.use(gate());');
    expect(() => plan(project(files), "wire", { bot: "bots.ts:9" })).toThrow(/--bot bots\.ts:9: no such bot/);
  });
});

// === Installed versions ===
// Outside the repository: Node's walk up node_modules must not reach ours.
const outside = mkdtempSync(join(tmpdir(), "bot-snippet-versions-"));
afterAll(() => rmSync(outside, { recursive: true, force: true }));
let n = 0;
const outsideProject = (files: Record<string, string>) => project(files, join(outside, `p${n++}`));

describe("installed versions", () => {
  it("reads node_modules first, then the lockfile, then the lowest version the range allows", () => {
    const root = outsideProject({
      "package.json": JSON.stringify({ dependencies: { grammy: "^1.11.0", "@grammyjs/menu": "^1.2.0", "@grammyjs/runner": "~2.0.0" } }),
      "node_modules/grammy/package.json": JSON.stringify({ name: "grammy", version: "1.11.2" }),
      "package-lock.json": JSON.stringify({ lockfileVersion: 3, packages: { "node_modules/@grammyjs/menu": { version: "1.2.2" } } }),
    });
    const installed = detectInstalledVersions(root, JSON.parse(JSON.stringify({ dependencies: { grammy: "^1.11.0", "@grammyjs/menu": "^1.2.0", "@grammyjs/runner": "~2.0.0" } })));
    expect(installed.get("grammy")).toEqual({ name: "grammy", version: "1.11.2", source: "node_modules" });
    expect(installed.get("@grammyjs/menu")).toEqual({ name: "@grammyjs/menu", version: "1.2.2", source: "lockfile" });
    expect(installed.get("@grammyjs/runner")).toEqual({ name: "@grammyjs/runner", version: "2.0.0", source: "package.json" });
  });

  it("reads pnpm and yarn lockfiles", () => {
    const pnpm = outsideProject({ "pnpm-lock.yaml": "importers:\n  .:\n    dependencies:\n      grammy:\n        specifier: ^1.20.0\n        version: 1.20.4\n" });
    expect(detectInstalledVersions(pnpm, { dependencies: { grammy: "^1.20.0" } }).get("grammy")?.version).toBe("1.20.4");
    const yarn = outsideProject({ "yarn.lock": '"grammy@^1.20.0":\n  version "1.21.1"\n  resolved "x"\n' });
    expect(detectInstalledVersions(yarn, { dependencies: { grammy: "^1.20.0" } }).get("grammy")?.version).toBe("1.21.1");
  });

  const oldProject = () =>
    outsideProject({
      "package.json": JSON.stringify({ name: "p", dependencies: { grammy: "^1.11.0", "@grammyjs/conversations": "^1.2.0" } }, null, 2),
      "node_modules/grammy/package.json": JSON.stringify({ name: "grammy", version: "1.11.2" }),
      "node_modules/@grammyjs/conversations/package.json": JSON.stringify({ name: "@grammyjs/conversations", version: "1.2.0" }),
      "bot.ts": 'import { Bot } from "grammy";\n\nconst bot = new Bot("t");\nbot.start();\n',
    });

  it("refuses a recipe whose ranges the installed versions do not meet, saying what to upgrade, and writes nothing", () => {
    expect(() => plan(oldProject(), "needs-new")).toThrow(
      /^needs-new needs grammy >=1\.30\.0, this project has 1\.11\.2; needs-new needs @grammyjs\/conversations \^2\.0\.0, this project has 1\.2\.0; nothing was written$/,
    );
    try {
      plan(oldProject(), "needs-new");
    } catch (error) {
      expect((error as { hint: string }).hint).toContain("npm install grammy@^1.30.0 @grammyjs/conversations@^2.1.1");
    }
  });

  it("--upgrade raises the ranges in package.json and says so", () => {
    const p = plan(oldProject(), "needs-new", { upgrade: true });
    const pkg = JSON.parse(after(p, "package.json")!) as { dependencies: Record<string, string> };
    expect(pkg.dependencies).toEqual({ grammy: "^1.30.0", "@grammyjs/conversations": "^2.1.1" });
    expect(p.dependencies.filter((d) => d.status === "upgraded").map((d) => `${d.name} ${d.existing} → ${d.version}`)).toEqual(["grammy ^1.11.0 → ^1.30.0", "@grammyjs/conversations ^1.2.0 → ^2.1.1"]);
    expect(p.notes).toContain("needs-new: upgrades grammy 1.11.2 → ^1.30.0");
  });

  it("a variant for the installed plugin major is chosen through facts.major:<package>", () => {
    const p = plan(oldProject(), "needs-conv");
    expect(after(p, "recipes/conv.ts")).toBe("export const major = 1;\n");
    expect(p.dependencies).toEqual([]);
  });
});
