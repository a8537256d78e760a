import { resolve } from "node:path";
import { runAddGate } from "../check/add-gate.js";
import { dropPrewarmed, prewarmCheck, willCheck } from "../check/api-checker.js";
import { failure } from "../core/errors.js";
import { commitChanges } from "../engine/commit.js";
import { installFailure } from "../engine/install-dependencies.js";
import { locateBot, templateFacts } from "../engine/plan.js";
import { catalogueRecipe, readRecord, recordedFor, refOf } from "../lifecycle/installed.js";
import { planUpdate, updateAnswers, type FileMerge, type UpdateTarget } from "../lifecycle/plan-update.js";
import { scanProject } from "../project/scan-project.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import { recipeVersion } from "../record/recipe-version.js";
import type { RecordedRecipe } from "../record/record-file.js";
import { confirm, promptAsk } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { formatDiff, formatSummary } from "../ui/print-plan.js";
import { installAdded, isInteractive } from "./add.js";

export interface UpdateOptions {
  /** The project root. */
  cwd: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  templates?: string[];
  /** `--check`/`--no-check`: type-check the result before writing (default: when the project has typescript). */
  check?: boolean;
  /** Write even when the check finds new type errors. */
  force?: boolean;
  bot?: string;
  upgrade?: boolean;
  pm?: string;
  /** `--no-install` sets false. */
  install?: boolean;
  /** The bundled templates folder (tests pass a copy with a changed recipe). */
  bundledDir?: string;
}

const stateLabel: Record<FileMerge["state"], string> = {
  unchanged: "unchanged",
  updated: "updated",
  merged: "merged (your changes kept)",
  conflict: "CONFLICT",
  created: "created (new in this version)",
  "kept-deleted": "not re-created (you deleted it)",
};

/**
 * `update [recipe…]`: re-renders installed recipes at the catalogue's version
 * with their recorded answers and three-way merges every generated file
 * (base copy, the user's file, the new rendering). Clean merges are written;
 * conflicts only with the user's agreement (--yes, or yes at the prompt),
 * with conflict markers, and the command then fails (exit 1) listing them.
 * Everything is one commit, type-checked first when nothing conflicts.
 */
export async function updateCommand(refs: string[], options: UpdateOptions): Promise<void> {
  try {
    await update(refs, options);
  } finally {
    dropPrewarmed(); // a compiler process the gate did not take
  }
}

