import { requireCjs } from "../core/cjs.js";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import { usageError } from "../core/errors.js";
import type { CodeStyle } from "../project/code-style.js";
import { indexedPreview } from "../recipes/catalogue-index.js";
import type { AddImportEdit, Condition, EditSpec, ExtendContextEdit, IgnorePathEdit, InstallEdit, JsonValue, Question, Recipe, ReplaceStartEdit, SetErrorHandlerEdit, WrapHandlersEdit } from "../recipes/manifest.js";
import { color } from "../ui/colors.js";
import { stdoutForColor, writeOut } from "./fast-stdout.js";

// `show` is run often and must start fast: what only some runs need (the
// catalogue's validation, answers, the handlebars compiler, the project scan,
// the commit) is imported when it is needed. A bundled recipe shown for a typical
// project (outside a grammY project, or with --json) comes from the catalogue
// index (src/recipes/catalogue-index.ts) when it is current: the same text,
// rendered at build time by `showPreview` and `showText` below.

// node:fs through require: an `import` of it makes Node read every export of
// fs, which loads its streams and promises (4-8 ms of a fast show) that this never uses.
const { existsSync, lstatSync, readFileSync, statSync } = requireCjs("node:fs") as typeof import("node:fs");

/** Facts of a typical project, for previews outside a project. */
export const previewFacts = async (): Promise<Record<string, JsonValue>> => ({ ...(await import("../recipes/typical-facts.js")).typicalFacts });

export interface ShowOptions {
  json?: boolean;
  templates?: string[];
  /** Write the snippet to this file instead of printing it. */
  copyTo?: string;
  /** With `copyTo`: replace a file that exists. */
  force?: boolean;
  /** Also print the recipe's seed codes (rows of the recipes catalogue it covers). */
  verbose?: boolean;
}

/** Renders a manifest string (a target, an edit's code) for `show`'s lines; `where` names it in errors. */
export type ShowRender = (template: string, where: string) => string;

/** What `showText` asks for besides the manifest: rendered strings, and the placeholder shown after `--set name=`. */
export interface ShowParts {
  render: ShowRender;
  placeholder: (question: Question) => string;
}

/** The files `show` previews, rendered with the example answers for a project with `facts`, and the rest of what its lines need. */
export async function showPreview(recipe: Recipe, facts: Record<string, JsonValue>): Promise<{ files: Array<{ target: string; content: string }>; parts: ShowParts }> {
  const { renderString, renderTemplateFile } = await import("../render/render-recipe.js");
  const { conditionHolds, placeholder, resolveAnswers } = await import("../recipes/answers.js");
  const { exampleAnswers } = await import("../recipes/example-answers.js");
  const { manifest } = recipe;
  const given = exampleAnswers(manifest.questions);
  const answers = await resolveAnswers(manifest, { given, facts });
  const view = { ...facts, ...answers };
  const files = manifest.files
    .filter((f) => conditionHolds(f.when, answers, facts))
    .map((f) => ({ target: renderString(recipe, f.target, view, "files.target"), content: renderTemplateFile(recipe, f.template, view) })); // templates are in the canonical style already
  return { files, parts: { render: (template, where) => renderString(recipe, template, view, where), placeholder } };
}

export async function showCommand(ref: string, options: ShowOptions): Promise<void> {
  if (options.copyTo === undefined && !options.templates?.length && (await showFromIndex(ref, options))) return;
  const { loadCatalogue } = await import("../recipes/catalogue.js");
  const recipe = loadCatalogue(options.templates ?? []).get(ref);
  const { manifest } = recipe;
  const snippet = manifest.kind === "snippet";
  if (options.copyTo !== undefined && !snippet) {
    throw usageError(`--copy-to writes snippets; "${recipe.ref}" is a recipe`, `add it to your bot with \`create-bot-snippet add ${recipe.ref}\`, which also wires it in`);
  }
  const here = options.copyTo === undefined && !options.json && !snippet ? await projectHere() : undefined;
  const facts = here?.facts ?? (await previewFacts());
  const { files, parts } = await showPreview(recipe, facts);

  if (options.copyTo !== undefined) {
    await copySnippet(recipe.ref, files, options.copyTo, options.force === true);
    return;
  }
  writeOut(showText(recipe, files, parts, { here: here !== undefined, facts, json: options.json, verbose: options.verbose }));
}

/**
 * `show` of a bundled recipe from the catalogue index, when the index is
 * current and the preview is the typical project's; false when it cannot
 * (the caller then loads and renders as before).
 */
