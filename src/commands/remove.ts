import { resolve } from "node:path";
import { runAddGate } from "../check/add-gate.js";
import { dropPrewarmed, prewarmCheck, willCheck } from "../check/api-checker.js";
import { commitChanges } from "../engine/commit.js";
import { Tree } from "../engine/tree.js";
import { planRemove, selectRecorded, type RemovePlan } from "../lifecycle/plan-remove.js";
import { planRecognisedRemove } from "../lifecycle/recognise.js";
import { readRecord } from "../lifecycle/record-io.js";
import { loadCatalogue } from "../recipes/catalogue.js";
import { findRecorded, isRecordPath, RECORD_FILE } from "../record/record-file.js";
import { CliError } from "../core/errors.js";
import { confirm } from "../ui/ask.js";
import { color } from "../ui/colors.js";
import { changesToJson, formatDiff } from "../ui/print-plan.js";
import { isInteractive } from "./add.js";

export interface RemoveOptions {
  cwd: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  /** Delete generated files the user changed too; write even when --check finds new type errors. */
  force?: boolean;
  templates?: string[];
  /** `--bot`, for a project without a record. */
  bot?: string;
  /** `--check`/`--no-check`: type-check the result before writing (default: when the project has typescript). */
  check?: boolean;
  verbose?: boolean;
}

/**
 * `remove <recipe…>`: the inverse of what `add` recorded, planned in one
 * Tree, checked with the gate of `add --check`, written in one commit. A
 * project without a record gets what can be inferred from the code.
 */
export async function removeCommand(refs: string[], options: RemoveOptions): Promise<void> {
  // The check before writing loads the project's compiler and parses the project while the removal is planned.
  if (willCheck(options)) prewarmCheck(resolve(options.cwd));
  try {
    await remove(refs, options);
  } finally {
    dropPrewarmed(); // a compiler process the gate did not take
  }
}

async function remove(refs: string[], options: RemoveOptions): Promise<void> {
  const catalogue = loadCatalogue(options.templates ?? []);
  const tree = new Tree(options.cwd);
  const record = readRecord(tree); // a corrupt record: one line, nothing written
  let plan: RemovePlan | undefined;
  if (record) {
    let recipes;
    try {
      recipes = selectRecorded(record, refs, catalogue);
    } catch (error) {
      // Recipes added before the project had a record are not in it: recognised from the code, like a project without one.
      if (!(error instanceof CliError) || refs.some((ref) => findRecorded(record, ref))) throw error;
      try {
        plan = planRecognisedRemove({ tree, refs, catalogue, force: options.force, ...(options.bot && { bot: options.bot }) });
      } catch {
        throw error;
      }
    }
    if (recipes) plan = planRemove({ tree, record, recipes, catalogue: catalogue.recipes, force: options.force });
  } else {
    plan = planRecognisedRemove({ tree, refs, catalogue, force: options.force, ...(options.bot && { bot: options.bot }) });
  }

  if (!plan) throw new Error("remove: no plan"); // unreachable: every branch plans or throws
  const nothing = plan.changes.length === 0;
  if (options.json) {
    const write = options.yes === true && !options.dryRun && !nothing;
    if (write) await runAddGate(options.cwd, plan, options);
    if (write) commitChanges(options.cwd, plan.changes);
    process.stdout.write(`${JSON.stringify(removalToJson(plan, write), null, 2)}\n`);
    if (!write && !nothing && !options.dryRun) process.stderr.write(color.dim("--json without --yes: nothing was written; add --yes to write the plan\n"));
    return;
  }
  const interactive = isInteractive(options);
  // Deleted files are listed by the summary, not printed line by line; the record's changes are one summary line too.
  const shown = plan.changes.filter((c) => c.kind !== "delete" && !isRecordPath(c.path));
  if ((options.dryRun || interactive) && shown.length > 0) process.stdout.write(`${formatDiff({ changes: shown }, process.stdout)}\n`);
  process.stderr.write(`${formatRemoval(plan)}\n`);
  if (nothing) {
    process.stderr.write("nothing to change\n");
    return;
  }
  if (options.dryRun) {
    process.stderr.write(color.dim("dry run: nothing was written\n"));
    return;
  }
  if (interactive && !(await confirm(`Remove ${plan.recipes.map((r) => r.ref).join(", ")} (${plan.changes.length} file(s))?`))) {
    process.stderr.write("nothing was written\n");
    return;
  }
  const log = (line: string) => process.stderr.write(`${color.dim(line)}\n`);
  await runAddGate(options.cwd, plan, options, log);
  commitChanges(options.cwd, plan.changes);
  const projectFiles = plan.changes.filter((c) => !isRecordPath(c.path)).length;
  const recordGone = plan.changes.some((c) => c.path === RECORD_FILE && c.kind === "delete");
  process.stderr.write(`${color.green("✓")} removed ${plan.recipes.map((r) => r.ref).join(", ")}: ${projectFiles} file(s) changed or deleted${recordGone ? `; no recipe left, so ${RECORD_FILE} and .bot-snippets/ are gone` : projectFiles < plan.changes.length ? `; ${RECORD_FILE} updated` : ""}\n`);
  if (plan.removedDependencies.length > 0) process.stderr.write(`  package.json no longer lists ${plan.removedDependencies.map((d) => d.name).join(", ")}: run your package manager's install (npm install) to take ${plan.removedDependencies.length === 1 ? "it" : "them"} out of node_modules\n`);
}


/** What the removal does, for the terminal: files, dependencies, files kept, steps left to the user, notes. */
export function formatRemoval(plan: RemovePlan): string {
  const lines: string[] = [];
  const word = { create: color.green("create"), update: color.yellow("update"), delete: color.red("delete") };
  for (const c of plan.changes.filter((c) => !isRecordPath(c.path))) lines.push(`  ${word[c.kind]} ${c.path}`);
  const recordChanges = plan.changes.filter((c) => isRecordPath(c.path));
  if (recordChanges.length > 0) lines.push(color.dim(`  ${recordChanges.some((c) => c.path === RECORD_FILE && c.kind === "delete") ? `delete ${RECORD_FILE} and .bot-snippets/ (no recipe left)` : `update ${RECORD_FILE}`}`));
  if (plan.removedDependencies.length > 0) lines.push(`  dependencies removed from package.json: ${plan.removedDependencies.map((d) => d.name).join(", ")}`);
  for (const d of plan.keptDependencies) lines.push(`  dependency kept: ${d.name} (${d.reason})`);
  for (const k of plan.kept) lines.push(`  ${color.yellow("kept")} ${k.path}: ${k.reason}`);
  if (plan.manual.length > 0) {
    lines.push(color.yellow("Left for you to do (not undone automatically, never guessed):"));
    for (const m of plan.manual) lines.push(`  ${m.file}${m.line ? `:${m.line}` : ""}: ${m.reason}\n${m.code.split("\n").map((l) => `      ${l}`).join("\n")}`);
  }
  for (const n of plan.notes) lines.push(color.dim(`  note: ${n}`));
  return lines.join("\n");
}

export function removalToJson(plan: RemovePlan, written: boolean): unknown {
  return {
    written,
    recipes: plan.recipes.map((r) => r.ref),
    changes: changesToJson(plan),
    kept: plan.kept,
    manual: plan.manual,
    dependencies: { removed: plan.removedDependencies, kept: plan.keptDependencies },
    notes: plan.notes,
  };
}
