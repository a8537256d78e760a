// Where the CLI runs (issue 13, items 3-5), as a process: from a subfolder of
// a project (the project root is the nearest package.json above), the run
// without a command inside a project (the recipe picker, never a scaffold),
// `new` inside another project's tree, and the words `npm create` passes on
// when it keeps the flags for itself.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { treeHash } from "../helpers/cli.js";
import { copyFixture } from "../helpers/recipes.js";
import { listFiles, outsideDir } from "./helpers.js";
import { cliSession } from "../helpers/cli-session.js";

// As ./helpers.js `cli` (CI=1, no colours, no npm user agent, offline), but the runs share one
// CLI process (test/helpers/cli-session.ts): these tests are about what is printed and written.
const session = cliSession();
const cli = async (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => {
  const r = await session.run(args, { cwd, env: { CI: "1", npm_config_user_agent: "", ...env } });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

const outside: string[] = [];
const scratch = (label: string) => {
  const dir = outsideDir(label);
  outside.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outside) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the cjs-single fixture (bot.ts at its root) with an empty src/handlers. */
function projectWithSubfolder(): { dir: string; sub: string } {
  const dir = copyFixture("cjs-single");
  const sub = join(dir, "src/handlers");
  mkdirSync(sub, { recursive: true });
  return { dir, sub };
}

describe("add from a subfolder of the project", () => {
  it("uses the nearest package.json above as the project root, says so, and writes there", async () => {
    const { dir, sub } = projectWithSubfolder();
    const run = await cli(["add", "error-handler", "--yes", "--no-install", "--no-check"], sub);
    expect(run.stderr).not.toMatch(/^error /m);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("using the project in ../.. (the nearest folder with a package.json)");
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.catch(handleBotError)");
    expect(existsSync(join(dir, "recipes/error-handler.ts"))).toBe(true);
    expect(listFiles(sub)).toEqual([]);
  });

  it("takes --entry relative to the folder it runs in (--entry ../../bot.ts from src/handlers)", async () => {
    const { dir, sub } = projectWithSubfolder();
    const run = await cli(["add", "error-handler", "--yes", "--no-install", "--no-check", "--entry", "../../bot.ts"], sub);
    expect(run.stderr).not.toMatch(/^error /m);
    expect(run.status).toBe(0);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.catch(handleBotError)");
  });

  it("refuses an --entry outside the project (exit 2, nothing written)", async () => {
    const { dir, sub } = projectWithSubfolder();
    const before = treeHash(dir);
    const run = await cli(["add", "error-handler", "--yes", "--no-install", "--entry", "../../../elsewhere.ts"], sub);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error --entry "\.\.\/\.\.\/\.\.\/elsewhere\.ts" is outside the project in \.\.\/\.\.$/m);
    expect(treeHash(dir)).toBe(before);
  });

  it("prints no root line when run in the project's own folder", async () => {
    const { dir } = projectWithSubfolder();
    const run = await cli(["add", "error-handler", "--yes", "--no-install", "--no-check", "--dry-run"], dir);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain("using the project in");
  });
});

describe("the run without a command inside a project", () => {
  it("in a subfolder of a grammY project it adds to that project (the picker), writing no skeleton", async () => {
    const { dir, sub } = projectWithSubfolder();
    const run = await cli(["--yes", "--recipes", "error-handler", "--no-install"], sub);
    expect(run.stderr).not.toMatch(/^error /m);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("using the project in ../..");
    expect(listFiles(sub)).toEqual([]);
    expect(existsSync(join(dir, "recipes/error-handler.ts"))).toBe(true);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.catch(handleBotError)");
  });

  it("without --recipes and without a terminal it names the project and says how (exit 2)", async () => {
    const { dir, sub } = projectWithSubfolder();
    const before = treeHash(dir);
    const run = await cli(["--yes", "--force"], sub);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error the project in ../.. has a grammY bot: say which recipes to add");
    expect(treeHash(dir)).toBe(before);
  });

  it("in a subfolder of another (not grammY) project it refuses to scaffold, even with --force (exit 2, one line)", async () => {
    const root = scratch("other-project");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "site", private: true }));
    const sub = join(root, "src/handlers");
    mkdirSync(sub, { recursive: true });
    for (const args of [["--yes", "--no-install", "--force"], ["new", "--yes", "--no-install", "--force"]]) {
      const run = await cli(args, sub);
      expect(run.status, args.join(" ")).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toBe("error this folder is inside the project in ../.. (it has a package.json); to create a new bot here anyway, name the folder: `create-bot-snippet new .`");
      expect(listFiles(root)).toEqual(["package.json"]);
    }
  });

  it("new with the folder named explicitly writes there (new . / new my-bot inside the project)", async () => {
    const root = scratch("named");
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "monorepo", private: true }));
    const sub = join(root, "packages/bot");
    mkdirSync(sub, { recursive: true });
    expect((await cli(["new", ".", "--yes", "--no-install"], sub)).status).toBe(0);
    expect(existsSync(join(sub, "src/bot.ts"))).toBe(true);
    expect((await cli(["new", "second", "--yes", "--no-install"], join(root, "packages"))).status).toBe(0);
    expect(existsSync(join(root, "packages/second/src/bot.ts"))).toBe(true);
  });
});

describe("flags npm create kept for itself", () => {
  it.each([
    ["a recipe id after the project name", ["my-bot", "error-handler"], "npm create bot-snippet my-bot -- --recipes error-handler"],
    ["several recipes and an answer", ["my-bot", "error-handler,access-control", "userIds=1"], "npm create bot-snippet my-bot -- --recipes error-handler,access-control --set userIds=1"],
    ["a package manager", ["my-bot", "pnpm"], "npm create bot-snippet my-bot -- --pm pnpm"],
  ])("%s: one line with the corrected command, exit 2, nothing created", async (_name, args, fixed) => {
    const root = scratch("swallowed");
    const run = await cli(args, root);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toContain("npm passes flags on only after --");
    expect(lines[0]!.endsWith(`run: ${fixed}`), lines[0]).toBe(true);
    expect(listFiles(root)).toEqual([]);
  });

  it("a recipe id alone is not taken for a folder name", async () => {
    const root = scratch("recipe-as-dir");
    const run = await cli(["error-handler", "--yes", "--no-install"], root);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("error error-handler is a recipe, not a folder name");
    expect(run.stderr).toContain("npm create bot-snippet my-bot -- --recipes error-handler");
    expect(listFiles(root)).toEqual([]);
  });

  it("with -- the flags arrive and the bot is created with the recipe", async () => {
    const root = scratch("with-dashes");
    const run = await cli(["my-bot", "--recipes", "error-handler", "--yes", "--no-install"], root);
    expect(run.status).toBe(0);
    expect(existsSync(join(root, "my-bot/src/recipes/error-handler.ts"))).toBe(true);
  });
});
