import { posix } from "node:path";
import { applyStyle } from "../ast/apply-style.js";
import { findBotSites, type BotSite } from "../ast/find-bot.js";
import { withParsed } from "../ast/parse.js";
import { failure, usageError } from "../core/errors.js";
import { detectCodeStyle, type CodeStyle } from "../project/code-style.js";
import { relativeForbidden } from "../project/import-rules.js";
import { aliasFor, resolveProjectModule } from "../project/module-aliases.js";
import type { ProjectFacts } from "../project/project-facts.js";
import { conditionHolds } from "../recipes/answers.js";
import type { Answers, EditSpec, JsonValue, Recipe } from "../recipes/manifest.js";
import { renderString, renderTemplateFile } from "../render/render-recipe.js";
import { addImport } from "./ops/add-import.js";
import { apiTransformer, transformerRank } from "./ops/api-transformer.js";
import { extendContext } from "./ops/extend-context.js";
import { ignorePath } from "./ops/ignore-path.js";
import { install } from "./ops/install.js";
import { lifecycle } from "./ops/lifecycle.js";
import { allowUpdates } from "./ops/allow-updates.js";
import { replaceStart } from "./ops/replace-start.js";
import { errorHandlerRank, existingErrorHandlerFact, setErrorHandler } from "./ops/set-error-handler.js";
import { wrapHandlers } from "./ops/wrap-handlers.js";
import { packageScript } from "./ops/package-script.js";
import { installedRecipes, recipeFacts, testFacts, writeDependentFiles } from "./installed-recipes.js";
import { addDependencies, upgradeDependencies } from "./package-json.js";
import { conflictError, conflictingInstalls, npmInstallCommand, unmetError, unmetNeeds, unmetRequirements, versionFacts } from "./requirements.js";
import type { BotLocation, LifecycleFacts, ManualStep, OpContext, Plan } from "./plan-types.js";
import { Tree } from "./tree.js";
import { PlanRecorder } from "../record/plan-recorder.js";

// === The planning phase ===
//
//   scanProject ──► locateBot ──► for each recipe: render files, add deps, run edit ops ──► Plan
//   (text scan)     (parse the      (every change lands in the virtual Tree;              (printed by the
//                   candidates)      nothing touches the disk)                              preview; written
//                                                                                           by commitChanges)

const ops: { [K in EditSpec["op"]]: (edit: Extract<EditSpec, { op: K }>, ctx: OpContext) => void } = {
  "add-import": addImport,
  install,
  "set-error-handler": setErrorHandler,
  "extend-context": extendContext,
  "wrap-handlers": wrapHandlers,
  "replace-start": replaceStart,
  "ignore-path": ignorePath,
  "on-start": lifecycle,
  "on-stop": lifecycle,
  "allow-updates": allowUpdates,
  "api-transformer": apiTransformer,
  "package-script": packageScript,
};

export interface PlanRequest {
  project: ProjectFacts;
  recipes: Array<{ recipe: Recipe; answers: Answers }>;
  /** Every recipe known (bundled and packs), to recognise what earlier `add`s installed. */
  catalogue: Recipe[];
  /** Overwrite generated files the user has changed. */
  force?: boolean;
  /** `--bot`: which bot of several (see `locateBot`). */
  bot?: string;
  /** `--upgrade`: raise installed packages below what a recipe needs instead of refusing. */
  upgrade?: boolean;
  /** The user agreed to recipes whose `needs` the project does not meet (a long-running recipe on a serverless bot); `force` implies it. */
  acceptNeeds?: boolean;
  /** Keep the record (`bot-snippets.json` and the base copies) in the same change: what `add`, `new`, `update` and `remove` do. */
  record?: boolean;
  /**
   * The content to write for a generated file instead of its rendering
   * (`update` returns its three-way merge); undefined keeps the default (the
   * rendering, unless the user changed the file). The record's base copy is
   * always the rendering.
   */
  generatedFile?: (target: string, rendered: string, recipe: Recipe) => string | undefined;
  /** The install command for packages, in the project's package manager (for messages). */
  installCommand?: (packages: Array<{ name: string; version: string }>) => string;
}

