// Rendering recipes and applying them to fixture projects, for tests.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { applyStyle } from "../../src/ast/apply-style.js";
import { commitChanges } from "../../src/engine/commit.js";
import { planAdd } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { defaultStyle } from "../../src/project/code-style.js";
import { scanProject } from "../../src/project/scan-project.js";
import { conditionHolds, resolveAnswers } from "../../src/recipes/answers.js";
import { loadCatalogue } from "../../src/recipes/catalogue.js";
import { exampleAnswers } from "../../src/recipes/example-answers.js";
import type { Answers, JsonValue, Recipe } from "../../src/recipes/manifest.js";
import { renderString, renderTemplateFile } from "../../src/render/render-recipe.js";
import { typicalFacts } from "../../src/recipes/typical-facts.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const fixturesDir = join(repoRoot, "test/fixtures");
/** Scratch space inside the repo, so copies resolve `grammy` from the repo's node_modules. */
export const tmpRoot = join(repoRoot, "test/.tmp");

export const catalogue = loadCatalogue();
/** Bundled recipes that `add` inserts (snippets are only shown). */
export const recipes = catalogue.recipes.filter((r) => (r.manifest.kind ?? "recipe") === "recipe");

/** The fixture projects every recipe is applied to. */
export const fixtureNames = ["cjs-single", "esm-nodenext-factory", "webhook-split", "crlf-4space"] as const;

let counter = 0;
/** A fresh folder under test/.tmp. */
export function tmpDir(label: string): string {
  const dir = join(tmpRoot, `${label}-${process.pid}-${counter++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Copies a fixture project into a fresh folder (under `into` when given). */
export function copyFixture(name: string, into?: string): string {
  const dir = into ? join(into, name) : tmpDir(name.replace(/\//g, "-"));
  cpSync(join(fixturesDir, name), dir, { recursive: true });
  return dir;
}

/** Answers for a recipe: its defaults, example answers for required questions, then `overrides`. */
export async function answersFor(recipe: Recipe, overrides: Record<string, unknown> = {}, facts: Record<string, JsonValue> = {}): Promise<Answers> {
  return resolveAnswers(recipe.manifest, { given: { ...exampleAnswers(recipe.manifest.questions), ...overrides }, facts });
}

/** Plans (and optionally writes) recipes into a project folder, in-process. */
export async function applyRecipes(
  dir: string,
  items: Array<{ id: string; answers?: Record<string, unknown> }>,
  options: { write?: boolean; entry?: string; force?: boolean; record?: boolean } = {},
): Promise<Plan> {
  const project = scanProject(dir, options.entry);
  const facts = { served: project.served };
  const resolved = await Promise.all(items.map(async (i) => ({ recipe: catalogue.get(i.id), answers: await answersFor(catalogue.get(i.id), i.answers, facts) })));
  const plan = planAdd({ project, recipes: resolved, catalogue: catalogue.recipes, force: options.force, record: options.record });
  if (options.write !== false) commitChanges(project.root, plan.changes);
  return plan;
}

export const defaultFacts: Record<string, JsonValue> = { ...typicalFacts };

/**
 * Renders a recipe's files with answers into a fresh folder and returns
 * their paths by target, ready for `import()` in a behaviour test.
 */
export async function renderRecipe(id: string, overrides: Record<string, unknown> = {}, facts: Record<string, JsonValue> = {}): Promise<{ dir: string; files: Record<string, string>; load: <T>(target?: string) => Promise<T> }> {
  const recipe = catalogue.get(id);
  const view0 = { ...defaultFacts, ...facts };
  const answers = await answersFor(recipe, overrides, view0);
  const view = { ...view0, ...answers };
  const hash = createHash("sha1").update(JSON.stringify(view)).digest("hex").slice(0, 10);
  const dir = join(tmpRoot, "render", `${id}-${hash}`);
  const files: Record<string, string> = {};
  for (const spec of recipe.manifest.files.filter((f) => conditionHolds(f.when, answers, view0))) {
    const target = renderString(recipe, spec.target, view, "target");
    const path = join(dir, target);
    mkdirSync(dirname(path), { recursive: true });
    // Written under another name, then renamed: test files in other workers may render (and import) the same file.
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, applyStyle(renderTemplateFile(recipe, spec.template, view), defaultStyle));
    renameSync(temp, path);
    files[target] = path;
  }
  const first = Object.keys(files)[0];
  return {
    dir,
    files,
    load: async <T>(target = first) => (await import(pathToFileURL(files[target!]!).href)) as T,
  };
}

/** All TypeScript files under a folder, project-relative. */
export function tsFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === "node_modules") continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.tsx?$/.test(e.name)) out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

const tscBin = join(repoRoot, "node_modules/typescript/bin/tsc");

/**
 * Type-checks projects with the real compiler (TypeScript 7's native tsc) in
 * ONE process: a tsconfig beside them that extends `baseTsconfig` with
 * `strict` and includes them all. Returns the diagnostics text ("" when clean).
 */
export function typecheck(parentDir: string, baseTsconfig: string): string {
  const config = {
    extends: relative(parentDir, baseTsconfig),
    compilerOptions: { noEmit: true, strict: true, types: ["node"], skipLibCheck: true, incremental: false },
    include: ["./**/*.ts"],
    exclude: ["./**/node_modules"],
  };
  writeFileSync(join(parentDir, "tsconfig.check.json"), JSON.stringify(config, null, 2));
  const result = spawnSync(process.execPath, [tscBin, "-p", join(parentDir, "tsconfig.check.json"), "--pretty", "false"], { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`.trim();
}

export function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), "utf8");
}
