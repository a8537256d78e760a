import { Node, SyntaxKind } from "../ast/syntax/tree.js";
import { applyStyle } from "../ast/apply-style.js";
import { findBotImporters } from "../ast/importers.js";
import { withParsed } from "../ast/parse.js";
import { resolveProjectModule } from "../project/module-aliases.js";
import type { ProjectFacts } from "../project/project-facts.js";
import { conditionHolds } from "../recipes/answers.js";
import { exampleAnswer } from "../recipes/example-answers.js";
import type { Answers, Condition, JsonValue, Recipe } from "../recipes/manifest.js";
import type { ProjectRecord } from "../record/record-file.js";
import { readRecordFrom } from "../record/plan-recorder.js";
import { renderString, renderTemplateFile } from "../render/render-recipe.js";
import type { CodeStyle } from "../project/code-style.js";
import type { BotLocation, Plan } from "./plan-types.js";
import type { Tree } from "./tree.js";

// === Which recipes a project has, as facts: files that depend on another recipe
//
// `recipe:<id>` is true when that recipe is installed in the project (the
// record lists it, or the first file it generates exists) or is added in this
// same run. A file entry with `"when": { "facts.recipe:<other>": true }` is
// written only where the other recipe is there too (a recipe's sample test
// needs the test kit). When <other> itself is added later, those files of the
// recipes installed before are written in that run, with their recorded
// answers (default answers for a recipe the record does not list). The
// engine knows no recipe by name: the manifests say what depends on what.

const FACT = "recipe:";

/** The key of a condition that makes a file depend on another recipe. */
const dependsOn = (when: Condition | undefined): string[] =>
  Object.keys(when ?? {})
    .filter((k) => k.startsWith(`facts.${FACT}`))
    .map((k) => k.slice(`facts.${FACT}`.length));

/** Answers for a recipe that was installed without a record: defaults, or example answers. */
export function defaultAnswers(recipe: Recipe): Answers {
  return Object.fromEntries((recipe.manifest.questions ?? []).map((q) => [q.name, q.default ?? exampleAnswer(q)]));
}

function readRecord(tree: Tree): ProjectRecord | undefined {
  try {
    return readRecordFrom(tree);
  } catch {
    return undefined; // the record's own reader refuses it with a message (add, update, remove); here it only gives answers
  }
}

/** The recipes installed in the project before this run, with the answers they were added with. */
export function installedRecipes(tree: Tree, catalogue: Recipe[], facts: Record<string, JsonValue>): Map<string, { recipe: Recipe; answers: Answers }> {
  const record = readRecord(tree);
  const found = new Map<string, { recipe: Recipe; answers: Answers }>();
  for (const recipe of catalogue) {
    const id = recipe.manifest.id;
    if (found.has(id)) continue;
    const recorded = record?.recipes.find((r) => r.id === id && (r.pack === recipe.pack || recipe.pack === "bundled"));
    if (recorded) {
      found.set(id, { recipe, answers: { ...defaultAnswers(recipe), ...recorded.answers } });
      continue;
    }
    const answers = defaultAnswers(recipe);
    const first = recipe.manifest.files.find((f) => dependsOn(f.when).length === 0 && conditionHolds(f.when, answers, facts));
    if (!first) continue;
    try {
      if (tree.exists(tree.path(renderString(recipe, first.target, { ...facts, ...answers }, "files.target")))) found.set(id, { recipe, answers });
    } catch {
      // A target that needs an answer the defaults cannot give: not recognisable without a record.
    }
  }
  return found;
}

/** The facts `recipe:<id>` for every recipe installed or added in this run. */
export function recipeFacts(installed: Map<string, unknown>, run: Recipe[]): Record<string, JsonValue> {
  const facts: Record<string, JsonValue> = {};
  for (const id of installed.keys()) facts[`${FACT}${id}`] = true;
  for (const r of run) facts[`${FACT}${r.manifest.id}`] = true;
  return facts;
}