/** Every construction or subclass of grammY's Bot among the candidate files (parsing only those). */
export function findBots(project: ProjectFacts): Array<{ file: string; site: BotSite; label: string }> {
  return project.candidates.flatMap((file) =>
    withParsed(file, project.texts.get(file)!, (sf) => findBotSites(sf)).map((site) => ({ file, site, label: `${file}:${site.line} (${site.className ?? site.variable ?? "bot"})` })),
  );
}

/**
 * Finds the one bot of the project. `choice` (`--bot`) picks one of several:
 * `file:line`, a file, or the variable or class that holds the bot.
 */
export function locateBot(project: ProjectFacts, choice?: string): BotLocation {
  let sites = findBots(project);
  if (choice) {
    const picked = sites.filter((s) => s.label.startsWith(`${choice} `) || s.file === choice || s.site.variable === choice || s.site.className === choice);
    if (picked.length === 0) throw usageError(`--bot ${choice}: no such bot; found ${sites.map((s) => s.label).join(", ") || "none"}`, "pass one of them as file:line");
    sites = picked;
  }
  const wireable = sites.filter((s) => s.site.kind !== "unwireable");
  if (wireable.length > 1) {
    const list = wireable.map((s) => s.label).join(", ");
    throw usageError(`found ${wireable.length} grammY bots: ${list}`, `pass --bot ${wireable[0]!.file}:${wireable[0]!.site.line} (or --entry <file>) to choose the one to edit`);
  }
  const only = wireable[0];
  if (only) return { file: only.file, line: only.site.line, variable: only.site.variable, contextType: only.site.contextType, ...(only.site.className && { className: only.site.className }) };
  const other = sites[0];
  if (other) return { file: other.file, line: other.site.line, contextType: other.site.contextType, unwireable: other.site.reason };
  throw failure(
    "no grammY bot found: no file constructs `new Bot(…)` from \"grammy\"",
    project.candidates.length === 0 && project.texts.size === 0
      ? "run this in your bot's folder, pass --cwd, or start one with `create-bot-snippet new`"
      : "pass --entry <file> with the file that creates your bot",
  );
}

/**
 * The import specifier for `targetFile` written in `fromFile`, in the
 * project's style: relative, or through the project's alias (`@/…`,
 * `#root/…`) when `fromText` already imports its own files that way.
 * `aliases` are the other spellings of the same module already accepted.
 */
export function specifierFor(project: ProjectFacts, fromFile: string, targetFile: string, fromText?: string): { specifier: string; aliases: string[] } {
  let rel = posix.relative(posix.dirname(fromFile), targetFile).replace(/\.(m|c)?tsx?$/, "");
  if (!rel.startsWith(".")) rel = `./${rel}`;
  const suffix = project.importStyle.suffix;
  const spellings = (stem: string) => [stem, `${stem}.js`, `${stem}.ts`];
  const aliased = aliasFor(project.aliases, targetFile);
  // The file's own imports decide; an ESLint rule forbidding relative paths (`../*`) asks for the alias anyway.
  const style = aliased === undefined ? undefined : ((fromText !== undefined ? aliasStyle(project, fromFile, fromText) : undefined) ?? (relativeForbidden(project.importRules, rel) ? { suffix } : undefined));
  const specifier = style ? aliased + style.suffix : rel + suffix;
  return { specifier, aliases: [...spellings(rel), ...(aliased ? spellings(aliased) : [])].filter((a) => a !== specifier) };
}

/**
 * How a file imports the project's own modules through an alias, when it
 * does so at least as often as through relative paths: the extension its
 * aliased specifiers carry (`#root/x.js` under Node16 needs it even in
 * CommonJS, since package.json `imports` are mapped exactly).
 */
