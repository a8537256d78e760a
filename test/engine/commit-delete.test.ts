// Deletes go through the one writer: all or nothing, refused when the file changed, folders they empty removed, modes kept on rollback.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges, revertChanges } from "../../src/engine/commit.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { Tree, type FileChange } from "../../src/engine/tree.js";
import { formatDiff, formatSummary, planToJson } from "../../src/ui/print-plan.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

/** Every file and folder under a folder, with its mode (treeHash sees no empty folders). */
function layout(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => {
      const stat = statSync(join(dir, f));
      return `${f}${stat.isDirectory() ? "/" : ""} ${(stat.mode & 0o7777).toString(8)}`;
    });
}

function plan(changes: FileChange[]): Plan {
  return { recipes: [], changes, skipped: [], manual: [], notes: [], dependencies: [] };
}

describe("deleting files", () => {
  it("add files in new folders, then delete them all: exactly the original tree, no folder left behind", () => {
    const dir = copyFixture("cjs-single");
    const before = layout(dir);
    const hash = treeHash(dir);
    const add = new Tree(dir);
    add.write("recipes/deep/a.ts", "export const a = 1;\n");
    add.write("recipes/b.ts", "export const b = 1;\n");
    add.write("bot.ts", `${add.read("bot.ts")}// added\n`);
    const added = add.changes();
    commitChanges(dir, added);
    const remove = new Tree(dir);
    remove.delete("recipes/deep/a.ts");
    remove.delete("recipes/b.ts");
    remove.write("bot.ts", added.find((c) => c.path === "bot.ts")!.before!);
    expect(remove.changes().map((c) => c.kind)).toEqual(["update", "delete", "delete"]);
    commitChanges(dir, remove.changes());
    expect(layout(dir)).toEqual(before);
    expect(treeHash(dir)).toBe(hash);
  });

  it("keeps a folder the deletes do not empty, and the project root", () => {
    const dir = tmpDir("delete");
    mkdirSync(join(dir, "src/sub"), { recursive: true });
    writeFileSync(join(dir, "src/sub/gone.ts"), "x\n");
    writeFileSync(join(dir, "src/mine.ts"), "mine\n");
    writeFileSync(join(dir, "top.ts"), "top\n");
    const tree = new Tree(dir);
    tree.delete("src/sub/gone.ts");
    tree.delete("top.ts");
    commitChanges(dir, tree.changes());
    expect(layout(dir).map((l) => l.split(" ")[0])).toEqual(["src/", "src/mine.ts"]);
    expect(existsSync(dir)).toBe(true);
  });

  it("keeps a folder that a file of the same commit is written into", () => {
    const dir = tmpDir("delete");
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/old.ts"), "old\n");
    const tree = new Tree(dir);
    tree.delete("src/old.ts");
    tree.write("src/new.ts", "new\n");
    commitChanges(dir, tree.changes());
    expect(readdirSync(join(dir, "src"))).toEqual(["new.ts"]);
  });

  it("is refused, nothing changed, when a file to delete changed on disk since it was planned", () => {
    const dir = tmpDir("delete");
    writeFileSync(join(dir, "a.ts"), "a\n");
    writeFileSync(join(dir, "b.ts"), "b\n");
    const tree = new Tree(dir);
    tree.delete("a.ts");
    tree.write("b.ts", "b2\n");
    writeFileSync(join(dir, "a.ts"), "edited meanwhile\n");
    const hash = treeHash(dir);
    expect(() => commitChanges(dir, tree.changes())).toThrow(/^a\.ts changed on disk while the plan was made$/);
    expect(treeHash(dir)).toBe(hash);
  });

  it("is refused when the file is already gone", () => {
    const dir = tmpDir("delete");
    expect(() => commitChanges(dir, [{ path: "gone.ts", kind: "delete", before: "x\n", after: "" }])).toThrow(/gone\.ts changed on disk/);
  });

  it("never removes a symlink or what it points to", () => {
    const dir = tmpDir("delete");
    writeFileSync(join(dir, "real.ts"), "real\n");
    symlinkSync("real.ts", join(dir, "link.ts"));
    const hash = treeHash(dir);
    expect(() => commitChanges(dir, [{ path: "link.ts", kind: "delete", before: "real\n", after: "" }])).toThrow(/^link\.ts is a symlink; it is not removed, and nothing was changed$/);
    expect(treeHash(dir)).toBe(hash);
  });

  it("a failure after the delete puts the file back with its mode, and the folder it emptied with its mode", () => {
    const dir = tmpDir("delete");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin/run.ts"), "#!/usr/bin/env node\n");
    chmodSync(join(dir, "bin/run.ts"), 0o750);
    chmodSync(join(dir, "bin"), 0o711);
    writeFileSync(join(dir, "z.ts"), "z\n");
    const before = layout(dir);
    const tree = new Tree(dir);
    tree.delete("bin/run.ts");
    tree.write("z.ts", "z2\n");
    // bin/run.ts is renamed (removed) first, then z.ts fails; then the folder step.
    for (const at of [["rename", 1], ["rmdir", 0]] as const) {
      expect(() => commitChanges(dir, tree.changes(), { step: (step, i) => { if (step === at[0] && i === at[1]) throw new Error("EIO"); } })).toThrow(/EIO.*nothing was changed/);
      expect(layout(dir)).toEqual(before);
    }
  });
});