/** How the test kit makes the bot: the module to import, the function it exports that makes the bot, and what to pass it. */
export interface BotMaker {
  /** Project-relative file whose import makes the bot (or exports `factory`). */
  file: string;
  /** The exported function to call, or "" (importing the module makes the bot). */
  factory: string;
  /** What the factory takes first: the token, the environment (`createContainer(process.env)`), or nothing. */
  args: "token" | "env" | "none";
}

/**
 * Where the bot is made: `new Bot(…)` at the top of its module (importing it
 * makes the bot), in an exported function (`export function createBot(token)`),
 * or, for a subclass of Bot, wherever `new MyBot(…)` stands in the project.
 */
export function botMaker(project: ProjectFacts, bot: BotLocation): BotMaker {
  const plain: BotMaker = { file: bot.file, factory: "", args: "none" };
  const texts = project.texts as ProjectFacts["texts"] | undefined; // absent when lint lists the facts
  if (texts === undefined) return plain;
  const newOf = bot.className === undefined ? undefined : new RegExp(`\\bnew\\s+${bot.className}\\s*[(<]`);
  const file = newOf === undefined ? bot.file : [...texts.keys()].sort().find((f) => newOf.test(texts.get(f)!));
  const text = file === undefined ? undefined : texts.get(file);
  if (file === undefined || text === undefined) return plain;
  return withParsed(file, text, (sf) => {
    for (const expr of sf.getDescendantsOfKind(SyntaxKind.NewExpression)) {
      const at = newOf === undefined ? sf.getLineAndColumnAtPos(expr.getStart()).line === bot.line : newOf.test(expr.getText().slice(0, expr.getText().indexOf("(") + 1));
      if (!at) continue;
      const fn = expr.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a) || Node.isConstructorDeclaration(a));
      if (!fn) return { file, factory: "", args: "none" };
      let name: string | undefined;
      if (Node.isFunctionDeclaration(fn) && fn.isExported()) name = fn.getName();
      const decl = fn.getParent();
      if ((Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) && Node.isVariableDeclaration(decl) && decl.getVariableStatement()?.isExported()) name = decl.getName();
      if (name === undefined || Node.isMethodDeclaration(fn) || Node.isConstructorDeclaration(fn)) return plain;
      const first = fn.getParameters()[0];
      const args = first === undefined ? "none" : /ProcessEnv|^env$/i.test(first.getTypeNode()?.getText() ?? first.getName()) || /^env$/i.test(first.getName()) ? "env" : "token";
      return { file, factory: name, args };
    }
    return plain;
  });
}

