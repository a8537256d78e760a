import { join } from "node:path";
import { readTextFile } from "../core/regular-file.js";
import { sha256 } from "../engine/journal.js";
import { planAdd, type PlanRequest } from "../engine/plan.js";
import type { Plan } from "../engine/plan-types.js";
import type { FileChange } from "../engine/tree.js";
import type { ProjectFacts } from "../project/project-facts.js";
import { resolveAnswers, type AskFn } from "../recipes/answers.js";
import type { Answers, JsonValue, Recipe } from "../recipes/manifest.js";
import { recipeVersion } from "../record/recipe-version.js";
import { basePath, emptyRecord, parseRecord, RECORD_FILE, serializeRecord, type RecordedRecipe } from "../record/record-file.js";
import { refOf } from "./installed.js";
import { eolOf, merge3 } from "./merge3.js";
import { replaceSupersededEdits } from "./superseded-edits.js";

// === Planning an `update` ===
//
//   recorded answers ──► planAdd of the new recipe version ──► generatedFile hook: each generated file is the
//   (+ new questions)    (shared edits re-applied: the ops      three-way merge of its base copy, the user's
//                         are idempotent)                      file and the new rendering ──► record renewed

/**
 * The answers of the new version: the recorded ones it still asks, and its
 * new questions asked (`ask`) or defaulted. Answers to questions it no longer
 * has are dropped.
 */
export async function updateAnswers(recipe: Recipe, recorded: Answers, facts: Record<string, JsonValue>, ask?: AskFn): Promise<Answers> {
  const names = new Set(recipe.manifest.questions.map((q) => q.name));
  const given = Object.fromEntries(Object.entries(recorded).filter(([k]) => names.has(k)));
  return resolveAnswers(recipe.manifest, { given, facts, ...(ask && { ask }) });
}

export type MergeState = "unchanged" | "updated" | "merged" | "conflict" | "created" | "kept-deleted";

export interface FileMerge {
  path: string;
  /** The recipe's ref. */
  recipe: string;
  state: MergeState;
  conflicts: number;
}

export interface UpdateTarget {
  recipe: Recipe;
  recorded: RecordedRecipe;
  answers: Answers;
}

export interface UpdatePlan {
  plan: Plan;
  files: FileMerge[];
  /** Files written with conflict markers if the plan is committed. */
  conflicts: FileMerge[];
  /** The new version's pristine rendering of every generated file (what the base copies become). */
  pristine: Array<{ path: string; recipe: string; text: string }>;
  /** Lines of the old version in the user's files that the new version's differently written ones replaced (`file: line`). */
  replaced: string[];
}

/**
 * Plans the update of installed recipes to the catalogue's versions: an
 * `add` of each with its answers (which re-applies the edits to shared files
 * idempotently), every generated file replaced by the three-way merge of its
 * base copy, the user's file and the new rendering, and the record entry
 * renewed (version, answers, hashes and base copies of the new rendering).
 */
