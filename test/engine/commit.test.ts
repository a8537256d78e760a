// The one writer: all or nothing, and never over a file that changed since it was planned.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { Tree } from "../../src/engine/tree.js";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

describe("commitChanges", () => {
  it("writes nothing when one change cannot be written", () => {
    const dir = tmpDir("commit");
    writeFileSync(join(dir, "a.ts"), "old\n");
    writeFileSync(join(dir, "blocker"), "a file where a folder is needed\n");
    const tree = new Tree(dir);
    tree.write("a.ts", "new\n");
    tree.write("new/dir/b.ts", "b\n");
    // Refused when planned; and by the commit too, for changes that did not come through a Tree.
    expect(() => tree.write("blocker/c.ts", "c\n")).toThrow(/^blocker is a file where a folder is needed for blocker\/c\.ts; nothing was changed$/);
    const changes = [...tree.changes(), { path: "blocker/c.ts", kind: "create" as const, before: undefined, after: "c\n" }];
    const before = treeHash(dir);
    expect(() => commitChanges(dir, changes)).toThrow(/nothing was changed/);
    expect(treeHash(dir)).toBe(before);
    expect(existsSync(join(dir, "new"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(["a.ts", "blocker"]);
  });

  it("refuses a file that changed on disk after planning", () => {
    const dir = tmpDir("commit");
    writeFileSync(join(dir, "a.ts"), "old\n");
    const tree = new Tree(dir);
    tree.write("a.ts", "new\n");
    writeFileSync(join(dir, "a.ts"), "edited meanwhile\n");
    expect(() => commitChanges(dir, tree.changes())).toThrow(/changed on disk/);
    expect(readFileSync(join(dir, "a.ts"), "utf8")).toBe("edited meanwhile\n");
  });

  it("records no change for identical content", () => {
    const dir = tmpDir("commit");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/a.ts"), "same\n");
    const tree = new Tree(dir);
    tree.write("src/a.ts", "same\n");
    expect(tree.changes()).toEqual([]);
  });
});

describe("a generated file the user edited", () => {
  it("is skipped with a note, and overwritten only with --force", () => {
    const dir = copyFixture("cjs-single");
    expect(runCli(["add", "error-handler", "--yes", "--cwd", dir]).code).toBe(0);
    const generated = join(dir, "recipes/error-handler.ts");
    writeFileSync(generated, `${readFileSync(generated, "utf8")}\n// my own change\n`);
    const before = treeHash(dir);

    const again = runCli(["add", "error-handler", "--yes", "--set", "userMessage=Different", "--cwd", dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/skip\s+recipes\/error-handler\.ts: exists and differs/);
    expect(treeHash(dir)).toBe(before);

    const forced = runCli(["add", "error-handler", "--yes", "--set", "userMessage=Different", "--force", "--cwd", dir]);
    expect(forced.code).toBe(0);
    const text = readFileSync(generated, "utf8");
    expect(text).not.toContain("// my own change");
    expect(text).toContain('USER_MESSAGE: string = "Different";');
  });
});
