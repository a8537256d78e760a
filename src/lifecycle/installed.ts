import { join } from "node:path";
import { usageError } from "../core/errors.js";
import { readTextFile } from "../core/regular-file.js";
import { sha256 } from "../engine/journal.js";
import type { Catalogue } from "../recipes/catalogue.js";
import type { Recipe } from "../recipes/manifest.js";
import { readProjectRecord } from "../record/read-record.js";
import { basePath, findRecorded, RECORD_FILE, type ProjectRecord, type RecordedRecipe } from "../record/record-file.js";

// === What the record says is installed, against the disk and the catalogue ===
//
// Shared by `status`, `diff` and `update`: the record read (a corrupt one is a
// one-line failure), a recorded recipe found in the catalogue of this run
// (bundled, and the packs given with --templates), and the state of each
// file it generated.

/** The project's record; undefined when it has none (a project edited before records, or by hand). A corrupt one is refused in one line. */
export const readRecord = (root: string): ProjectRecord | undefined => readProjectRecord(root);

/** How a recorded recipe is addressed: `id`, or `pack/id` for a pack recipe. */
export const refOf = (r: RecordedRecipe): string => (r.pack === "bundled" ? r.id : `${r.pack}/${r.id}`);

/** The catalogue's recipe a record entry came from (same id, same pack), if this run loaded its pack. */
export function catalogueRecipe(catalogue: Catalogue, recorded: RecordedRecipe): Recipe | undefined {
  return catalogue.recipes.find((r) => r.manifest.id === recorded.id && r.pack === recorded.pack);
}

/**
 * The record entry of a recipe the user named. An unknown recipe is the
 * catalogue's usage error (with its suggestions); a known one that is not in
 * the record is refused in one line.
 */
export function recordedFor(record: ProjectRecord | undefined, catalogue: Catalogue, ref: string, command: string): RecordedRecipe {
  const inRecord = record ? findRecorded(record, ref) : undefined;
  if (inRecord) return inRecord;
  const recipe = catalogue.get(ref); // unknown: "unknown recipe …, did you mean …"
  const found = record?.recipes.find((r) => r.id === recipe.manifest.id && r.pack === recipe.pack);
  if (found) return found;
  throw usageError(
    `${recipe.ref} is not installed in this project (${record ? `not in ${RECORD_FILE}` : `no ${RECORD_FILE}`}); nothing to ${command}`,
    `\`create-bot-snippet status\` lists what is installed; \`create-bot-snippet add ${recipe.ref}\` adds it`,
  );
}

export type FileState = "unchanged" | "changed" | "missing";

export interface GeneratedFileState {
  path: string;
  state: FileState;
  /** The user's text (undefined when missing). */
  text: string | undefined;
  /** The pristine rendering kept at install (undefined when the base copy is gone). */
  base: string | undefined;
}

/** Each file a recipe generated: unchanged (its hash is the recorded one), changed by the user, or missing. */
export function generatedFiles(root: string, recorded: RecordedRecipe): GeneratedFileState[] {
  return recorded.files.map((f) => {
    const text = readTextFile(join(root, f.path), f.path);
    const base = readTextFile(join(root, basePath(f.path)), basePath(f.path));
    const state: FileState = text === undefined ? "missing" : sha256(text) === f.hash ? "unchanged" : "changed";
    return { path: f.path, state, text, base };
  });
}
