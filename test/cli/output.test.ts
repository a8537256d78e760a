// Output worth reading (issue 13 §10-13): notes once, one line for diagnostics that wait for an
// install, `show` in the user's terms, and everything written in the project's style.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/plan-types.js";
import { formatSummary } from "../../src/ui/print-plan.js";
import { cliSession } from "../helpers/cli-session.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

// What each command prints and writes, not the process: the runs share one CLI process (test/helpers/cli-session.ts).
const runCli = cliSession().run;

describe("notes are printed once, when they are new", () => {
  it("a plan prints each note once", async () => {
    const plan: Plan = { recipes: [], changes: [], skipped: [], manual: [], dependencies: [], notes: ["a: same", "a: same", "b: other"] };
    const text = formatSummary(plan, process.stderr);
    expect(text.match(/a: same/g)).toHaveLength(1);
    expect(text).toContain("b: other");
    expect(formatSummary(plan, process.stderr, { notes: false })).not.toContain("same");
  });

  it("re-running add says 'already applied' without the notes again", async () => {
    const dir = copyFixture("cjs-single");
    const first = await runCli(["add", "file-download", "--yes", "--no-check", "--no-install", "--cwd", dir]);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("files are saved under downloads/");
    const again = await runCli(["add", "file-download", "--yes", "--no-check", "--no-install", "--cwd", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already applied, nothing to do");
    expect(again.stderr).not.toContain("files are saved under");
    expect(again.stderr).not.toContain("Notes:");
  });
});

describe("diagnostics in files that import packages not installed yet", () => {
  it("are one line saying they are checked after install, not a list that looks like errors", async () => {
    const pack = tmpDir("pending-pack");
    mkdirSync(join(pack, "pending"), { recursive: true });
    const manifest = { id: "pending", title: "t", description: "d", seeds: [], questions: [], dependencies: [{ name: "@fake/not-installed", version: "^1.0.0" }], files: [{ template: "pending.ts.hbs", target: "{{recipesDir}}/pending.ts" }], edits: [] };
    writeFileSync(join(pack, "pending/recipe.json"), JSON.stringify(manifest));
    writeFileSync(join(pack, "pending/pending.ts.hbs"), 'import { value } from "@fake/not-installed";\n\nexport function times(outside) {\n  return value * outside;\n}\n');
    const dir = copyFixture("cjs-single");
    const r = await runCli(["add", "pending", "--yes", "--check", "--no-install", "--templates", pack, "--cwd", dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\d+ diagnostics? in files that import not-yet-installed packages will be checked after install$/m);
    expect(r.stderr).not.toContain("Parameter 'outside'");
    expect(r.stderr).not.toContain("not checked until installed");
  });
});

describe("show prints what the user gets", () => {
  const internals = (text: string) => {
    expect(text).not.toContain("{{");
    expect(text).not.toMatch(/\bwhen \{/);
    expect(text).not.toMatch(/^\s+(add-import|install|set-error-handler|extend-context|wrap-handlers|replace-start|ignore-path)\b/m);
    expect(text).not.toMatch(/\b[A-G]\d{1,2}\b.*\)/); // seed codes (C28, D3…)
  };

  it("files at resolved paths, the changes in words, questions with defaults", async () => {
    const r = await runCli(["show", "access-control"], { cwd: tmpDir("no-project") });
    expect(r.code).toBe(0);
    internals(r.stdout);
    expect(r.stdout).toContain("  src/recipes/access-control.ts");
    expect(r.stdout).toContain("adds `bot.use(accessControl())` after `new Bot(…)`");
    expect(r.stdout).toContain("(when mode is gate or both)");
    expect(r.stdout).toMatch(/--set userIds=<n,n> +\(required\)/);
    expect(r.stdout).toMatch(/--set mode=gate\|wrapper\|both +\(default: "gate"\)/);
    expect(r.stdout).toMatch(/--set commands=<a,b> +\(default: none; asked when mode is wrapper or both\)/);
  });

  it("says bot.catch is set, bot.start() replaced, and lists the dependencies", async () => {
    const handler = await runCli(["show", "error-handler"], { cwd: tmpDir("no-project") });
    internals(handler.stdout);
    expect(handler.stdout).toContain("sets `bot.catch(handleBotError)`");
    expect(handler.stdout).toContain("(when the bot is served by webhook)");
    const lifecycle = await runCli(["show", "server-lifecycle"], { cwd: tmpDir("no-project") });
    internals(lifecycle.stdout);
    expect(lifecycle.stdout).toContain("replaces `bot.start()` with `startBot(bot)`");
    const limit = await runCli(["show", "rate-limit"], { cwd: tmpDir("no-project") });
    expect(limit.stdout).toMatch(/Dependencies\n {2}@grammyjs\/ratelimiter@/);
  });

  it("inside a project, the paths are the ones add would write there", async () => {
    const dir = copyFixture("cjs-single");
    const r = await runCli(["show", "access-control"], { cwd: dir });
    expect(r.stdout).toContain("Files (for the bot in bot.ts)\n  recipes/access-control.ts\n");
    expect(r.stdout).toContain('imports accessControl from "./recipes/access-control"');
  });

  it("seed codes only with --verbose, in show and list", async () => {
    expect((await runCli(["list"])).stdout).not.toContain("C28");
    expect((await runCli(["list", "--verbose"])).stdout).toContain("C28");
    expect((await runCli(["show", "access-control"])).stdout).not.toContain("C28");
    expect((await runCli(["show", "access-control", "--verbose"])).stdout).toContain("seeds C28");
  });
});

describe("everything written follows the project's style", () => {
  it("show --copy-to writes single quotes and no semicolons into a project that uses them", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const r = await runCli(["show", "quote-message", "--copy-to", "src/quote.ts"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("single quotes, no semicolons");
    const code = readFileSync(join(dir, "src/quote.ts"), "utf8");
    expect(code).toContain("from 'grammy'");
    expect(code).not.toMatch(/from "grammy"/);
    expect(code).not.toMatch(/;\s*$/m);
    // Written again: the same code in the same style is "unchanged".
    expect((await runCli(["show", "quote-message", "--copy-to", "src/quote.ts"], { cwd: dir })).stderr).toContain("unchanged");
  });

  it("add leaves no ';' after interface members in a no-semicolon project", async () => {
    const dir = copyFixture("esm-nodenext-factory");
    const r = await runCli(["add", "menu-builder", "file-download", "--yes", "--no-check", "--no-install", "--cwd", dir]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(dir, "src/recipes"));
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const text = readFileSync(join(dir, "src/recipes", file), "utf8");
      expect(text).toMatch(/^ {2}\w+\??: [^;]+$/m); // it has members…
      expect(text, file).not.toMatch(/^ +[\w[(]\w*\??: [^=]*;$/m); // …none ending in ';'
    }
  });
});
