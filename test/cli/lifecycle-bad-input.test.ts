// status, diff and update on bad input: one clear line, a non-zero exit, no stack trace, nothing written.
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, treeHash } from "../helpers/cli.js";
import { copyFixture, repoRoot } from "../helpers/recipes.js";
import { installed } from "../lifecycle/update-helpers.js";

let project: string;
beforeAll(async () => {
  project = await installed("cjs-single", "error-handler", join(repoRoot, "templates"));
});

interface Case {
  name: string;
  args: string[];
  /** Breaks the copy of the project before the run. */
  setup?: (dir: string) => void;
  /** A project without any recipe (and no record). */
  bare?: boolean;
  code: number;
  message: RegExp;
}

const corrupt = (text: string) => (dir: string) => writeFileSync(join(dir, "bot-snippets.json"), text);

const cases: Case[] = [
  { name: "diff of an unknown recipe", args: ["diff", "error-handlr"], code: 2, message: /^error unknown recipe "error-handlr"\n  did you mean error-handler\?/ },
  { name: "diff of a recipe not installed", args: ["diff", "logging"], code: 2, message: /^error logging is not installed in this project \(not in bot-snippets\.json\); nothing to diff\n/ },
  { name: "diff without a record", args: ["diff", "logging"], bare: true, code: 2, message: /^error logging is not installed in this project \(no bot-snippets\.json\); nothing to diff\n/ },
  { name: "update of an unknown recipe", args: ["update", "nope", "--yes"], code: 2, message: /^error unknown recipe "nope"\n/ },
  { name: "update of a recipe not installed", args: ["update", "logging", "--yes"], code: 2, message: /^error logging is not installed in this project \(not in bot-snippets\.json\); nothing to update\n/ },
  { name: "status with a record that is not JSON", args: ["status"], setup: corrupt("{ \"version\": 1,\n"), code: 1, message: /^error bot-snippets\.json: not valid JSON \(line 2\); nothing was written\n/ },
  { name: "update with a record that is not JSON", args: ["update", "--yes"], setup: corrupt("{"), code: 1, message: /^error bot-snippets\.json: not valid JSON/ },
  { name: "diff with a record of another shape", args: ["diff", "error-handler"], setup: corrupt('{ "version": 1, "recipes": {} }\n'), code: 1, message: /^error bot-snippets\.json: "recipes" is not a list; nothing was written\n/ },
  { name: "update with a record from a newer CLI", args: ["update", "error-handler", "--yes"], setup: corrupt('{ "version": 2, "recipes": [] }\n'), code: 1, message: /^error bot-snippets\.json: unknown format version 2/ },
  { name: "list --installed with a corrupt record", args: ["list", "--installed"], setup: corrupt("[]"), code: 1, message: /^error bot-snippets\.json: not a JSON object/ },
];

describe("lifecycle commands on bad input", { timeout: 120_000 }, () => {
  for (const c of cases) {
    it(c.name, () => {
      // A fresh copy of the project with error-handler installed (or of the bare fixture).
      const dir = copyFixture("cjs-single");
      if (!c.bare) for (const f of ["bot.ts", "bot-snippets.json", "recipes/error-handler.ts", ".bot-snippets/base/recipes/error-handler.ts.base"]) cpFrom(project, dir, f);
      c.setup?.(dir);
      const before = treeHash(dir);
      const result = runCli([...c.args, "--cwd", dir]);
      expect(result.stderr).toMatch(c.message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(result.code).toBe(c.code);
      expect(treeHash(dir)).toBe(before);
    });
  }

  it("status of a project without recipes exits 0", () => {
    const result = runCli(["status", "--cwd", copyFixture("cjs-single")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no recipes installed/);
  });
});

function cpFrom(from: string, to: string, path: string): void {
  cpSync(join(from, path), join(to, path), { recursive: true });
}
