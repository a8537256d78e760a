// A long-running recipe on a serverless bot, interactively (issue 17, item
// 8): `add` warns and asks before planning the change; yes writes it, no
// writes nothing. Without a terminal it refuses (see runtime-checks.test.ts).
import prompts from "prompts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addCommand } from "../../src/commands/add.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture } from "../helpers/recipes.js";

let stderr = "";
beforeEach(() => {
  stderr = "";
  Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
  vi.stubEnv("CI", "");
  vi.stubEnv("NO_COLOR", "1");
  vi.stubEnv("CREATE_BOT_SNIPPET_OFFLINE", "1");
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
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

describe("add media-group-collector to a Vercel function, interactively", () => {
  it("warns that it needs a long-running process, and writes it once the user says yes", async () => {
    const dir = copyFixture("field/ts59-vercel-serverless");
    // mode, waitMs, "Write it anyway?", "Write N file(s)?".
    prompts.inject(["timer", 1000, true, true]);
    await addCommand(["media-group-collector"], { cwd: dir, check: false, install: false });
    expect(stderr).toContain("warning: media-group-collector needs a long-running process, but this bot is served as a serverless function (api/bot.ts)");
    expect(existsSync(join(dir, "src/recipes/media-group-collector.ts"))).toBe(true);
    expect(readFileSync(join(dir, "src/bot.ts"), "utf8")).toContain("bot.use(mediaGroupCollector());");
  });

  it("writes nothing when the user says no", async () => {
    const dir = copyFixture("field/ts59-vercel-serverless");
    const before = treeHash(dir);
    prompts.inject(["timer", 1000, false]);
    await expect(addCommand(["media-group-collector"], { cwd: dir, check: false, install: false })).rejects.toThrow("nothing was written");
    expect(treeHash(dir)).toBe(before);
  });
});
