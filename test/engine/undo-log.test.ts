// The undo log: one entry per CLI run, outside the project, bounded; keeping it never fails a commit.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { commitChanges, revertChanges } from "../../src/engine/commit.js";
import { Tree } from "../../src/engine/tree.js";
import { newestUndo, pushUndo, settleInstalls, undoCount, undoDepth, undoDir, undoFolder, undoRoot, type UndoEntry } from "../../src/engine/undo-log.js";
import { undoCommand } from "../../src/commands/undo.js";
import { treeHash } from "../helpers/cli.js";
import { tmpDir } from "../helpers/recipes.js";

const origin = { command: ["add", "x", "--yes"] };

/** A project (a package.json and a bot.ts) in a fresh folder. */
function project(): string {
  const dir = tmpDir("undo-log");
  writeFileSync(join(dir, "package.json"), "{}\n");
  writeFileSync(join(dir, "bot.ts"), "bot\n");
  return dir;
}

const entries = (dir: string) => readdirSync(undoFolder(undoRoot(dir))).filter((n) => n.endsWith(".json"));

let stderr: string[] = [];
beforeEach(() => {
  process.env.CREATE_BOT_SNIPPET_UNDO_DIR = tmpDir("undo-dir");
  process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = tmpDir("journal-dir");
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.CREATE_BOT_SNIPPET_UNDO_DIR;
  delete process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR;
});

describe("the undo entry of a commit", () => {
  it("is kept outside the project: command line, time, and every file before and after (null: absent), a deleted file's mode", () => {
    const dir = project();
    writeFileSync(join(dir, "run.ts"), "run\n");
    chmodSync(join(dir, "run.ts"), 0o755);
    const tree = new Tree(dir);
    tree.write("bot.ts", "bot2\n");
    tree.write("src/new.ts", "new\n");
    tree.delete("run.ts");
    commitChanges(dir, tree.changes(), { undo: origin });
    const { entry } = newestUndo(undoRoot(dir))!;
    expect(entry).toMatchObject({ version: 1, root: realpathSync(dir), command: ["add", "x", "--yes"] });
    expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
    expect(entry.files).toEqual([
      { path: "bot.ts", before: "bot\n", after: "bot2\n" },
      { path: "run.ts", before: "run\n", after: null, mode: 0o755 },
      { path: "src/new.ts", before: null, after: "new\n" },
    ]);
    expect(undoFolder(realpathSync(dir)).startsWith(undoDir())).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["bot.ts", "package.json", "src"]); // nothing of it in the project
  });

  it("sits beside the journal folder unless CREATE_BOT_SNIPPET_UNDO_DIR says otherwise", () => {
    delete process.env.CREATE_BOT_SNIPPET_UNDO_DIR;
    process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = "/some/cache/create-bot-snippet/journal";
    expect(undoDir()).toBe("/some/cache/create-bot-snippet/undo");
  });

  it("is not kept by library use (no origin, the CLI did not turn the log on), nor for undo's own commit (undo: false)", () => {
    const dir = project();
    commitChanges(dir, [{ path: "a.ts", kind: "create", before: undefined, after: "a\n" }]);
    commitChanges(dir, [{ path: "b.ts", kind: "create", before: undefined, after: "b\n" }], { undo: false });
    expect(newestUndo(undoRoot(dir))).toBeUndefined();
  });

  it("of a commit in a subfolder (show --copy-to src/) is the project's, with the path from the project's root", () => {
    const dir = project();
    mkdirSync(join(dir, "src"));
    commitChanges(join(dir, "src"), [{ path: "quote.ts", kind: "create", before: undefined, after: "q\n" }], { undo: origin });
    expect(newestUndo(undoRoot(dir))!.entry.files).toEqual([{ path: "src/quote.ts", before: null, after: "q\n" }]);
  });

  it("merges the commits of one run (new: skeleton, then recipes): first before, last after; a file made and removed again drops out", () => {
    const dir = project();
    commitChanges(dir, [
      { path: "bot.ts", kind: "update", before: "bot\n", after: "bot2\n" },
      { path: "tmp.ts", kind: "create", before: undefined, after: "t\n" },
    ], { undo: origin });
    commitChanges(dir, [
      { path: "bot.ts", kind: "update", before: "bot2\n", after: "bot3\n" },
      { path: "tmp.ts", kind: "delete", before: "t\n", after: "" },
      { path: "c.ts", kind: "create", before: undefined, after: "c\n" },
    ], { undo: { command: ["later"] } });
    expect(entries(dir)).toHaveLength(1);
    const { entry } = newestUndo(undoRoot(dir))!;
    expect(entry.command).toEqual(["add", "x", "--yes"]);
    expect(entry.files).toEqual([
      { path: "bot.ts", before: "bot\n", after: "bot3\n" },
      { path: "c.ts", before: null, after: "c\n" },
    ]);
  });

  it("is taken back with the commit by revertChanges (add's rollback after a failed check)", () => {
    const dir = project();
    const tree = new Tree(dir);
    tree.write("bot.ts", "bot2\n");
    tree.write("x.ts", "x\n");
    const changes = tree.changes();
    commitChanges(dir, changes, { undo: origin });
    expect(undoCount(undoRoot(dir))).toBe(1);
    revertChanges(dir, changes);
    expect(undoCount(undoRoot(dir))).toBe(0);
  });
});

