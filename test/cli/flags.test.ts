// Flags that do what they say (issue 13 §6-8), as a user runs the CLI: --json is an output
// format, one answers file serves a project, and hints lead somewhere.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binPath, treeHash } from "../helpers/cli.js";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, repoRoot } from "../helpers/recipes.js";

// What each command prints and writes, not the process: the runs share one CLI process.
const runCli = cliSession().run;

interface JsonPlan {
  written: boolean;
  recipes: Array<{ ref: string; answers: Record<string, unknown> }>;
  changes: Array<{ path: string }>;
}

describe("--json", () => {
  it("without --yes prints the plan and writes nothing", async () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    const r = await runCli(["add", "error-handler", "--json", "--no-check", "--cwd", dir]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.written).toBe(false);
    // The project's files and the record that would be written with them.
    expect(plan.changes.map((c) => c.path)).toEqual([".bot-snippets/base/recipes/error-handler.ts.base", "bot-snippets.json", "bot.ts", "recipes/error-handler.ts"]);
    expect(r.stderr).toContain("--json without --yes: nothing was written");
    expect(treeHash(dir)).toBe(before);
  });

  it("with --yes writes and reports what it wrote", async () => {
    const dir = copyFixture("cjs-single");
    const r = await runCli(["add", "error-handler", "--json", "--yes", "--no-check", "--no-install", "--cwd", dir]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.written).toBe(true);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.catch(handleBotError)");
  });

  const hasPython = spawnSync("python3", ["-c", "import pty"]).status === 0;
  it.runIf(hasPython)("in a terminal without --yes answers no question for the user: one line, exit 2, nothing written", { timeout: 120_000 }, async () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
    delete env.CI;
    // No keys are typed: a prompt would wait until the helper gives up; a refusal ends at once.
    const r = spawnSync("python3", [join(repoRoot, "test/cli/pty-run.py"), "no such text will appear", "", "--", process.execPath, binPath, "add", "access-control", "--json", "--set", "userIds=1", "--cwd", dir], {
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(r.stdout).toMatch(/error --json answers no question for you: access-control\.mode, access-control\.deniedReply are not answered/);
    expect(r.stdout).toMatch(/pass --yes to take the defaults/);
    expect(r.status).toBe(2);
    expect(treeHash(dir)).toBe(before);
  });
});

describe("--answers: one file for the whole project", () => {
  const answersFile = (dir: string, data: unknown) => {
    const path = join(dir, "answers.json");
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const plan = async (dir: string, args: string[]) => {
    const r = await runCli(["add", ...args, "--json", "--dry-run", "--cwd", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as JsonPlan;
  };

  it("ignores the sections (and the plain keys) of recipes that are not in this run", async () => {
    const dir = copyFixture("cjs-single");
    const file = answersFile(dir, { "rate-limit": { limit: 7 }, "callback-dedupe": { ttlMs: 5000 }, "access-control": { userIds: [1] }, userIds: [2] });
    expect((await plan(dir, ["rate-limit", "--answers", file])).recipes[0]!.answers.limit).toBe(7);
  });

  it("still refuses a key that the section of a recipe in the run does not ask", async () => {
    const dir = copyFixture("cjs-single");
    const file = answersFile(dir, { "rate-limit": { limt: 7 }, "callback-dedupe": { ttlMs: 5000 } });
    const r = await runCli(["add", "rate-limit", "--answers", file, "--json", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/recipe "rate-limit" has no question "limt"/);
  });

  it("refuses a section named like no recipe at all", async () => {
    const dir = copyFixture("cjs-single");
    const file = answersFile(dir, { "rate-limt": { limit: 7 } });
    const r = await runCli(["add", "rate-limit", "--answers", file, "--json", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"rate-limt" is not a recipe/);
  });

  it("--set on the command line beats the file; recipe-scoped beats plain within one source", async () => {
    const dir = copyFixture("cjs-single");
    const scopedFile = answersFile(dir, { limit: 3, "rate-limit": { limit: 7 } });
    expect((await plan(dir, ["rate-limit", "--answers", scopedFile])).recipes[0]!.answers.limit).toBe(7);
    expect((await plan(dir, ["rate-limit", "--answers", scopedFile, "--set", "limit=9"])).recipes[0]!.answers.limit).toBe(9);
    expect((await plan(dir, ["rate-limit", "--set", "rate-limit.limit=6", "--set", "limit=4"])).recipes[0]!.answers.limit).toBe(6);
  });
});

describe("hints lead somewhere", () => {
  it("--set waitMs=50 with a minimum of 200 suggests --set waitMs=200", async () => {
    const r = await runCli(["add", "media-group-collector", "--yes", "--set", "waitMs=50", "--cwd", copyFixture("cjs-single")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/at least 200\n.*pass --set waitMs=200\n/);
  });

  it("--set limit (no =) shows that key's form", async () => {
    const r = await runCli(["add", "rate-limit", "--yes", "--set", "limit", "--cwd", copyFixture("cjs-single")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set expects key=value, got "limit"\n.*--set limit=<n> \(for example --set limit=5\)/);
  });

  it("two bots in one file: the hint says how to choose with --bot, and that choice works", async () => {
    const dir = copyFixture("bad/two-bots");
    const r = await runCli(["add", "error-handler", "--yes", "--entry", "bots.ts", "--cwd", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/found 2 grammY bots: bots\.ts:3 \(userBot\), bots\.ts:4 \(adminBot\)\n.*--bot bots\.ts:3 or --bot userBot/);
    expect(r.stderr).not.toMatch(/--entry/); // the file is already given: --entry cannot choose between two bots in it
    const chosen = await runCli(["add", "error-handler", "--yes", "--no-check", "--no-install", "--bot", "bots.ts:4", "--cwd", dir]);
    expect(chosen.code).toBe(0);
    expect(readFileSync(join(dir, "bots.ts"), "utf8")).toContain("adminBot.catch(handleBotError)");
  });
});
