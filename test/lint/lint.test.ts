// `create-bot-snippet lint`: one broken recipe per check gives exactly its
// diagnostic (file, line, column, check); the report formats; the bundled
// templates lint clean with --typecheck; the CLI's exit codes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LintReport } from "../../src/lint/diagnostics.js";
import { formatGithub, formatHuman } from "../../src/lint/format-report.js";
import { indexJsonPositions } from "../../src/lint/json-position.js";
import { lintRecipes } from "../../src/lint/lint-recipes.js";
import { compileMarked, parseTemplate } from "../../src/lint/template-check.js";
import { compileTemplate } from "../../src/render/handlebars-env.js";
import { cliSession } from "../helpers/cli-session.js";
import { catalogue, repoRoot } from "../helpers/recipes.js";
import { fieldFixtureNames } from "../helpers/toolchain.js";

const badDir = "test/fixtures/bad-recipes";
// The CLI tests check what lint prints and exits with, not the process: one process runs them all
// (test/helpers/cli-session.ts), in the repo's folder, with NO_COLOR, as a spawned bin would.
const session = cliSession();
const cli = (args: string[]) => session.run(args, { cwd: repoRoot });

describe("lint on test/fixtures/bad-recipes (one broken recipe per check)", () => {
  let report: LintReport;
  const lint = async () => (report ??= await lintRecipes([badDir], { cwd: repoRoot, typecheck: true }));

  // recipe folder → the one diagnostic it must give: file in the folder, line:column, check.
  const expected: Record<string, string> = {
    "invalid-json": "recipe.json:4:15 manifest not valid JSON",
    "bad-question-type": "recipe.json:9:7 manifest questions[0].type: type must be one of",
    "id-mismatch": 'recipe.json:2:3 manifest id: id "other-name" must equal the folder name "id-mismatch"',
    "bad-default": 'recipe.json:11:7 manifest questions[0].default: default "strict" is not one of the choices',
    "missing-template": 'recipe.json:9:7 manifest files[0].template: template "missing.ts.hbs" does not exist',
    "edit-unknown-file": 'recipe.json:16:7 manifest edits[0].file: "{{recipesDir}}/elsewhere.ts" is not a target of files',
    "impossible-when": 'recipe.json:34:9 manifest edits[0].when.mode: "mode" has no choice "gates"',
    "impossible-bounds": "recipe.json:10:7 manifest questions[0].min: min 10 is greater than max 5: no answer can pass",
    "target-escapes": 'recipe.json:10:7 manifest files[0].target: target "../outside.ts" must be a relative path inside the project',
    "hbs-syntax": "main.ts.hbs:3:4 template handlebars syntax error: if doesn't match iff",
    "unknown-variable": 'main.ts.hbs:3:35 template unknown variable "userName"',
    "unknown-helper": 'main.ts.hbs:2:33 template unknown helper "upper"',
    "each-item-field": 'main.ts.hbs:4:9 template "label" is looked up on the {{#each}}/{{#with}} item',
    "orphan-template": "unused.ts.hbs:1:1 template orphan template",
    "ts-syntax": "main.ts.hbs:7:42 syntax the rendered TypeScript does not parse: Expression expected.",
    "install-syntax": "recipe.json:23:7 syntax edits[1].code does not parse: ')' expected.",
    "type-error": "main.ts.hbs:2:14 typecheck TS2322: Type 'string' is not assignable to type 'number'.",
  };

  it("finds every broken recipe and nothing else", async () => {
    const { diagnostics } = await lint();
    expect(new Set(diagnostics.map((d) => d.recipe))).toEqual(new Set(Object.keys(expected)));
    expect(diagnostics.every((d) => d.severity === "error")).toBe(true);
  });

  it.each(Object.entries(expected))("%s: exactly the expected diagnostic", async (recipe, want) => {
    const { diagnostics } = await lint();
    const mine = diagnostics.filter((d) => d.recipe === recipe);
    expect(mine).toHaveLength(1);
    const d = mine[0]!;
    expect(`${d.file.replace(`${badDir}/${recipe}/`, "")}:${d.line}:${d.column} ${d.check} ${d.message}`.startsWith(want)).toBe(true);
    expect(d.file.startsWith(`${badDir}/${recipe}/`)).toBe(true);
  });

  it("reports a TypeScript syntax error at the template line, with the answers and the rendered line in the hint", async () => {
    const d = (await lint()).diagnostics.find((x) => x.recipe === "ts-syntax")!;
    const templateLine = readFileSync(join(repoRoot, d.file), "utf8").split("\n")[d.line - 1]!;
    expect(templateLine).toContain('"a long reply" +;');
    expect(d.hint).toContain('with style="long"');
    expect(d.hint).toContain("src/recipes/ts-syntax.ts:6:42");
  });

  it("reports a type error of a generated module at the template line, naming the fixture", async () => {
    const d = (await lint()).diagnostics.find((x) => x.recipe === "type-error")!;
    expect(readFileSync(join(repoRoot, d.file), "utf8").split("\n")[d.line - 1]).toContain("export const LIMIT: number = {{str limit}};");
    expect(d.hint).toMatch(/on fixture [\w-]+ with the defaults/);
  });

  it("--format github: one workflow command per diagnostic, properties and data escaped", () => {
    const report: LintReport = {
      recipes: 1,
      combinations: 1,
      timings: {},
      skipped: ["--test: no recipe ships tests"],
      diagnostics: [
        { file: "packs/a,b/recipe.json", line: 3, column: 7, severity: "error", check: "manifest", recipe: "x", message: "50% wrong\nsecond line", hint: "fix: it" },
        { file: "packs/x/main.ts.hbs", line: 1, column: 1, severity: "warning", check: "template", recipe: "x", message: "careful" },
      ],
    };
    expect(formatGithub(report).split("\n")).toEqual([
      "::error file=packs/a%2Cb/recipe.json,line=3,col=7,title=create-bot-snippet lint (manifest)::50%25 wrong%0Asecond line (fix: it)",
      "::warning file=packs/x/main.ts.hbs,line=1,col=1,title=create-bot-snippet lint (template)::careful",
      "::notice title=create-bot-snippet lint::--test: no recipe ships tests",
    ]);
  });

  it("the human report groups by file and ends with a summary", async () => {
    const text = formatHuman(await lint());
    const lines = text.split("\n");
    expect(lines).toContain(`${badDir}/ts-syntax/main.ts.hbs`);
    expect(lines[lines.indexOf(`${badDir}/ts-syntax/main.ts.hbs`) + 1]).toMatch(/^ {2}7:42 +error {2}the rendered TypeScript does not parse/);
    expect(lines.at(-1)).toMatch(/^✗ 17 recipe\(s\), \d+ answer combination\(s\): 17 error\(s\), 0 warning\(s\)/);
  });
});

