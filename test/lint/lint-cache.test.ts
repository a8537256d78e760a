// lint --typecheck keeps each recipe's result on each fixture (src/lint/lint-cache.ts)
// and gives it again only while nothing it was made from changed: the recipe's files, the
// catalogue's manifests, the fixture's files and the configs it extends, the declarations
// tsc read. Each test changes one of them and expects the change to be seen: the recipe is
// checked again (fewer results kept) and its new errors are reported.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { LintReport } from "../../src/lint/diagnostics.js";
import { lintRecipes } from "../../src/lint/lint-recipes.js";
import { fixturesDir, repoRoot } from "../helpers/recipes.js";

const made: string[] = [];
const temp = (label: string) => {
  const dir = mkdtempSync(join(realpathSync(tmpdir()), `bot-snippet-lint-cache-${label}-`));
  made.push(dir);
  return dir;
};
const settingBefore = process.env.CREATE_BOT_SNIPPET_LINT_CACHE;
const timeoutBefore = process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT;
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  if (settingBefore === undefined) delete process.env.CREATE_BOT_SNIPPET_LINT_CACHE;
  else process.env.CREATE_BOT_SNIPPET_LINT_CACHE = settingBefore;
  if (timeoutBefore === undefined) delete process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT;
  else process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT = timeoutBefore;
});
let cacheDir: string;
beforeEach(() => {
  cacheDir = temp("store");
  process.env.CREATE_BOT_SNIPPET_LINT_CACHE = cacheDir;
});

/** A recipe module that type-checks, `lead` (code of the test's own) before its function. */
const good = (name: string, lead = "") => `import type { Bot } from "grammy";\n\n${lead}export function ${name}(bot: Bot): void {\n  bot.command("${name}", (ctx) => ctx.reply("${name}"));\n}\n`;
/** A copy of cjs-single at `<dir>/project`. */
const projectIn = (dir: string) => {
  const fixture = join(dir, "project");
  cpSync(join(fixturesDir, "cjs-single"), fixture, { recursive: true });
  return fixture;
};

/** A pack (`<dir>/pack`) of recipes, each one template: id → its text. */
function writePack(dir: string, recipes: Record<string, string>, dependencies: Array<{ name: string; version: string }> = []): string {
  for (const [id, text] of Object.entries(recipes)) {
    const folder = join(dir, "pack", id);
    mkdirSync(folder, { recursive: true });
    const manifest = { id, title: id, description: `The ${id} probe.`, seeds: [], questions: [], files: [{ template: `${id}.ts.hbs`, target: `{{recipesDir}}/${id}.ts` }], edits: [], dependencies };
    writeFileSync(join(folder, "recipe.json"), JSON.stringify(manifest, null, 2));
    writeFileSync(join(folder, `${id}.ts.hbs`), text);
  }
  return join(dir, "pack");
}

