// `update`: the recorded answers re-rendered at the newer version, every generated file
// three-way merged (base copy, the user's file, the new rendering).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { updateCommand } from "../../src/commands/update.js";
import { sha256 } from "../../src/engine/journal.js";
import { parseRecord } from "../../src/record/record-file.js";
import { treeHash } from "../helpers/cli.js";
import { bundledCopy, capture, edit, installed } from "./update-helpers.js";

const file = "recipes/error-handler.ts";
const read = (dir: string, path: string) => readFileSync(join(dir, path), "utf8");
const record = (dir: string) => parseRecord(read(dir, "bot-snippets.json"));
/** The new version changes the reports-per-hour line, far from the budget line the user edits. */
const otherLines = () => bundledCopy({ recipe: "error-handler", template: "error-handler.ts.hbs", change: (t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;") });
/** The new version changes the very line the user edited. */
const sameLines = () => bundledCopy({ recipe: "error-handler", template: "error-handler.ts.hbs", change: (t) => t.replace("const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 2000;") });
const quiet = { check: false, install: false } as const;

describe("update", { timeout: 60_000 }, () => {
  it("merges a change on other lines cleanly and keeps the user's customisation", async () => {
    const v1 = bundledCopy();
    const dir = await installed("cjs-single", "error-handler", v1, { devChatIds: [42] });
    const oldVersion = record(dir).recipes[0]!.version;
    const botBefore = read(dir, "bot.ts");
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500; // mine");
    const v2 = otherLines();
    const run = await capture(() => updateCommand([], { cwd: dir, bundledDir: v2, ...quiet }));
    expect(run.error).toBeUndefined();
    expect(run.stderr).toMatch(/recipes\/error-handler\.ts: merged \(your changes kept\)/);
    const text = read(dir, file);
    expect(text).toContain("const DESCRIPTION_BUDGET = 1500; // mine");
    expect(text).toContain("const MAX_REPORTS_PER_HOUR = 60;");
    expect(text).not.toContain("<<<<<<<");
    // The edits to the user's own files are re-applied idempotently: bot.ts is as it was.
    expect(read(dir, "bot.ts")).toBe(botBefore);
    expect(record(dir).recipes).toHaveLength(1);
    // The record: new version, the same answers, the hash and base copy of the new pristine rendering.
    const entry = record(dir).recipes[0]!;
    expect(entry.version).not.toBe(oldVersion);
    expect(entry.answers.devChatIds).toEqual([42]);
    const base = read(dir, ".bot-snippets/base/recipes/error-handler.ts.base");
    expect(base).toContain("const MAX_REPORTS_PER_HOUR = 60;");
    expect(base).toContain("const DESCRIPTION_BUDGET = 1000;");
    expect(entry.files.find((f) => f.path === file)!.hash).toBe(sha256(base));
    // A second update has nothing to do.
    const again = await capture(() => updateCommand([], { cwd: dir, bundledDir: v2, ...quiet }));
    expect(again.stderr).toMatch(/every installed recipe is up to date/);
  });

  it("a change on the same lines conflicts: exit 1, nothing written without agreement", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const before = treeHash(dir);
    const run = await capture(() => updateCommand(["error-handler"], { cwd: dir, bundledDir: sameLines(), ...quiet }));
    expect(run.error?.message).toMatch(/1 file\(s\) conflict with your changes: recipes\/error-handler\.ts \(1 conflict\); nothing was written/);
    expect(run.stderr).toMatch(/recipes\/error-handler\.ts: CONFLICT/);
    expect(treeHash(dir)).toBe(before);
  });

  it("with --yes, conflicts are written with markers and listed, and the exit is still 1", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const run = await capture(() => updateCommand(["error-handler"], { cwd: dir, bundledDir: sameLines(), yes: true, ...quiet }));
    expect(run.error?.message).toMatch(/1 file\(s\) written with conflict markers: recipes\/error-handler\.ts/);
    const text = read(dir, file);
    expect(text).toMatch(/<<<<<<< yours\nconst DESCRIPTION_BUDGET = 1500;\n\|\|\|\|\|\|\| error-handler 0\.0\.0\+[0-9a-f]{12}\nconst DESCRIPTION_BUDGET = 1000;\n=======\nconst DESCRIPTION_BUDGET = 2000;\n>>>>>>> error-handler 0\.0\.0\+[0-9a-f]{12}\n/);
    // The base copy is the new version's rendering: the next update merges from it.
    expect(read(dir, ".bot-snippets/base/recipes/error-handler.ts.base")).toContain("const DESCRIPTION_BUDGET = 2000;");
  });

  it("--dry-run prints the merged diff and writes nothing", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const before = treeHash(dir);
    const run = await capture(() => updateCommand([], { cwd: dir, bundledDir: otherLines(), dryRun: true, ...quiet }));
    expect(run.error).toBeUndefined();
    expect(run.stdout).toMatch(/-const MAX_REPORTS_PER_HOUR = 30;\n\+const MAX_REPORTS_PER_HOUR = 60;/);
    expect(run.stdout).not.toMatch(/^-const DESCRIPTION_BUDGET/m);
    expect(run.stderr).toMatch(/dry run: nothing was written/);
    expect(treeHash(dir)).toBe(before);
  });

  it("without its base copy, a file the user changed conflicts as a whole; one deleted by the user stays deleted", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    rmSync(join(dir, ".bot-snippets/base/recipes/error-handler.ts.base"));
    const before = treeHash(dir);
    const run = await capture(() => updateCommand([], { cwd: dir, bundledDir: otherLines(), ...quiet }));
    expect(run.error?.message).toMatch(/conflict with your changes: recipes\/error-handler\.ts .*nothing was written/);
    expect(treeHash(dir)).toBe(before);

    rmSync(join(dir, file));
    const gone = await capture(() => updateCommand([], { cwd: dir, bundledDir: otherLines(), ...quiet }));
    expect(gone.error).toBeUndefined();
    expect(gone.stderr).toMatch(/recipes\/error-handler\.ts: not re-created \(you deleted it\)/);
    expect(existsSync(join(dir, file))).toBe(false);
  });

  it("--json reports the merge and writes only with --yes", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    edit(dir, file, "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const v2 = otherLines();
    const before = treeHash(dir);
    const plan = await capture(() => updateCommand([], { cwd: dir, bundledDir: v2, json: true, ...quiet }));
    expect(plan.error).toBeUndefined();
    const json = JSON.parse(plan.stdout) as { written: boolean; files: Array<{ path: string; state: string }>; conflicts: unknown[]; recipes: Array<{ ref: string }> };
    expect(json).toMatchObject({ written: false, conflicts: [], recipes: [{ ref: "error-handler" }], files: [{ path: file, state: "merged" }] });
    expect(treeHash(dir)).toBe(before);
    const done = await capture(() => updateCommand([], { cwd: dir, bundledDir: v2, json: true, yes: true, ...quiet }));
    expect(JSON.parse(done.stdout)).toMatchObject({ written: true });
    expect(read(dir, file)).toContain("const MAX_REPORTS_PER_HOUR = 60;");
  });

  it("an unchanged file takes the new version as it is", async () => {
    const dir = await installed("cjs-single", "error-handler", bundledCopy());
    const run = await capture(() => updateCommand(["error-handler"], { cwd: dir, bundledDir: sameLines(), ...quiet }));
    expect(run.error).toBeUndefined();
    expect(run.stderr).toMatch(/recipes\/error-handler\.ts: updated/);
    expect(read(dir, file)).toContain("const DESCRIPTION_BUDGET = 2000;");
    expect(read(dir, file)).toBe(read(dir, ".bot-snippets/base/recipes/error-handler.ts.base"));
  });
});
