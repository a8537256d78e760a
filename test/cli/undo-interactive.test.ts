// `undo` in a terminal: the diff, then a confirmation; "no" writes nothing and keeps the entry.
import prompts from "prompts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { undoCommand } from "../../src/commands/undo.js";
import { commitChanges } from "../../src/engine/commit.js";
import { undoCount, undoRoot } from "../../src/engine/undo-log.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";

let stdout = "";
let stderr = "";
beforeEach(() => {
  stdout = "";
  stderr = "";
  Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
  vi.stubEnv("CI", "");
  vi.stubEnv("NO_COLOR", "1");
  vi.stubEnv("CREATE_BOT_SNIPPET_UNDO_DIR", tmpDir("undo-tty-log"));
  vi.stubEnv("CREATE_BOT_SNIPPET_JOURNAL_DIR", tmpDir("undo-tty-journal"));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => {
  Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** A project with one change kept for undo: src/a.ts created. */
function changed(): { dir: string; before: string } {
  const dir = copyFixture("cjs-single");
  const before = treeHash(dir);
  commitChanges(dir, [{ path: "src/a.ts", kind: "create", before: undefined, after: "export const a = 1;\n" }], { undo: { command: ["show", "a", "--copy-to", "src/a.ts"] } });
  return { dir, before };
}

describe("undo in a terminal", () => {
  it("shows the diff and writes nothing when the user declines", async () => {
    const { dir } = changed();
    const now = treeHash(dir);
    prompts.inject([false]);
    await undoCommand({ cwd: dir });
    expect(stdout).toContain("--- a/src/a.ts\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-export const a = 1;");
    expect(stderr).toContain("nothing was undone");
    expect(treeHash(dir)).toBe(now);
    expect(undoCount(undoRoot(dir))).toBe(1);
  });

  it("undoes after a yes", async () => {
    const { dir, before } = changed();
    prompts.inject([true]);
    await undoCommand({ cwd: dir });
    expect(stderr).toMatch(/✓ undid `create-bot-snippet show a --copy-to src\/a\.ts`/);
    expect(treeHash(dir)).toBe(before);
    expect(undoCount(undoRoot(dir))).toBe(0);
  });
});
