import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import prompts from "prompts";
import { failure, usageError } from "../core/errors.js";
import { cdCommand } from "../core/shell-quote.js";
import { commitChanges } from "../engine/commit.js";
import { installDependencies, installFailure } from "../engine/install-dependencies.js";
import { locateBot, planAdd } from "../engine/plan.js";
import { makeFolders, missingFolders } from "../engine/safe-path.js";
import { Tree, type FileChange } from "../engine/tree.js";
import { detectPackageManager, installAllCommand, type PackageManagerName } from "../project/package-manager.js";
import { displayPath, findProjectRoot } from "../project/project-root.js";
import { scanProject } from "../project/scan-project.js";
import { bundledTemplatesDir, loadCatalogue, type Catalogue } from "../recipes/catalogue.js";
import type { JsonValue, Recipe } from "../recipes/manifest.js";
import { compileTemplate } from "../render/handlebars-env.js";
import { promptAsk } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { formatSummary } from "../ui/print-plan.js";
import { addCommand, isInteractive } from "./add.js";
import { answersFor, givenAnswers } from "./collect-answers.js";

// === `new [dir]` and the run without a command ===
//
//   pick recipes ──► resolve answers ──► write the skeleton ──► planAdd + commitChanges ──► install
//   (prompt, or      (validated before    (templates/_project,     (the same engine as `add`;   (the user's
//   --recipes)       anything is written)  one commit)              the skeleton rolled back     package
//                                                                  if planning fails)            manager)

export interface NewOptions {
  yes?: boolean;
  /** `--recipes a,b` (repeatable). */
  recipes?: string[];
  set?: string[];
  answers?: string;
  force?: boolean;
  pm?: string;
  /** `--no-install` sets false. */
  install?: boolean;
  templates?: string[];
  verbose?: boolean;
}

/** Names a folder may hold and still count as empty. */
const ignorable = new Set([".git", ".DS_Store", "Thumbs.db"]);

/**
 * What the engine finds in the skeleton (`templates/_project`): answers are
 * resolved against these facts before anything is written. A test checks
 * they equal what `templateFacts` reads from a generated project.
 */
export const skeletonFacts: Record<string, JsonValue> = {
  bot: "bot",
  botFile: "src/bot.ts",
  contextType: "BotContext",
  served: "polling",
  moduleKind: "esm",
  recipesDir: "src/recipes",
  // The skeleton's own bot.catch is left out when a recipe sets the error handler.
  errorHandler: "none",
  // How tests get the bot (the test kit): createBot(token) from src/bot.ts.
  testRunner: "node-test",
  botFactory: "createBot",
  botFactoryArgs: "token",
  botModule: "src/bot.js",
  botHandlerModules: [],
};

/**
 * `create-bot-snippet new <dir>`: a new typed grammY bot, with the recipes picked.
 * `named` is false when the user gave no folder (the current one is implied):
 * then it refuses to write inside another project's tree (a subfolder of a
 * folder with package.json); naming the folder, even `.`, is the way to do that.
 */
