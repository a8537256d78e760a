import { writeFileSync } from "node:fs";
import { applyStyle } from "../ast/apply-style.js";
import { defaultStyle } from "../project/code-style.js";
import { conditionHolds, resolveAnswers } from "../recipes/answers.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import type { JsonValue } from "../recipes/manifest.js";
import { exampleAnswers } from "../recipes/example-answers.js";
import { renderString, renderTemplateFile } from "../render/render-recipe.js";
import { color } from "../ui/colors.js";

/** Facts of a typical project, for previews outside a project. */
export const previewFacts: Record<string, JsonValue> = {
  bot: "bot",
  botFile: "src/bot.ts",
  contextType: "Context",
  served: "polling",
  moduleKind: "esm",
  recipesDir: "src/recipes",
};

export async function showCommand(ref: string, options: { json?: boolean; templates?: string[]; copyTo?: string }): Promise<void> {
  const recipe = loadCatalogue(options.templates ?? []).get(ref);
  const { manifest } = recipe;
  const given = exampleAnswers(manifest.questions);
  const answers = await resolveAnswers(manifest, { given, facts: previewFacts });
  const view = { ...previewFacts, ...answers };
  const files = manifest.files
    .filter((f) => conditionHolds(f.when, answers, previewFacts))
    .map((f) => ({ target: renderString(recipe, f.target, view, "files.target"), content: applyStyle(renderTemplateFile(recipe, f.template, view), defaultStyle) }));

  if (options.copyTo && files[0]) {
    writeFileSync(options.copyTo, files[0].content);
    process.stderr.write(`wrote ${options.copyTo}\n`);
    return;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...manifest, ref: recipe.ref, preview: files }, null, 2)}\n`);
    return;
  }
  const out = process.stdout;
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
