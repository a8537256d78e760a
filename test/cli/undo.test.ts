// `undo` takes back the last change the CLI made in a project, from the undo log kept outside it.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { Tree } from "../../src/engine/tree.js";
import { undoCount, undoRoot } from "../../src/engine/undo-log.js";
import { runCliBatch } from "../helpers/cli-batch.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

// This file's runs keep their undo logs and journals in folders of their own (runCli passes process.env on).
process.env.CREATE_BOT_SNIPPET_UNDO_DIR = tmpDir("undo-cli-log");
process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = tmpDir("undo-cli-journal");

/** Every file and folder under a folder, with modes (treeHash sees no empty folders). */
function layout(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const stat = statSync(join(dir, f));
      return `${f}${stat.isDirectory() ? "/" : ""} ${(stat.mode & 0o7777).toString(8)}`;
    });
}

const state = (dir: string) => ({ hash: treeHash(dir), layout: layout(dir) });
const count = (dir: string) => undoCount(undoRoot(dir));
// The first test runs the CLI as a process of its own per command (what it records is the
// process's command line); the others check what undo prints, exits with and writes, and run
// their commands in one CLI process (test/helpers/cli-session.ts) instead of one process each.
const addProcess = (dir: string, ...args: string[]) => {
  const r = runCli(["add", ...args, "--yes", "--no-install", "--no-check", "--cwd", dir]);
  expect(r.code, r.stderr).toBe(0);
};
const session = cliSession();
const cli = (args: string[]) => session.run(args);
const add = async (dir: string, ...args: string[]) => {
  const r = await cli(["add", ...args, "--yes", "--no-install", "--no-check", "--cwd", dir]);
  expect(r.code, r.stderr).toBe(0);
};

describe("undo after add", () => {
  it("gives back the original tree byte for byte (no folder left), then has nothing to undo", () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    addProcess(dir, "error-handler");
    expect(existsSync(join(dir, "recipes/error-handler.ts"))).toBe(true);
    expect(count(dir)).toBe(1);

    const r = runCli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("undo `create-bot-snippet add error-handler --yes --no-install --no-check --cwd");
    expect(r.stderr).toMatch(/delete recipes\/error-handler\.ts\n/);
    expect(r.stderr).toMatch(/update bot\.ts\n/);
    expect(r.stderr).toMatch(/✓ undid `create-bot-snippet add error-handler .*: \d+ file\(s\)/);
    expect(state(dir)).toEqual(original);
    expect(count(dir)).toBe(0); // undo's own commit keeps no entry

    const again = runCli(["undo", "--yes", "--cwd", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^nothing to undo in .*: no change made by create-bot-snippet is kept for it\n$/);
    expect(state(dir)).toEqual(original);
  });

  it("twice takes back two adds, newest first (undo of an undo is no redo)", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    await add(dir, "error-handler");
    const afterFirst = state(dir);
    await add(dir, "chat-action");
    expect(count(dir)).toBe(2);
    expect((await cli(["undo", "--yes", "--cwd", dir])).code).toBe(0);
    expect(state(dir)).toEqual(afterFirst);
    const second = await cli(["undo", "--yes", "--cwd", dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("add error-handler");
    expect(state(dir)).toEqual(original);
  });

  it("from a subfolder of the project finds the project's log", async () => {
    const dir = copyFixture("cjs-single");
    mkdirSync(join(dir, "src"));
    const original = state(dir);
    await add(dir, "error-handler");
    const r = await cli(["undo", "--yes", "--cwd", join(dir, "src")]);
    expect(r.code, r.stderr).toBe(0);
    expect(state(dir)).toEqual(original);
  });
});

describe("undo after a commit with deletes, and after an update", () => {
  it("makes deleted files again with their mode, in the folders the deletes removed", async () => {
    const dir = copyFixture("cjs-single");
    mkdirSync(join(dir, "scripts/deep"), { recursive: true });
    writeFileSync(join(dir, "scripts/run.ts"), "#!/usr/bin/env node\n");
    chmodSync(join(dir, "scripts/run.ts"), 0o755);
    writeFileSync(join(dir, "scripts/deep/x.ts"), "x\n");
    const original = state(dir);
    const tree = new Tree(dir);
    tree.delete("scripts/run.ts");
    tree.delete("scripts/deep/x.ts");
    tree.write("bot.ts", "// replaced\n");
    commitChanges(dir, tree.changes(), { undo: { command: ["remove", "something"] } });
    expect(existsSync(join(dir, "scripts"))).toBe(false);

    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("undo `create-bot-snippet remove something`");
    expect(r.stderr).toMatch(/create scripts\/run\.ts/);
    expect(state(dir)).toEqual(original);
  });

  it("puts an updated file back as it was", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    const tree = new Tree(dir);
    tree.write("package.json", tree.read("package.json")!.replace('"grammy": "^1.46.0"', '"grammy": "^1.47.0"'));
    commitChanges(dir, tree.changes(), { undo: { command: ["update"] } });
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/package\.json changed: run npm install to bring node_modules and the lockfile in line/);
    expect(state(dir)).toEqual(original);
  });
});

describe("a file changed since", () => {
  it("is refused by name, nothing written and the entry kept; --force undoes anyway", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    await add(dir, "error-handler");
    writeFileSync(join(dir, "bot.ts"), `${readFileSync(join(dir, "bot.ts"), "utf8")}// my change\n`);
    const edited = state(dir);
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error bot\.ts changed since `create-bot-snippet add error-handler .*` \(.* UTC\); nothing was undone\n {2}undo leaves your changes alone: .* or pass --force to undo anyway/);
    expect(r.stderr.trim().split("\n")).toHaveLength(2);
    expect(state(dir)).toEqual(edited);
    expect(count(dir)).toBe(1);

    const forced = await cli(["undo", "--yes", "--force", "--cwd", dir]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/warning: --force: your changes to bot\.ts are lost/);
    expect(state(dir)).toEqual(original);
  });

  it("already back as it was needs nothing: the entry goes", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    commitChanges(dir, [{ path: "extra.ts", kind: "create", before: undefined, after: "x\n" }], { undo: { command: ["show", "x", "--copy-to", "extra.ts"] } });
    writeFileSync(join(dir, "extra.ts"), ""); // not as the command left it: refused
    expect((await cli(["undo", "--yes", "--cwd", dir])).code).toBe(1);
    rmSync(join(dir, "extra.ts")); // removed by hand: already undone
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/`create-bot-snippet show x --copy-to extra\.ts` \(.*\) is already undone: every file is as it was before it; removed it from the undo history/);
    expect(state(dir)).toEqual(original);
    expect(count(dir)).toBe(0);
  });
});

