// `remove` in a terminal: the diff, then a confirmation; "no" writes nothing, "yes" writes.
import prompts from "prompts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { removeCommand } from "../../src/commands/remove.js";
import { commitChanges } from "../../src/engine/commit.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture, tmpDir } from "../helpers/recipes.js";
import { planAddRecorded } from "../lifecycle/remove-helpers.js";
import { existsSync } from "node:fs";
import { join } from "node:path";

let stdout = "";
let stderr = "";
beforeEach(() => {
  stdout = "";
  stderr = "";
  Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
  vi.stubEnv("CI", "");
  vi.stubEnv("NO_COLOR", "1");
  vi.stubEnv("CREATE_BOT_SNIPPET_JOURNAL_DIR", tmpDir("remove-tty-journal"));
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

async function installed(): Promise<string> {
  const dir = copyFixture("cjs-single");
  commitChanges(dir, (await planAddRecorded(dir, "rate-limit")).changes);
  return dir;
}

describe("remove in a terminal", { timeout: 60_000 }, () => {
  it("shows the diff and writes nothing when the user declines", async () => {
    const dir = await installed();
    const before = treeHash(dir);
    prompts.inject([false]);
    await removeCommand(["rate-limit"], { cwd: dir, check: false });
    expect(stdout).toContain("-bot.use(rateLimit());");
    expect(stderr).toMatch(/delete recipes\/rate-limit\.ts[\s\S]*nothing was written/);
    expect(treeHash(dir)).toBe(before);
  });

  it("writes when the user agrees", async () => {
    const dir = await installed();
    prompts.inject([true]);
    await removeCommand(["rate-limit"], { cwd: dir, check: false });
    expect(stderr).toMatch(/✓ removed rate-limit/);
    expect(existsSync(join(dir, "recipes/rate-limit.ts"))).toBe(false);
  });
});
