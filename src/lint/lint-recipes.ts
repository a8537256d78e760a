import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { CliError } from "../core/errors.js";
import { coerceAnswer, conditionHolds, resolveAnswers } from "../recipes/answers.js";
import type { Answers, JsonValue, Recipe, RecipeManifest } from "../recipes/manifest.js";
import { bundledTemplatesDir } from "../recipes/catalogue.js";
import { packFileProblem } from "../recipes/pack-file.js";
import { validateManifest } from "../recipes/validate-manifest.js";
import { compileOptions, handlebars } from "../render/handlebars-env.js";
import { answerCombinations, type Combination } from "./combinations.js";
import { LintCache } from "./lint-cache.js";
import type { LintCheck, LintDiagnostic, LintReport } from "./diagnostics.js";
import { factNames, isFactName } from "./facts.js";
import { indexJsonPositions, type JsonPositions } from "./json-position.js";
import { firstSyntaxError, isTsPath, lineColumn } from "./syntax.js";
import { checkTemplateNames, compileMarked, errorPosition, parseTemplate, summarize, type MarkedRenderer } from "./template-check.js";

// === lint: checks of recipe folders, cheapest first ===
//
//   1 manifest ──► 2 templates ──► 3 render + parse ──► 4 --typecheck ──► 5 --test
//   (schema, ids,   (handlebars,     (every answer        (fixtures, one    (the pack's
//    references)     names, helpers,  combination, TS      tsc per fixture)  own tests)
//                    orphans)         syntax at the
//                                     template line)
//
// A recipe with errors in a stage is not taken to the next one (its later
// errors would only repeat the first). Nothing here prints or exits.

export interface LintOptions {
  /** Paths in diagnostics are relative to this folder (default: the process's). */
  cwd?: string;
  /** Stage 4: type-check every combination applied to fixture projects. */
  typecheck?: boolean;
  /** Fixture projects for stage 4 (default: the bundled ones, see `fixtures.ts`). */
  fixtures?: string[];
  /** Stage 4 also on the field fixtures of a checkout, each with its own TypeScript and grammY (implies `typecheck`). */
  matrix?: boolean;
  /** Stage 5: run the tests a pack ships with its recipes. */
  test?: boolean;
  /** Stages 3 and 4 reuse the results of an earlier run for what did not change (default true; see lint-cache.ts). */
  cache?: boolean;
  /** The bundled templates folder, to warn about pack ids that clash with bundled ones. */
  bundledDir?: string;
}

/** A recipe folder as lint sees it. */
export interface LintedRecipe {
  recipe: Recipe;
  manifestFile: string;
  positions: JsonPositions;
  combinations: Combination[];
  /** Marked renderers of its templates, by template file name. */
  renderers: Map<string, MarkedRenderer>;
}