describe("asking", () => {
  it("without a terminal and without --yes, refuses (exit 2) and writes nothing", async () => {
    const dir = copyFixture("cjs-single");
    await add(dir, "error-handler");
    const before = state(dir);
    const r = await cli(["undo", "--cwd", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error undo asks before it writes, and there is no terminal to ask in; nothing was undone\n {2}pass --yes to undo without asking, or --dry-run/);
    expect(state(dir)).toEqual(before);
    expect(count(dir)).toBe(1);
  });

  it("--dry-run prints the diff (a created file to /dev/null) and writes nothing", async () => {
    const dir = copyFixture("cjs-single");
    await add(dir, "error-handler");
    const before = state(dir);
    const r = await cli(["undo", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--- a/recipes/error-handler.ts\n+++ /dev/null");
    expect(r.stdout).toMatch(/--- a\/bot\.ts\n\+\+\+ b\/bot\.ts[\s\S]*-bot\.catch\(handleBotError\);/);
    expect(r.stderr).toMatch(/dry run: nothing was written/);
    expect(state(dir)).toEqual(before);
    expect(count(dir)).toBe(1);
  });

  it("--json prints what it would do and writes nothing; with --yes it undoes and says so", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    await add(dir, "error-handler");
    const before = state(dir);
    const plan = await cli(["undo", "--json", "--cwd", dir]);
    expect(plan.code).toBe(0);
    const json = JSON.parse(plan.stdout) as { undone: boolean; command: string[]; changes: Array<{ path: string; kind: string; after: string | null }> };
    expect(json.undone).toBe(false);
    expect(json.command.slice(0, 2)).toEqual(["add", "error-handler"]);
    expect(json.changes.find((c) => c.path === "recipes/error-handler.ts")).toMatchObject({ kind: "delete", after: null });
    expect(state(dir)).toEqual(before);
    const done = await cli(["undo", "--json", "--yes", "--cwd", dir]);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).undone).toBe(true);
    expect(state(dir)).toEqual(original);
    const nothing = await cli(["undo", "--json", "--yes", "--cwd", dir]);
    expect(JSON.parse(nothing.stdout)).toMatchObject({ undone: false, reason: "nothing to undo" });
  });
});

describe("undo of other commands", () => {
  it("remove: the recipe's files and edits come back; a second undo takes back the add", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    await add(dir, "error-handler");
    const added = state(dir);
    const removed = await cli(["remove", "error-handler", "--yes", "--no-check", "--cwd", dir]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(existsSync(join(dir, "recipes/error-handler.ts"))).toBe(false);
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("undo `create-bot-snippet remove error-handler");
    expect(r.stderr).toMatch(/create recipes\/error-handler\.ts/);
    expect(state(dir)).toEqual(added);
    expect((await cli(["undo", "--yes", "--cwd", dir])).code).toBe(0);
    expect(state(dir)).toEqual(original);
  });

  it("show --copy-to: the file goes, and the folder it made", async () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    const copy = await cli(["show", "quote-message", "--copy-to", join(dir, "src/snippets/quote.ts")]);
    expect(copy.code, copy.stderr).toBe(0);
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(state(dir)).toEqual(original);
  });

  it("new with a recipe: one entry for the skeleton and the recipe, all of it taken back", async () => {
    const dir = join(tmpDir("undo-new"), "bot");
    const made = await cli(["new", dir, "--yes", "--no-install", "--recipes", "error-handler"]);
    expect(made.code, made.stderr).toBe(0);
    expect(count(dir)).toBe(1);
    const r = await cli(["undo", "--yes", "--cwd", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("several commands in one process (as test batches run them)", () => {
  it("keep one entry per command, each undone on its own, named by the command rebuilt from its parse", () => {
    const dir = copyFixture("cjs-single");
    const original = state(dir);
    const flags = ["--yes", "--no-install", "--no-check", "--cwd", dir];
    const [first, second, undo1, undo2, nothing] = runCliBatch([
      { args: ["add", "error-handler", ...flags] },
      { args: ["add", "chat-action", ...flags] },
      { args: ["undo", "--yes", "--cwd", dir] },
      { args: ["undo", "--yes", "--cwd", dir] },
      { args: ["undo", "--yes", "--cwd", dir] },
    ]);
    expect([first!.code, second!.code, undo1!.code, undo2!.code, nothing!.code], `${first!.stderr}${second!.stderr}${undo1!.stderr}${undo2!.stderr}`).toEqual([0, 0, 0, 0, 0]);
    expect(undo1!.stderr).toMatch(/undo `create-bot-snippet add chat-action --cwd \S+ /);
    expect(undo2!.stderr).toMatch(/undo `create-bot-snippet add error-handler /);
    expect(nothing!.stderr).toMatch(/^nothing to undo/);
    expect(state(dir)).toEqual(original);
  });
});