function aliasStyle(project: ProjectFacts, file: string, text: string): { suffix: string } | undefined {
  let relative = 0;
  const suffixes: string[] = [];
  for (const m of text.matchAll(/\bfrom\s*["']([^"']+)["']/g)) {
    const spec = m[1]!;
    if (spec.startsWith(".")) relative++;
    else if (resolveProjectModule(project.aliases, file, spec, (p) => project.texts.has(p)) !== undefined) suffixes.push(/\.(m|c)?js$/.test(spec) ? ".js" : /\.(m|c)?tsx?$/.test(spec) ? ".ts" : "");
  }
  if (suffixes.length === 0 || suffixes.length < relative) return undefined;
  const counts = new Map<string, number>();
  for (const x of suffixes) counts.set(x, (counts.get(x) ?? 0) + 1);
  return { suffix: [...counts].sort((a, b) => b[1] - a[1])[0]![0] };
}

/** The project file a specifier written in `fromFile` names (relative or through an alias), if it is one. */
export function resolveModule(project: ProjectFacts, tree: Tree, fromFile: string, specifier: string): string | undefined {
  return resolveProjectModule(project.aliases, fromFile, specifier, (p) => tree.exists(p));
}

/**
 * Ranks of the statements recipes install, by the imported names they use:
 * how the engine recognises, in a later run, what an earlier `add` put after
 * `new Bot(…)` and keeps the §6.0 order whatever order recipes are added in.
 */
export function installRanks(catalogue: Recipe[]): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const { manifest } of catalogue) {
    const imported = new Set(manifest.edits.flatMap((e) => (e.op === "add-import" ? e.named.map((n) => n.replace(/^type\s+/, "").trim()) : [])));
    for (const edit of manifest.edits) {
      const code = edit.op === "install" || edit.op === "api-transformer" ? edit.code : edit.op === "set-error-handler" ? edit.handler : undefined;
      if (code === undefined) continue;
      const rank = edit.op === "install" ? edit.rank : edit.op === "api-transformer" ? transformerRank(edit.rank) : errorHandlerRank;
      for (const id of code.replace(/\{\{[^}]*\}\}/g, " ").match(/[A-Za-z_$][\w$]*/g) ?? []) {
        if (imported.has(id)) ranks.set(id, Math.min(ranks.get(id) ?? Infinity, rank));
      }
    }
  }
  return ranks;
}

/**
 * What the on-start/on-stop ops need to know of every recipe: the functions
 * recipes start the bot with, and a stable order of start and stop code
 * (recipes by id, each recipe's code in manifest order), recognised in a
 * later run by the names a recipe imports for it.
 */
export function lifecycleFacts(catalogue: Recipe[]): LifecycleFacts {
  const starters = new Map<string, string>();
  const byName = { start: new Map<string, number>(), stop: new Map<string, number>() };
  const order = new Map<string, number>();
  const ids = [...new Set(catalogue.map((r) => r.manifest.id))].sort();
  ids.forEach((id, i) => order.set(id, (i + 1) * 100));
  for (const { manifest } of catalogue) {
    const imported = new Set(manifest.edits.flatMap((e) => (e.op === "add-import" ? e.named.map((n) => n.replace(/^type\s+/, "").trim()) : [])));
    for (const edit of manifest.edits) {
      if (edit.op === "replace-start" && edit.named[0] && !edit.named[0].includes("{{")) starters.set(edit.named[0], posix.basename(edit.file).replace(/\.[cm]?[jt]s$/, ""));
      if (edit.op !== "on-start" && edit.op !== "on-stop") continue;
      const map = byName[edit.op === "on-start" ? "start" : "stop"];
      for (const id of edit.code.replace(/\{\{[^}]*\}\}/g, " ").match(/[A-Za-z_$][\w$]*/g) ?? []) {
        if (imported.has(id) && !map.has(id)) map.set(id, order.get(manifest.id)!);
      }
    }
  }
  const keyOf = (when: "start" | "stop", statement: string) => {
    const keys = (statement.match(/[A-Za-z_$][\w$]*/g) ?? []).map((id) => byName[when].get(id)).filter((k): k is number => k !== undefined);
    return keys.length > 0 ? Math.min(...keys) : undefined;
  };
  return { starters, keyOf, keyFor: (id) => order.get(id) ?? (ids.length + 1) * 100 };
}