export async function lintRecipes(dirs: string[], options: LintOptions = {}): Promise<LintReport> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const diagnostics: LintDiagnostic[] = [];
  const report: LintReport = { diagnostics, recipes: 0, combinations: 0, timings: {}, skipped: [] };
  const display = (abs: string) => {
    const rel = relative(cwd, abs);
    return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? abs.split(sep).join("/") : rel.split(sep).join("/");
  };
  const push = (d: Omit<LintDiagnostic, "file" | "severity"> & { file: string; severity?: LintDiagnostic["severity"] }) => {
    const full: LintDiagnostic = { severity: "error", ...d, file: display(d.file) };
    if (!diagnostics.some((x) => x.file === full.file && x.line === full.line && x.column === full.column && x.message === full.message)) diagnostics.push(full);
  };
  const timed = async <T>(check: LintCheck, fn: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      report.timings[check] = Math.round((report.timings[check] ?? 0) + performance.now() - start);
    }
  };

  // Find the recipe folders: a folder of recipe folders, or one recipe folder.
  const folders: Array<{ dir: string; pack: string }> = [];
  for (const arg of dirs) {
    const dir = resolve(cwd, arg);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError("usage", `not a folder: ${arg}`, "pass folders of recipe folders (default: the bundled templates)");
    if (existsSync(join(dir, "recipe.json"))) {
      folders.push({ dir, pack: basename(dirname(dir)) });
      continue;
    }
    for (const entry of readdirSync(dir).sort()) {
      const sub = join(dir, entry);
      if (entry.startsWith(".") || entry.startsWith("_") || !statSync(sub).isDirectory()) continue;
      if (existsSync(join(sub, "recipe.json"))) folders.push({ dir: sub, pack: basename(dir) });
      else if (readdirSync(sub).some((f) => f.endsWith(".hbs"))) {
        push({ file: sub, line: 1, column: 1, severity: "warning", check: "manifest", recipe: entry, message: "a folder with templates but no recipe.json is not a recipe", hint: "add recipe.json, or move the folder out of the pack" });
      }
    }
  }
  report.recipes = folders.length;

  const bundledIds = new Set<string>();
  if (options.bundledDir && existsSync(options.bundledDir)) {
    for (const entry of readdirSync(options.bundledDir)) if (existsSync(join(options.bundledDir, entry, "recipe.json"))) bundledIds.add(entry);
  }

  // Results of earlier runs (stages 3 and 4), unless --no-cache.
  const cache = LintCache.open({ enabled: options.cache, packageRoot: dirname(bundledTemplatesDir()) });

  // Stages 1-3 per recipe.
  const healthy: LintedRecipe[] = [];
  const idsByPack = new Map<string, string>();
  for (const { dir, pack } of folders) {
    const folder = basename(dir);
    const manifestFile = join(dir, "recipe.json");
    const outside = packFileProblem(dirname(dir), dir) ?? packFileProblem(dir, manifestFile);
    if (outside) {
      push({ file: manifestFile, line: 1, column: 1, check: "manifest", recipe: folder, message: `the recipe ${outside}`, hint: "a pack's files must be inside the pack folder" });
      continue;
    }
    const text = readFileSync(manifestFile, "utf8");
    const positions = indexJsonPositions(text);
    const errorsBefore = () => diagnostics.filter((d) => d.severity === "error").length;
    const start = errorsBefore();
    const at = (path: string) => positions.find(path);
    const manifestProblem = (path: string, message: string, hint?: string, severity: LintDiagnostic["severity"] = "error") =>
      push({ file: manifestFile, ...at(path), severity, check: "manifest", recipe: folder, message: path ? `${path}: ${message}` : message, hint });

    // 1. The manifest.
    const manifest = await timed("manifest", () => {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        const message = (error as Error).message;
        const offset = Number(/position (\d+)/.exec(message)?.[1] ?? NaN);
        const lc = /line (\d+) column (\d+)/.exec(message);
        const pos = lc ? { line: Number(lc[1]), column: Number(lc[2]) } : Number.isFinite(offset) ? lineColumn(text, offset) : { line: 1, column: 1 };
        push({ file: manifestFile, ...pos, check: "manifest", recipe: folder, message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "")}`, hint: "fix the JSON syntax" });
        return undefined;
      }
      const problems = validateManifest(data);
      for (const p of problems) manifestProblem(p.path, p.message, "see docs/authoring-recipes.md for the manifest format");
      if (problems.length > 0) return undefined;
      const m = data as RecipeManifest;
      checkManifestReferences(m, dir, folder, pack, manifestProblem, idsByPack, bundledIds, options.bundledDir !== undefined && resolve(dirname(dir)) !== resolve(options.bundledDir));
      return m;
    });
    if (!manifest || errorsBefore() > start) continue;
    const recipe: Recipe = { manifest, dir, pack, ref: bundledIds.has(manifest.id) && pack !== basename(options.bundledDir ?? "") ? `${pack}/${manifest.id}` : manifest.id };

    // 2. Templates: syntax, names, helpers, orphans.
    const names = new Set([...manifest.questions.map((q) => q.name), ...factNames]);
    const renderers = new Map<string, MarkedRenderer>();
    await timed("template", () => {
      for (const template of new Set(manifest.files.map((f) => f.template))) {
        const file = join(dir, template);
        const parsed = parseTemplate(readFileSync(file, "utf8"));
        if ("problem" in parsed) {
          push({ file, ...parsed.problem, check: "template", recipe: folder });
          continue;
        }
        const problems = checkTemplateNames(parsed.ast, names);
        for (const p of problems) push({ file, ...p, check: "template", recipe: folder });
        if (problems.length === 0) {
          try {
            renderers.set(template, compileMarked(parsed.ast));
          } catch (error) {
            push({ file, ...errorPosition(error), check: "template", recipe: folder, message: summarize(error) });
          }
        }
      }
      for (const [path, source] of manifestStrings(manifest)) {
        const parsed = parseTemplate(source);
        const problems = "problem" in parsed ? [parsed.problem] : checkTemplateNames(parsed.ast, names);
        for (const p of problems) manifestProblem(path, p.message, p.hint);
      }
      const used = new Set(manifest.files.map((f) => f.template.split("/").join(sep)));
      for (const file of listFiles(dir)) {
        if (file.endsWith(".hbs") && !used.has(file)) {
          push({ file: join(dir, file), line: 1, column: 1, check: "template", recipe: folder, message: "orphan template: no entry of files uses it", hint: `add { "template": "${file.split(sep).join("/")}", "target": … } to files, or delete it` });
        }
      }
    });
    if (errorsBefore() > start) continue;

    // 3. Render every combination; TypeScript must parse. What it found is kept for the next run (lint-cache.ts).
    const combinations = answerCombinations(manifest);
    report.combinations += combinations.length;
    await timed("render", async () => {
      const kept = cache?.rendered(dir, recipe.ref);
      if (kept) {
        for (const d of kept) push(d);
        return;
      }
      const found: Parameters<Push>[0][] = [];
      const keep: Push = (d) => {
        found.push(d);
        push(d);
      };
      for (const combo of combinations) {
        let answers: Answers;
        try {
          answers = await resolveAnswers(manifest, { given: combo.given, facts: combo.facts });
        } catch (error) {
          const index = manifest.questions.findIndex((q) => q.name === combo.question);
          const path = index >= 0 ? `questions[${index}]` : "questions";
          keep({ file: manifestFile, ...at(path), check: "manifest", recipe: folder, message: `${path}: cannot answer with ${combo.label}: ${(error as Error).message}`, hint: "fix the question's default, choices or validation" });
          continue;
        }
        renderCombination({ recipe, manifestFile, positions, renderers, combo, answers, folder, push: keep });
      }
      cache?.keepRendered(dir, recipe.ref, found);
    });
    if (errorsBefore() > start) continue;
    healthy.push({ recipe, manifestFile, positions, combinations, renderers });
  }

  // 4. Type-check on fixture projects.
  if (options.typecheck || options.matrix) {
    const { typecheckRecipes } = await import("./typecheck-recipes.js");
    await timed("typecheck", async () => {
      const result = await typecheckRecipes(healthy, { cwd, fixtures: options.fixtures, matrix: options.matrix, where: resolve(cwd, dirs[0] ?? "."), cache });
      for (const d of result.diagnostics) push(d);
      if (result.cached) report.cached = { ...report.cached, renders: cache?.renders ?? 0, ...result.cached };
      report.skipped.push(...result.skipped);
    });
  }
  // 5. The pack's own tests.
  if (options.test) {
    const { runRecipeTests } = await import("./run-tests.js");
    await timed("test", async () => {
      const result = runRecipeTests(healthy.map((h) => h.recipe), cwd);
      for (const d of result.diagnostics) push(d);
      report.skipped.push(...result.skipped);
    });
  }
  cache?.finish();
  if (cache) report.cached = { ...report.cached, renders: cache.renders };
  diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return report;
}

type Push = (d: Omit<LintDiagnostic, "file" | "severity"> & { file: string; severity?: LintDiagnostic["severity"] }) => void;

/** Checks of a schema-valid manifest that the schema cannot express. */
function checkManifestReferences(
  m: RecipeManifest,
  dir: string,
  folder: string,
  pack: string,
  problem: (path: string, message: string, hint?: string, severity?: LintDiagnostic["severity"]) => void,
  idsByPack: Map<string, string>,
  bundledIds: Set<string>,
  isPack: boolean,
): void {
  if (m.id !== folder) problem("id", `id "${m.id}" must equal the folder name "${folder}"`, `rename the folder or set "id": "${folder}"`);
  const key = `${pack}/${m.id}`;
  const other = idsByPack.get(key);
  if (other) problem("id", `id "${m.id}" is also used by ${other}`, "ids are unique within a pack");
  else idsByPack.set(key, dir);
  if (isPack && bundledIds.has(m.id)) {
    problem("id", `id "${m.id}" is also a bundled recipe; users address this one as ${pack}/${m.id}`, "rename it if that is not what you want", "warning");
  }

  const byName = new Map(m.questions.map((q) => [q.name, q]));
  m.questions.forEach((q, i) => {
    const bounds = q as { min?: unknown; max?: unknown; itemMin?: unknown; itemMax?: unknown; maxLength?: unknown };
    for (const [lo, hi] of [["min", "max"], ["itemMin", "itemMax"]] as const) {
      const a = bounds[lo];
      const b = bounds[hi];
      if (a !== undefined && typeof a !== "number") problem(`questions[${i}].${lo}`, `${lo} must be a number`);
      else if (b !== undefined && typeof b !== "number") problem(`questions[${i}].${hi}`, `${hi} must be a number`);
      else if (typeof a === "number" && typeof b === "number" && a > b) problem(`questions[${i}].${lo}`, `${lo} ${a} is greater than ${hi} ${b}: no answer can pass`);
    }
    if (bounds.maxLength !== undefined && !(typeof bounds.maxLength === "number" && bounds.maxLength > 0)) problem(`questions[${i}].maxLength`, "maxLength must be a positive number");
    if (q.default === undefined) return;
    try {
      coerceAnswer(m.id, q, q.default);
    } catch (error) {
      problem(`questions[${i}].default`, `the default fails the question's own validation: ${(error as Error).message.replace(/^invalid answer for [^:]+: /, "")}`, "change the default or the validation");
    }
  });

  // Conditions: known facts, possible values.
  const whens: Array<[string, Record<string, JsonValue> | undefined]> = [
    ...m.questions.map((q, i) => [`questions[${i}]`, q.when] as [string, Record<string, JsonValue> | undefined]),
    ...(m.dependencies ?? []).map((d, i) => [`dependencies[${i}]`, d.when] as [string, Record<string, JsonValue> | undefined]),
    ...m.files.map((f, i) => [`files[${i}]`, f.when] as [string, Record<string, JsonValue> | undefined]),
    ...m.edits.map((e, i) => [`edits[${i}]`, e.when] as [string, Record<string, JsonValue> | undefined]),
    ...(m.notes ?? []).map((n, i) => [`notes[${i}]`, n.when] as [string, Record<string, JsonValue> | undefined]),
  ];
  for (const [at, when] of whens) {
    for (const [k, expected] of Object.entries(when ?? {})) {
      const values = Array.isArray(expected) ? expected : [expected];
      if (k.startsWith("facts.")) {
        const fact = k.slice(6);
        if (!isFactName(fact)) problem(`${at}.when.${k}`, `unknown fact "${fact}"`, `facts are: ${factNames.join(", ")}, major:<package>`);
        else if (fact === "served" || fact === "moduleKind") {
          const allowed = fact === "served" ? ["polling", "runner", "webhook"] : ["esm", "cjs"];
          for (const v of values) if (!allowed.includes(v as string)) problem(`${at}.when.${k}`, `facts.${fact} is never ${JSON.stringify(v)}`, `it is one of ${allowed.join(", ")}`);
        }
        continue;
      }
      const q = byName.get(k);
      if (q && (q.type === "select" || q.type === "multiselect")) {
        const choices = q.choices.map((c) => c.value);
        for (const v of values) if (!choices.includes(v as string)) problem(`${at}.when.${k}`, `"${k}" has no choice ${JSON.stringify(v)}`, `its choices are ${choices.join(", ")}`);
      } else if (q && q.type === "boolean") {
        for (const v of values) if (typeof v !== "boolean") problem(`${at}.when.${k}`, `"${k}" is a boolean; ${JSON.stringify(v)} never matches`, "use true or false");
      }
    }
  }

  // Files: templates exist inside the folder; targets stay inside the project.
  const targets = new Set(m.files.map((f) => f.target));
  m.files.forEach((f, i) => {
    if (isAbsolute(f.template) || f.template.split(/[\\/]/).includes("..")) {
      problem(`files[${i}].template`, `template "${f.template}" must be a file inside the recipe folder`);
    } else if (packFileProblem(dir, join(dir, f.template))) {
      problem(`files[${i}].template`, `template "${f.template}" ${packFileProblem(dir, join(dir, f.template))}`, "copy the file into the recipe folder instead of linking it");
    } else if (!existsSync(join(dir, f.template))) {
      problem(`files[${i}].template`, `template "${f.template}" does not exist`, `create ${folder}/${f.template} or fix the name`);
    }
    if (isAbsolute(f.target) || /^[A-Za-z]:[\\/]/.test(f.target) || f.target.split(/[\\/]/).includes("..")) {
      problem(`files[${i}].target`, `target "${f.target}" must be a relative path inside the project (no .., not absolute)`, "start it with {{recipesDir}}/");
    }
  });
  m.edits.forEach((e, i) => {
    if ((e.op === "add-import" || e.op === "extend-context" || e.op === "wrap-handlers") && e.file !== undefined && !targets.has(e.file)) {
      problem(`edits[${i}].file`, `"${e.file}" is not a target of files`, `use one of: ${[...targets].join(", ") || "(no files)"}`);
    }
    if (e.op === "wrap-handlers") {
      const q = byName.get(e.commands);
      if (q && !(q.type === "list" && q.of === "string")) problem(`edits[${i}].commands`, `"${e.commands}" must be a list of strings (the command names)`);
    }
  });
  // Dependency names and ranges: checked by validateManifest, the same check add and new run.
}

