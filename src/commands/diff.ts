import { createTwoFilesPatch } from "diff";
import { failure } from "../core/errors.js";
import { locateBot, templateFacts } from "../engine/plan.js";
import { catalogueRecipe, generatedFiles, readRecord, recordedFor, refOf } from "../lifecycle/installed.js";
import { planUpdate, updateAnswers } from "../lifecycle/plan-update.js";
import { scanProject } from "../project/scan-project.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import { recipeVersion } from "../record/recipe-version.js";
import { BASE_DIR, RECORD_FILE } from "../record/record-file.js";
import { color } from "../ui/colors.js";

export interface DiffOptions {
  /** The project root. */
  cwd: string;
  /** What the catalogue's newer version would change, instead of the user's changes. */
  upstream?: boolean;
  templates?: string[];
  bot?: string;
  bundledDir?: string;
}

/** A unified diff of one file, coloured for a terminal; "" when the texts are equal. */
export function unifiedDiff(from: string, to: string, before: string, after: string, stream: NodeJS.WriteStream = process.stdout): string {
  const a = before.replace(/\r\n/g, "\n");
  const b = after.replace(/\r\n/g, "\n");
  if (a === b) return "";
  const patch = createTwoFilesPatch(from, to, a, b, undefined, undefined, { context: 3 });
  return `${patch
    .split("\n")
    .slice(1)
    .filter((line, i, all) => line !== "" || i < all.length - 1)
    .map((line) =>
      line.startsWith("+++") || line.startsWith("---")
        ? color.bold(line, stream)
        : line.startsWith("+")
          ? color.green(line, stream)
          : line.startsWith("-")
            ? color.red(line, stream)
            : line.startsWith("@@")
              ? color.cyan(line, stream)
              : line,
    )
    .join("\n")}\n`;
}

/**
 * `diff <recipe>`: the user's changes to the recipe's generated files since
 * `add` (base copy → file), or with `--upstream` what `update` would bring
 * (base copy → the newer version rendered with the recorded answers, and the
 * edits it would make to the project's own files). Prints the diff on stdout;
 * returns it.
 */
export async function diffCommand(ref: string, options: DiffOptions): Promise<string> {
  const root = options.cwd;
  const record = readRecord(root);
  const catalogue = loadCatalogue(options.templates ?? [], ...(options.bundledDir ? [options.bundledDir] : []));
  const recorded = recordedFor(record, catalogue, ref, "diff");
  const name = refOf(recorded);
  let out = "";
  if (!options.upstream) {
    for (const f of generatedFiles(root, recorded)) {
      if (f.state === "unchanged") continue;
      if (f.base === undefined) {
        process.stderr.write(`${color.yellow("warning")}: ${f.path}: no base copy in ${BASE_DIR}/ to compare with; it differs from what was generated\n`);
        continue;
      }
      out += unifiedDiff(`a/${f.path}`, f.state === "missing" ? "/dev/null" : `b/${f.path}`, f.base, f.text ?? "");
    }
    if (out === "") process.stderr.write(`${name}: no changes to its generated files since it was added\n`);
    process.stdout.write(out);
    return out;
  }

  const recipe = catalogueRecipe(catalogue, recorded);
  if (!recipe) throw failure(`${name}: its pack "${recorded.pack}" is not loaded, so there is no newer version to compare with`, "pass the pack with --templates <dir>");
  const latest = recipeVersion(recipe);
  if (latest === recorded.version) {
    process.stderr.write(`${name}: up to date (${latest}); no upstream changes\n`);
    return "";
  }
  const project = scanProject(root);
  const answers = await updateAnswers(recipe, recorded.answers, templateFacts(project, locateBot(project, options.bot)));
  const { plan, pristine } = planUpdate(project, [{ recipe, recorded, answers }], catalogue.recipes, { ...(options.bot !== undefined && { bot: options.bot }), upgrade: true });
  const files = generatedFiles(root, recorded);
  for (const p of pristine) {
    const base = files.find((f) => f.path === p.path)?.base;
    out += unifiedDiff(base === undefined ? "/dev/null" : `a/${p.path}`, `b/${p.path}`, base ?? "", p.text);
  }
  // The edits it would make to the project's own files (a new install line, a changed import).
  const generated = new Set(pristine.map((p) => p.path));
  for (const c of plan.changes) {
    if (generated.has(c.path) || c.path === RECORD_FILE || c.path.startsWith(`${BASE_DIR}/`)) continue;
    out += unifiedDiff(c.before === undefined ? "/dev/null" : `a/${c.path}`, `b/${c.path}`, c.before ?? "", c.after);
  }
  process.stderr.write(`${name}: ${recorded.version} → ${latest}${out === "" ? ": no change to its files" : ""}\n`);
  process.stdout.write(out);
  return out;
}
