// `diff <recipe>`: the user's changes against the base copies; `--upstream`: what the newer version brings.
import { describe, expect, it } from "vitest";
import { diffCommand } from "../../src/commands/diff.js";
import { treeHash } from "../helpers/cli.js";
import { bundledCopy, capture, edit, installed } from "./update-helpers.js";

describe("diff", { timeout: 60_000 }, () => {
  it("shows the user's changes, then with --upstream the newer version's, writing nothing", async () => {
    const v1 = bundledCopy();
    const dir = await installed("cjs-single", "error-handler", v1);
    const none = await capture(() => diffCommand("error-handler", { cwd: dir, bundledDir: v1 }));
    expect(none.stdout).toBe("");
    expect(none.stderr).toMatch(/error-handler: no changes to its generated files since it was added/);

    edit(dir, "recipes/error-handler.ts", "const DESCRIPTION_BUDGET = 1000;", "const DESCRIPTION_BUDGET = 1500;");
    const mine = await capture(() => diffCommand("error-handler", { cwd: dir, bundledDir: v1 }));
    expect(mine.stdout).toMatch(/^--- a\/recipes\/error-handler\.ts\n\+\+\+ b\/recipes\/error-handler\.ts\n@@ [^\n]+ @@\n/);
    expect(mine.stdout).toMatch(/\n-const DESCRIPTION_BUDGET = 1000;\n\+const DESCRIPTION_BUDGET = 1500;\n/);

    const same = await capture(() => diffCommand("error-handler", { cwd: dir, bundledDir: v1, upstream: true }));
    expect(same.stderr).toMatch(/error-handler: up to date \(0\.0\.0\+[0-9a-f]{12}\); no upstream changes/);

    const v2 = bundledCopy({ recipe: "error-handler", template: "error-handler.ts.hbs", change: (t) => t.replace("const MAX_REPORTS_PER_HOUR = 30;", "const MAX_REPORTS_PER_HOUR = 60;") });
    const before = treeHash(dir);
    const upstream = await capture(() => diffCommand("error-handler", { cwd: dir, bundledDir: v2, upstream: true }));
    expect(upstream.error).toBeUndefined();
    // Base copy against the new rendering: the recipe's change only, not the user's.
    expect(upstream.stdout).toMatch(/\n-const MAX_REPORTS_PER_HOUR = 30;\n\+const MAX_REPORTS_PER_HOUR = 60;\n/);
    expect(upstream.stdout).not.toContain("DESCRIPTION_BUDGET = 1500");
    expect(upstream.stdout).not.toContain("bot.ts");
    expect(upstream.stderr).toMatch(/error-handler: 0\.0\.0\+\w+ → 0\.0\.0\+\w+/);
    expect(treeHash(dir)).toBe(before);
  });
});
