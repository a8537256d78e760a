// `undo` after `update`: the three-way merged files, the record and its base copies go back to what they were before the update.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { undoCommand } from "../../src/commands/undo.js";
import { updateCommand } from "../../src/commands/update.js";
import { keepUndoLog, undoCount, undoRoot } from "../../src/engine/undo-log.js";
import { treeHash } from "../helpers/cli.js";
import { tmpDir } from "../helpers/recipes.js";
import { bundledCopy, capture, edit, installed } from "../lifecycle/update-helpers.js";

const quiet = { check: false, install: false };

beforeAll(() => {
  process.env.CREATE_BOT_SNIPPET_UNDO_DIR = tmpDir("undo-update-log");
  process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR = tmpDir("undo-update-journal");
});
afterAll(() => {
  delete process.env.CREATE_BOT_SNIPPET_UNDO_DIR;
  delete process.env.CREATE_BOT_SNIPPET_JOURNAL_DIR;
});

describe("undo after update", () => {
  it("puts back the user's customised file, the record and the base copy as they were before the update", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, "recipes/error-handler.ts", "const INCLUDE_STACK: boolean = true;", "const INCLUDE_STACK: boolean = false; // mine");
    const before = treeHash(dir);
    // As the CLI does before a command (src/engine/recover.ts): this run's commits keep undo entries.
    keepUndoLog(["update", "error-handler", "--yes"]);
    const v2 = bundledCopy({ recipe: "error-handler", template: "error-handler.ts.hbs", change: (t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;") });
    const update = await capture(() => updateCommand(["error-handler"], { cwd: dir, bundledDir: v2, yes: true, ...quiet }));
    expect(update.error).toBeUndefined();
    expect(treeHash(dir)).not.toBe(before);
    expect(undoCount(undoRoot(dir))).toBe(1);

    const undo = await capture(() => undoCommand({ cwd: dir, yes: true }));
    expect(undo.error).toBeUndefined();
    expect(undo.stderr).toMatch(/undo `create-bot-snippet update error-handler --yes`/);
    expect(undo.stderr).toMatch(/update recipes\/error-handler\.ts/);
    expect(undo.stderr).toMatch(/update bot-snippets\.json/);
    expect(treeHash(dir)).toBe(before);
    expect(undoCount(undoRoot(dir))).toBe(0);
  });
});
