import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { usageError } from "../core/errors.js";
import { commitChanges } from "../engine/commit.js";
import { conditionHolds, resolveAnswers } from "../recipes/answers.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import type { JsonValue } from "../recipes/manifest.js";
import { exampleAnswers } from "../recipes/example-answers.js";
import { typicalFacts } from "../recipes/typical-facts.js";
import { renderString, renderTemplateFile } from "../render/render-recipe.js";
import { color } from "../ui/colors.js";

/** Facts of a typical project, for previews outside a project. */
export const previewFacts: Record<string, JsonValue> = { ...typicalFacts };

export interface ShowOptions {
  json?: boolean;
  templates?: string[];
  /** Write the snippet to this file instead of printing it. */
  copyTo?: string;
  /** With `copyTo`: replace a file that exists. */
  force?: boolean;
}

export async function showCommand(ref: string, options: ShowOptions): Promise<void> {
  const recipe = loadCatalogue(options.templates ?? []).get(ref);
  const { manifest } = recipe;
  const snippet = manifest.kind === "snippet";
  if (options.copyTo !== undefined && !snippet) {
    throw usageError(`--copy-to writes snippets; "${recipe.ref}" is a recipe`, `add it to your bot with \`create-bot-snippet add ${recipe.ref}\`, which also wires it in`);
  }
  const given = exampleAnswers(manifest.questions);
  const answers = await resolveAnswers(manifest, { given, facts: previewFacts });
  const view = { ...previewFacts, ...answers };
  const files = manifest.files
    .filter((f) => conditionHolds(f.when, answers, previewFacts))
    .map((f) => ({ target: renderString(recipe, f.target, view, "files.target"), content: renderTemplateFile(recipe, f.template, view) })); // templates are in the canonical style already

  if (options.copyTo !== undefined) {
    copySnippet(recipe.ref, files, options.copyTo, options.force === true);
    return;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...manifest, ref: recipe.ref, preview: files }, null, 2)}\n`);
    return;
  }
  const out = process.stdout;
  if (snippet) {
    // A snippet is code to paste: its description, then the code, nothing to answer or wire.
    const head = [
      `${color.bold(manifest.title, out)} ${color.dim(`(snippet ${recipe.ref}; seeds ${manifest.seeds.join(", ")})`, out)}`,
      "",
      manifest.description,
      "",
      color.dim(`Paste it, or write it to a file: create-bot-snippet show ${recipe.ref} --copy-to src/${files[0]?.target ?? `${manifest.id}.ts`}`, out),
    ];
    const code = files.map((f) => (files.length > 1 ? `${color.bold(f.target, out)}\n${f.content}` : f.content));
    out.write(`${[...head, "", ...code].join("\n").replace(/\n*$/, "\n")}`);
    return;
  }
  const lines = [
    `${color.bold(manifest.title, out)} ${color.dim(`(${recipe.ref}; seeds ${manifest.seeds.join(", ")})`, out)}`,
    "",
    manifest.description,
    "",
    color.bold("Questions", out),
    ...manifest.questions.map((q) => {
      const detail = q.type === "select" || q.type === "multiselect" ? ` [${q.choices.map((c) => c.value).join(" | ")}]` : q.type === "list" ? ` [list of ${q.of}s]` : ` [${q.type}]`;
      const def = q.default === undefined ? color.yellow(" (required)", out) : ` default: ${JSON.stringify(q.default)}`;
      return `  --set ${q.name}=…${detail}${def}\n      ${q.message}`;
    }),
    "",
    color.bold("Files", out),
    ...manifest.files.map((f) => `  ${f.target}${f.when ? color.dim(` when ${JSON.stringify(f.when)}`, out) : ""}`),
    ...(manifest.dependencies?.length ? ["", color.bold("Dependencies", out), ...manifest.dependencies.map((d) => `  ${d.name}@${d.version}${d.when ? color.dim(` when ${JSON.stringify(d.when)}`, out) : ""}`)] : []),
    "",
    color.bold("Wiring", out),
    ...manifest.edits.map((e) => `  ${e.op}${"code" in e ? `: ${e.code}` : "handler" in e ? `: bot.catch(${e.handler})` : "flavor" in e ? `: ${e.flavor}` : "named" in e ? `: ${e.named.join(", ")}` : ""}`),
  ];
  for (const f of files) lines.push("", color.bold(`Preview: ${f.target}`, out), f.content);
  out.write(`${lines.join("\n")}\n`);
}

/**
 * Writes a snippet's code to `file`, or into `file` when it is a folder
 * (under the snippet's own file name). An existing different file is only
 * replaced with `force`.
 */
function copySnippet(ref: string, files: Array<{ target: string; content: string }>, file: string, force: boolean): void {
  if (files.length !== 1) throw usageError(`the snippet "${ref}" has ${files.length} files; --copy-to writes one`, "print it with `create-bot-snippet show` and copy the parts");
  const { target: name, content } = files[0]!;
  let target = resolve(file);
  if (file.endsWith("/") || (existsSync(target) && statSync(target).isDirectory())) target = join(target, basename(name));
  const shown = relative(process.cwd(), target) || target;
  const before = existsSync(target) ? readFileSync(target, "utf8") : undefined;
  if (before === content) {
    process.stderr.write(`${color.dim("unchanged", process.stderr)} ${shown}\n`);
    return;
  }
  if (before !== undefined && !force) throw usageError(`${shown} exists and differs from the snippet`, "pass --force to replace it, or choose another file");
  // Rooted at the nearest folder that exists: the commit creates the ones missing on the way.
  let root = dirname(target);
  while (!existsSync(root) && dirname(root) !== root) root = dirname(root);
  const path = relative(root, target).split(sep).join("/");
  commitChanges(root, [{ path, kind: before === undefined ? "create" : "update", before, after: content }]);
  process.stderr.write(`${color.green("wrote", process.stderr)} ${shown}\n`);
}
