// The interactive path of `add`: questions asked with prompts, the diff shown, a confirmation, then the write.
import prompts from "prompts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addCommand } from "../../src/commands/add.js";
import { treeHash } from "../helpers/cli.js";
import { copyFixture } from "../helpers/recipes.js";

let stdout = "";
beforeEach(() => {
  stdout = "";
  Object.defineProperty(process.stdin, "isTTY", { value: true, configurable: true });
  vi.stubEnv("CI", "");
  vi.stubEnv("NO_COLOR", "1");
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => {
  Object.defineProperty(process.stdin, "isTTY", { value: undefined, configurable: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("add, interactively", () => {
  it("asks every question in order, shows the diff, and writes after confirmation", async () => {
    const dir = copyFixture("cjs-single");
    // userIds, mode (commands is skipped: it only applies to wrapper/both), deniedReply, then the confirmation.
    prompts.inject(["123,456", "gate", "Not you.", true]);
    await addCommand(["access-control"], { cwd: dir, check: false });
    expect(stdout).toContain("+bot.use(accessControl());");
    const generated = readFileSync(join(dir, "recipes/access-control.ts"), "utf8");
    expect(generated).toContain("new Set<number>([123, 456])");
    expect(generated).toContain('DENIED_REPLY: string = "Not you.";');
  });

  it("writes nothing when the user declines", async () => {
    const dir = copyFixture("cjs-single");
    const before = treeHash(dir);
    prompts.inject(["-1001234", "", true, false]); // devChatIds, userMessage, includeStack, then "no" to writing
    await addCommand(["error-handler"], { cwd: dir, check: false });
    expect(stdout).toContain("+++ b/recipes/error-handler.ts");
    expect(treeHash(dir)).toBe(before);
  });

  it("refuses an invalid typed answer with the same rule as --set", async () => {
    const dir = copyFixture("cjs-single");
    prompts.inject(["12,-5"]);
    await expect(addCommand(["access-control"], { cwd: dir, check: false })).rejects.toThrow(/"-5": a Telegram user id is a positive integer/);
  });

  it("asks which bot when the project has several", async () => {
    const dir = copyFixture("bad/two-bots");
    // The bot (adminBot, the second), then devChatIds, userMessage, includeStack, then the confirmation.
    prompts.inject(["bots.ts:4", "", "", true, true]);
    await addCommand(["error-handler"], { cwd: dir, check: false, install: false });
    const bots = readFileSync(join(dir, "bots.ts"), "utf8");
    expect(bots).toContain("adminBot.catch(handleBotError);");
    expect(bots).not.toContain("userBot.catch");
  });

  it("asks before upgrading a package below what a recipe needs, and writes nothing on no", async () => {
    const dir = copyFixture("cjs-single");
    const { writeFileSync, mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "node_modules/grammy"), { recursive: true });
    writeFileSync(join(dir, "node_modules/grammy/package.json"), JSON.stringify({ name: "grammy", version: "1.11.2" }));
    const pack = join(dir, "..", "pack");
    mkdirSync(join(pack, "needs-new"), { recursive: true });
    const manifest = { id: "needs-new", title: "t", description: "d", seeds: [], questions: [], requires: [{ name: "grammy", range: ">=1.30.0" }], files: [{ template: "n.ts.hbs", target: "n.ts" }], edits: [] };
    writeFileSync(join(pack, "needs-new/recipe.json"), JSON.stringify(manifest));
    writeFileSync(join(pack, "needs-new/n.ts.hbs"), "export const n = 1;\n");
    const before = treeHash(dir);
    prompts.inject([false]); // "no" to the upgrade
    await expect(addCommand(["needs-new"], { cwd: dir, check: false, install: false, templates: [pack] })).rejects.toThrow(/not upgraded; nothing was written/);
    expect(treeHash(dir)).toBe(before);
    prompts.inject([true, true]); // yes to the upgrade, yes to writing
    await addCommand(["needs-new"], { cwd: dir, check: false, install: false, templates: [pack] });
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).dependencies.grammy).toBe("^1.30.0");
  });
});
