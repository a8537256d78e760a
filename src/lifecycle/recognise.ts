import { posix } from "node:path";
import { parseTolerant } from "../ast/parse.js";
import type { SyntaxNode } from "../ast/syntax/tree.js";
import { applyStyle } from "../ast/apply-style.js";
import { usageError } from "../core/errors.js";
import { installedRecipes, defaultAnswers } from "../engine/installed-recipes.js";
import { locateBot, templateFacts } from "../engine/plan.js";
import type { Tree } from "../engine/tree.js";
import { detectCodeStyle } from "../project/code-style.js";
import { scanProject } from "../project/scan-project.js";
import { conditionHolds } from "../recipes/answers.js";
import type { Catalogue } from "../recipes/catalogue.js";
import type { JsonValue, Recipe } from "../recipes/manifest.js";
import { renderString, renderTemplateFile } from "../render/render-recipe.js";
import { importsPackage, sourceFiles, type RemovePlan } from "./plan-remove.js";
import { removeDependencies } from "../engine/package-json.js";
import { looseLine } from "./reverse-hunks.js";
import { removeImportNames } from "./unused-imports.js";

// === `remove` in a project without a record (recipes added before there was one)
//
// What a recipe did is inferred from the code, and only what can be told for
// sure is undone: its generated files at the targets its default answers
// give (deleted when they are exactly what it generates, else kept unless
// --force), the statements it installs as they are rendered (`bot.use(x())`,
// `bot.catch(handleBotError)`, start and stop code), and the imports of its
// files once nothing uses them. Anything else that uses its names (a wrapped
// handler, a start call it replaced, a context flavor) is listed by path and
// line for the user: nothing is guessed.

export interface RecognisedRequest {
  tree: Tree;
  refs: string[];
  catalogue: Catalogue;
  force?: boolean;
  /** `--bot`: which bot of several. */
  bot?: string;
}

export function planRecognisedRemove(request: RecognisedRequest): RemovePlan {
  const { tree, catalogue, force } = request;
  const plan: RemovePlan = { recipes: [], changes: [], skipped: [], manual: [], notes: [], dependencies: [], kept: [], removedDependencies: [], keptDependencies: [] };
  const project = scanProject(tree.root);
  const bot = locateBot(project, request.bot);
  const facts = templateFacts(project, bot);
  const installed = installedRecipes(tree, catalogue.recipes, facts);
  const recipes = [...new Set(request.refs)].map((ref) => catalogue.get(ref));
  for (const recipe of recipes) {
    if (!installed.has(recipe.manifest.id)) {
      const names = [...installed.keys()];
      throw usageError(
        `${recipe.ref} is not installed in this project (no ${"bot-snippets.json"} record, and its files are not at their default paths); recognised: ${names.length > 0 ? names.join(", ") : "none"}; nothing was written`,
        "without a record only recipes added with their default file paths can be recognised",
      );
    }
  }
  plan.notes.push(`not in ${"bot-snippets.json"}: what ${recipes.map((r) => r.ref).join(", ")} did is inferred from the code (default answers); only that is undone`);
  const style = detectCodeStyle(tree.read(bot.file) ?? "", project.style);
  const files = sourceFiles(tree);

  for (const recipe of recipes) {
    plan.recipes.push({ ref: recipe.ref, answers: {} });
    const answers = defaultAnswers(recipe);
    const view: Record<string, JsonValue> = { ...facts, ...answers };
    const holds = (when: Parameters<typeof conditionHolds>[0]) => conditionHolds(when, answers, facts);
    const manual = (file: string, code: string, reason: string, line?: number) => plan.manual.push({ recipe: recipe.ref, file, code, reason, ...(line !== undefined && { line }) });

    // 1. Its files at their default targets.
    const targets: string[] = [];
    for (const spec of recipe.manifest.files.filter((f) => holds(f.when))) {
      let target: string;
      try {
        target = tree.path(renderString(recipe, spec.target, view, "files.target"));
      } catch {
        continue;
      }
      targets.push(target);
      const text = tree.read(target);
      if (text === undefined) continue;
      const rendered = renderTemplateFile(recipe, spec.template, view);
      const pristine = /\.(m|c)?tsx?$/.test(target) ? applyStyle(rendered, style) : rendered.replace(/\r?\n/g, style.eol);
      if (text === pristine || force) {
        tree.delete(target);
        if (text !== pristine) plan.notes.push(`${recipe.ref}: ${target} differed from its default rendering; --force deleted it`);
      } else {
        plan.kept.push({ path: target, reason: "differs from what the recipe generates with default answers (other answers, or your changes); kept (--force deletes it)" });
      }
    }

    // 2. Statements that use its names, in every file that imports its files (or the packages it imports from).
    const stems = new Set(targets.map((t) => t.replace(/\.(m|c)?[jt]sx?$/, "")));
    // The packages it imports names from: its add-import modules and context flavors.
    const packages = new Set(recipe.manifest.edits.flatMap((e) => ((e.op === "add-import" || e.op === "extend-context") && e.module && holds(e.when) ? [e.module] : [])));
    const expected = expectedStatements(recipe, view, holds);
    for (const file of files) {
      if (targets.includes(file)) continue;
      const text = tree.read(file);
      if (text === undefined) continue;
      const imports = importsFrom(file, text, (spec) => packages.has(spec) || (spec.startsWith(".") && stems.has(posix.join(posix.dirname(file), spec).replace(/\.(m|c)?[jt]sx?$/, ""))));
      if (imports.size === 0) continue;
      const { text: after, left } = removeStatements(file, text, new Set(imports.keys()), expected);
      let out = after;
      for (const [module, names] of groupByModule(imports)) out = removeImportNames(file, out, module, names).text;
      if (out !== text) tree.write(file, out);
      for (const use of left) manual(file, use.code, `uses ${use.name} from ${imports.get(use.name)}, which ${recipe.ref} put there; cannot tell what stood here before, change it yourself`, use.line);
    }
    for (const edit of recipe.manifest.edits.filter((e) => holds(e.when))) {
      if (edit.op === "ignore-path") manual(".gitignore", renderString(recipe, edit.path, view, "path"), "may list this path, which the recipe ignores; remove the line if nothing else needs it");
      if (edit.op === "allow-updates") manual(bot.file, edit.types.join(", "), "the recipe may have added these update types to allowed_updates; remove those you no longer need");
      if ((edit.op === "on-start" || edit.op === "on-stop") && !plan.manual.some((m) => m.recipe === recipe.ref && m.reason.startsWith("start and stop code"))) {
        manual(bot.file, renderString(recipe, edit.code, view, "code"), "start and stop code: the recipe put this around your start call and may have wrapped the call (an async function, signal handlers) for it; the statement itself is removed where found, the wrapping is yours to undo");
      }
      if (edit.op === "package-script") manual("package.json", `"${edit.name}": ${JSON.stringify(renderString(recipe, edit.command, view, "command"))}`, "the recipe may have added this script; remove it if it is not yours");
    }

    // 3. Its dependencies, when no other recognised recipe lists them and no file imports them.
    const others = [...installed.values()].filter((r) => !recipes.includes(r.recipe));
    const goes: Array<{ name: string; dev: boolean }> = [];
    for (const dep of (recipe.manifest.dependencies ?? []).filter((d) => holds(d.when))) {
      const other = others.find((o) => (o.recipe.manifest.dependencies ?? []).some((d) => d.name === dep.name));
      if (other) {
        plan.keptDependencies.push({ name: dep.name, reason: `${other.recipe.ref} uses it too` });
        continue;
      }
      const user = files.filter((f) => tree.exists(f)).find((f) => importsPackage(tree.read(f) ?? "", dep.name));
      if (user) {
        plan.keptDependencies.push({ name: dep.name, reason: `${user} imports it` });
        continue;
      }
      goes.push({ name: dep.name, dev: dep.dev === true });
    }
    const pkg = tree.read("package.json");
    if (goes.length > 0 && pkg !== undefined) {
      const { text, removed } = removeDependencies(pkg, goes);
      tree.write("package.json", text);
      plan.removedDependencies.push(...removed);
    }
  }
  plan.changes = tree.changes();
  return plan;
}