/** The facts templates can use besides the answers. */
export function templateFacts(project: ProjectFacts, bot: BotLocation): Record<string, JsonValue> {
  const botDir = posix.dirname(bot.file);
  return {
    bot: bot.variable ?? "bot",
    botFile: bot.file,
    contextType: bot.contextType ?? "Context",
    served: project.served,
    moduleKind: project.moduleKind,
    recipesDir: botDir === "." ? "recipes" : `${botDir}/recipes`,
    // Whether the project sets its own bot.catch / errorBoundary (error-handler asks what to do with it).
    errorHandler: existingErrorHandlerFact(project, bot, botDir === "." ? "recipes" : `${botDir}/recipes`),
    // How the project tests its bot: `testRunner`, `botFactory`, `botModule` (the test kit).
    ...testFacts(project, bot),
    ...versionFacts(project.installed),
  };
}

export function planAdd(request: PlanRequest): Plan {
  const { project } = request;
  const tree = new Tree(project.root);
  const recorder = request.record ? new PlanRecorder() : undefined;
  if (recorder) tree.onWrite = (path, before, after) => recorder.write(path, before, after);
  const bot = locateBot(project, request.bot);
  const facts = templateFacts(project, bot);
  // Recipes already installed or added now: `recipe:<id>` facts.
  const installed = installedRecipes(tree, request.catalogue, facts);
  Object.assign(facts, recipeFacts(installed, request.recipes.map((r) => r.recipe)));
  const ranks = installRanks(request.catalogue);
  const lifecycleKnown = lifecycleFacts([...request.catalogue, ...request.recipes.map((r) => r.recipe)]);
  const styles = new Map<string, CodeStyle>();
  const styleOf = (path: string): CodeStyle => {
    let style = styles.get(path);
    if (!style) {
      const text = tree.read(path);
      style = text === undefined ? project.style : detectCodeStyle(text, project.style);
      styles.set(path, style);
    }
    return style;
  };
  const plan: Plan = { bot, recipes: [], changes: [], skipped: [], manual: [], notes: [], dependencies: [] };
  const projectStyle = styleOf(bot.file);
  const lifecycleEdits: Array<{ when: "start" | "stop"; apply: () => void }> = [];

  // 0. How the bot runs (a serverless function has no long-running process), and middleware the bot already installs.
  const needs = request.force || request.acceptNeeds ? undefined : unmetNeeds(request.recipes.map((r) => r.recipe), project);
  if (needs) throw needs;
  const rendered = new Set(request.recipes.flatMap(({ recipe, answers }) => recipe.manifest.files.map((f) => tree.path(renderString(recipe, f.target, { ...facts, ...answers }, "files.target")))));
  for (const { recipe } of request.recipes) {
    const found = conflictingInstalls(recipe, project.texts, (file) => rendered.has(file));
    if (found.length > 0) throw conflictError(recipe, found);
  }

  // 0. Versions: refuse (or, with --upgrade, raise) what the installed packages do not meet.
  const unmet = request.recipes.flatMap(({ recipe, answers }) => unmetRequirements(recipe, (when) => conditionHolds(when, answers, facts), project.installed));
  if (unmet.length > 0) {
    if (!request.upgrade) throw unmetError(unmet, request.installCommand ?? npmInstallCommand);
    const pkgText = tree.read("package.json");
    if (pkgText !== undefined) {
      const { text, results } = upgradeDependencies(pkgText, unmet.map((u) => ({ name: u.name, range: u.upgradeTo })));
      tree.write("package.json", text);
      plan.dependencies.push(...results);
      for (const u of unmet) plan.notes.push(`${u.recipe}: upgrades ${u.name} ${u.have.version} → ${u.upgradeTo}${u.breaking ? ` (${u.breaking})` : ""}`);
    }
  }

  for (const { recipe, answers } of request.recipes) {
    const id = recipe.manifest.id;
    const view: Record<string, JsonValue> = { ...facts, ...answers };
    const holds = (when: Parameters<typeof conditionHolds>[0]) => conditionHolds(when, answers, facts);
    plan.recipes.push({ ref: recipe.ref, answers });

    // 1. Files.
    recorder?.begin(recipe, "files");
    for (const spec of recipe.manifest.files.filter((f) => holds(f.when))) {
      const target = tree.path(renderString(recipe, spec.target, view, "files.target"));
      const rendered = renderTemplateFile(recipe, spec.template, view);
      // Other text files (Fluent .ftl, JSON) keep the project's line endings too.
      const pristine = /\.(m|c)?tsx?$/.test(target) ? applyStyle(rendered, projectStyle) : rendered.replace(/\r?\n/g, projectStyle.eol);
      recorder?.generatedFile(recipe, target, pristine);
      const chosen = request.generatedFile?.(target, pristine, recipe);
      const content = chosen ?? pristine;
      const existing = tree.read(target);
      if (chosen === undefined && existing !== undefined && existing !== content && !request.force) {
        plan.skipped.push({ path: target, reason: "exists and differs from what the recipe generates (edited by you, or other answers); --force overwrites it" });
        continue;
      }
      tree.write(target, content);
    }

    // 2. Dependencies.
    recorder?.begin(recipe, "dependencies");
    const deps = (recipe.manifest.dependencies ?? []).filter((d) => holds(d.when));
    if (deps.length > 0) {
      const pkgText = tree.read("package.json");
      if (pkgText === undefined) {
        plan.notes.push(`${id}: no package.json; install ${deps.map((d) => `${d.name}@${d.version}`).join(" ")} yourself`);
      } else {
        const { text, results } = addDependencies(pkgText, deps);
        tree.write("package.json", text);
        recorder?.addedDependencies(recipe, results);
        for (const r of results) if (!plan.dependencies.some((d) => d.name === r.name)) plan.dependencies.push(r);
      }
    }

    // 3. Edits, in manifest order.
    const ctx: OpContext = {
      tree,
      project,
      bot,
      recipe,
      answers,
      view,
      styleOf,
      ranks,
      render: (template, where) => renderString(recipe, template, view, where),
      specifierFor: (from, to) => specifierFor(project, from, to, tree.read(from)),
      resolveModule: (from, specifier) => resolveModule(project, tree, from, specifier),
      manual: (step) => plan.manual.push({ recipe: recipe.ref, ...step } satisfies ManualStep),
      note: (text) => plan.notes.push(`${id}: ${text}`),
      holds,
      lifecycle: lifecycleKnown,
    };
    for (const edit of recipe.manifest.edits.filter((e) => holds(e.when))) {
      // Start and stop code goes in last, around the start call as the other recipes leave it (`startBot(bot)`).
      if (edit.op === "on-start" || edit.op === "on-stop") {
        lifecycleEdits.push({
          when: edit.op === "on-start" ? "start" : "stop",
          apply: () => {
            recorder?.begin(recipe, edit.op);
            lifecycle(edit, ctx);
          },
        });
      } else {
        recorder?.begin(recipe, edit.op);
        (ops[edit.op] as (e: EditSpec, c: OpContext) => void)(edit, ctx);
      }
    }
    recorder?.begin(undefined);
    for (const note of recipe.manifest.notes ?? []) if (holds(note.when)) plan.notes.push(`${id}: ${renderString(recipe, note.text, view, "notes")}`);
  }
  // Files of recipes installed earlier that go with a recipe added now (their sample tests, when the test kit is added).
  const dependents = writeDependentFiles({ tree, installed, run: request.recipes.map((r) => r.recipe), facts, style: projectStyle, plan, force: request.force, generated: (r, path, pristine) => recorder?.generatedFile(r, path, pristine) });
  // Start code first: the async wrapper it may put around a CommonJS start is where stop code can go then.
  for (const run of [...lifecycleEdits.filter((e) => e.when === "start"), ...lifecycleEdits.filter((e) => e.when === "stop")]) run.apply();
  if (bot.unwireable) {
    plan.notes.unshift(`${bot.file}:${bot.line}: ${bot.unwireable}, so the recipe cannot be wired automatically; its files are written, add the lines below yourself`);
  }
  if (recorder) {
    const record = recorder.finish(tree, [...request.recipes, ...dependents], projectStyle.eol);
    if (record) plan.record = record;
  }
  plan.changes = tree.changes();
  return plan;
}