async function showFromIndex(ref: string, options: ShowOptions): Promise<boolean> {
  const indexed = await indexedPreview(ref);
  if (!indexed) return false;
  // In a grammY project, the lines name its bot file: rendered for it, not from the index.
  if (!options.json && indexed.recipe.manifest.kind !== "snippet" && maybeInGrammyProject()) return false;
  const { files, rendered, placeholders, facts } = indexed.preview;
  let missing = false;
  const known = (text: string | undefined) => {
    if (text === undefined) missing = true;
    return text ?? "";
  };
  const parts: ShowParts = { render: (template, where) => known(rendered[`${where}\0${template}`]), placeholder: (q) => known(placeholders[q.name]) };
  const text = showText(indexed.recipe, files, parts, { here: false, facts, json: options.json, verbose: options.verbose });
  if (missing) return false; // something the build did not render: render it now
  writeOut(text);
  return true;
}

/** All `show` prints (but --copy-to), given the rendered preview. `facts` are those the preview was rendered for; `here` says they are the project's. */
export function showText(
  recipe: Recipe,
  files: Array<{ target: string; content: string }>,
  { render, placeholder }: ShowParts,
  options: { here: boolean; facts: Record<string, JsonValue>; json?: boolean | undefined; verbose?: boolean | undefined },
): string {
  const { manifest } = recipe;
  const { here, facts } = options;
  if (options.json) return `${JSON.stringify({ ...manifest, ref: recipe.ref, preview: files }, null, 2)}\n`;
  const out = stdoutForColor();
  const seeds = options.verbose && manifest.seeds.length > 0 ? `; seeds ${manifest.seeds.join(", ")}` : "";
  if (manifest.kind === "snippet") {
    // A snippet is code to paste: its description, then the code, nothing to answer or wire.
    const head = [
      `${color.bold(manifest.title, out)} ${color.dim(`(snippet ${recipe.ref}${seeds})`, out)}`,
      "",
      manifest.description,
      "",
      color.dim(`Paste it, or write it to a file in your project's style: create-bot-snippet show ${recipe.ref} --copy-to src/${files[0]?.target ?? `${manifest.id}.ts`}`, out),
    ];
    const code = files.map((f) => (files.length > 1 ? `${color.bold(f.target, out)}\n${f.content}` : f.content));
    return `${[...head, "", ...code].join("\n").replace(/\n*$/, "\n")}`;
  }
  const words = (when: Condition | undefined) => (when ? color.dim(` (${conditionWords(when, manifest.questions)})`, out) : "");
  const botFile = String(facts.botFile);
  const lines = [
    `${color.bold(manifest.title, out)} ${color.dim(`(${recipe.ref}${seeds})`, out)}`,
    "",
    manifest.description,
    "",
    color.bold(here ? `Files (for the bot in ${botFile})` : `Files (for a bot in ${botFile}; add writes them next to yours)`, out),
    ...manifest.files.map((f) => `  ${render(f.target, "files.target")}${words(f.when)}`),
    "",
    color.bold(`Changes to your code (the bot is created in ${botFile})`, out),
    ...manifest.edits.map((e) => `  - ${describeEdit(e, render, facts, botFile)}${words(e.when)}`),
    "",
    color.bold("Questions", out),
    ...manifest.questions.map((q) => {
      const def = q.default === undefined ? color.yellow("required", out) : `default: ${shownDefault(q.default)}`;
      const when = q.when ? `; asked ${conditionWords(q.when, manifest.questions)}` : "";
      return `  --set ${q.name}=${placeholder(q)}  ${color.dim(`(${def}${when})`, out)}\n      ${q.message}`;
    }),
    ...(manifest.dependencies?.length ? ["", color.bold("Dependencies", out), ...manifest.dependencies.map((d) => `  ${d.name}@${d.version}${d.dev ? " (dev)" : ""}${words(d.when)}`)] : []),
  ];
  for (const f of files) lines.push("", color.bold(`Preview: ${f.target}`, out), f.content);
  return `${lines.join("\n")}\n`;
}

/** A default as it is typed after `--set name=`. */
function shownDefault(value: JsonValue): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(",");
  if (value === "") return "empty";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * What one edit does to the user's code, in words: "adds `bot.use(x())`
 * after `new Bot(…)`". Templates are rendered for this project (or a typical one).
 */
