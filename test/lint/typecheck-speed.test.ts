// lint --typecheck checks fewer copies than there are cases (a copy identical,
// in what TypeScript reads, to an earlier one is not written; a variant equal
// to one already in a copy but for its string literals is not styled again).
// None of that may lose an error: a template broken only in one answer
// combination, or only on one fixture, is reported for exactly that case, at
// its template line; and every case whose copy was not written gets the
// errors of the copy it is identical to, under its own answers.
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diagnosticsPerCopy } from "../../src/lint/case-copies.js";
import { lintRecipes } from "../../src/lint/lint-recipes.js";
import { fixturesDir } from "../helpers/recipes.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** cjs-single has no noUncheckedIndexedAccess; esm-nodenext-factory has it (and another code style). */
const fixtures = ["cjs-single", "esm-nodenext-factory"];

/** A pack with one recipe `probe` (a question `mode`: a, b or c), its files given as template name → [target, text]. */
function writePack(files: Record<string, [string, string]>): string {
  const dir = mkdtempSync(join(realpathSync(tmpdir()), "bot-snippet-typecheck-speed-"));
  made.push(dir);
  const recipe = join(dir, "pack", "probe");
  mkdirSync(recipe, { recursive: true });
  const manifest = {
    id: "probe",
    title: "Probe",
    description: "Broken in one case only, on purpose.",
    seeds: [],
    questions: [
      {
        name: "mode",
        type: "select",
        default: "a",
        message: "Mode?",
        choices: ["a", "b", "c"].map((value) => ({ value, title: value, description: `mode ${value}` })),
      },
    ],
    files: Object.entries(files).map(([template, [target]]) => ({ template, target })),
    edits: [],
  };
  writeFileSync(join(recipe, "recipe.json"), JSON.stringify(manifest, null, 2));
  for (const [template, [, text]] of Object.entries(files)) writeFileSync(join(recipe, template), text);
  return dir;
}

/** The type errors lint reports for `pack` on `fixture` (lint reports an error once per template position and message). */
async function typeErrors(pack: string, fixture: string): Promise<string[]> {
  const report = await lintRecipes([join(pack, "pack")], { cwd: pack, typecheck: true, fixtures: [join(fixturesDir, fixture)] });
  expect(report.diagnostics.filter((d) => d.check !== "typecheck")).toEqual([]);
  return report.diagnostics.map((d) => {
    const [, on, answers] = /on fixture ([\w-]+) with (.+?) \(/.exec(d.hint ?? "") ?? [];
    return `${d.file.replace(/^.*\/probe\//, "")}:${d.line}:${d.column} ${on} ${answers} ${d.message}`;
  });
}

const head = 'import type { Bot } from "grammy";\n\n';
const tail = "\nexport function probe(bot: Bot): void {\n  void bot;\n}\n";

const error = "TS2322: Type 'string' is not assignable to type 'number'.";

describe("lint --typecheck: every case that breaks is reported, and only those", () => {
  it.each(fixtures)("a template broken in one answer combination: that combination, on %s", { timeout: 120_000 }, async (fixture) => {
    const pack = writePack({
      "probe.ts.hbs": [
        "{{recipesDir}}/probe.ts",
        `${head}{{#if (eq mode "b")}}\nexport const label: number = "b";\n{{else}}\nexport const label: number = 1;\n{{/if}}${tail}`,
      ],
    });
    expect(await typeErrors(pack, fixture)).toEqual([`probe.ts.hbs:4:14 ${fixture} mode="b" ${error}`]);
  });

  it("a template broken in one combination on one fixture only (noUncheckedIndexedAccess): exactly that case", { timeout: 120_000 }, async () => {
    const pack = writePack({
      "probe.ts.hbs": [
        "{{recipesDir}}/probe.ts",
        `${head}const names: string[] = [];\n{{#if (eq mode "c")}}\nexport const first: string = names[0];\n{{else}}\nexport const first: string = names[0] ?? "";\n{{/if}}${tail}`,
      ],
    });
    expect(await typeErrors(pack, "cjs-single")).toEqual([]);
    expect(await typeErrors(pack, "esm-nodenext-factory")).toEqual([
      `probe.ts.hbs:5:14 esm-nodenext-factory mode="c" TS2322: Type 'string | undefined' is not assignable to type 'string'. Type 'undefined' is not assignable to type 'string'.`,
    ]);
  });

  it("copies that differ only in files TypeScript never reads are written and checked once, and still reported", { timeout: 120_000 }, async () => {
    // The module is the same in every combination, the notes file (not read by tsc) is not: one copy per
    // combination is planned (c0, c1, c2), one is written and checked.
    const pack = writePack({
      "probe.ts.hbs": ["{{recipesDir}}/probe.ts", `${head}export const label: number = "x";${tail}`],
      "notes.txt.hbs": ["{{recipesDir}}/probe-notes.txt", "mode {{mode}}\n"],
    });
    const temp = mkdtempSync(join(realpathSync(tmpdir()), "bot-snippet-typecheck-speed-tmp-"));
    made.push(temp);
    const saved = { TMPDIR: process.env.TMPDIR, keep: process.env.BOT_SNIPPET_KEEP_SCRATCH };
    process.env.TMPDIR = temp;
    process.env.BOT_SNIPPET_KEEP_SCRATCH = "1";
    try {
      expect(await typeErrors(pack, "cjs-single")).toEqual([`probe.ts.hbs:3:14 cjs-single the defaults ${error}`]);
    } finally {
      for (const [name, value] of [["TMPDIR", saved.TMPDIR], ["BOT_SNIPPET_KEEP_SCRATCH", saved.keep]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const [scratch] = readdirSync(temp);
    expect(readdirSync(join(temp, scratch!, "cjs-single")).filter((c) => /^c\d+$/.test(c))).toEqual(["c0"]);
  });
});

describe("diagnosticsPerCopy", () => {
  const d = (file: string, line: number) => ({ file, line, column: 1, code: "TS2322", message: "m" });

  it("gives a copy not written the diagnostics of the copy it is identical to, in tsc's order", () => {
    const out = diagnosticsPerCopy([d("c0/a.ts", 1), d("c0/b.ts", 2), d("c2/a.ts", 3)], new Map([["c1", "c0"], ["c10", "c0"], ["c3", "c2"]]));
    expect(out.map((x) => `${x.copy} ${x.path}:${x.diagnostic.line}`)).toEqual(["c0 a.ts:1", "c0 b.ts:2", "c1 a.ts:1", "c1 b.ts:2", "c10 a.ts:1", "c10 b.ts:2", "c2 a.ts:3", "c3 a.ts:3"]);
  });

  it("changes nothing when every copy was written", () => {
    const list = [d("c0/a.ts", 1), d("c1/a.ts", 1), d("c11/x/y.ts", 4), d("c2/a.ts", 2)];
    expect(diagnosticsPerCopy(list, new Map()).map((x) => x.diagnostic)).toEqual(list);
  });
});
