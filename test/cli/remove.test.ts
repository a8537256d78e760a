// `remove` from the command line: --dry-run and --json write nothing, --yes
// writes in one commit and gives the fixture back, a file the user changed
// is kept (deleted with --force), and the add --check gate refuses a removal
// that would break the user's code. Projects are prepared in-process; the
// CLI runs of one test share a process (runCliBatch).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { runCliBatch } from "../helpers/cli-batch.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture, fixturesDir } from "../helpers/recipes.js";
import { planAddRecorded } from "../lifecycle/remove-helpers.js";

async function installed(ids: string[]): Promise<string> {
  const dir = copyFixture("cjs-single");
  for (const id of ids) commitChanges(dir, (await planAddRecorded(dir, id)).changes);
  return dir;
}

/** Every file and folder under a folder, with the files' text. */
function snapshotOf(root: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = `${rel}${e.name}`;
    if (e.isDirectory()) Object.assign(out, { [`${path}/`]: "" }, snapshotOf(root, `${path}/`));
    else out[path] = readFileSync(join(root, path), "utf8");
  }
  return out;
}

const fixture = snapshotOf(join(fixturesDir, "cjs-single"));

describe("remove", { timeout: 120_000 }, () => {
  it("--dry-run and --json without --yes write nothing; --yes --json writes and gives the fixture back", async () => {
    const dir = await installed(["rate-limit", "command-menu"]);
    const before = treeHash(dir);
    const [dry, json] = runCliBatch([{ args: ["remove", "rate-limit", "--dry-run", "--cwd", dir] }, { args: ["remove", "rate-limit", "--json", "--cwd", dir] }]);
    expect(dry!.code).toBe(0);
    expect(dry!.stdout).toContain("-bot.use(rateLimit());");
    expect(dry!.stdout).not.toContain("windowStart"); // a deleted file is listed, not printed
    expect(dry!.stderr).toMatch(/delete recipes\/rate-limit\.ts[\s\S]*dry run: nothing was written/);
    expect(json!.code).toBe(0);
    expect(JSON.parse(json!.stdout)).toMatchObject({ written: false, recipes: ["rate-limit"], manual: [] });
    expect(treeHash(dir)).toBe(before);

    const [write] = runCliBatch([{ args: ["remove", "rate-limit", "command-menu", "--yes", "--json", "--no-check", "--cwd", dir] }]);
    expect(write!.code).toBe(0);
    const report = JSON.parse(write!.stdout) as { written: boolean; dependencies: { removed: Array<{ name: string }> } };
    expect(report.written).toBe(true);
    expect(report.dependencies.removed.map((d) => d.name)).toEqual(["@grammyjs/commands"]);
    expect(snapshotOf(dir)).toEqual(fixture);
  });

  it("keeps a generated file the user changed, and deletes it with --force", async () => {
    const kept = await installed(["rate-limit"]);
    const forced = await installed(["rate-limit"]);
    for (const dir of [kept, forced]) writeFileSync(join(dir, "recipes/rate-limit.ts"), `${readFileSync(join(dir, "recipes/rate-limit.ts"), "utf8")}// mine\n`);
    const [a, b] = runCliBatch([{ args: ["remove", "rate-limit", "--yes", "--no-check", "--cwd", kept] }, { args: ["remove", "rate-limit", "--yes", "--force", "--no-check", "--cwd", forced] }]);
    expect(a!.code).toBe(0);
    expect(a!.stderr).toMatch(/kept recipes\/rate-limit\.ts: changed since it was generated; kept \(--force deletes it\)/);
    expect(existsSync(join(kept, "recipes/rate-limit.ts"))).toBe(true);
    expect(readFileSync(join(kept, "bot.ts"), "utf8")).toBe(fixture["bot.ts"]);
    expect(existsSync(join(kept, "bot-snippets.json"))).toBe(false);
    expect(b!.code).toBe(0);
    expect(snapshotOf(forced)).toEqual(fixture);
  });

  it("the add --check gate refuses a removal that breaks the user's code, naming the error; --no-check writes it", async () => {
    const dir = await installed(["rate-limit"]);
    writeFileSync(join(dir, "limits.ts"), 'import { rateLimit } from "./recipes/rate-limit";\nexport const strict = rateLimit();\n');
    const before = treeHash(dir);
    const [checked] = runCliBatch([{ args: ["remove", "rate-limit", "--yes", "--check", "--cwd", dir] }]);
    expect(checked!.code).toBe(1);
    expect(checked!.stderr).toMatch(/the change would add \d+ type error\(s\)[\s\S]*limits\.ts:1:\d+ TS2307[\s\S]*nothing was written/);
    expect(treeHash(dir)).toBe(before);
    const [unchecked] = runCliBatch([{ args: ["remove", "rate-limit", "--yes", "--no-check", "--cwd", dir] }]);
    expect(unchecked!.code).toBe(0);
    expect(existsSync(join(dir, "recipes/rate-limit.ts"))).toBe(false);
  });

  it("a recipe added before the project had a record is recognised from the code; the recorded one stays recorded", async () => {
    const dir = await installed(["rate-limit"]);
    rmSync(join(dir, "bot-snippets.json"));
    rmSync(join(dir, ".bot-snippets"), { recursive: true });
    commitChanges(dir, (await planAddRecorded(dir, "error-handler")).changes);
    const [first, second] = runCliBatch([{ args: ["remove", "rate-limit", "--yes", "--no-check", "--cwd", dir] }, { args: ["remove", "error-handler", "--yes", "--no-check", "--cwd", dir] }]);
    expect(first!.code).toBe(0);
    expect(first!.stderr).toMatch(/not in bot-snippets\.json: what rate-limit did is inferred from the code/);
    expect(second!.code).toBe(0);
    expect(snapshotOf(dir)).toEqual(fixture);
  });
});
