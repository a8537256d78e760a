// `create-bot-snippet new` and the run without a command, as a process (the
// built bin), plus the generated bot run offline in a real grammY Bot.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Bot, BotConfig, Context } from "grammy";
import { beforeAll, describe, expect, it } from "vitest";
import { skeletonFacts } from "../../src/commands/new.js";
import { locateBot, templateFacts } from "../../src/engine/plan.js";
import { scanProject } from "../../src/project/scan-project.js";
import { BOT_INFO, commandMessage, defaultResult, type ApiCall } from "../helpers/harness.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";
import { listFiles, outsideDir } from "./helpers.js";
import { cliSession } from "../helpers/cli-session.js";

// As ./helpers.js `cli` (CI=1, no colours, no npm user agent, offline), but the runs share one
// CLI process (test/helpers/cli-session.ts): these tests are about what is printed and written.
const session = cliSession();
const cli = async (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const r = await session.run(args, { cwd, env: { CI: "1", npm_config_user_agent: "", ...env } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

const TOKEN = "123456789:AAE-not-a-real-token_but-looks-like-one";
/** Generated files with what records them: each file, its base copy, and bot-snippets.json. */
const recorded = (...files: string[]) => [...files, ...files.map((f) => `.bot-snippets/base/${f}.base`), "bot-snippets.json"];
const skeletonFiles = [".env.example", ".gitignore", "README.md", "package.json", "src/bot.ts", "src/features/welcome.ts", "src/main.ts", "tsconfig.json"];

describe("new <dir> --yes --recipes error-handler,access-control", () => {
  let root: string;
  let dir: string;
  let run: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    root = tmpDir("new");
    // BOT_TOKEN set in the environment must never end up in a file.
    run = await cli(["new", "my-bot", "--yes", "--recipes", "error-handler,access-control", "--set", "userIds=1", "--no-install"], root, { BOT_TOKEN: TOKEN });
    dir = join(root, "my-bot");
  });

  it("exits 0 and writes the skeleton plus the two recipes, nothing else", async () => {
    expect(run.stderr).not.toMatch(/^error /m);
    expect(run.status).toBe(0);
    // …and the record of the recipes: bot-snippets.json with a base copy of each generated file.
    expect(listFiles(dir)).toEqual([...skeletonFiles, ...recorded("src/recipes/access-control.ts", "src/recipes/error-handler.ts")].sort());
    expect(run.stderr).toContain("created a grammY bot in my-bot with error-handler, access-control");
    // --no-install: the exact command, in the next steps.
    expect(run.stderr).toMatch(/Next:\n\s+cd my-bot\n\s+npm install\n\s+cp \.env\.example \.env.*\n\s+npm run dev/);
  });

  it("writes no token to any file", async () => {
    for (const file of listFiles(dir)) expect(readFileSync(join(dir, file), "utf8"), file).not.toContain(TOKEN);
    expect(readFileSync(join(dir, ".env.example"), "utf8")).toMatch(/^BOT_TOKEN=$/m);
    expect(existsSync(join(dir, ".env"))).toBe(false);
    expect(readFileSync(join(dir, ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining([".env", "node_modules/", "dist/"]));
  });

  it("package.json is ESM with the four scripts and the dependencies, tsconfig is the strict NodeNext one", async () => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "my-bot", private: true, type: "module" });
    expect(Object.keys(pkg.scripts)).toEqual(["dev", "build", "start", "typecheck"]);
    expect(pkg.scripts).toMatchObject({ build: "tsc", start: "node dist/main.js", typecheck: "tsc --noEmit" });
    expect(pkg.scripts.dev).toMatch(/^tsx watch src\/main\.ts$/);
    expect(pkg.dependencies).toEqual({ grammy: "^1.46.0" });
    expect(Object.keys(pkg.devDependencies)).toEqual(["@types/node", "tsx", "typescript"]);
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions).toMatchObject({
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      noUncheckedIndexedAccess: true,
      types: ["node"],
      skipLibCheck: true,
    });
  });

  it("wires the recipes in src/bot.ts in the §6.0 order, before the features", async () => {
    const bot = readFileSync(join(dir, "src/bot.ts"), "utf8");
    expect(bot).toContain('import { accessControl } from "./recipes/access-control.js";');
    expect(bot).toContain('import { handleBotError } from "./recipes/error-handler.js";');
    const at = (s: string) => bot.indexOf(s);
    expect(at("const bot = new Bot<BotContext>(token, config);")).toBeGreaterThan(0);
    expect(at("bot.use(accessControl());")).toBeGreaterThan(at("new Bot<BotContext>"));
    expect(at("bot.catch(handleBotError);")).toBeGreaterThan(at("bot.use(accessControl());"));
    expect(at("bot.use(welcome);")).toBeGreaterThan(at("bot.catch(handleBotError);"));
    // One error handler: the recipe's; the skeleton leaves its own out.
    expect(bot.match(/\.catch\(/g)).toHaveLength(1);
  });

  it("type-checks with its own tsconfig (npm run typecheck's tsc --noEmit)", async () => {
    // The project sits under test/.tmp, so grammy, typescript and @types/node resolve from the repo's node_modules.
    const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json"), "--noEmit", "--pretty", "false"], { encoding: "utf8" });
    expect(`${tsc.stdout}${tsc.stderr}`).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("the engine's facts on the generated project are the ones `new` answered against", async () => {
    const project = scanProject(dir);
    // Besides the installed majors (`major:grammy`…), read from the skeleton's package.json.
    const facts = Object.fromEntries(Object.entries(templateFacts(project, locateBot(project))).filter(([key]) => !key.startsWith("major:")));
    expect(facts).toEqual(skeletonFacts);
  });

  it("a second add of the same recipe changes nothing", async () => {
    const again = await cli(["add", "access-control", "--yes", "--set", "userIds=1", "--no-install"], dir);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("already applied, nothing to do");
  });

  it("runs: /start is answered for an allowed user, a denied user meets the gate first", async () => {
    const { createBot } = (await import(pathToFileURL(join(dir, "src/bot.ts")).href)) as {
      createBot: (token: string, config?: BotConfig<Context>) => Bot<Context>;
    };
    const bot = createBot("1:TEST", { botInfo: BOT_INFO, client: { fetch: (() => Promise.reject(new Error("network"))) as never } });
    const calls: ApiCall[] = [];
    bot.api.config.use(async (_prev, method, payload) => {
      const p = (payload ?? {}) as Record<string, unknown>;
      calls.push({ method, payload: p });
      return { ok: true, result: defaultResult(method, p) } as never;
    });
    await bot.handleUpdate(commandMessage("start", "", { from: 1 }));
    await bot.handleUpdate(commandMessage("start", "", { from: 2 }));
    expect(calls.map((c) => [c.method, c.payload.chat_id, c.payload.text])).toEqual([
      ["sendMessage", 1, "Hello, User1! Send /help to see what I can do."],
      ["sendMessage", 2, "Sorry, you are not allowed to use this bot."],
    ]);
  });
});

describe("src/main.ts", () => {
  it("exits 1 with a clear message when BOT_TOKEN is missing (and .env does not exist)", async () => {
    const root = tmpDir("new-main");
    expect((await cli(["new", "b", "--yes", "--no-install"], root)).status).toBe(0);
    const dir = join(root, "b");
    const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    expect(tsc.status).toBe(0);
    const env = { ...process.env, BOT_TOKEN: "" };
    const result = spawnSync(process.execPath, [join(dir, "dist/main.js")], { cwd: dir, encoding: "utf8", env, timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("BOT_TOKEN is not set: copy .env.example to .env");
  });
});

describe("refusals", () => {
  it("refuses a non-empty folder without --force (exit 2, nothing written); --force writes beside the other files", async () => {
    const root = tmpDir("new-nonempty");
    mkdirSync(join(root, "bot"));
    writeFileSync(join(root, "bot/notes.txt"), "mine\n");
    const refused = await cli(["new", "bot", "--yes", "--no-install"], root);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("error bot is not empty (notes.txt)");
    expect(refused.stderr).toContain("--force");
    expect(listFiles(join(root, "bot"))).toEqual(["notes.txt"]);

    const forced = await cli(["new", "bot", "--yes", "--no-install", "--force"], root);
    expect(forced.status).toBe(0);
    expect(listFiles(join(root, "bot"))).toEqual([...skeletonFiles, "notes.txt"].sort());
    expect(readFileSync(join(root, "bot/notes.txt"), "utf8")).toBe("mine\n");
  });

  it("counts a folder with only .git as empty", async () => {
    const root = tmpDir("new-git");
    mkdirSync(join(root, "bot/.git"), { recursive: true });
    expect((await cli(["new", "bot", "--yes", "--no-install"], root)).status).toBe(0);
    expect(existsSync(join(root, "bot/src/bot.ts"))).toBe(true);
  });

  it.each([
    ["an unknown recipe", ["--recipes", "error-handler,no-such-recipe"], 'unknown recipe "no-such-recipe"'],
    ["an invalid answer", ["--recipes", "access-control", "--set", "userIds=abc"], "userIds"],
    ["a required answer missing under --yes", ["--recipes", "access-control"], "userIds"],
    ["a question no recipe asks", ["--recipes", "error-handler", "--set", "nope=1"], 'no recipe in this run asks "nope"'],
  ])("%s: exit 2 and the folder is not created", async (_name, args, message) => {
    const root = tmpDir("new-bad");
    const run = await cli(["new", "bot", "--yes", "--no-install", ...args], root);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(existsSync(join(root, "bot"))).toBe(false);
  });

  it("rejects an unknown --pm (exit 2)", async () => {
    const root = tmpDir("new-pm");
    const run = await cli(["new", "bot", "--yes", "--pm", "pip"], root);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("pip");
    expect(existsSync(join(root, "bot"))).toBe(false);
  });
});

describe("the run without a command", () => {
  it("in an empty folder creates the bot there, named after the folder", async () => {
    const dir = join(outsideDir("noarg"), "My Bot");
    mkdirSync(dir);
    const run = await cli(["--yes", "--recipes", "error-handler", "--no-install"], dir);
    expect(run.status).toBe(0);
    expect(listFiles(dir)).toEqual([...skeletonFiles, ...recorded("src/recipes/error-handler.ts")].sort());
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("my-bot");
    expect(run.stderr).not.toMatch(/\bcd\b/);
  });

  it("with a folder name creates that folder (npm create bot-snippet my-bot)", async () => {
    const root = tmpDir("noarg-dir");
    const run = await cli(["my-bot", "--yes", "--no-install"], root);
    expect(run.status).toBe(0);
    expect(listFiles(join(root, "my-bot"))).toEqual(skeletonFiles);
  });

  it("in a grammY project goes straight to adding the recipes (no skeleton)", async () => {
    const dir = copyFixture("cjs-single");
    const before = listFiles(dir);
    const run = await cli(["--yes", "--recipes", "error-handler", "--no-install"], dir);
    expect(run.status).toBe(0);
    expect(listFiles(dir)).toEqual([...before, ...recorded("recipes/error-handler.ts")].sort());
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toMatch(/bot\.catch\(handleBotError\)/);
  });

  it("in a grammY project without --recipes and without a terminal: exit 2, says how", async () => {
    const dir = copyFixture("cjs-single");
    const run = await cli(["--yes"], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("this folder has a grammY bot");
    expect(run.stderr).toContain("--recipes");
  });

  it("in a non-empty folder without a grammY project: refused (exit 2)", async () => {
    const dir = outsideDir("noarg-other");
    writeFileSync(join(dir, "index.html"), "<p>hi</p>\n");
    const run = await cli(["--yes", "--no-install"], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("this folder is not empty (index.html)");
    expect(listFiles(dir)).toEqual(["index.html"]);
  });

  it("a mistyped command is not taken for a folder name", async () => {
    const dir = tmpDir("noarg-typo");
    const run = await cli(["lsit"], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "lsit"; did you mean list?');
    expect(existsSync(join(dir, "lsit"))).toBe(false);
  });

  it("--help still shows the program's help", async () => {
    const run = await cli(["--help"], tmpDir("noarg-help"));
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("new [options] [dir]");
    expect(run.stdout).not.toContain("init");
  });
});
