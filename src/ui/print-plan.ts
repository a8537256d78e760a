import { createTwoFilesPatch } from "diff";
import type { Plan } from "../engine/plan-types.js";
import { color } from "./colors.js";
import { isRecordPath, RECORD_FILE } from "../record/record-file.js";

/** A unified diff of every planned change, coloured for a terminal (a created file from /dev/null, a deleted one to it). */
export function formatDiff(plan: Pick<Plan, "changes">, stream: NodeJS.WriteStream): string {
  const out: string[] = [];
  // The record and its base copies are bookkeeping: one line in the summary, no diff.
  for (const change of plan.changes.filter((c) => !isRecordPath(c.path))) {
    const before = (change.before ?? "").replace(/\r\n/g, "\n");
    const after = change.after.replace(/\r\n/g, "\n");
    const patch = createTwoFilesPatch(
      change.kind === "create" ? "/dev/null" : `a/${change.path}`,
      change.kind === "delete" ? "/dev/null" : `b/${change.path}`,
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    );
    for (const line of patch.split("\n").slice(1)) {
      if (line.startsWith("+++") || line.startsWith("---")) out.push(color.bold(line, stream));
      else if (line.startsWith("+")) out.push(color.green(line, stream));
      else if (line.startsWith("-")) out.push(color.red(line, stream));
      else if (line.startsWith("@@")) out.push(color.cyan(line, stream));
      else out.push(line);
    }
  }
  return out.join("\n");
}

/** A short summary: files, dependencies, manual steps, notes (each once; `notes: false` leaves them out). */
export function formatSummary(plan: Plan, stream: NodeJS.WriteStream, options: { notes?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(...formatChanges({ changes: plan.changes.filter((c) => !isRecordPath(c.path)) }, stream));
  const bookkeeping = plan.changes.filter((c) => isRecordPath(c.path));
  if (bookkeeping.length > 0) lines.push(`  ${color.dim("record", stream)} ${RECORD_FILE} (what this change did, with ${bookkeeping.filter((c) => c.path !== RECORD_FILE).length} base copies in .bot-snippets/)`);
  for (const s of plan.skipped) lines.push(`  ${color.yellow("skip", stream)}   ${s.path}: ${s.reason}`);
  for (const d of plan.dependencies) {
    if (d.status === "added") lines.push(`  ${color.green("dep", stream)}    ${d.name}@${d.version}${d.dev ? " (dev)" : ""}`);
    if (d.status === "upgraded") lines.push(`  ${color.yellow("dep", stream)}    ${d.name}: ${d.existing ?? "(not in package.json)"} → ${d.version}`);
    if (d.status === "conflict") lines.push(`  ${color.red("dep", stream)}    ${d.name}: package.json has ${d.existing}, the recipe needs ${d.version}; not changed, resolve it yourself`);
  }
  if (plan.manual.length > 0) {
    lines.push("", color.bold("Add by hand:", stream));
    for (const m of plan.manual) {
      lines.push(`  ${m.file}${m.line ? `:${m.line}` : ""} (${m.recipe}): ${m.reason}`);
      lines.push(`    ${color.cyan(m.code, stream)}`);
    }
  }
  const notes = uniqueNotes(plan.notes);
  if (options.notes !== false && notes.length > 0) {
    lines.push("", color.bold("Notes:", stream));
    for (const n of notes) lines.push(`  - ${n}`);
  }
  return lines.join("\n");
}

/** One line per changed file: `create` (green), `update` (yellow), `delete` (red), then its path. */
export function formatChanges(plan: Pick<Plan, "changes">, stream: NodeJS.WriteStream): string[] {
  const word = { create: color.green("create", stream), update: color.yellow("update", stream), delete: color.red("delete", stream) };
  return plan.changes.map((c) => `  ${word[c.kind]} ${c.path}`);
}

/** The changes as plain data for `--json`: `before` null for a created file, `after` null for a deleted one. */
export function changesToJson(plan: Pick<Plan, "changes">): unknown[] {
  return plan.changes.map((c) => ({ path: c.path, kind: c.kind, before: c.before ?? null, after: c.kind === "delete" ? null : c.after }));
}

/** The plan as plain data for `--json`. */
export function planToJson(plan: Plan, written: boolean): unknown {
  return {
    written,
    bot: plan.bot,
    recipes: plan.recipes,
    changes: changesToJson(plan),
    skipped: plan.skipped,
    manual: plan.manual,
    dependencies: plan.dependencies,
    notes: uniqueNotes(plan.notes),
  };
}

/** The files a plan writes in the user's project, besides the record. */
export const projectFileCount = (plan: Plan): number => plan.changes.filter((c) => !isRecordPath(c.path)).length;

/** Notes in order, each once (two recipes, or two edits of one, can say the same thing). */
export function uniqueNotes(notes: string[]): string[] {
  return [...new Set(notes)];
}
