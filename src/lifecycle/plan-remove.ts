import { existsSync, readdirSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import { failure, usageError } from "../core/errors.js";
import { sha256 } from "../engine/journal.js";
import type { ManualStep, Plan } from "../engine/plan-types.js";
import type { Tree } from "../engine/tree.js";
import { removeDependencies } from "../engine/package-json.js";
import { BASE_DIR, RECORD_FILE, basePath, findRecorded, serializeRecord, type Hunk, type ProjectRecord, type RecordedRecipe } from "../record/record-file.js";
import type { Catalogue } from "../recipes/catalogue.js";
import type { Recipe } from "../recipes/manifest.js";
import { renderString } from "../render/render-recipe.js";
import { joinLines, reverseHunkSplitting, splitLines } from "./reverse-hunks.js";
import { importsAddedBy, keepUsedImports, removeImportNames } from "./unused-imports.js";

// === Planning `remove`: the inverse of what `add` recorded ===
//
//   record ──► generated files: deleted when unchanged (kept with a note, or --force)
//          ──► edits in shared files: hunks undone last-first, found by their context
//          ──► imports the hunks took back that something still uses: kept
//          ──► dependencies: out of package.json when no recipe or file uses them
//          ──► the record without the recipe (no recipe left: no record at all)
//
// Everything lands in the Tree; `commitChanges` writes it in one go.

export interface RemoveRequest {
  tree: Tree;
  record: ProjectRecord;
  /** Recorded recipes to remove (see `selectRecorded`). */
  recipes: RecordedRecipe[];
  /** Every recipe known (bundled and packs): how recipes depend on each other is in their manifests. */
  catalogue?: Recipe[];
  /** Delete generated files the user changed too. */
  force?: boolean;
  /** Project files to search for imports of a dependency (default: every source file under the root, read through the tree). */
  sourceFiles?: string[];
}

export interface RemovePlan extends Plan {
  /** Files kept, each with why (changed since generated). */
  kept: Array<{ path: string; reason: string }>;
  /** Dependencies taken out of package.json. */
  removedDependencies: Array<{ name: string; dev: boolean }>;
  /** Dependencies the recipes added that stay, each with why. */
  keptDependencies: Array<{ name: string; reason: string }>;
}

/**
 * The recorded recipes `refs` name. An unknown name is the catalogue's error;
 * a known one that is not installed is one line naming what is.
 */
export function selectRecorded(record: ProjectRecord, refs: string[], catalogue: Pick<Catalogue, "get">): RecordedRecipe[] {
  const out: RecordedRecipe[] = [];
  for (const ref of [...new Set(refs)]) {
    const found = findRecorded(record, ref);
    if (found) {
      if (!out.includes(found)) out.push(found);
      continue;
    }
    catalogue.get(ref); // unknown: "unknown recipe …, did you mean"
    const installed = record.recipes.map((r) => r.id);
    throw usageError(
      `${ref} is not installed in this project; installed: ${installed.length > 0 ? installed.join(", ") : "none"}; nothing was written`,
      installed.length > 0 ? `remove one of them, e.g. \`create-bot-snippet remove ${installed[0]}\`` : "the record (bot-snippets.json) lists no recipe",
    );
  }
  return out;
}

/**
 * Recipes that stay and need one being removed: their generated files or
 * the lines they added import a file the removed recipe generated. Refused
 * with one line naming them. (Manifests name no recipe a recipe needs:
 * `requires` are package ranges, `needs` how the bot runs, `conflicts`
 * middleware. The one relation between recipes, a file whose `when` holds
 * `facts.recipe:<id>`, is a file that goes with <id>: it is removed with
 * <id>, see `filesGoingWith`.)
 */
export function checkDependents(tree: Tree, record: ProjectRecord, removing: RecordedRecipe[], goingWith: ReadonlySet<string> = new Set()): void {
  const stays = record.recipes.filter((r) => !removing.includes(r));
  for (const gone of removing) {
    const stems = new Set(gone.files.map((f) => stem(f.path)));
    const needing = stays.filter((r) => {
      const texts: Array<{ file: string; lines: string[] }> = [
        ...r.files.filter((f) => !goingWith.has(f.path)).map((f) => ({ file: f.path, lines: (tree.read(f.path) ?? "").split(/\r?\n/) })),
        ...r.edits.map((e) => ({ file: e.file, lines: e.hunks.flatMap((h) => h.added) })),
      ];
      return texts.some(({ file, lines }) => lines.some((line) => specifiersIn(line).some((s) => s.startsWith(".") && stems.has(stem(posix.join(posix.dirname(file), s))))));
    });
    if (needing.length > 0) {
      throw failure(
        `${gone.id} is needed by ${needing.map((r) => r.id).join(", ")} (${needing.length === 1 ? "it imports" : "they import"} its files); nothing was written`,
        `remove ${needing.map((r) => r.id).join(" ")} first, or together: \`create-bot-snippet remove ${[...needing.map((r) => r.id), gone.id].join(" ")}\``,
      );
    }
  }
}

/**
 * Recorded files of recipes that stay whose manifest writes them only where
 * a removed recipe is installed (the file spec's `when` holds
 * `facts.recipe:<removed id>`), matched by their target rendered with the
 * recipe's answers.
 */
export function filesGoingWith(record: ProjectRecord, removing: RecordedRecipe[], catalogue: Recipe[]): Array<{ owner: RecordedRecipe; file: { path: string; hash: string }; with: string }> {
  const out: Array<{ owner: RecordedRecipe; file: { path: string; hash: string }; with: string }> = [];
  const ids = new Set(removing.map((r) => r.id));
  for (const owner of record.recipes.filter((r) => !removing.includes(r))) {
    const recipe = catalogue.find((c) => c.manifest.id === owner.id && (c.pack === owner.pack || c.pack === "bundled"));
    for (const spec of recipe?.manifest.files ?? []) {
      const id = Object.keys(spec.when ?? {}).map((k) => (k.startsWith("facts.recipe:") ? k.slice("facts.recipe:".length) : "")).find((k) => ids.has(k));
      if (id === undefined) continue;
      let target: string;
      try {
        target = posix.normalize(renderString(recipe!, spec.target, { ...owner.answers }, "files.target"));
      } catch {
        continue; // a target that needs project facts: matched by nothing, the file stays
      }
      const file = owner.files.find((f) => f.path === target);
      if (file && !out.some((o) => o.file.path === file.path)) out.push({ owner, file, with: id });
    }
  }
  return out;
}

const stem = (path: string) => posix.normalize(path).replace(/\.(m|c)?[jt]sx?$/, "");

/** Module specifiers a line imports or requires. */
function specifiersIn(line: string): string[] {
  return [...line.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
}

export function planRemove(request: RemoveRequest): RemovePlan {
  const { tree, record, force } = request;
  const plan: RemovePlan = { recipes: [], changes: [], skipped: [], manual: [], notes: [], dependencies: [], kept: [], removedDependencies: [], keptDependencies: [] };
  const goingWith = filesGoingWith(record, request.recipes, request.catalogue ?? []);
  checkDependents(tree, record, request.recipes, new Set(goingWith.map((g) => g.file.path)));
  // The last added goes first: its edits were made on top of the earlier ones'.
  const order = [...request.recipes].sort((a, b) => record.recipes.indexOf(b) - record.recipes.indexOf(a));
  const touched = new Map<string, string>(); // file → its text before this removal
  const created = new Set<string>();
  const goneWith = new Set<string>();

  // Files of recipes that stay which go with one removed (`"when": { "facts.recipe:<id>": true }`: a sample test that needs the test kit).
  for (const { owner, file, with: id } of goingWith) {
    const text = tree.read(file.path);
    if (text !== undefined && sha256(text) !== file.hash && !force) {
      plan.kept.push({ path: file.path, reason: `${owner.id}'s file that goes with ${id}, changed since it was generated; kept (--force deletes it)` });
      continue;
    }
    if (text !== undefined) tree.delete(file.path);
    if (tree.exists(basePath(file.path))) tree.delete(basePath(file.path));
    goneWith.add(file.path);
    plan.notes.push(`${owner.id}: deleted ${file.path}, which goes with ${id}`);
  }

  for (const recipe of order) {
    plan.recipes.push({ ref: recipe.pack === "bundled" ? recipe.id : `${recipe.pack}/${recipe.id}`, answers: recipe.answers });
    const manual = (step: Omit<ManualStep, "recipe">) => plan.manual.push({ recipe: recipe.id, ...step });

    // 1. Generated files: deleted when still as generated.
    for (const file of recipe.files) {
      const text = tree.read(file.path);
      if (text === undefined) plan.notes.push(`${recipe.id}: ${file.path} was already deleted`);
      else if (sha256(text) === file.hash || force) {
        tree.delete(file.path);
        if (sha256(text) !== file.hash) plan.notes.push(`${recipe.id}: ${file.path} had changes of yours; --force deleted it`);
      } else {
        plan.kept.push({ path: file.path, reason: "changed since it was generated; kept (--force deletes it)" });
        plan.notes.push(`${recipe.id}: kept ${file.path}: you changed it since it was generated (--force deletes it)`);
      }
      if (tree.exists(basePath(file.path))) tree.delete(basePath(file.path));
    }

  // 2. Edits in shared files, the last made undone first.
    for (const edit of [...recipe.edits].reverse()) {
      const text = tree.read(edit.file);
      if (text === undefined) {
        const lines = edit.hunks.flatMap((h) => h.added);
        if (lines.length > 0) manual({ file: edit.file, code: lines.join("\n"), reason: `${edit.op}: the file is gone; nothing to undo there` });
        continue;
      }
      if (!touched.has(edit.file)) touched.set(edit.file, text);
      if (edit.created) created.add(edit.file);
      const lines = splitLines(text);
      const failed: Array<{ hunk: Hunk; problem: string }> = [];
      for (const hunk of [...edit.hunks].reverse()) failed.push(...reverseHunkSplitting(lines, hunk));
      let after = joinLines(lines);
      for (const { hunk, problem } of failed) {
        // An import line another edit merged more names into since: take out the names this one added, if unused.
        const imports = /\.[cm]?[jt]sx?$/.test(edit.file) ? importsAddedBy(hunk.added, hunk.removed) : new Map<string, string[]>();
        const rest = hunk.added.filter((l) => !/^\s*(import\b|[\w$\s,{}]*\}\s*from\s|[\w$]+,?\s*$)/.test(l) && l.trim() !== "");
        let handled = false;
        for (const [module, names] of imports) {
          const r = removeImportNames(edit.file, after, module, names);
          after = r.text;
          handled = r.removed.length > 0 || r.kept.length > 0;
        }
        if (handled && rest.length === 0) continue;
        manual({ file: edit.file, line: lineOf(after, hunk), code: (rest.length > 0 ? rest : hunk.added).join("\n"), reason: `${edit.op}: remove these lines yourself (${problem})${hunk.removed.length > 0 ? `; they replaced: ${hunk.removed.join(" ⏎ ")}` : ""}` });
      }
      tree.write(edit.file, after);
    }
  }

  // 3. Imports the hunks took back that the file still uses stay; files an op created and left empty go.
  for (const [file, before] of touched) {
    const now = tree.read(file)!;
    const { text, kept } = keepUsedImports(file, before, now);
    if (kept.length > 0) plan.notes.push(`${file}: kept the import of ${kept.join(", ")} (still used there)`);
    if (created.has(file) && text.trim() === "") tree.delete(file);
    else tree.write(file, text);
  }

  // 4. Dependencies no other recipe lists and no file imports.
  const staying = record.recipes.filter((r) => !request.recipes.includes(r));
  const candidates = request.recipes.flatMap((r) => r.dependencies).filter((d, i, all) => all.findIndex((x) => x.name === d.name) === i);
  const goes: Array<{ name: string; dev: boolean }> = [];
  if (candidates.length > 0) {
    const files = (request.sourceFiles ?? sourceFiles(tree)).filter((f) => tree.exists(f));
    for (const dep of candidates) {
      const other = staying.find((r) => r.dependencies.some((d) => d.name === dep.name));
      if (other) {
        plan.keptDependencies.push({ name: dep.name, reason: `${other.id} uses it too` });
        continue;
      }
      const user = files.find((f) => importsPackage(tree.read(f) ?? "", dep.name));
      if (user) {
        plan.keptDependencies.push({ name: dep.name, reason: `${user} imports it` });
        plan.notes.push(`kept the dependency ${dep.name}: ${user} imports it`);
        continue;
      }
      goes.push({ name: dep.name, dev: dep.dev });
    }
    const pkg = tree.read("package.json");
    if (goes.length > 0 && pkg !== undefined) {
      const { text, removed } = removeDependencies(pkg, goes);
      tree.write("package.json", text);
      plan.removedDependencies.push(...removed);
    }
  }

  // 5. The record, without them; with no recipe left, no record and no base copies.
  const left: ProjectRecord = { ...record, recipes: staying.map((r) => ({ ...r, files: r.files.filter((f) => !goneWith.has(f.path)) })) };
  if (left.recipes.length === 0) {
    tree.delete(RECORD_FILE);
    // Only the base copies: the commit removes the folders they leave empty.
    for (const path of filesUnder(tree, BASE_DIR)) tree.delete(path);
  } else {
    const old = tree.read(RECORD_FILE) ?? "";
    tree.write(RECORD_FILE, serializeRecord(left, old.includes("\r\n") ? "\r\n" : "\n"));
  }
  plan.changes = tree.changes();
  return plan;
}

/** The line (1-based) near where a hunk stood, by its first context line still in the file. */
function lineOf(text: string, hunk: Hunk): number | undefined {
  const lines = text.split(/\r?\n/);
  const anchor = hunk.before[hunk.before.length - 1] ?? hunk.after[0];
  if (anchor === undefined) return undefined;
  const i = lines.indexOf(anchor);
  return i < 0 ? undefined : i + 2;
}

/** Whether a source file imports or requires a package (or one of its subpaths). */
export function importsPackage(text: string, name: string): boolean {
  if (!text.includes(name)) return false;
  return specifiersIn(text).some((s) => s === name || s.startsWith(`${name}/`));
}

const ignoredDirs = new Set(["node_modules", ".git", "dist", "build", "out", "coverage", ".next", ".turbo", ".cache", ".vercel", ".output", ".bot-snippets"]);

/** Every JavaScript and TypeScript source file of the project as the tree sees it. */
export function sourceFiles(tree: Tree): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ignoredDirs.has(entry.name)) walk(path);
      } else if (entry.isFile() && /\.(m|c)?[jt]sx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.add(relative(tree.root, path).split(sep).join("/"));
    }
  };
  walk(tree.root);
  for (const c of tree.changes()) if (c.kind === "create" && /\.(m|c)?[jt]sx?$/.test(c.path)) out.add(c.path);
  return [...out].sort();
}

/** Files under a project folder, on disk and planned. */
function filesUnder(tree: Tree, folder: string): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.add(relative(tree.root, path).split(sep).join("/"));
    }
  };
  walk(join(tree.root, folder));
  for (const c of tree.changes()) if (c.path.startsWith(`${folder}/`)) out.add(c.path);
  return [...out].filter((p) => tree.exists(p));
}