describe("lint on the bundled templates", () => {
  // .ci/run has just run `lint --typecheck --matrix` on the bundled templates and points
  // LINT_MATRIX_REPORT at its JSON report: the same checks on the same fixtures, plus the
  // field fixtures (test/fixtures/field, checked by the field matrix test). Their findings
  // are set aside; what is left is what this run would give. Without the variable, lint runs here.
  // Without the shared report it type-checks every combination itself: minutes on two busy cores.
  it("passes with --typecheck (every answer combination on every fixture, strict)", { timeout: 300_000 }, async () => {
    const shared = process.env.LINT_MATRIX_REPORT;
    const onField = (text: string) => /\bfield fixture\b/.test(text) || fieldFixtureNames.some((f) => new RegExp(`\\bfixture ${f}(?![\\w-])`).test(text));
    const report: LintReport = shared ? (JSON.parse(readFileSync(shared, "utf8")) as LintReport) : await lintRecipes(["templates"], { cwd: repoRoot, typecheck: true });
    if (shared) {
      expect(report.timings.typecheck, "the shared lint report ran --typecheck").toBeTypeOf("number");
      report.skipped = report.skipped.filter((s) => !s.startsWith("--matrix: field fixture "));
      report.diagnostics = report.diagnostics.filter((d) => !onField(`${d.message} ${d.hint ?? ""}`));
    }
    expect(report.skipped).toEqual([]);
    expect(report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message} (${d.hint ?? ""})`)).toEqual([]);
    expect(report.recipes).toBe(catalogue.recipes.length);
  });
});

describe("the CLI", () => {
  it("exits 1 with GitHub annotations for broken recipes", async () => {
    const run = await cli(["lint", `${badDir}/hbs-syntax`, `${badDir}/unknown-helper`, "--format", "github"]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n")).toEqual([
      `::error file=${badDir}/hbs-syntax/main.ts.hbs,line=3,col=4,title=create-bot-snippet lint (template)::handlebars syntax error: if doesn't match iff (fix the mustache at this line)`,
      expect.stringMatching(new RegExp(`^::error file=${badDir}/unknown-helper/main.ts.hbs,line=2,col=33,title=create-bot-snippet lint \\(template\\)::unknown helper "upper"`)),
    ]);
  });

  it("exits 0 on a pack with only warnings, prints JSON with --format json", async () => {
    const run = await cli(["lint", "test/fixtures/packs/team-pack", "--format", "json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as LintReport;
    expect(report.recipes).toBe(3);
    // Only a warning: the pack's error-handler clashes with the bundled one (addressed as team-pack/error-handler).
    expect(report.diagnostics.map((d) => `${d.severity} ${d.file}:${d.line} ${d.message}`)).toEqual([
      'warning test/fixtures/packs/team-pack/error-handler/recipe.json:2 id: id "error-handler" is also a bundled recipe; users address this one as team-pack/error-handler',
    ]);
  });

  it("--test runs the tests a pack ships and reports the failing ones", async () => {
    const passing = await cli(["lint", "test/fixtures/packs/team-pack", "--test", "--format", "json"]);
    expect((JSON.parse(passing.stdout) as LintReport).diagnostics.filter((d) => d.check === "test")).toEqual([]);
    const failing = await cli(["lint", "test/fixtures/packs/failing-tests-pack", "--test", "--format", "json"]);
    expect(failing.code).toBe(1);
    const [d, ...rest] = (JSON.parse(failing.stdout) as LintReport).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ file: "test/fixtures/packs/failing-tests-pack/shout/shout.test.ts", check: "test", message: "the recipe's tests fail (vitest exit 1)" });
  });

  it("exits 2 for usage errors", async () => {
    expect((await cli(["lint", "--format", "xml"])).code).toBe(2);
    expect((await cli(["lint", "no/such/folder"])).code).toBe(2);
  });
});