/** What starts the bot or serves it: a module doing any of this is not imported by tests. */
const starts = /\.start\s*\(|\brun\s*\(|webhookCallback\s*\(|\.listen\s*\(|createServer\s*\(|setWebhook\s*\(|process\.(on|once)\s*\(|^await\b/m;

/**
 * Modules that import the bot's module to register handlers on it
 * (`handlers.ts` with `bot.command(…)`), as a test imports them: those that
 * start the bot, serve it or listen for signals are left out (tests must not).
 */
export function handlerModules(project: ProjectFacts, file: string): string[] {
  const texts = project.texts as ProjectFacts["texts"] | undefined;
  if (texts === undefined) return [];
  const { importers, imports } = findBotImporters(texts, file, (from, specifier) => resolveProjectModule(project.aliases, from, specifier, (p) => texts.has(p)));
  return [...importers]
    // A module the bot's own module imports (a feature importing its context type) is loaded with it.
    .filter((f) => f !== file && !imports(file, f) && /\.(m|c)?tsx?$/.test(f) && !/(^|\/)(test|tests|__tests__)\//.test(f) && !/\.(test|spec)\.[cm]?tsx?$/.test(f) && !starts.test(texts.get(f) ?? ""))
    .sort()
    .map(asImported);
}

/** A project file as an import names it: `src/bot.ts` → `src/bot.js` (vitest, tsx and TypeScript map it back). */
const asImported = (file: string): string => file.replace(/\.(m|c)?tsx?$/, (_, k: string | undefined) => `.${k ?? ""}js`);

/** Facts about the project's tests: the runner it already has (`vitest`, or `node-test`), and how its bot is made. */
export function testFacts(project: ProjectFacts, bot: BotLocation): Record<string, JsonValue> {
  const maker = botMaker(project, bot);
  return {
    testRunner: project.installed.has("vitest") ? "vitest" : "node-test",
    botFactory: maker.factory,
    botFactoryArgs: maker.args,
    botModule: asImported(maker.file),
    botHandlerModules: handlerModules(project, maker.file),
  };
}

/**
 * Writes, for every recipe installed before this run, its files that depend
 * on a recipe added in this run (and hold for its answers), as the files
 * step of `planAdd` does: in the project's style, never over a file the user
 * changed. A dependent file written earlier whose rendering changes with the
 * recipes added now (a sample test that writes as a user the new access gate
 * lets in) is rewritten too, when it is still exactly what was generated.
 */
export function writeDependentFiles(opts: {
  tree: Tree;
  installed: Map<string, { recipe: Recipe; answers: Answers }>;
  run: Recipe[];
  facts: Record<string, JsonValue>;
  style: CodeStyle;
  plan: Plan;
  force?: boolean;
  /** Told of every file written, with its pristine content (for the record). */
  generated?: (recipe: Recipe, path: string, pristine: string) => void;
}): Array<{ recipe: Recipe; answers: Answers }> {
  const owners: Array<{ recipe: Recipe; answers: Answers }> = [];
  const added = new Set(opts.run.map((r) => r.manifest.id));
  // The facts as they were before this run: without the recipes it adds.
  const before = Object.fromEntries(Object.entries(opts.facts).filter(([key]) => !(key.startsWith(FACT) && added.has(key.slice(FACT.length)) && !opts.installed.has(key.slice(FACT.length)))));
  for (const [id, { recipe, answers }] of opts.installed) {
    if (added.has(id)) continue;
    const render = (spec: { template: string; target: string }, facts: Record<string, JsonValue>) => {
      const view = { ...facts, ...answers };
      const target = opts.tree.path(renderString(recipe, spec.target, view, "files.target"));
      const rendered = renderTemplateFile(recipe, spec.template, view);
      return { target, content: /\.(m|c)?tsx?$/.test(target) ? applyStyle(rendered, opts.style) : rendered.replace(/\r?\n/g, opts.style.eol) };
    };
    for (const spec of recipe.manifest.files) {
      const deps = dependsOn(spec.when);
      if (deps.length === 0 || !conditionHolds(spec.when, answers, opts.facts)) continue;
      const { target, content } = render(spec, opts.facts);
      const existing = opts.tree.read(target);
      if (existing === content) continue;
      const arrived = deps.filter((d) => added.has(d) && !opts.installed.has(d));
      if (arrived.length === 0) {
        // Written by an earlier run: refreshed only when untouched since.
        if (!conditionHolds(spec.when, answers, before) || existing !== render(spec, before).content) continue;
        opts.generated?.(recipe, target, content);
        opts.tree.write(target, content);
        if (!owners.some((o) => o.recipe === recipe)) owners.push({ recipe, answers });
        continue;
      }
      if (existing !== undefined && !opts.force) {
        opts.plan.skipped.push({ path: target, reason: "exists and differs from what the recipe generates (edited by you, or other answers); --force overwrites it" });
        continue;
      }
      opts.generated?.(recipe, target, content);
      opts.tree.write(target, content);
      if (!owners.some((o) => o.recipe === recipe)) owners.push({ recipe, answers });
      opts.plan.notes.push(`${recipe.ref}: wrote ${target} (installed earlier; it goes with ${arrived.join(", ")})`);
    }
  }
  return owners;
}