export async function newCommand(dirArg: string, options: NewOptions, named = true): Promise<void> {
  const root = resolve(dirArg);
  if (existsSync(root) && !statSync(root).isDirectory()) throw usageError(`${dirArg} exists and is not a folder`, "choose another name");
  missingFolders(root, dirArg); // `new afile/sub`: refused before anything is asked or written
  const outer = named ? undefined : findProjectRoot(root);
  if (outer !== undefined && outer !== root) {
    throw usageError(
      `this folder is inside the project in ${displayPath(outer)} (it has a package.json); to create a new bot here anyway, name the folder: \`create-bot-snippet new .\``,
    );
  }
  const present = existsSync(root) ? readdirSync(root).filter((e) => !ignorable.has(e)) : [];
  if (present.length > 0 && !options.force) {
    throw usageError(
      `${dirArg === "." ? "this folder" : dirArg} is not empty (${present.slice(0, 3).join(", ")}${present.length > 3 ? ", …" : ""})`,
      "create the bot in a new folder (`create-bot-snippet new my-bot`), or pass --force to write into it (files with the same names are replaced)",
    );
  }

  // Everything that can be refused is checked before the first write.
  const catalogue = loadCatalogue(options.templates ?? []);
  const interactive = isInteractive(options);
  const recipes = options.recipes !== undefined ? recipesFromFlag(catalogue, options.recipes) : interactive ? await pickRecipes(catalogue, ["error-handler"]) : [];
  const given = givenAnswers(recipes, options.set, options.answers, catalogue.recipes);
  const answers = await answersFor(recipes, given, skeletonFacts, interactive ? (r) => promptAsk(r.ref) : undefined);
  const pm = detectPackageManager(existsSync(root) ? root : dirname(root), options.pm);

  // 1. The skeleton.
  const createdRoot = makeFolders(root, dirArg); // the outermost folder this run created (`new a/b/c`: a), removed if it fails
  const skeleton = renderSkeleton(root, {
    name: packageName(root),
    run: runPrefix(pm.name),
    recipes: recipes.map((r) => ({ id: r.ref, title: r.manifest.title })),
    // The skeleton's own minimal `bot.catch`, unless a recipe sets the error handler (a bot has one).
    errorHandler: !recipes.some((r) => r.manifest.edits.some((e) => e.op === "set-error-handler")),
  });
  try {
    commitChanges(root, skeleton);
  } catch (error) {
    if (createdRoot) rmSync(createdRoot, { recursive: true, force: true });
    throw error;
  }

  // 2. The recipes, through the engine `add` uses.
  let planned: ReturnType<typeof planAdd> | undefined;
  try {
    if (recipes.length > 0) {
      const project = scanProject(root);
      planned = planAdd({ project, recipes: recipes.map((recipe) => ({ recipe, answers: answers.get(recipe)! })), catalogue: catalogue.recipes, record: true });
      commitChanges(root, planned.changes);
    }
  } catch (error) {
    rollBack(root, skeleton, createdRoot);
    throw error;
  }

  const where = relative(process.cwd(), root) || ".";
  const written = [...skeleton.map((c) => c.path), ...(planned?.changes.map((c) => c.path) ?? [])];
  process.stderr.write(`${color.green("✓")} created a grammY bot in ${where}${recipes.length > 0 ? ` with ${recipes.map((r) => r.ref).join(", ")}` : ""} (${new Set(written).size} files)\n`);
  if (planned) {
    const rest = formatSummary({ ...planned, changes: [] }, process.stderr);
    if (rest.trim()) process.stderr.write(`${rest}\n`);
  }

  // 3. The dependencies, once, for the skeleton and the recipes together.
  const install = installAllCommand(pm.name);
  const report = await installDependencies(root, pm, [install], {
    run: options.install !== false,
    log: (line) => process.stderr.write(`${color.dim(`${line}   (${pm.name}: ${pm.source}${pm.detail ? ` ${pm.detail}` : ""})`)}\n`),
  });
  if (report.status === "failed") throw installFailure(root, report);

  const steps = [
    ...(where === "." ? [] : [cdCommand(where)]),
    ...(report.status === "skipped" ? report.commands : []),
    "cp .env.example .env   # then put your bot's token in .env",
    `${runPrefix(pm.name)} dev`,
  ];
  process.stderr.write(`\nNext:\n${steps.map((s) => `  ${color.cyan(s)}`).join("\n")}\n`);
}

/**
 * The run without a command. Inside a grammY project (its folder or any
 * folder below it: the nearest package.json above) it goes straight to the
 * recipe picker and adds what is picked to that project; anywhere else (or
 * with a folder name: `npm create bot-snippet my-bot`) it creates a new bot,
 * but not inside another project's tree unless the folder is named.
 */
