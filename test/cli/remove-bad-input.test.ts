// remove on bad input: one clear line, a non-zero exit, no stack trace, nothing written.
// All runs share one CLI process (runCliBatch); the projects are prepared in-process.
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { commitChanges } from "../../src/engine/commit.js";
import { runCliBatch } from "../helpers/cli-batch.js";
import { treeHash, type CliResult } from "../helpers/cli.js";
import { copyFixture } from "../helpers/recipes.js";
import { planAddRecorded } from "../lifecycle/remove-helpers.js";

interface Case {
  name: string;
  args: string[];
  /** Breaks the copy of the project (rate-limit installed, with its record) before the run. */
  setup?: (dir: string) => void;
  code: number;
  message: RegExp;
}

const corrupt = (text: string) => (dir: string) => writeFileSync(join(dir, "bot-snippets.json"), text);
const noRecord = (dir: string) => {
  rmSync(join(dir, "bot-snippets.json"));
  rmSync(join(dir, ".bot-snippets"), { recursive: true });
};

const cases: Case[] = [
  { name: "an unknown recipe", args: ["remove", "rate-limt", "--yes"], code: 2, message: /^error unknown recipe "rate-limt"\n  did you mean rate-limit\?/ },
  { name: "a recipe not installed", args: ["remove", "logging", "--yes"], code: 2, message: /^error logging is not installed in this project; installed: rate-limit; nothing was written\n/ },
  { name: "one of two recipes not installed", args: ["remove", "rate-limit", "logging", "--yes"], code: 2, message: /^error logging is not installed in this project; installed: rate-limit/ },
  { name: "a record that is not JSON", args: ["remove", "rate-limit", "--yes"], setup: corrupt('{ "version": 1,\n'), code: 1, message: /^error bot-snippets\.json: not valid JSON \(line 2\); nothing was written\n/ },
  { name: "a record of another shape", args: ["remove", "rate-limit", "--yes"], setup: corrupt('{ "version": 1, "recipes": {} }\n'), code: 1, message: /^error bot-snippets\.json: "recipes" is not a list; nothing was written\n/ },
  { name: "a record from a newer CLI", args: ["remove", "rate-limit", "--yes"], setup: corrupt('{ "version": 2, "recipes": [] }\n'), code: 1, message: /^error bot-snippets\.json: unknown format version 2/ },
  {
    name: "a recipe another installed recipe needs",
    args: ["remove", "rate-limit", "--yes"],
    setup: (dir) => {
      const record = JSON.parse(readFileSync(join(dir, "bot-snippets.json"), "utf8")) as { recipes: unknown[] };
      record.recipes.push({ id: "needy", pack: "mine", version: "1", answers: {}, files: [], edits: [{ op: "install", file: "bot.ts", hunks: [{ before: [], removed: [], added: ['import { rateLimit as limit } from "./recipes/rate-limit";'], after: [] }] }], dependencies: [] });
      writeFileSync(join(dir, "bot-snippets.json"), JSON.stringify(record, null, 2));
    },
    code: 1,
    message: /^error rate-limit is needed by needy \(it imports its files\); nothing was written\n  remove needy first, or together/,
  },
  { name: "no record and a recipe not in the code", args: ["remove", "logging", "--yes"], setup: noRecord, code: 2, message: /^error logging is not installed in this project \(no bot-snippets\.json record, and its files are not at their default paths\); recognised: rate-limit; nothing was written\n/ },
  { name: "no recipe named", args: ["remove", "--yes"], code: 2, message: /^error missing required argument 'recipes'/ },
];

let installed: string;
const dirs: string[] = [];
const hashes: string[] = [];
let results: CliResult[] = [];

beforeAll(async () => {
  installed = copyFixture("cjs-single");
  commitChanges(installed, (await planAddRecorded(installed, "rate-limit")).changes);
  for (const c of cases) {
    const dir = copyFixture("cjs-single");
    cpSync(installed, dir, { recursive: true });
    c.setup?.(dir);
    dirs.push(dir);
    hashes.push(treeHash(dir));
  }
  results = runCliBatch(cases.map((c, i) => ({ args: [...c.args, "--cwd", dirs[i]!] })));
}, 120_000);

describe("remove on bad input", () => {
  cases.forEach((c, i) => {
    it(c.name, () => {
      const result = results[i]!;
      expect(result.stderr).toMatch(c.message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(result.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
      expect(result.code).toBe(c.code);
      expect(treeHash(dirs[i]!)).toBe(hashes[i]);
    });
  });
});
