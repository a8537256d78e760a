// Every command that writes first rolls back a commit a killed run left half-done, from one place (src/engine/recover.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { journalPath, sha256, writeJournal, type Journal } from "../../src/engine/journal.js";
import { writtenFolder } from "../../src/engine/recover.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

/**
 * A project as a commit killed after its first rename leaves it: bot.ts
 * already new, recipes/new.ts created, a staged temp file, and the journal
 * (in a journal folder of this test). Returns the project and the hash of
 * its tree before the commit.
 */
function halfWritten(): { dir: string; before: string; env: Record<string, string> } {
  const journalDir = tmpDir("journals");
  const env = { CREATE_BOT_SNIPPET_JOURNAL_DIR: journalDir };
  const dir = copyFixture("cjs-single");
  const before = treeHash(dir);
  const original = readFileSync(join(dir, "bot.ts"));
  const changed = `${original.toString()}// added by the killed run\n`;
  const created = "export const x = 1;\n";
  process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = journalDir;
  try {
    const dead = 999_999; // no such process
    const journal: Journal = {
      version: 1,
      root: dir,
      pid: dead,
      startedAt: new Date().toISOString(),
      entries: [
        { path: "bot.ts", real: join(dir, "bot.ts"), before: original.toString("base64"), afterHash: sha256(changed) },
        { path: "recipes/new.ts", real: join(dir, "recipes/new.ts"), before: null, afterHash: sha256(created), temp: join(dir, `recipes/new.ts.bot-snippet-${dead}.tmp`) },
      ],
      createdDirs: [join(dir, "recipes")],
    };
    writeJournal(dir, journal);
    expect(existsSync(journalPath(dir))).toBe(true);
  } finally {
    delete process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR;
  }
  writeFileSync(join(dir, "bot.ts"), changed);
  mkdirSync(join(dir, "recipes"));
  writeFileSync(join(dir, `recipes/new.ts.bot-snippet-999999.tmp`), created);
  expect(treeHash(dir)).not.toBe(before);
  return { dir, before, env };
}

describe("an interrupted commit is rolled back before", () => {
  const commands: Array<[string, (dir: string) => { args: string[]; cwd?: string }]> = [
    ["add", (dir) => ({ args: ["add", "error-handler", "--dry-run", "--cwd", dir] })],
    ["add from a subfolder of the project", (dir) => ({ args: ["add", "error-handler", "--dry-run", "--cwd", join(dir, "sub")] })],
    ["new (a folder that is not empty: refused after the rollback)", (dir) => ({ args: ["new", dir, "--yes", "--no-install"] })],
    ["the run without a command, in the project", (dir) => ({ args: ["--yes"], cwd: dir })],
    ["show --copy-to into the project", (dir) => ({ args: ["show", "quote-message", "--copy-to", join(dir, "quote.ts")] })],
  ];
  it.each(commands)("%s, which says what it did", (_, command) => {
    const { dir, before, env } = halfWritten();
    mkdirSync(join(dir, "sub"));
    const { args, cwd } = command(dir);
    const r = runCli(args, { cwd, env });
    expect(r.stderr).toMatch(/an earlier run was interrupted while writing in .* rolled it back: restored bot\.ts/);
    expect(existsSync(join(dir, "recipes"))).toBe(false);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).not.toContain("added by the killed run");
    if (r.code !== 0) expect(treeHash(dir)).toBe(before); // refused: exactly the old tree (the subfolder is empty)
  });

  it("read-only commands (list, lint) leave it for the next command that writes", () => {
    const { dir, env } = halfWritten();
    const r = runCli(["list"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/interrupted/);
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toContain("added by the killed run");
  });
});

describe("writtenFolder", () => {
  it("names the folder each writing command writes in, and none for the others", () => {
    expect(writtenFolder("add", [["x"]], { cwd: "proj" })).toBe("proj");
    expect(writtenFolder("new", ["a/b/c"], {})).toBe("a/b/c");
    expect(writtenFolder("new", [undefined], {})).toBe(".");
    expect(writtenFolder("init", [undefined], {})).toBe(".");
    expect(writtenFolder("show", ["quote-message"], { copyTo: "/p/src/q.ts" })).toBe("/p/src");
    expect(writtenFolder("show", ["quote-message"], {})).toBeUndefined();
    expect(writtenFolder("list", [], {})).toBeUndefined();
    expect(writtenFolder("lint", [[]], {})).toBeUndefined();
  });
});