export async function defaultCommand(dirArg: string | undefined, options: NewOptions, commandNames: string[], extra: string[] = []): Promise<void> {
  swallowedFlags(dirArg, extra, options.templates ?? []);
  if (dirArg !== undefined) {
    // `create-bot-snippet lsit` is a typo, not a bot named "lsit" (short names like "app" are left alone).
    const near = commandNames.find((name) => name.length >= 4 && distance(name, dirArg.toLowerCase()) <= 1);
    if (near && !existsSync(dirArg)) {
      throw usageError(`unknown command "${dirArg}"; did you mean ${near}?`, `to create a bot in a folder named ${dirArg}, run \`create-bot-snippet new ${dirArg}\``);
    }
    return newCommand(dirArg, options);
  }
  // Inside a project (its root or any subfolder, as npm finds it): the recipe picker for that project.
  const root = findProjectRoot(process.cwd());
  if (root === undefined || !hasGrammyProject(root)) return newCommand(".", options, false);
  const here = root === process.cwd() ? "this folder" : `the project in ${displayPath(root)}`;
  if (root !== process.cwd()) process.stderr.write(`${color.dim(`using the project in ${displayPath(root)} (the nearest folder with a package.json)`)}\n`);

  const catalogue = loadCatalogue(options.templates ?? []);
  // Recipes the record lists are shown as installed; picking one offers update or remove instead of adding it again.
  const picker = options.recipes === undefined && isInteractive(options) ? await import("../lifecycle/picker.js") : undefined;
  const installed = picker?.installedMarks(root, catalogue);
  const picked =
    options.recipes !== undefined ? recipesFromFlag(catalogue, options.recipes) : isInteractive(options) ? await pickRecipes(catalogue, [], installed) : undefined;
  if (picked === undefined) {
    throw usageError(`${here} has a grammY bot: say which recipes to add`, "pass --recipes a,b (see `create-bot-snippet list`), or run it in a terminal to pick them");
  }
  const { rest: recipes, handled } = picker && installed ? await picker.actOnInstalled(root, picked, installed, options) : { rest: picked, handled: 0 };
  if (recipes.length === 0) {
    if (handled === 0) process.stderr.write("no recipe picked; nothing was written\n");
    return;
  }
  await addCommand(
    recipes.map((r) => r.ref),
    { cwd: root, yes: options.yes, set: options.set, answers: options.answers, force: options.force, templates: options.templates, verbose: options.verbose, pm: options.pm, install: options.install },
  );
}

/** A grammY project: package.json depending on grammy, or a TypeScript file constructing the bot. */
export function hasGrammyProject(dir: string): boolean {
  const pkgPath = join(dir, "package.json");
  if (!existsSync(pkgPath)) return false; // no scan of folders that are not projects (a home folder)
  try {
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as Record<string, Record<string, string> | undefined>;
    if (["dependencies", "devDependencies", "peerDependencies"].some((f) => pkg[f]?.grammy !== undefined)) return true;
  } catch {
    return false;
  }
  return scanProject(dir).candidates.length > 0;
}

// === Helpers ===

function recipesFromFlag(catalogue: Catalogue, values: string[]): Recipe[] {
  const refs = [...new Set(values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean))];
  return refs.map((ref) => {
    const recipe = catalogue.get(ref);
    if ((recipe.manifest.kind ?? "recipe") !== "recipe") throw usageError(`${ref} is a snippet, not a recipe`, `\`create-bot-snippet show ${ref}\` prints it to copy`);
    return recipe;
  });
}

/**
 * Words that `npm create bot-snippet my-bot --recipes a` passes on without
 * their flags (npm keeps flags before `--` for itself): a recipe id, a
 * `key=value` answer or a package manager where only a folder name belongs.
 * Refused in one line with the command that works.
 */