/** The statements a recipe installs, rendered with `view`, compared formatter-insensitively. */
function expectedStatements(recipe: Recipe, view: Record<string, JsonValue>, holds: (when: Parameters<typeof conditionHolds>[0]) => boolean): Set<string> {
  const bot = String(view.bot ?? "bot");
  const out = new Set<string>();
  const render = (code: string) => renderString(recipe, code, view, "edits");
  for (const edit of recipe.manifest.edits.filter((e) => holds(e.when))) {
    if (edit.op === "install") out.add(render(edit.code));
    if (edit.op === "set-error-handler") out.add(`${bot}.catch(${render(edit.handler)})`);
    if (edit.op === "api-transformer") out.add(`${bot}.api.config.use(${render(edit.code)})`);
    if (edit.op === "on-start" || edit.op === "on-stop") out.add(render(edit.code));
  }
  return new Set([...out].map(looseLine));
}

/** Local names a file imports from modules `matches` accepts, with the module. */
function importsFrom(file: string, text: string, matches: (specifier: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of parseTolerant(file, text).getImportDeclarations()) {
    if (s.getModuleSpecifier()?.kind !== "StringLiteral" || !matches(s.getModuleSpecifierValue())) continue;
    // The local names (`b` of `a as b`).
    for (const e of s.getNamedImports()) out.set((e.getAliasNode() ?? e.getNameNode()).getText(), s.getModuleSpecifierValue());
  }
  return out;
}

function groupByModule(imports: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, module] of imports) out.set(module, [...(out.get(module) ?? []), name]);
  return out;
}

/**
 * Removes whole-line statements that are exactly one of `expected`; returns
 * the other places that use one of `names` (outside imports), by line.
 */
function removeStatements(file: string, text: string, names: Set<string>, expected: Set<string>): { text: string; left: Array<{ name: string; line: number; code: string }> } {
  const sf = parseTolerant(file, text);
  const cuts: Array<{ start: number; end: number }> = [];
  const left: Array<{ name: string; line: number; code: string }> = [];
  const visit = (node: SyntaxNode): void => {
    if (node.kind === "ImportDeclaration") return;
    if (node.kind === "ExpressionStatement" && expected.has(looseLine(node.getText()))) {
      const start = text.lastIndexOf("\n", node.start - 1) + 1;
      const lineEnd = text.indexOf("\n", node.end);
      const end = lineEnd < 0 ? text.length : lineEnd + 1;
      const wholeLines = text.slice(start, node.start).trim() === "" && text.slice(node.end, end).trim() === "";
      if (wholeLines) {
        cuts.push({ start, end });
        return;
      }
    }
    const parent = node.parent;
    if (node.kind === "Identifier" && names.has(node.getText()) && !(parent?.kind === "PropertyAccessExpression" && parent.field("name") === node)) {
      const line = sf.getLineAndColumnAtPos(node.start).line - 1;
      if (!left.some((l) => l.line === line + 1)) left.push({ name: node.getText(), line: line + 1, code: text.split(/\r?\n/)[line]!.trim() });
    }
    for (const child of node.children()) visit(child);
  };
  visit(sf);
  let out = text;
  for (const c of cuts.sort((a, b) => b.start - a.start)) out = out.slice(0, c.start) + out.slice(c.end);
  return { text: out, left };
}