describe("revertChanges", () => {
  it("takes back a commit that creates, updates and deletes, deleted files with their mode", () => {
    const dir = copyFixture("cjs-single");
    mkdirSync(join(dir, "old"));
    writeFileSync(join(dir, "old/run.ts"), "run\n");
    chmodSync(join(dir, "old/run.ts"), 0o755);
    const before = layout(dir);
    const hash = treeHash(dir);
    const tree = new Tree(dir);
    tree.delete("old/run.ts");
    tree.write("bot.ts", "// replaced\n");
    tree.write("lib/x/new.ts", "new\n");
    const changes = tree.changes();
    commitChanges(dir, changes);
    expect(existsSync(join(dir, "old"))).toBe(false);
    revertChanges(dir, changes);
    expect(layout(dir)).toEqual(before);
    expect(treeHash(dir)).toBe(hash);
  });

  it("reads what each file holds now (package.json rewritten by a package manager since)", () => {
    const dir = tmpDir("revert");
    writeFileSync(join(dir, "package.json"), "{}\n");
    const tree = new Tree(dir);
    tree.write("package.json", '{ "dependencies": { "x": "^1" } }\n');
    const changes = tree.changes();
    commitChanges(dir, changes);
    writeFileSync(join(dir, "package.json"), '{\n  "dependencies": {\n    "x": "^1.2.0"\n  }\n}\n');
    revertChanges(dir, changes);
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe("{}\n");
  });
});

describe("print-plan", () => {
  const changes: FileChange[] = [
    { path: "a.ts", kind: "delete", before: "one\ntwo\n", after: "" },
    { path: "b.ts", kind: "create", before: undefined, after: "new\n" },
  ];
  const stream = process.stderr;

  it("shows a delete as `delete <path>` in the summary, in red in a terminal", () => {
    expect(formatSummary(plan(changes), stream)).toBe("  delete a.ts\n  create b.ts");
    const tty = Object.assign(Object.create(stream) as NodeJS.WriteStream, { isTTY: true });
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect(formatSummary(plan(changes), tty)).toContain("\u001b[31mdelete\u001b[39m a.ts");
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
  });

  it("diffs a delete to /dev/null", () => {
    const diff = formatDiff(plan(changes), stream);
    expect(diff).toContain("--- a/a.ts\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two");
    expect(diff).toContain("--- /dev/null\n+++ b/b.ts");
  });

  it("lists a delete in --json with kind delete and after null", () => {
    const json = planToJson(plan(changes), false) as { changes: unknown[] };
    expect(json.changes).toEqual([
      { path: "a.ts", kind: "delete", before: "one\ntwo\n", after: null },
      { path: "b.ts", kind: "create", before: null, after: "new\n" },
    ]);
  });
});