function swallowedFlags(dirArg: string | undefined, extra: string[], templates: string[]): void {
  if (extra.length === 0 && dirArg === undefined) return;
  const catalogue = loadCatalogue(templates);
  const isRecipes = (word: string) => word.split(",").every((id) => id !== "" && catalogue.recipes.some((r) => r.ref === id));
  const quote = (word: string) => (/^[\w.,=@/:+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
  const flagFor = (word: string) =>
    isRecipes(word) ? `--recipes ${quote(word)}` : /^[\w.-]+=/.test(word) ? `--set ${quote(word)}` : ["npm", "pnpm", "yarn", "bun"].includes(word) ? `--pm ${word}` : quote(word);
  if (extra.length > 0) {
    const fixed = `npm create bot-snippet ${quote(dirArg ?? "my-bot")} -- ${extra.map(flagFor).join(" ")}`;
    throw usageError(`too many arguments (${extra.join(" ")}): npm passes flags on only after --, so they arrived as plain words; run: ${fixed}`);
  }
  if (dirArg !== undefined && !existsSync(dirArg) && isRecipes(dirArg)) {
    throw usageError(
      `${dirArg} is a recipe, not a folder name: to add it run \`create-bot-snippet add ${dirArg}\`; to create a bot with it, \`npm create bot-snippet my-bot -- --recipes ${dirArg}\``,
    );
  }
}

async function pickRecipes(catalogue: Catalogue, preselected: string[] = [], installed?: Map<string, { label: string }>): Promise<Recipe[]> {
  const choices = catalogue.recipes.filter((r) => (r.manifest.kind ?? "recipe") === "recipe");
  if (choices.length === 0) return [];
  const { picked } = (await prompts(
    {
      type: "multiselect",
      name: "picked",
      message: "Recipes to add (space to pick, enter to confirm; none is fine)",
      choices: choices.map((r) => ({ title: installed?.has(r.ref) ? `${r.ref} (${installed.get(r.ref)!.label})` : r.ref, description: r.manifest.title, value: r.ref, selected: preselected.includes(r.ref) })),
      instructions: false,
    },
    {
      onCancel: () => {
        throw usageError("cancelled; nothing was written");
      },
    },
  )) as { picked?: string[] };
  return (picked ?? []).map((ref) => catalogue.get(ref));
}

/** Renders `templates/_project`: `x.hbs` → `x`, a leading `_` → `.` (npm never packs a `.gitignore`). */
function renderSkeleton(root: string, view: Record<string, unknown>): FileChange[] {
  const source = join(bundledTemplatesDir(), "_project");
  const tree = new Tree(root);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".hbs")) {
        const rel = relative(source, path).split(sep).join("/");
        const target = rel.replace(/\.hbs$/, "").replace(/(^|\/)_/, "$1.");
        tree.write(target, compileTemplate(readFileSync(path, "utf8"), `templates/_project/${rel}`)(view));
      }
    }
  };
  walk(source);
  return tree.changes();
}

/** Undoes the skeleton when the recipes could not be planned or written. */
function rollBack(root: string, skeleton: FileChange[], createdRoot: string | undefined): void {
  if (createdRoot) {
    rmSync(createdRoot, { recursive: true, force: true });
    return;
  }
  for (const change of skeleton) {
    const path = join(root, change.path);
    if (change.before === undefined) rmSync(path, { force: true });
    else writeFileSync(path, change.before);
  }
  // Folders the skeleton created (src/features) go when they are empty again, deepest first.
  const dirs = [...new Set(skeleton.filter((c) => c.before === undefined).map((c) => dirname(c.path)))].filter((d) => d !== ".");
  for (const dir of dirs.sort((a, b) => b.length - a.length)) {
    for (let d = dir; d !== "."; d = dirname(d)) {
      const abs = join(root, d);
      if (existsSync(abs) && readdirSync(abs).length === 0) rmSync(abs, { recursive: true });
    }
  }
}

/** A valid npm package name from the folder's name. */
function packageName(root: string): string {
  const name = basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "")
    .slice(0, 214);
  return name || "my-bot";
}

/** How package.json scripts are run: `npm run dev`, `pnpm dev`. */
function runPrefix(pm: PackageManagerName): string {
  return pm === "npm" ? "npm run" : pm === "bun" ? "bun run" : pm;
}

/** Edit distance counting a swap of two neighbours as one edit (`lsit` → `list` is 1). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