export function planUpdate(project: ProjectFacts, targets: UpdateTarget[], catalogue: Recipe[], options: { bot?: string; upgrade?: boolean } = {}): UpdatePlan {
  const root = project.root;
  const files: FileMerge[] = [];
  const pristine: UpdatePlan["pristine"] = [];
  const byRecipe = new Map(targets.map((t) => [t.recipe, t]));
  const generatedFile = (path: string, theirs: string, recipe: Recipe): string | undefined => {
    const t = byRecipe.get(recipe);
    if (!t) return undefined;
    const ref = refOf(t.recorded);
    pristine.push({ path, recipe: ref, text: theirs });
    const ours = readTextFile(join(root, path), path);
    const recordedHash = t.recorded.files.find((f) => f.path === path)?.hash;
    if (ours === undefined) {
      // Generated before and deleted by the user since: left deleted (dropped from the plan below). New in this version: created.
      files.push({ path, recipe: ref, state: recordedHash === undefined ? "created" : "kept-deleted", conflicts: 0 });
      return theirs;
    }
    // The base copy; without one, the user's file is the base when it is still as generated, else nothing is (every difference conflicts).
    const base = readTextFile(join(root, basePath(path)), basePath(path)) ?? (recordedHash === sha256(ours) ? ours : "");
    const result = merge3(base, ours, theirs, { ours: "yours", base: `${ref} ${t.recorded.version}`, theirs: `${ref} ${recipeVersion(t.recipe)}` });
    const state: MergeState = result.conflicts > 0 ? "conflict" : result.text === ours ? "unchanged" : result.text === theirs ? "updated" : "merged";
    files.push({ path, recipe: ref, state, conflicts: result.conflicts });
    return result.text;
  };
  const request: PlanRequest = {
    project,
    recipes: targets.map((t) => ({ recipe: t.recipe, answers: t.answers })),
    catalogue,
    record: true,
    // The recipe is installed: the user accepted its needs when adding it.
    acceptNeeds: true,
    generatedFile,
    ...(options.bot !== undefined && { bot: options.bot }),
    ...(options.upgrade !== undefined && { upgrade: options.upgrade }),
  };
  const plan = planAdd(request);
  const keptDeleted = new Set(files.filter((f) => f.state === "kept-deleted").map((f) => f.path));
  plan.changes = plan.changes.filter((c) => !(keptDeleted.has(c.path) && c.kind === "create"));
  // A line the new version writes differently replaces the old one instead of joining it.
  const generated = new Set(pristine.map((p) => p.path));
  const replaced = targets.flatMap((t) => replaceSupersededEdits(plan, t.recorded, generated));
  renewRecord(root, plan, targets, pristine);
  return { plan, files, conflicts: files.filter((f) => f.state === "conflict"), pristine, replaced };
}

/**
 * The record after an update, whatever the merge did to the user's files:
 * each updated recipe's entry carries the new version and answers, the hashes
 * of the new rendering, and its base copies are that rendering (the base of
 * the next update). The record the plan made is the starting point; its
 * changes replace the plan's ones for the same paths.
 */
function renewRecord(root: string, plan: Plan, targets: UpdateTarget[], pristine: UpdatePlan["pristine"]): void {
  const diskRecord = readTextFile(join(root, RECORD_FILE), RECORD_FILE);
  const record = structuredClone(plan.record ?? (diskRecord === undefined ? emptyRecord() : parseRecord(diskRecord)));
  for (const t of targets) {
    const ref = refOf(t.recorded);
    const mine = pristine.filter((p) => p.recipe === ref);
    const at = record.recipes.findIndex((r) => r.id === t.recorded.id && r.pack === t.recorded.pack);
    const entry = at >= 0 ? record.recipes[at]! : t.recorded;
    const files = new Map(entry.files.map((f) => [f.path, f]));
    for (const p of mine) files.set(p.path, { path: p.path, hash: sha256(p.text) });
    const renewed: RecordedRecipe = { ...entry, version: recipeVersion(t.recipe), answers: t.answers, files: [...files.values()] };
    if (at >= 0) record.recipes[at] = renewed;
    else record.recipes.push(renewed);
  }
  const eol = diskRecord === undefined ? "\n" : eolOf(diskRecord);
  const wanted = new Map<string, string>([[RECORD_FILE, serializeRecord(record, eol)], ...pristine.map((p) => [basePath(p.path), p.text] as [string, string])]);
  const changes = plan.changes.filter((c) => !wanted.has(c.path));
  for (const [path, after] of wanted) {
    const before = readTextFile(join(root, path), path);
    if (before !== after) changes.push({ path, kind: before === undefined ? "create" : "update", before, after } satisfies FileChange);
  }
  plan.changes = changes.sort((a, b) => a.path.localeCompare(b.path));
  plan.record = record;
}