describe("building blocks", () => {
  it("finds JSON positions by the paths validateManifest reports", () => {
    const text = '{\n  "id": "x",\n  "questions": [\n    { "name": "a", "default": 1 },\n    {\n      "name": "b",\n      "when": { "facts.served": "webhook" }\n    }\n  ]\n}\n';
    const at = indexJsonPositions(text);
    expect(at.find("id")).toEqual({ line: 2, column: 3 });
    expect(at.find("questions[0].default")).toEqual({ line: 4, column: 20 });
    expect(at.find("questions[1]")).toEqual({ line: 5, column: 5 });
    expect(at.find("questions[1].when.facts.served")).toEqual({ line: 7, column: 17 });
    // A missing field is reported at its nearest ancestor.
    expect(at.find("questions[1].message")).toEqual({ line: 5, column: 5 });
    expect(at.find("")).toEqual({ line: 1, column: 1 });
  });

  it("a marked rendering is byte-identical to what add renders, for every bundled template", async () => {
    for (const recipe of catalogue.recipes) {
      const { resolveAnswers } = await import("../../src/recipes/answers.js");
      const { exampleAnswers } = await import("../../src/recipes/example-answers.js");
      const { lintFacts } = await import("../../src/lint/facts.js");
      const answers = await resolveAnswers(recipe.manifest, { given: exampleAnswers(recipe.manifest.questions), facts: lintFacts });
      const view = { ...lintFacts, ...answers };
      for (const file of recipe.manifest.files) {
        const text = readFileSync(join(recipe.dir, file.template), "utf8");
        const parsed = parseTemplate(text);
        if (!("ast" in parsed)) throw new Error(`${file.template}: ${parsed.problem.message}`);
        expect(compileMarked(parsed.ast)(view).text, `${recipe.ref}/${file.template}`).toBe(compileTemplate(text, file.template)(view));
      }
    }
  });

  it("maps a rendered offset back to the template line through blocks and mustaches", () => {
    const text = 'const a = 1;\n{{#if on}}\nconst b = {{json n}};\n{{/if}}\nconst c = 3;\n';
    const parsed = parseTemplate(text);
    if (!("ast" in parsed)) throw new Error("parse");
    const out = compileMarked(parsed.ast)({ on: true, n: [1, 2] });
    expect(out.text).toBe("const a = 1;\nconst b = [1, 2];\nconst c = 3;\n");
    expect(out.origin(out.text.indexOf("const b"))).toEqual({ line: 3, column: 1 });
    expect(out.origin(out.text.indexOf("const c"))).toEqual({ line: 5, column: 1 });
    expect(out.origin(out.text.indexOf("c = 3"))).toEqual({ line: 5, column: 7 });
  });
});
