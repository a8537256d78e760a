import { sha256 } from "../engine/journal.js";
import type { DependencyChange } from "../engine/plan-types.js";
import type { Tree } from "../engine/tree.js";
import type { Answers, Recipe } from "../recipes/manifest.js";
import { computeHunks } from "./hunks.js";
import { basePath, emptyRecord, parseRecord, RECORD_FILE, serializeRecord, type ProjectRecord, type RecordedEdit, type RecordedRecipe } from "./record-file.js";
import { recipeVersion } from "./recipe-version.js";

/** The record of a project as the tree has it (planned changes included); undefined when there is none. A corrupt record is refused. */
export function readRecordFrom(tree: Tree): ProjectRecord | undefined {
  const text = tree.read(RECORD_FILE);
  return text === undefined ? undefined : parseRecord(text);
}

interface Step {
  recipe: Recipe;
  op: string;
  /** Per file: the content before the step's first write (undefined: did not exist) and after its last. */
  writes: Map<string, { before: string | undefined; after: string }>;
}

/**
 * Watches a plan being made and turns it into the record: which recipe's
 * step wrote what. `begin` names the step (a recipe's generated files, its
 * dependencies, or one edit op); every write of the tree in between belongs
 * to it. Generated files and dependencies are recorded as such, everything
 * an edit op wrote as hunks. `finish` writes the record and the pristine
 * copies of generated files into the same tree, so they are committed with
 * the change or not at all.
 */
export class PlanRecorder {
  private readonly steps: Step[] = [];
  private current: Step | undefined;
  private readonly generated = new Map<Recipe, Map<string, string>>();
  private readonly dependencies = new Map<Recipe, DependencyChange[]>();

  /** Starts a step; `undefined` stops recording (writes that belong to no recipe). */
  begin(recipe: Recipe | undefined, op = ""): void {
    this.current = recipe && { recipe, op, writes: new Map() };
    if (this.current && op !== "files" && op !== "dependencies") this.steps.push(this.current);
  }

  /** The tree's write hook. */
  write(path: string, before: string | undefined, after: string): void {
    const step = this.current;
    if (!step || step.op === "files" || step.op === "dependencies") return;
    const seen = step.writes.get(path);
    step.writes.set(path, { before: seen ? seen.before : before, after });
  }

  /** A file rendered from one of the recipe's templates: its pristine content (what `add` writes). */
  generatedFile(recipe: Recipe, path: string, pristine: string): void {
    let files = this.generated.get(recipe);
    if (!files) this.generated.set(recipe, (files = new Map()));
    files.set(path, pristine);
  }

  addedDependencies(recipe: Recipe, results: DependencyChange[]): void {
    this.dependencies.set(recipe, [...(this.dependencies.get(recipe) ?? []), ...results.filter((r) => r.status === "added")]);
  }

  /**
   * Writes the record and base copies. A recipe that changed nothing keeps
   * its entry as it is (a second `add` changes nothing, the record neither);
   * one that did gets its entry (new or merged with the old one).
   */
  finish(tree: Tree, recipes: Array<{ recipe: Recipe; answers: Answers }>, eol: string): ProjectRecord | undefined {
    this.current = undefined;
    const existing = readRecordFrom(tree);
    const record = existing ?? emptyRecord();
    const changedPaths = new Set(tree.changes().map((c) => c.path));
    let touched = false;
    for (const { recipe, answers } of recipes) {
      const files = [...(this.generated.get(recipe) ?? new Map<string, string>())];
      const edits: RecordedEdit[] = [];
      for (const step of this.steps.filter((s) => s.recipe === recipe)) {
        for (const [file, { before, after }] of step.writes) {
          const hunks = computeHunks(before ?? "", after);
          if (hunks.length > 0) edits.push({ op: step.op, file, ...(before === undefined && { created: true }), hunks });
        }
      }
      const deps = this.dependencies.get(recipe) ?? [];
      if (edits.length === 0 && deps.length === 0 && !files.some(([path]) => changedPaths.has(path))) continue;
      touched = true;
      const entry: RecordedRecipe = {
        id: recipe.manifest.id,
        pack: recipe.pack,
        version: recipeVersion(recipe),
        answers,
        files: files.map(([path, pristine]) => ({ path, hash: sha256(pristine) })),
        edits,
        dependencies: deps.map((d) => ({ name: d.name, version: d.version, dev: d.dev })),
      };
      const at = record.recipes.findIndex((r) => r.id === entry.id && r.pack === entry.pack);
      if (at < 0) record.recipes.push(entry);
      else record.recipes[at] = merged(record.recipes[at]!, entry);
      for (const [path, pristine] of files) tree.write(basePath(path), pristine);
    }
    if (!touched) return existing;
    tree.write(RECORD_FILE, serializeRecord(record, eol));
    return record;
  }
}

/** A recipe added again: its new files and edits join what the first `add` recorded. */
function merged(old: RecordedRecipe, now: RecordedRecipe): RecordedRecipe {
  const files = new Map(old.files.map((f) => [f.path, f]));
  for (const f of now.files) files.set(f.path, f);
  const deps = new Map(old.dependencies.map((d) => [d.name, d]));
  for (const d of now.dependencies) deps.set(d.name, d);
  return { ...now, files: [...files.values()], edits: [...old.edits, ...now.edits], dependencies: [...deps.values()] };
}
