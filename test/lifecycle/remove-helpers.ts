// Planning `add` and `remove` in one virtual Tree, for the round-trip tests
// of `remove`: nothing is written, so a fixture is used in place.
import { posix } from "node:path";
import { findBots, planAdd, templateFacts } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { sha256 } from "../../src/engine/journal.js";
import { Tree, type FileChange } from "../../src/engine/tree.js";
import { planRemove, selectRecorded, type RemovePlan } from "../../src/lifecycle/plan-remove.js";
import { readRecord } from "../../src/lifecycle/record-io.js";
import { computeHunks } from "../../src/record/hunks.js";
import { RECORD_FILE, basePath, emptyRecord, serializeRecord, type ProjectRecord, type RecordedRecipe } from "../../src/record/record-file.js";
import { conditionHolds } from "../../src/recipes/answers.js";
import type { Answers, Recipe } from "../../src/recipes/manifest.js";
import { scanProject } from "../../src/project/scan-project.js";
import type { ProjectFacts } from "../../src/project/project-facts.js";
import { renderString } from "../../src/render/render-recipe.js";
import { answersFor, catalogue } from "../helpers/recipes.js";

/** Whether `planAdd` writes the record itself (the lead's recording has landed). */
export const addRecords = (plan: Plan): boolean => plan.changes.some((c) => c.path === RECORD_FILE);

/**
 * The record entry of a one-recipe plan, computed from its changes the way
 * the recording in `planAdd` describes it: generated files with hashes,
 * edits in other files as hunks, dependencies it added. Used until
 * `planAdd` writes the record itself.
 */
export function recordOf(plan: Plan, recipe: Recipe, answers: Answers, facts: Record<string, unknown>): RecordedRecipe {
  const view = { ...facts, ...answers } as Record<string, never>;
  const targets = new Set(
    recipe.manifest.files.filter((f) => conditionHolds(f.when, answers, facts as never)).map((f) => posix.normalize(renderString(recipe, f.target, view, "files.target"))),
  );
  const generated = plan.changes.filter((c) => targets.has(c.path) && c.kind === "create");
  const edited = plan.changes.filter((c) => !targets.has(c.path) && c.path !== "package.json");
  return {
    id: recipe.manifest.id,
    pack: recipe.pack,
    version: "0.1.0+000000000000",
    answers,
    files: generated.map((c) => ({ path: c.path, hash: sha256(c.after) })),
    edits: edited.map((c) => ({ op: "edit", file: c.path, ...(c.kind === "create" && { created: true }), hunks: computeHunks(c.before ?? "", c.after) })),
    dependencies: plan.dependencies.filter((d) => d.status === "added").map((d) => ({ name: d.name, version: d.version, dev: d.dev })),
  };
}

/** Puts planned changes into a tree. */
export function applyToTree(tree: Tree, changes: FileChange[]): void {
  for (const c of changes) {
    if (c.kind === "delete") tree.delete(c.path);
    else tree.write(c.path, c.after);
  }
}

/**
 * The changes of `add <id>` on the project at `dir` as it is on disk, with
 * the record and base copies (computed when `planAdd` does not write them),
 * on top of `record` (the project's record so far).
 */
export async function planAddRecorded(dir: string, id: string, record: ProjectRecord = emptyRecord(), options: { bot?: string; selfRecorded?: boolean; project?: ProjectFacts } = {}): Promise<{ plan: Plan; changes: FileChange[]; record: ProjectRecord }> {
  // A scan can serve several plans on the same disk state (planAdd leaves it as it is).
  const project = options.project ?? scanProject(dir);
  const recipe = catalogue.get(id);
  const answers = await answersFor(recipe, {}, { served: project.served });
  const plan = planAdd({ project, recipes: [{ recipe, answers }], catalogue: catalogue.recipes, record: options.selfRecorded !== true, ...(options.bot && { bot: options.bot }) });
  if (addRecords(plan)) {
    const tree = new Tree(dir);
    applyToTree(tree, plan.changes);
    return { plan, changes: plan.changes, record: readRecord(tree)! };
  }
  const entry = recordOf(plan, recipe, answers, templateFacts(project, plan.bot!));
  const next: ProjectRecord = { version: 1, recipes: [...record.recipes, entry] };
  const tree = new Tree(dir);
  applyToTree(tree, plan.changes);
  tree.write(RECORD_FILE, serializeRecord(next));
  for (const f of entry.files) tree.write(basePath(f.path), plan.changes.find((c) => c.path === f.path)!.after);
  return { plan, changes: tree.changes(), record: next };
}

/** Plans `remove <ids>` in `tree` (which may hold planned writes). */
export function planRemoveIn(tree: Tree, ids: string[], options: { force?: boolean } = {}): RemovePlan {
  const record = readRecord(tree);
  if (!record) throw new Error("no record in the tree");
  return planRemove({ tree, record, recipes: selectRecorded(record, ids, catalogue), catalogue: catalogue.recipes, force: options.force });
}

/** Round trip of every recipe on one project: add X then remove X, in one tree over the project; what is left differing, by recipe. */
export async function roundTrip(dir: string, ids: string[]): Promise<{ refused: number; differ: string[]; identical: number }> {
  const project = scanProject(dir);
  const bots = findBots(project).filter((b) => b.site.kind !== "unwireable");
  const bot = bots.length > 1 ? `${bots[0]!.file}:${bots[0]!.site.line}` : undefined;
  const differ: string[] = [];
  let refused = 0;
  let identical = 0;
  for (const id of ids) {
    let changes;
    try {
      ({ changes } = await planAddRecorded(dir, id, undefined, { project, ...(bot && { bot }) }));
    } catch {
      refused++;
      continue;
    }
    const tree = new Tree(dir);
    applyToTree(tree, changes);
    const removal = planRemoveIn(tree, [id]);
    const left = tree.changes();
    if (left.length === 0 && removal.manual.length === 0) identical++;
    else differ.push(`${id}: ${left.map((c) => `${c.kind} ${c.path}`).join(", ")}${removal.manual.length > 0 ? ` manual: ${removal.manual.map((m) => `${m.file} ${m.reason}`).join("; ")}` : ""}`);
  }
  return { refused, differ, identical };
}
