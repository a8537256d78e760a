import { indexedRecipes } from "../recipes/catalogue-index.js";
import { color } from "../ui/colors.js";
import { stdoutForColor, writeOut } from "./fast-stdout.js";

/** One line per recipe; the seed codes (rows of the recipes catalogue) only with `verbose`. */
export async function listCommand(options: { json?: boolean; templates?: string[]; verbose?: boolean; installed?: boolean; cwd?: string }): Promise<void> {
  // `list --installed`: the recipes installed in the project, as `status` lists them.
  if (options.installed) {
    const at = (await import("../project/project-root.js")).locateProject(options.cwd ?? ".");
    if (at.notice) process.stderr.write(`${color.dim(at.notice)}\n`);
    (await import("./status.js")).statusCommand({ cwd: at.root, ...(options.json !== undefined && { json: options.json }), ...(options.templates && { templates: options.templates }) });
    return;
  }
  // The bundled recipes come from the catalogue index when it is current (no manifest validation to load and run); packs are read as always.
  const recipes = (!options.templates?.length && (await indexedRecipes())) || (await import("../recipes/catalogue.js")).loadCatalogue(options.templates ?? []).recipes;
  if (options.json) {
    const data = recipes.map(({ manifest, pack, ref }) => ({
      id: manifest.id,
      ref,
      pack,
      kind: manifest.kind ?? "recipe",
      title: manifest.title,
      description: manifest.description,
      seeds: manifest.seeds,
    }));
    writeOut(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const width = Math.max(...recipes.map((r) => r.ref.length), 4);
  const out = stdoutForColor();
  let text = ""; // one write: a write per line cost a system call each
  for (const kind of ["recipe", "snippet"] as const) {
    const group = recipes.filter((r) => (r.manifest.kind ?? "recipe") === kind);
    if (group.length === 0) continue;
    if (kind === "snippet") text += `\n${color.bold("Snippets (create-bot-snippet show <id>):", out)}\n`;
    for (const r of group) {
      const seeds = options.verbose && r.manifest.seeds.length > 0 ? ` ${color.dim(`(${r.manifest.seeds.join(", ")})`, out)}` : "";
      text += `${color.cyan(r.ref.padEnd(width), out)}  ${r.manifest.title}${seeds}\n`;
    }
  }
  writeOut(text);
}