/** Manifest strings that are templates, by JSON path. */
function manifestStrings(m: RecipeManifest): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  m.files.forEach((f, i) => out.push([`files[${i}].target`, f.target]));
  m.edits.forEach((e, i) => {
    if (e.op === "install") out.push([`edits[${i}].code`, e.code]);
    if ("file" in e && e.file !== undefined) out.push([`edits[${i}].file`, e.file]);
  });
  (m.notes ?? []).forEach((n, i) => out.push([`notes[${i}].text`, n.text]));
  return out;
}

/** Renders one combination: every file that applies (TS must parse), install codes, targets, notes. */
function renderCombination(args: {
  recipe: Recipe;
  manifestFile: string;
  positions: JsonPositions;
  renderers: Map<string, MarkedRenderer>;
  combo: Combination;
  answers: Answers;
  folder: string;
  push: Push;
}): void {
  const { recipe, manifestFile, positions, renderers, combo, answers, folder, push } = args;
  const { manifest } = recipe;
  const view: Record<string, JsonValue> = { ...combo.facts, ...answers };
  const holds = (when: Parameters<typeof conditionHolds>[0]) => conditionHolds(when, answers, combo.facts);
  const where = combo.label === "defaults" ? "with the defaults" : `with ${combo.label}`;
  const renderString = (path: string, source: string): string | undefined => {
    try {
      return handlebars.compile(source, compileOptions)(view);
    } catch (error) {
      push({ file: manifestFile, ...positions.find(path), check: "render", recipe: folder, message: `${path}: ${summarize(error)}`, hint: where });
      return undefined;
    }
  };

  manifest.files.forEach((spec, i) => {
    if (!holds(spec.when)) return;
    const target = renderString(`files[${i}].target`, spec.target);
    if (target === undefined) return;
    if (isAbsolute(target) || target.split(/[\\/]/).includes("..") || target.trim() === "") {
      push({ file: manifestFile, ...positions.find(`files[${i}].target`), check: "render", recipe: folder, message: `files[${i}].target renders to "${target}", outside the project`, hint: where });
      return;
    }
    const render = renderers.get(spec.template);
    if (!render) return;
    const file = join(recipe.dir, spec.template);
    let out;
    try {
      out = render(view);
    } catch (error) {
      push({ file, ...errorPosition(error), check: "render", recipe: folder, message: `rendering fails: ${summarize(error)}`, hint: `${where}; a variable used inside {{#each}} or {{#with}} must exist on the item (use ../name for answers)` });
      return;
    }
    if (!isTsPath(target)) return;
    const error = firstSyntaxError(target, out.text);
    if (error) {
      const rendered = lineColumn(out.text, error.offset);
      const lineText = out.text.split("\n")[rendered.line - 1]?.trim() ?? "";
      push({
        file,
        ...out.origin(error.offset),
        check: "syntax",
        recipe: folder,
        message: `the rendered TypeScript does not parse: ${error.message}`,
        hint: `${where}, ${target}:${rendered.line}:${rendered.column} reads: ${lineText.slice(0, 120)}`,
      });
    }
  });
  manifest.edits.forEach((e, i) => {
    if (!holds(e.when)) return;
    if (e.op === "install") {
      const code = renderString(`edits[${i}].code`, e.code);
      if (code === undefined) return;
      const error = firstSyntaxError("install.ts", code);
      if (error) push({ file: manifestFile, ...positions.find(`edits[${i}].code`), check: "syntax", recipe: folder, message: `edits[${i}].code does not parse: ${error.message}`, hint: `${where} it renders to: ${code}` });
    } else if ("file" in e && e.file !== undefined) renderString(`edits[${i}].file`, e.file);
  });
  (manifest.notes ?? []).forEach((n, i) => {
    if (holds(n.when)) renderString(`notes[${i}].text`, n.text);
  });
}

/** Files under a folder, relative, skipping tests and dot-folders. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}
