// The api-transformer op, once for all recipes: `bot.api.config.use(…)` right
// after the bot is created, ahead of the user's transformers and of middleware
// installs, ordered by rank among recipes whatever order they are added in,
// recognised on re-runs, in plain bots, factories and subclasses.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { planAdd } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { scanProject } from "../../src/project/scan-project.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { validateManifest } from "../../src/recipes/validate-manifest.js";
import { tmpDir } from "../helpers/recipes.js";

const packDir = tmpDir("api-transformer-pack");
function pack(id: string, edits: unknown[], exported: string): void {
  mkdirSync(join(packDir, id));
  const manifest = { id, title: "t", description: "d", seeds: [], questions: [], files: [{ template: `${id}.ts.hbs`, target: `{{recipesDir}}/${id}.ts` }], edits };
  expect(validateManifest(manifest)).toEqual([]);
  writeFileSync(join(packDir, id, "recipe.json"), JSON.stringify(manifest));
  writeFileSync(join(packDir, id, `${id}.ts.hbs`), exported);
}
const transformer = (name: string) => `import type { Transformer } from "grammy";\nexport function ${name}(): Transformer {\n  return (prev, method, payload, signal) => prev(method, payload, signal);\n}\n`;
pack("inner", [{ op: "add-import", file: "{{recipesDir}}/inner.ts", named: ["innerT"] }, { op: "api-transformer", code: "innerT()", rank: 10 }], transformer("innerT"));
pack("outer", [{ op: "add-import", file: "{{recipesDir}}/outer.ts", named: ["outerT"] }, { op: "api-transformer", code: "outerT()", rank: 20 }], transformer("outerT"));
pack(
  "gate",
  [{ op: "add-import", file: "{{recipesDir}}/gate.ts", named: ["gate"] }, { op: "install", code: "{{bot}}.use(gate())", rank: 0 }],
  `import type { Context, MiddlewareFn } from "grammy";\nexport function gate<C extends Context>(): MiddlewareFn<C> {\n  return (_ctx, next) => next();\n}\n`,
);
const catalogue = loadCatalogue([packDir]);

function project(files: Record<string, string>): string {
  const dir = tmpDir("api-transformer");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", private: true, type: "commonjs", dependencies: { grammy: "^1.30.0" } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function add(dir: string, ids: string[]): Plan {
  const plan = planAdd({ project: scanProject(dir), recipes: ids.map((id) => ({ recipe: catalogue.get(id), answers: {} })), catalogue: catalogue.recipes });
  for (const c of plan.changes) {
    mkdirSync(dirname(join(dir, c.path)), { recursive: true });
    writeFileSync(join(dir, c.path), c.after);
  }
  return plan;
}
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
/** The lines of a file that install something, trimmed. */
const wiring = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /\.(use|command|on)\(|new Bot|super\(/.test(l));

const plainBot = `import { Bot, type Transformer } from "grammy";

const logCalls: Transformer = (prev, method, payload, signal) => prev(method, payload, signal);

export const bot = new Bot(process.env.BOT_TOKEN ?? "");
bot.api.config.use(logCalls);
bot.command("start", (ctx) => ctx.reply("hi"));
bot.start();
`;

describe("api-transformer op", () => {
  it("installs after new Bot, before the user's transformer, the lower rank first; a second add changes nothing", () => {
    const dir = project({ "src/bot.ts": plainBot });
    add(dir, ["outer", "inner"]);
    const text = read(dir, "src/bot.ts");
    expect(wiring(text)).toEqual([
      'export const bot = new Bot(process.env.BOT_TOKEN ?? "");',
      "bot.api.config.use(innerT());",
      "bot.api.config.use(outerT());",
      "bot.api.config.use(logCalls);",
      'bot.command("start", (ctx) => ctx.reply("hi"));',
    ]);
    expect(add(dir, ["inner", "outer"]).changes.filter((c) => c.path === "src/bot.ts")).toEqual([]);
    expect(read(dir, "src/bot.ts")).toBe(text);
  });

  it("keeps the rank order whatever order recipes are added in, and goes before middleware installs", () => {
    const dir = project({ "src/bot.ts": plainBot });
    add(dir, ["gate"]);
    add(dir, ["outer"]);
    add(dir, ["inner"]);
    expect(wiring(read(dir, "src/bot.ts"))).toEqual([
      'export const bot = new Bot(process.env.BOT_TOKEN ?? "");',
      "bot.api.config.use(innerT());",
      "bot.api.config.use(outerT());",
      "bot.use(gate());",
      "bot.api.config.use(logCalls);",
      'bot.command("start", (ctx) => ctx.reply("hi"));',
    ]);
    // A middleware recipe added afterwards lands after the recognised transformers.
    const later = project({ "src/bot.ts": plainBot });
    add(later, ["inner"]);
    add(later, ["gate"]);
    expect(wiring(read(later, "src/bot.ts")).slice(1, 3)).toEqual(["bot.api.config.use(innerT());", "bot.use(gate());"]);
  });

  it("installs inside a factory, after the bot it makes", () => {
    const dir = project({
      "src/bot.ts": `import { Bot } from "grammy";

export function createBot(token: string) {
  const app = new Bot(token);
  app.command("start", (ctx) => ctx.reply("hi"));
  return app;
}
`,
      "src/main.ts": `import { createBot } from "./bot";\n\nconst bot = createBot(process.env.BOT_TOKEN ?? "");\nbot.start();\n`,
    });
    add(dir, ["inner"]);
    expect(wiring(read(dir, "src/bot.ts"))).toEqual(["const app = new Bot(token);", "app.api.config.use(innerT());", 'app.command("start", (ctx) => ctx.reply("hi"));']);
  });

  it("installs on this in a subclass of Bot, after super(…)", () => {
    const dir = project({
      "src/bot.ts": `import { Bot, type Transformer } from "grammy";

const mine: Transformer = (prev, method, payload, signal) => prev(method, payload, signal);

export class MyBot extends Bot {
  constructor(token: string) {
    super(token);
    this.api.config.use(mine);
    this.command("start", (ctx) => ctx.reply("hi"));
  }
}

new MyBot(process.env.BOT_TOKEN ?? "").start();
`,
    });
    add(dir, ["outer", "inner"]);
    const text = read(dir, "src/bot.ts");
    expect(wiring(text)).toEqual([
      "super(token);",
      "this.api.config.use(innerT());",
      "this.api.config.use(outerT());",
      "this.api.config.use(mine);",
      'this.command("start", (ctx) => ctx.reply("hi"));',
    ]);
    expect(add(dir, ["outer", "inner"]).changes.filter((c) => c.path === "src/bot.ts")).toEqual([]);
  });

  it("is refused by the manifest check without one expression, or with a rank out of range", () => {
    const base = { id: "x", title: "t", description: "d", seeds: [], questions: [], files: [] };
    expect(validateManifest({ ...base, edits: [{ op: "api-transformer", code: "a(); b()" }] })).not.toEqual([]);
    expect(validateManifest({ ...base, edits: [{ op: "api-transformer", code: "" }] })).not.toEqual([]);
    expect(validateManifest({ ...base, edits: [{ op: "api-transformer", code: "a()", rank: -1 }] })).not.toEqual([]);
    expect(validateManifest({ ...base, edits: [{ op: "api-transformer", code: "a()", rank: 5 }] })).toEqual([]);
  });
});
