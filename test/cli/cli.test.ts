// The CLI as a process: help, list, add, dry runs, JSON, and exit codes.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binPath, treeHash } from "../helpers/cli.js";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, repoRoot, tmpDir } from "../helpers/recipes.js";

// What each command prints and writes, not the process: the runs share one CLI process (test/helpers/cli-session.ts).
const runCli = cliSession().run;

describe("--help and list", () => {
  it("--help lists the commands and exits 0", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/list/);
    expect(r.stdout).toMatch(/add \[options\] <recipes\.\.\.>/);
  });

  it("list --json prints every recipe as data on stdout", async () => {
    const r = await runCli(["list", "--json"]);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as Array<{ id: string; title: string; seeds: string[] }>;
    expect(data.map((d) => d.id)).toEqual(expect.arrayContaining(["access-control", "error-handler"]));
    expect(r.stderr).toBe("");
  });

  it("--help, list and show never load ts-morph or the TypeScript compiler", async () => {
    for (const args of [["--help"], ["list"], ["list", "--json"], ["add", "--help"], ["show", "access-control"], ["show", "quote-message"]]) {
      const trace = join(tmpDir("trace"), "imports.txt");
      const r = spawnSync(process.execPath, ["--import", join(repoRoot, "test/helpers/trace-imports.mjs"), binPath, ...args], {
        env: { ...process.env, TRACE_IMPORTS_FILE: trace, NO_COLOR: "1" },
        encoding: "utf8",
      });
      expect(r.status).toBe(0);
      const loaded = readFileSync(trace, "utf8");
      expect(loaded).toContain("/dist/src/bundle/cli.cjs"); // the trace works, and bin runs the bundle (scripts/bundle.js)
      expect(loaded).not.toMatch(/ts-morph|\/typescript\//);
    }
  });

  it("add, status and remove read and edit code without loading ts-morph or the TypeScript compiler", () => {
    const dir = copyFixture("cjs-single");
    const trace = join(tmpDir("trace"), "imports.txt");
    const recipes = ["error-handler", "access-control", "rate-limit", "menu-builder", "command-menu", "callback-dedupe", "chat-members", "server-lifecycle"];
    const r = spawnSync(process.execPath, ["--import", join(repoRoot, "test/helpers/trace-imports.mjs"), binPath, "add", ...recipes, "--set", "userIds=42", "--yes", "--no-install", "--no-check", "--cwd", dir], {
      env: { ...process.env, TRACE_IMPORTS_FILE: trace, NO_COLOR: "1" },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("update bot.ts");
    const loaded = readFileSync(trace, "utf8");
    expect(loaded).toContain("@babel/parser"); // the trace sees `require` too
    expect(loaded).not.toMatch(/ts-morph|\/typescript\//);
    // Taking recipes back out reads the same tree.
    for (const args of [["status"], ["remove", "rate-limit", "--yes"], ["remove", "menu-builder", "--yes"]]) {
      const again = join(tmpDir("trace"), "imports.txt");
      const run = spawnSync(process.execPath, ["--import", join(repoRoot, "test/helpers/trace-imports.mjs"), binPath, ...args, "--cwd", dir], { env: { ...process.env, TRACE_IMPORTS_FILE: again, NO_COLOR: "1" }, encoding: "utf8" });
      expect(run.status, `${args.join(" ")}: ${run.stderr}`).toBe(0);
      expect(readFileSync(again, "utf8")).not.toMatch(/ts-morph|\/typescript\//);
    }
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).not.toMatch(/recipes\/(rate-limit|menu-builder)/);
  });

  it("NO_COLOR turns colours off even when forced", async () => {
    const r = await runCli(["list"], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } });
    expect(r.stdout).not.toContain("\u001b[");
  });
});

describe("show", () => {
  it("prints the questions, files and a preview", async () => {
    const r = await runCli(["show", "access-control"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--set userIds=");
    expect(r.stdout).toContain("(required)");
    expect(r.stdout).toContain("export function accessControl<C extends Context>");
  });
});

describe("add", () => {
  it("--yes writes the recipe, and a second run changes nothing", async () => {
    const dir = copyFixture("cjs-single");
    const first = await runCli(["add", "access-control", "error-handler", "--yes", "--set", "userIds=123,456", "--cwd", dir]);
    expect(first.stderr).toContain("wrote 3 file(s)");
    expect(first.code).toBe(0);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("bot.use(accessControl());");
    expect(readFileSync(join(dir, "recipes/access-control.ts"), "utf8")).toContain("new Set<number>([123, 456])");
    const before = treeHash(dir);
    const second = await runCli(["add", "access-control", "error-handler", "--yes", "--set", "userIds=123,456", "--cwd", dir]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("already applied, nothing to do");
    expect(treeHash(dir)).toBe(before);
  });

  it("--dry-run prints the diff on stdout and writes nothing", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const before = treeHash(dir);
    const r = await runCli(["add", "error-handler", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+import { handleBotError } from './recipes/error-handler.js'");
    expect(r.stdout).toContain("+++ b/src/recipes/error-handler.ts");
    expect(treeHash(dir)).toBe(before);
  });

  it("--json prints the plan as JSON on stdout", async () => {
    const dir = copyFixture("webhook-split");
    const r = await runCli(["add", "error-handler", "--json", "--dry-run", "--cwd", dir]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { written: boolean; bot: { file: string }; changes: Array<{ path: string }> };
    expect(plan.written).toBe(false);
    expect(plan.bot.file).toBe("src/bot.ts");
    // The project's files, then the record of the change (bot-snippets.json and the base copy of the generated file).
    expect(plan.changes.map((c) => c.path)).toEqual([".bot-snippets/base/src/recipes/error-handler.ts.base", "bot-snippets.json", "src/bot.ts", "src/recipes/error-handler.ts"]);
  });

  it("takes answers from an --answers file, per recipe", async () => {
    const dir = copyFixture("cjs-single");
    const answers = join(tmpDir("answers"), "a.json");
    require_write(answers, JSON.stringify({ "access-control": { userIds: [7], deniedReply: "" } }));
    const r = await runCli(["add", "access-control", "--yes", "--answers", answers, "--cwd", dir]);
    expect(r.code).toBe(0);
    const generated = readFileSync(join(dir, "recipes/access-control.ts"), "utf8");
    expect(generated).toContain("new Set<number>([7])");
    expect(generated).toContain('DENIED_REPLY: string = "";');
  });

  it("a subclass of Bot is wired inside the class: this.use(…) after super(…)", async () => {
    const dir = copyFixture("bad/subclass");
    const r = await runCli(["add", "access-control", "--yes", "--set", "userIds=1", "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("    super(token);\n    this.use(accessControl());\n");
  });

  it("a bot it cannot wire (returned straight from a function) still gets the files, and the exact lines to add", async () => {
    const dir = copyFixture("bad/returned");
    const r = await runCli(["add", "access-control", "--yes", "--set", "userIds=1", "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "recipes/access-control.ts"))).toBe(true);
    expect(r.stderr).toContain("the bot is returned straight from a function");
    expect(r.stderr).toContain("bot.use(accessControl());");
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).not.toContain("accessControl");
  });
});

function require_write(path: string, text: string): void {
  // Small local helper to keep the test readable.
  rmSync(path, { force: true });
  spawnSync("sh", ["-c", `cat > "${path}"`], { input: text });
}