const lint = (dir: string, fixture: string, cache?: boolean) => lintRecipes([join(dir, "pack")], { cwd: dir, typecheck: true, fixtures: [fixture], ...(cache === undefined ? {} : { cache }) });
const errors = (report: LintReport) => report.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.file}:${d.line} ${d.message}`);
/** Type-check results in the cache folder (not the dependency lists, nor stage 3's results). */
const kept = () => readdirSync(cacheDir).filter((name) => !name.startsWith("deps-") && !name.startsWith("render-") && name.endsWith(".json")).length;

describe("lint --typecheck keeps its results", { timeout: 120_000 }, () => {
  it("a second run gives the same report from them; an edited template is checked again, alone, and its errors are kept too", async () => {
    const dir = temp("pack");
    writePack(dir, { one: good("one"), two: good("two") });
    const fixture = join(fixturesDir, "cjs-single");
    const first = await lint(dir, fixture);
    expect(first.cached).toEqual({ renders: 0, hits: 0, units: 2 });
    expect(errors(first)).toEqual([]);
    expect(kept()).toBe(2);
    const second = await lint(dir, fixture);
    expect(second.cached).toEqual({ renders: 2, hits: 2, units: 2 });
    expect(second.diagnostics).toEqual(first.diagnostics);

    const template = join(dir, "pack/two/two.ts.hbs");
    writeFileSync(template, good("two", 'const limit: number = "10";\n\n'));
    const broken = await lint(dir, fixture);
    expect(broken.cached).toEqual({ renders: 1, hits: 1, units: 2 });
    expect(errors(broken)).toEqual(["pack/two/two.ts.hbs:3 TS2322: Type 'string' is not assignable to type 'number'."]);
    const again = await lint(dir, fixture);
    expect(again.cached).toMatchObject({ hits: 2, units: 2 });
    expect(again.diagnostics).toEqual(broken.diagnostics);

    // Back as it was: the first result is still there.
    writeFileSync(template, good("two"));
    const back = await lint(dir, fixture);
    expect(back.cached).toMatchObject({ hits: 2, units: 2 });
    expect(errors(back)).toEqual([]);
  });

  it("an installed CLI (no test/fixtures: its built-in fixtures, written anew into each run's scratch folder) finds its results again", async () => {
    // A copy of the package as npm installs it: dist, templates, bin, package.json; its node_modules the repo's.
    const pkg = temp("installed");
    cpSync(join(repoRoot, "dist/src"), join(pkg, "dist/src"), { recursive: true });
    for (const entry of ["templates", "bin", "package.json"]) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules"), join(pkg, "node_modules"));
    const dir = temp("installed-pack");
    writePack(dir, { one: good("one") });
    const run = () => spawnSync(process.execPath, [join(pkg, "bin/create-bot-snippet.js"), "lint", "--typecheck", "--format", "json", join(dir, "pack")], { cwd: dir, encoding: "utf8", env: { ...process.env, CREATE_BOT_SNIPPET_LINT_CACHE: cacheDir, NO_COLOR: "1" } });
    const first = JSON.parse(run().stdout) as LintReport;
    expect(first.cached).toMatchObject({ hits: 0 });
    expect(first.cached?.units).toBeGreaterThan(0);
    const second = JSON.parse(run().stdout) as LintReport;
    expect(second.cached).toEqual({ renders: 1, hits: first.cached?.units, units: first.cached?.units });
    expect(second.diagnostics).toEqual(first.diagnostics);
  });

  it("a manifest edited: every recipe of the catalogue is checked again (planning reads them all)", async () => {
    const dir = temp("manifest");
    writePack(dir, { one: good("one"), two: good("two") });
    const fixture = join(fixturesDir, "cjs-single");
    await lint(dir, fixture);
    const manifest = join(dir, "pack/one/recipe.json");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("The one probe.", "The first probe."));
    expect((await lint(dir, fixture)).cached).toMatchObject({ hits: 0, units: 2 });
  });

  it("the fixture's files and the configs it extends, outside it too, are part of the key", async () => {
    const dir = temp("fixture");
    writePack(dir, { one: good("one", "export function unused(): void {\n  const spare = 1;\n}\n\n") });
    // The fixture extends a config beside it (outside the fixture folder).
    const fixture = projectIn(dir);
    renameSync(join(fixture, "tsconfig.json"), join(fixture, "tsconfig.own.json"));
    writeFileSync(join(fixture, "tsconfig.json"), JSON.stringify({ extends: ["./tsconfig.own.json", "../base.json"] }, null, 2));
    writeFileSync(join(dir, "base.json"), JSON.stringify({ compilerOptions: {} }));
    expect(errors(await lint(dir, fixture))).toEqual([]);
    expect((await lint(dir, fixture)).cached).toMatchObject({ hits: 1, units: 1 });

    writeFileSync(join(dir, "base.json"), JSON.stringify({ compilerOptions: { noUnusedLocals: true } }));
    const stricter = await lint(dir, fixture);
    expect(stricter.cached).toMatchObject({ hits: 0, units: 1 });
    expect(errors(stricter)).toEqual(["pack/one/one.ts.hbs:4 TS6133: 'spare' is declared but its value is never read."]);

    // A file of the fixture itself (a comment in the bot module): checked again.
    writeFileSync(join(fixture, "bot.ts"), `${readFileSync(join(fixture, "bot.ts"), "utf8")}// touched\n`);
    expect((await lint(dir, fixture)).cached).toMatchObject({ hits: 0, units: 1 });
  });

  it("a fixture's link to a file outside it: the file's contents are part of the key", async () => {
    const dir = temp("link");
    writePack(dir, { one: good("one", 'import { limit } from "../shared";\n\nexport const max: number = limit;\n\n') });
    const fixture = projectIn(dir);
    mkdirSync(join(dir, "outside"));
    writeFileSync(join(dir, "outside/shared.ts"), "export const limit: number = 1;\n");
    symlinkSync(join(dir, "outside/shared.ts"), join(fixture, "shared.ts"));
    expect(errors(await lint(dir, fixture))).toEqual([]);
    expect((await lint(dir, fixture)).cached).toMatchObject({ hits: 1, units: 1 });
    writeFileSync(join(dir, "outside/shared.ts"), 'export const limit: string = "1";\n');
    const changed = await lint(dir, fixture);
    expect(changed.cached).toMatchObject({ hits: 0, units: 1 });
    expect(errors(changed)).toEqual(["pack/one/one.ts.hbs:5 TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it("a package's declarations changed (a reinstall: the file replaced): checked again, with the new types", async () => {
    const dir = temp("package");
    const lib = join(dir, "node_modules/fake-limit");
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, "package.json"), JSON.stringify({ name: "fake-limit", version: "1.0.0", types: "index.d.ts" }));
    writeFileSync(join(lib, "index.d.ts"), "export declare const limit: number;\n");
    const text = good("one", 'import { limit } from "fake-limit";\n\nexport const max: number = limit;\n\n');
    writePack(dir, { one: text }, [{ name: "fake-limit", version: "^1.0.0" }]);
    const fixture = join(fixturesDir, "cjs-single");
    expect(errors(await lint(dir, fixture))).toEqual([]);
    expect((await lint(dir, fixture)).cached).toMatchObject({ hits: 1, units: 1 });

    // Same package.json, same size: only the declaration file is new (as npm writes it, a new file renamed in).
    writeFileSync(join(lib, "index.d.ts.new"), "export declare const limit: string;\n");
    renameSync(join(lib, "index.d.ts.new"), join(lib, "index.d.ts"));
    const changed = await lint(dir, fixture);
    expect(changed.cached).toMatchObject({ hits: 0, units: 1 });
    expect(errors(changed)).toEqual(["pack/one/one.ts.hbs:5 TS2322: Type 'string' is not assignable to type 'number'."]);
  });

  it("stage 3 too (without --typecheck): a syntax error is found again from its result, and its fix is seen", async () => {
    const dir = temp("render");
    writePack(dir, { one: good("one"), two: good("two").replace("bot.command(", "const = 1;\n  bot.command(") });
    const plain = () => lintRecipes([join(dir, "pack")], { cwd: dir });
    const first = await plain();
    expect(first.cached).toEqual({ renders: 0 });
    const syntax = first.diagnostics.map((d) => `${d.file}:${d.line} ${d.check}`);
    expect(syntax).toEqual(["pack/two/two.ts.hbs:4 syntax"]);
    const second = await plain();
    expect(second.cached).toEqual({ renders: 2 });
    expect(second.diagnostics).toEqual(first.diagnostics);
    writeFileSync(join(dir, "pack/two/two.ts.hbs"), good("two"));
    const fixed = await plain();
    expect(fixed.cached).toEqual({ renders: 1 });
    expect(fixed.diagnostics).toEqual([]);
  });

  it("--no-cache (cache: false) neither reads nor writes results; a check that failed keeps none", async () => {
    const dir = temp("off");
    writePack(dir, { one: good("one") });
    const fixture = join(fixturesDir, "cjs-single");
    const off = await lint(dir, fixture, false);
    expect(off.cached).toBeUndefined();
    expect(readdirSync(cacheDir)).toEqual([]);

    // tsc stopped by its time limit: the lint reports it, and nothing is kept.
    process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT = "0.001";
    try {
      const failed = await lint(dir, fixture);
      expect(errors(failed).join("\n")).toContain("tsc failed on fixture cjs-single: tsc did not finish");
    } finally {
      delete process.env.CREATE_BOT_SNIPPET_CHECK_TIMEOUT;
    }
    expect(kept()).toBe(0);
    const later = await lint(dir, fixture);
    expect(later.cached).toMatchObject({ hits: 0, units: 1 });
    expect(errors(later)).toEqual([]);
    expect((await lint(dir, fixture, false)).cached).toBeUndefined();

    // The CLI's flag: `lint --no-cache` writes nothing; `lint` keeps stage 3's result.
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, "bin/create-bot-snippet.js"), "lint", ...args, join(dir, "pack")], { cwd: dir, encoding: "utf8", env: { ...process.env, CREATE_BOT_SNIPPET_LINT_CACHE: join(dir, "cli-cache"), NO_COLOR: "1" } });
    expect(cli("--no-cache").status).toBe(0);
    expect(existsSync(join(dir, "cli-cache"))).toBe(false);
    expect(cli().status).toBe(0);
    expect(readdirSync(join(dir, "cli-cache")).filter((name) => name.startsWith("render-"))).toHaveLength(1);
  });
});
