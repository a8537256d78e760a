import { failure } from "../core/errors.js";
import type { Answers, JsonValue } from "../recipes/manifest.js";

// === The record: what this CLI installed in a project
//
// `bot-snippets.json` at the project root, committed with the project. It is
// written in the same all-or-nothing commit as the change it describes, so it
// never disagrees with the files. Stable key order, two-space indent, one
// trailing newline: a diff of it reads like a changelog of the recipes.
//
// Beside it, `.bot-snippets/base/<path>.base` keeps the pristine rendering of
// every generated file (what `add` wrote before the user changed anything):
// the base of `update`'s three-way merge and of `diff`. The `.base` suffix
// keeps TypeScript, ESLint and test runners from picking the copies up.

export const RECORD_FILE = "bot-snippets.json";
export const BASE_DIR = ".bot-snippets/base";

/** Whether a path is the record or one of its base copies (shown as one line, not as diffs of their own). */
export const isRecordPath = (path: string): boolean => path === RECORD_FILE || path.startsWith(".bot-snippets/");

/** The pristine copy of a generated file. */
export const basePath = (path: string): string => `${BASE_DIR}/${path}.base`;

/**
 * One line-based change an edit op made to a file, anchored by the lines
 * around it (not by a line number, so unrelated edits above it do not matter).
 * Lines are stored without their line ending.
 */
export interface Hunk {
  /** Up to 3 lines just above the change, as they were when it was made. */
  before: string[];
  /** Lines the op took out (empty for a pure insertion). */
  removed: string[];
  /** Lines the op put in (empty for a pure deletion). */
  added: string[];
  /** Up to 3 lines just below the change. */
  after: string[];
}

/** What one edit op did to one file. */
export interface RecordedEdit {
  /** The op's name (`install`, `add-import`, `set-error-handler`…). */
  op: string;
  file: string;
  /** The file did not exist before the op created it (`.gitignore`, a `locales/` file): removed when it is empty again. */
  created?: boolean;
  hunks: Hunk[];
}

/** A file the recipe generated from one of its templates. */
export interface RecordedFile {
  path: string;
  /** sha256 (hex) of the content written: a different hash on disk means the user changed it. */
  hash: string;
}

export interface RecordedDependency {
  name: string;
  /** The range written to package.json. */
  version: string;
  dev: boolean;
}

/** One applied recipe. */
export interface RecordedRecipe {
  /** The recipe's id (its folder name). */
  id: string;
  /** `bundled`, or the pack folder's name. */
  pack: string;
  /** `<package version>+<12 hex of the recipe folder's content hash>` (see `recipeVersion`). */
  version: string;
  answers: Answers;
  files: RecordedFile[];
  /** In the order they were made; undone in the reverse order. */
  edits: RecordedEdit[];
  /** Dependencies this recipe added to package.json (not those already there). */
  dependencies: RecordedDependency[];
}

export interface ProjectRecord {
  /** The record format. */
  version: 1;
  /** Recipes in the order they were first added. */
  recipes: RecordedRecipe[];
}

export const emptyRecord = (): ProjectRecord => ({ version: 1, recipes: [] });

/** The recipe of a record addressed as `id` or `pack/id`. */
export function findRecorded(record: ProjectRecord, ref: string): RecordedRecipe | undefined {
  return record.recipes.find((r) => r.id === ref || `${r.pack}/${r.id}` === ref);
}

/**
 * Parses the record's text. A record that is not this shape is refused with
 * one line naming the file and what is wrong (and, for bad JSON, the line):
 * nothing is written on top of a record the CLI does not understand.
 */
export function parseRecord(text: string): ProjectRecord {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    // Node 20 says "Unexpected end of JSON input" without a position: the end is the last line.
    const line = at ? text.slice(0, Number(at[1])).split("\n").length : /end of JSON/i.test(message) ? text.split("\n").length : undefined;
    throw corrupt(`not valid JSON${line ? ` (line ${line})` : ""}`);
  }
  const problem = recordProblem(data);
  if (problem) throw corrupt(problem);
  return data as ProjectRecord;
}

function corrupt(what: string): Error {
  return failure(`${RECORD_FILE}: ${what}; nothing was written`, `fix it (it is the record of the recipes this CLI installed), or restore it from version control`);
}

/** A project-relative path as the CLI writes them: `/`-separated, no `..`, `.` or empty part, not absolute, no NUL or backslash. */
const insideProject = (path: string): boolean => path !== "" && !/[\0\\]/.test(path) && !/^[a-zA-Z]:/.test(path) && path.split("/").every((part) => part !== "" && part !== "." && part !== "..");

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === "string");

function recordProblem(data: unknown): string | undefined {
  if (!isObject(data)) return "not a JSON object";
  if (data.version !== 1) return `unknown format version ${JSON.stringify(data.version)} (this CLI reads version 1; a newer create-bot-snippet wrote it?)`;
  if (!Array.isArray(data.recipes)) return `"recipes" is not a list`;
  for (const [i, r] of data.recipes.entries()) {
    const at = `recipes[${i}]`;
    if (!isObject(r)) return `${at} is not an object`;
    for (const key of ["id", "pack", "version"]) if (typeof r[key] !== "string") return `${at}.${key} is not a string`;
    if (!isObject(r.answers)) return `${at}.answers is not an object`;
    if (!Array.isArray(r.files) || !r.files.every((f) => isObject(f) && typeof f.path === "string" && typeof f.hash === "string")) return `${at}.files is not a list of { path, hash }`;
    if (!Array.isArray(r.dependencies) || !r.dependencies.every((d) => isObject(d) && typeof d.name === "string" && typeof d.version === "string" && typeof d.dev === "boolean")) {
      return `${at}.dependencies is not a list of { name, version, dev }`;
    }
    // A record is data from the repository (someone else's, in a clone): every path in it stays inside the project.
    for (const [j, f] of r.files.entries()) if (!insideProject(f.path as string)) return `${at}.files[${j}].path ${JSON.stringify(f.path)} is not a path inside the project`;
    if (!Array.isArray(r.edits)) return `${at}.edits is not a list`;
    for (const [j, e] of r.edits.entries()) {
      if (!isObject(e) || typeof e.op !== "string" || typeof e.file !== "string" || !Array.isArray(e.hunks)) return `${at}.edits[${j}] is not an { op, file, hunks }`;
      if (!insideProject(e.file)) return `${at}.edits[${j}].file ${JSON.stringify(e.file)} is not a path inside the project`;
      if (!e.hunks.every((h) => isObject(h) && isStrings(h.before) && isStrings(h.removed) && isStrings(h.added) && isStrings(h.after))) return `${at}.edits[${j}].hunks are not { before, removed, added, after } lists of lines`;
    }
  }
  return undefined;
}

/** The record's text: stable key order, two-space indent, a trailing newline, the project's line endings. */
export function serializeRecord(record: ProjectRecord, eol = "\n"): string {
  const ordered = {
    version: record.version,
    recipes: record.recipes.map((r) => ({
      id: r.id,
      pack: r.pack,
      version: r.version,
      answers: sortKeys(r.answers),
      files: r.files.map((f) => ({ path: f.path, hash: f.hash })),
      edits: r.edits.map((e) => ({ op: e.op, file: e.file, ...(e.created && { created: true }), hunks: e.hunks.map((h) => ({ before: h.before, removed: h.removed, added: h.added, after: h.after })) })),
      dependencies: r.dependencies.map((d) => ({ name: d.name, version: d.version, dev: d.dev })),
    })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`.replace(/\n/g, eol);
}

function sortKeys(value: Answers): Answers {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) out[key] = value[key]!;
  return out;
}