export function describeEdit(edit: EditSpec, render: (template: string, where: string) => string, facts: Record<string, JsonValue>, botFile: string): string {
  const bot = String(facts.bot ?? "bot");
  const from = (file: string) => {
    let rel = posix.relative(posix.dirname(botFile), render(file, "edits.file")).replace(/\.(m|c)?tsx?$/, "");
    if (!rel.startsWith(".")) rel = `./${rel}`;
    return `${rel}${facts.moduleKind === "esm" ? ".js" : ""}`;
  };
  const e = edit as EditSpec | { op: string; code?: string };
  switch (e.op) {
    case "add-import": {
      const x = e as AddImportEdit;
      return `imports ${x.named.map((n) => n.replace(/^type /, "")).join(", ")} from "${x.module ?? from(x.file ?? "")}"`;
    }
    case "install":
      return `adds \`${render((e as InstallEdit).code, "edits.code")}\` after \`new Bot(…)\`, before your own handlers`;
    case "set-error-handler":
      return `sets \`${bot}.catch(${(e as SetErrorHandlerEdit).handler})\` (kept as it is when the bot already has an error handler)`;
    case "extend-context": {
      const x = e as ExtendContextEdit;
      const flavor = render(x.flavor, "edits.flavor");
      return x.wrap ? `wraps your context type in ${flavor.replace(/<.*$/, "")}<…>` : `adds ${flavor} to your context type (or creates \`type MyContext = Context & ${flavor}\`)`;
    }
    case "wrap-handlers": {
      const x = e as WrapHandlersEdit;
      return `wraps the handlers of the commands you give in ${x.commands} with \`${render(x.wrapper, "edits.wrapper")}(…)\``;
    }
    case "replace-start":
      return `replaces \`${bot}.start()\` with \`${render((e as ReplaceStartEdit).code, "edits.code")}\` (the options you pass to start are kept)`;
    case "ignore-path": {
      const x = e as IgnorePathEdit;
      return `adds ${render(x.path, "edits.path")}${x.folder ? "/" : ""} to .gitignore`;
    }
    case "on-start":
      return `runs \`${render(e.code ?? "", "edits.code")}\` once the bot has started`;
    case "on-stop":
      return `runs \`${render(e.code ?? "", "edits.code")}\` when the bot stops (on shutdown)`;
    default:
      return "code" in e && typeof e.code === "string" ? `adds \`${render(e.code, "edits.code")}\`` : `changes ${botFile}`;
  }
}

/** A manifest `when` in words: "when mode is wrapper or both", "when the bot is served by webhook". */
export function conditionWords(when: Condition, questions: Question[]): string {
  const parts = Object.entries(when).map(([key, expected]) => {
    const values = (Array.isArray(expected) ? expected : [expected]).map((v) => (v === null ? "absent" : String(v)));
    if (!key.startsWith("facts.")) {
      const q = questions.find((x) => x.name === key);
      if (q?.type === "boolean") return values.includes("true") ? `${key} is on` : `${key} is off`;
      return `${key} is ${values.join(" or ")}`;
    }
    const fact = key.slice(6);
    if (fact === "served") return `the bot is served by ${values.join(" or ")}`;
    if (fact === "moduleKind") return `the project is ${values.map((v) => (v === "esm" ? "ESM" : "CommonJS")).join(" or ")}`;
    if (fact.startsWith("major:")) {
      const name = fact.slice(6);
      return values.map((v) => (v === "absent" ? `${name} is not installed` : `${name} ${v}.x is installed`)).join(" or ");
    }
    return `the project's ${fact} is ${values.join(" or ")}`;
  });
  return `when ${parts.join(" and ")}`;
}

/**
 * The project in the current folder, when it has one bot the text scan can
 * see: its bot file, variable and module kind make the paths `show` prints
 * the ones `add` would write. No compiler is loaded; anything unclear falls
 * back to a typical project.
 */