async function update(refs: string[], options: UpdateOptions): Promise<void> {
  const root = options.cwd;
  const record = readRecord(root);
  const catalogue = loadCatalogue(options.templates ?? [], ...(options.bundledDir ? [options.bundledDir] : []));
  const named = [...new Set(refs)].map((ref) => recordedFor(record, catalogue, ref, "update"));
  const entries: RecordedRecipe[] = named.length > 0 ? [...new Set(named)] : (record?.recipes ?? []);
  const targets: Array<Omit<UpdateTarget, "answers">> = [];
  for (const recorded of entries) {
    const recipe = catalogueRecipe(catalogue, recorded);
    if (!recipe) {
      if (named.length > 0) throw failure(`${refOf(recorded)}: its pack "${recorded.pack}" is not loaded, so there is no version to update to; nothing was written`, "pass the pack with --templates <dir>");
      continue;
    }
    if (recipeVersion(recipe) === recorded.version) {
      if (named.length > 0) process.stderr.write(`${refOf(recorded)}: up to date (${recorded.version})\n`);
      continue;
    }
    targets.push({ recipe, recorded });
  }
  if (targets.length === 0) {
    if (options.json) process.stdout.write(`${JSON.stringify({ written: false, recipes: [], files: [], conflicts: [] }, null, 2)}\n`);
    if (named.length === 0) process.stderr.write(record ? "every installed recipe is up to date\n" : "no recipes are recorded in this project; nothing to update\n");
    return;
  }

  // The check before writing loads the project's compiler and parses the project while the update is planned.
  if (willCheck(options)) prewarmCheck(resolve(root));
  const interactive = isInteractive(options);
  const project = scanProject(root);
  const facts = templateFacts(project, locateBot(project, options.bot));
  const withAnswers: UpdateTarget[] = [];
  for (const t of targets) withAnswers.push({ ...t, answers: await updateAnswers(t.recipe, t.recorded.answers, facts, interactive ? promptAsk(t.recipe.ref) : undefined) });
  const { plan, files, conflicts, replaced } = planUpdate(project, withAnswers, catalogue.recipes, {
    ...(options.bot !== undefined && { bot: options.bot }),
    ...(options.upgrade !== undefined && { upgrade: options.upgrade }),
  });
  const versions = withAnswers.map((t) => ({ ref: refOf(t.recorded), from: t.recorded.version, to: recipeVersion(t.recipe) }));
  const conflictList = conflicts.map((c) => `${c.path} (${c.conflicts} conflict${c.conflicts === 1 ? "" : "s"})`).join(", ");

  if (options.json) {
    const write = options.yes === true && !options.dryRun;
    if (write && conflicts.length === 0) await runAddGate(root, plan, options);
    if (write) commitChanges(root, plan.changes);
    const install = write ? await installAdded(root, plan, options) : undefined;
    const changes = plan.changes.map((c) => ({ path: c.path, kind: c.kind, before: c.before ?? null, after: c.after }));
    process.stdout.write(`${JSON.stringify({ written: write, recipes: versions, files, conflicts, replaced, changes, dependencies: plan.dependencies, notes: plan.notes, ...(install && { install }) }, null, 2)}\n`);
    if (conflicts.length > 0) throw failure(`${conflicts.length} file(s) ${write ? "written with conflict markers" : "would conflict"}: ${conflictList}`);
    if (!write && !options.dryRun) process.stderr.write(color.dim("--json without --yes: nothing was written; add --yes to write it\n"));
    return;
  }

  for (const v of versions) process.stderr.write(`${color.bold(v.ref)} ${v.from} → ${v.to}\n`);
  for (const f of files) {
    const label = f.state === "conflict" ? color.red(`${stateLabel.conflict} (${f.conflicts})`) : f.state === "merged" ? color.green(stateLabel.merged) : stateLabel[f.state];
    process.stderr.write(`  ${f.path}: ${label}\n`);
  }
  for (const line of replaced) process.stderr.write(`  ${line}: replaced by the new version's line\n`);
  if (options.dryRun || interactive) process.stdout.write(`${formatDiff(plan, process.stdout)}\n`);
  const summary = formatSummary({ ...plan, notes: [] }, process.stderr);
  if (summary) process.stderr.write(`${summary}\n`);
  if (options.dryRun) {
    process.stderr.write(color.dim("dry run: nothing was written\n"));
    if (conflicts.length > 0) throw failure(`${conflicts.length} file(s) would conflict: ${conflictList}`, "`update --yes` writes them with conflict markers for you to resolve");
    return;
  }
  if (conflicts.length > 0 && !options.yes) {
    const agreed = interactive && (await confirm(`${conflicts.length} file(s) conflict with your changes: write ${plan.changes.length} file(s), those with conflict markers to resolve by hand?`));
    if (!agreed) {
      throw failure(
        `${conflicts.length} file(s) conflict with your changes: ${conflictList}; nothing was written`,
        "`update --yes` writes them with conflict markers (<<<<<<< yours … >>>>>>> recipe) to resolve by hand; `diff <recipe> --upstream` shows the recipe's change",
      );
    }
  } else if (interactive && conflicts.length === 0 && !(await confirm(`Write ${plan.changes.length} file(s)?`))) {
    process.stderr.write("nothing was written\n");
    return;
  }
  const log = (line: string) => process.stderr.write(`${color.dim(line)}\n`);
  // Conflict markers never type-check: the gate runs on clean merges only.
  if (conflicts.length === 0) await runAddGate(root, plan, options, log);
  else log("not type-checked: files with conflict markers do not compile until you resolve them");
  commitChanges(root, plan.changes);
  process.stderr.write(`${color.green("✓")} updated ${versions.map((v) => v.ref).join(", ")}: wrote ${plan.changes.length} file(s)\n`);
  const install = await installAdded(root, plan, options);
  if (conflicts.length > 0) {
    throw failure(`${conflicts.length} file(s) written with conflict markers: ${conflictList}`, "resolve the <<<<<<< yours / >>>>>>> blocks (keep what you need), then remove the markers");
  }
  if (install?.status === "failed") throw installFailure(root, install);
}
