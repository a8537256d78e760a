// `update` re-applies the recipe's edits to the user's own files: idempotently when they are the
// same, and a changed import or install line of the new version replaces the old one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { updateCommand } from "../../src/commands/update.js";
import { removeCommand } from "../../src/commands/remove.js";
import { parseRecord } from "../../src/record/record-file.js";
import { fixturesDir } from "../helpers/recipes.js";
import { bundledCopy, capture, installed } from "./update-helpers.js";

const quiet = { check: false, install: false } as const;
const manifest = (change: (m: { edits: Array<Record<string, unknown>> }) => void) => (text: string) => {
  const m = JSON.parse(text) as { edits: Array<Record<string, unknown>> };
  change(m);
  return `${JSON.stringify(m, null, 2)}\n`;
};

describe("update of the edits in the user's files", { timeout: 60_000 }, () => {
  it("a new name in an import joins the existing import", async () => {
    const dir = await installed("cjs-single", "logging", bundledCopy());
    const v2 = bundledCopy({ recipe: "logging", template: "recipe.json", change: manifest((m) => void (m.edits[0]!.named = ["installLogging", "type LoggingOptions"])) });
    const run = await capture(() => updateCommand(["logging"], { cwd: dir, bundledDir: v2, ...quiet }));
    expect(run.error).toBeUndefined();
    const bot = readFileSync(join(dir, "bot.ts"), "utf8");
    expect(bot.match(/recipes\/logging/g)).toHaveLength(1);
    expect(bot).toMatch(/import \{ installLogging, type LoggingOptions \} from "\.\/recipes\/logging"/);
  });

  it("a changed install line replaces the old one", async () => {
    const dir = await installed("cjs-single", "logging", bundledCopy());
    const original = readFileSync(join(fixturesDir, "cjs-single/bot.ts"), "utf8");
    const v2 = bundledCopy({ recipe: "logging", template: "recipe.json", change: manifest((m) => void (m.edits[1]!.code = "installLogging({{bot}}, {})")) });
    const run = await capture(() => updateCommand(["logging"], { cwd: dir, bundledDir: v2, ...quiet }));
    expect(run.error).toBeUndefined();
    const bot = readFileSync(join(dir, "bot.ts"), "utf8");
    expect(bot).toContain("installLogging(bot, {});");
    expect(bot).not.toContain("installLogging(bot);");
    expect(run.stderr).toMatch(/bot\.ts: installLogging\(bot\);: replaced by the new version's line/);
    // The record keeps the new line only, anchored in the file as it is now.
    const entry = parseRecord(readFileSync(join(dir, "bot-snippets.json"), "utf8")).recipes[0]!;
    const installs = entry.edits.filter((e) => e.op === "install").flatMap((e) => e.hunks);
    expect(installs.map((h) => h.added)).toEqual([["installLogging(bot, {});"]]);
    const lines = bot.split("\n");
    const at = lines.indexOf("installLogging(bot, {});");
    expect(installs[0]!.before).toEqual(lines.slice(at - installs[0]!.before.length, at));
    // remove after the update gives back the project as it was before the add.
    const removed = await capture(() => removeCommand(["logging"], { cwd: dir, yes: true, check: false, templates: [] }));
    expect(removed.error).toBeUndefined();
    expect(readFileSync(join(dir, "bot.ts"), "utf8")).toBe(original);
  });
});