async function projectHere(): Promise<{ facts: Record<string, JsonValue> } | undefined> {
  const root = await grammyProjectRoot();
  if (!root) return undefined;
  try {
    const project = (await import("../project/scan-project.js")).scanProject(root);
    const bots = project.candidates.filter((f) => /\bnew\s+Bot\s*[<(]/.test(project.texts.get(f) ?? ""));
    if (bots.length !== 1) return undefined;
    const botFile = bots[0]!;
    const variable = /\b(?:const|let|var)\s+([\w$]+)\s*(?::[^=]+)?=\s*new\s+Bot\s*[<(]/.exec(project.texts.get(botFile) ?? "")?.[1];
    const dir = posix.dirname(botFile);
    return {
      facts: { ...(await previewFacts()), bot: variable ?? "bot", botFile, served: project.served, moduleKind: project.moduleKind, recipesDir: dir === "." ? "recipes" : `${dir}/recipes` },
    };
  } catch {
    return undefined;
  }
}

/** The root of the project in the current folder when its package.json depends on grammy (where `show` renders for that project); else undefined. */
async function grammyProjectRoot(): Promise<string | undefined> {
  const { findProjectRoot } = await import("../project/project-root.js");
  try {
    const root = findProjectRoot(process.cwd());
    if (!root) return undefined;
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, unknown> };
    return pkg.dependencies?.grammy === undefined ? undefined : root;
  } catch {
    return undefined;
  }
}

/**
 * False when no package.json at or above the current folder depends on
 * grammy: whichever of them is the project's (grammyProjectRoot), `show`
 * renders for a typical project. True when one does or cannot be read (then
 * `show` renders as it always did, and finds out). Without loading the
 * project modules, which import node:fs.
 */
function maybeInGrammyProject(): boolean {
  try {
    for (let dir = resolve(process.cwd()); ; dir = dirname(dir)) {
      const file = join(dir, "package.json");
      if (lstatSync(file, { throwIfNoEntry: false }) !== undefined) {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, unknown> } | null;
        if (pkg?.dependencies?.grammy !== undefined) return true;
      }
      if (dirname(dir) === dir) return false;
    }
  } catch {
    return true;
  }
}

/**
 * Writes a snippet's code to `file`, or into `file` when it is a folder
 * (under the snippet's own file name), in the style of the project the file
 * is in (quotes, semicolons, indent, line ends: those of the file being
 * replaced, else of the project's files). An existing different file is only
 * replaced with `force`.
 */
async function copySnippet(ref: string, files: Array<{ target: string; content: string }>, file: string, force: boolean): Promise<void> {
  if (files.length !== 1) throw usageError(`the snippet "${ref}" has ${files.length} files; --copy-to writes one`, "print it with `create-bot-snippet show` and copy the parts");
  const { target: name, content: canonical } = files[0]!;
  let target = resolve(file);
  if (file.endsWith("/") || (existsSync(target) && statSync(target).isDirectory())) target = join(target, basename(name));
  const shown = relative(process.cwd(), target) || target;
  const before = existsSync(target) ? readFileSync(target, "utf8") : undefined;
  // Rooted at the nearest folder that exists: the commit creates the ones missing on the way.
  let root = dirname(target);
  while (!existsSync(root) && dirname(root) !== root) root = dirname(root);
  const style = await styleFor(root, before);
  const content = style ? (await import("../ast/apply-style.js")).applyStyle(canonical, style) : canonical;
  if (before === content) {
    process.stderr.write(`${color.dim("unchanged", process.stderr)} ${shown}\n`);
    return;
  }
  if (before !== undefined && !force) throw usageError(`${shown} exists and differs from the snippet`, "pass --force to replace it, or choose another file");
  const path = relative(root, target).split(sep).join("/");
  (await import("../engine/commit.js")).commitChanges(root, [{ path, kind: before === undefined ? "create" : "update", before, after: content }]);
  const how = style ? ` (${style.quote === "'" ? "single" : "double"} quotes, ${style.semicolons ? "semicolons" : "no semicolons"}, ${style.indent === "\t" ? "tabs" : `${style.indent.length}-space indent`}: the project's style)` : "";
  process.stderr.write(`${color.green("wrote", process.stderr)} ${shown}${how}\n`);
}

/** The style to write in at `dir`: the replaced file's, else its project's; undefined outside a project with TypeScript files. */
async function styleFor(dir: string, before: string | undefined): Promise<CodeStyle | undefined> {
  const root = (await import("../project/project-root.js")).findProjectRoot(dir);
  let projectStyle: CodeStyle | undefined;
  if (root) {
    try {
      const project = (await import("../project/scan-project.js")).scanProject(root);
      if (project.texts.size > 0) projectStyle = project.style;
    } catch {
      projectStyle = undefined; // an unreadable project: its style is unknown, the snippet is written as it is
    }
  }
  if (before !== undefined && before.trim() !== "") {
    const { detectCodeStyle, defaultStyle } = await import("../project/code-style.js");
    return detectCodeStyle(before, projectStyle ?? defaultStyle);
  }
  return projectStyle;
}