describe("the undo log's bounds", () => {
  /** Entries of other runs, oldest first, as files in the log. */
  function otherRuns(dir: string, count: number): void {
    const folder = undoFolder(undoRoot(dir));
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < count; i++) {
      const entry: UndoEntry = { version: 1, root: undoRoot(dir), command: [`run${i}`], at: new Date().toISOString(), run: `1-${i}`, files: [{ path: "bot.ts", before: "a\n", after: "b\n" }] };
      writeFileSync(join(folder, `${String(1_000_000 + i).padStart(15, "0")}-1-${String(i).padStart(8, "0")}.json`), JSON.stringify(entry));
    }
  }

  it(`keeps the last ${undoDepth} entries`, () => {
    const dir = project();
    otherRuns(dir, 25);
    commitChanges(dir, [{ path: "bot.ts", kind: "update", before: "bot\n", after: "new\n" }], { undo: origin });
    const names = entries(dir);
    expect(names).toHaveLength(undoDepth);
    expect(JSON.parse(readFileSync(join(undoFolder(undoRoot(dir)), names[0]!), "utf8")).command).toEqual(["run6"]);
    expect(newestUndo(undoRoot(dir))!.entry.command).toEqual(origin.command);
  });

  it("does not keep a commit over the size limit: says undo is unavailable for it, and drops the history before it", () => {
    const dir = project();
    otherRuns(dir, 3);
    const warning = pushUndo(undoRoot(dir), ["add", "big"], [{ path: "big.ts", before: null, after: "x".repeat(3 * 1024 * 1024) }], 1024 * 1024);
    expect(warning).toBe("`undo` is not available for this change: its files come to 3 MB, over the 1 MB undo keeps");
    expect(entries(dir)).toHaveLength(1);
    const { entry } = newestUndo(undoRoot(dir))!;
    expect(entry.files).toEqual([]);
    expect(entry.unavailable).toMatch(/3 MB, over the 1 MB/);
  });

  it("a commit whose entry cannot be written is still written, with one warning", () => {
    const dir = project();
    const blocker = join(tmpDir("undo-blocked"), "file");
    writeFileSync(blocker, "");
    process.env.CREATE_BOT_SNIPPET_UNDO_DIR = join(blocker, "undo"); // a file where the folder would be
    commitChanges(dir, [{ path: "bot.ts", kind: "update", before: "bot\n", after: "new\n" }], { undo: origin });
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toBe("new\n");
    expect(stderr.join("")).toMatch(/^warning: the change is written, but it could not be kept for `undo`: ENOTDIR/);
    expect(existsSync(join(blocker, "undo"))).toBe(false);
  });
});

describe("the commands that write", () => {
  it("update, remove and undo roll back an interrupted commit in --cwd first, like add", async () => {
    const { writtenFolder } = await import("../../src/engine/recover.js");
    for (const command of ["update", "remove", "undo"]) {
      expect(writtenFolder(command, [], { cwd: "proj" })).toBe("proj");
      expect(writtenFolder(command, [], {})).toBe(".");
    }
  });
});

describe("the undo log's files", () => {
  it("are the user's only (they hold the project's code)", async () => {
    const { statSync } = await import("node:fs");
    const dir = project();
    commitChanges(dir, [{ path: "bot.ts", kind: "update", before: "bot\n", after: "new\n" }], { undo: origin });
    const folder = undoFolder(undoRoot(dir));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, entries(dir)[0]!)).mode & 0o777).toBe(0o600);
  });
});

describe("a package manager after the commit", () => {
  it("rewrote package.json and the lockfile: the run's entry takes them as they are at its end, and undo puts both back", async () => {
    const dir = project();
    writeFileSync(join(dir, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
    const before = treeHash(dir);
    commitChanges(dir, [{ path: "package.json", kind: "update", before: "{}\n", after: '{ "dependencies": { "x": "^1" } }\n' }], { undo: origin });
    // what `npm install x@^1` does next
    const pkg = '{\n  "dependencies": {\n    "x": "^1.0.0"\n  }\n}\n';
    const lock = '{ "lockfileVersion": 3, "packages": { "node_modules/x": {} } }\n';
    writeFileSync(join(dir, "package.json"), pkg);
    writeFileSync(join(dir, "package-lock.json"), lock);
    settleInstalls();
    expect(newestUndo(undoRoot(dir))!.entry.files).toEqual([
      { path: "package.json", before: "{}\n", after: pkg },
      { path: "package-lock.json", before: '{ "lockfileVersion": 3 }\n', after: lock },
    ]);
    await undoCommand({ cwd: dir, yes: true });
    expect(treeHash(dir)).toBe(before);
    expect(stderr.join("")).toMatch(/package\.json changed: run npm install/);
  });
});
