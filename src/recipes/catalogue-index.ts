import { requireCjs } from "../core/cjs.js";
import { dirname, join } from "node:path";
import { failure } from "../core/errors.js";
import { codeDir, packageRoot } from "../core/package-root.js";
import type { JsonValue, Recipe, RecipeManifest } from "./manifest.js";

// === The catalogue index: `list` and `show` without reading 30 manifests ===
//
// `npm run build` writes dist/src/catalogue-index.json (scripts/build-catalogue-index.js,
// src/recipes/catalogue-index-build.ts): the bundled recipes' validated
// manifests; and, per recipe, dist/src/catalogue-previews/<id>.json: what
// `show` prints for a typical project (the rendered preview files and the
// rendered strings of its file and edit lines), tied to the index by its
// build id.
// Loading it skips the manifest validation (semver), the handlebars compiler
// and the rendering, which were most of the time of `list` and `show`.
//
// It is only a cache: every file it was made from is checked before it is
// used, and anything that differs (a manifest, a template, a recipe folder
// added or removed, a rebuilt module whose content changed, another
// handlebars or semver) makes the caller read the templates as before.
// A file is the same when its size, inode and change times are those
// recorded (the change time cannot be set back by touching a file), or else
// when its SHA-256 is (a fresh checkout, an installed package). Nothing here
// is ever written at run time. Only this module and the JSON are loaded.

// node:fs through require: an `import` of it makes Node read every export of
// fs, which loads its streams and promises (about 4 ms) that this never uses.
const { existsSync, lstatSync, readdirSync, readFileSync } = requireCjs("node:fs") as typeof import("node:fs");

export const catalogueIndexVersion = 1;

/** One file the index was made from: its path (posix, relative to its base), how it looked, its content's hash. */
export interface IndexedFile {
  path: string;
  /** `size:ino:mtimeNs:ctimeNs` when the build saw it settled; null makes the hash decide every time. */
  stamp: string | null;
  sha256: string;
}

/** What `show <id>` prints for a typical project, precomputed (dist/src/catalogue-previews/<id>.json). */
export interface IndexedPreview {
  /** The files `show` previews (and `show --json` lists), rendered with the example answers. */
  files: Array<{ target: string; content: string }>;
  /** Every manifest string `show` renders for its lines: `${where}\0${template}` → text. */
  rendered: Record<string, string>;
  /** The placeholder after `--set name=` of each question, by name. */
  placeholders: Record<string, string>;
  /** The typical project's facts it was rendered for. */
  facts: Record<string, JsonValue>;
}

/** A preview file: the recipe's whole manifest and its preview, of the index with the same build id. */
export interface PreviewFile {
  build: string;
  manifest: RecipeManifest;
  preview: IndexedPreview;
}

/** What `list` prints of a manifest. */
export type ListedManifest = Pick<RecipeManifest, "id" | "kind" | "title" | "description" | "seeds">;

export interface IndexedRecipe {
  /** The recipe's folder name in templates/ (its id). */
  entry: string;
  listed: ListedManifest;
  /** Every file of the recipe folder, recursively, relative to templates/, as `recipeFolderFiles` lists them. */
  files: IndexedFile[];
  /** False when `show` failed on the recipe at build time: then `show` renders it as before. */
  preview: boolean;
}

export interface CatalogueIndex {
  version: number;
  /** Random, new at each build: a preview file belongs to the index with its id. */
  build: string;
  /** The entries of templates/, sorted: a folder added or removed makes the index stale. */
  entries: string[];
  /** The compiled modules the index depends on, relative to dist/src. */
  code: IndexedFile[];
  /** Packages whose behaviour the index depends on (rendering, validation): their version, and where their package.json was (relative to dist/src). */
  packages: Record<string, { version: string; path: string }>;
  recipes: IndexedRecipe[];
}

/** Where the index lives: next to the compiled `src` folder (dist/src/catalogue-index.json); never found when running from the TypeScript sources. */
export const catalogueIndexPath = () => join(codeDir(), "catalogue-index.json");

/** Where the bundled recipes' whole manifests live, for `add` and the other commands that load the catalogue (dist/src/catalogue-manifests.json). */
export const catalogueManifestsPath = () => join(codeDir(), "catalogue-manifests.json");

/** What catalogue-manifests.json holds: the manifests (validated by the build) by recipe folder, tied to the index by its build id. */
export interface ManifestsFile {
  build: string;
  manifests: Record<string, RecipeManifest>;
}

/** Where the preview of recipe `id` lives (dist/src/catalogue-previews/<id>.json). */
export const cataloguePreviewPath = (id: string) => join(codeDir(), "catalogue-previews", `${id}.json`);

export { codeDir };

/** The `templates/` folder shipped with the package. */
export function bundledTemplatesDir(): string {
  const root = packageRoot();
  if (root) return join(root, "templates");
  throw failure("the bundled templates/ folder is missing from this installation", "reinstall create-bot-snippet");
}

/** The stamp of a path as the index records it; undefined when it is not a regular file (missing, a folder, a symlink). */
export function fileStamp(path: string): string | undefined {
  const stat = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  return `${stat.size}:${stat.ino}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

type Hasher = (bytes: Buffer) => string;
let hasher: Hasher | undefined;

/** True when the file at `base/file.path` is still the one the index was made from. */
export function unchanged(base: string, file: IndexedFile): boolean {
  const path = join(base, file.path);
  const stamp = fileStamp(path);
  if (stamp === undefined) return false;
  if (file.stamp !== null && stamp === file.stamp) return true;
  if (!hasher) {
    const { createHash } = requireCjs("node:crypto") as typeof import("node:crypto");
    hasher = (bytes) => createHash("sha256").update(bytes).digest("hex");
  }
  return hasher(readFileSync(path)) === file.sha256;
}

function allUnchanged(base: string, files: IndexedFile[]): boolean {
  for (const file of files) if (!unchanged(base, file)) return false;
  return true;
}

/** Where `name`'s package.json is as this module resolves it; undefined when it is not installed. */
export function packageJsonPath(name: string): string | undefined {
  try {
    return requireCjs.resolve(`${name}/package.json`);
  } catch {
    // A package whose "exports" hide package.json (commander): the folder above its main file that has it.
    try {
      for (let dir = dirname(requireCjs.resolve(name)); dirname(dir) !== dir; dir = dirname(dir)) {
        const path = join(dir, "package.json");
        if (existsSync(path) && (JSON.parse(readFileSync(path, "utf8")) as { name?: string }).name === name) return path;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }
}

const versionAt = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { version?: string }).version;

/** True when `name` is installed at the version the index was made with: where it was (the usual case, no resolving), else where it resolves now. */
export function samePackage(name: string, recorded: { version: string; path: string }): boolean {
  const there = join(codeDir(), recorded.path);
  if (existsSync(there)) return versionAt(there) === recorded.version;
  const now = packageJsonPath(name);
  return now !== undefined && versionAt(now) === recorded.version;
}

/** The files of a recipe folder, recursively (posix paths relative to templates/); undefined when it has anything but plain files and folders. */
export function recipeFolderFiles(templatesDir: string, entry: string): string[] | undefined {
  const out: string[] = [];
  const walk = (rel: string): boolean => {
    for (const dirent of readdirSync(join(templatesDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = `${rel}/${dirent.name}`;
      if (dirent.isDirectory()) {
        if (!walk(path)) return false;
      } else if (dirent.isFile()) out.push(path);
      else return false;
    }
    return true;
  };
  return walk(entry) ? out : undefined;
}

interface Loaded {
  index: CatalogueIndex;
  templatesDir: string;
}

/**
 * The index, when it still describes the bundled templates and the code that
 * reads them: entries, every recipe.json, the compiled modules, the packages.
 * Each recipe's other files are checked by `indexedPreview`. Undefined when
 * there is none or anything differs.
 */
function currentIndex(): Loaded | undefined {
  let index: CatalogueIndex;
  let templatesDir: string;
  try {
    templatesDir = bundledTemplatesDir();
    index = JSON.parse(readFileSync(catalogueIndexPath(), "utf8")) as CatalogueIndex;
  } catch {
    return undefined;
  }
  try {
    if (index?.version !== catalogueIndexVersion || typeof index.build !== "string" || !Array.isArray(index.entries) || !Array.isArray(index.recipes) || !Array.isArray(index.code)) return undefined;
    const dirents = readdirSync(templatesDir, { withFileTypes: true });
    const entries = dirents.map((d) => d.name).sort();
    if (entries.length !== index.entries.length || entries.some((e, i) => e !== index.entries[i])) return undefined;
    // Entries that are not recipes must still not be: a recipe.json appearing in one adds a recipe.
    const recipeEntries = new Set(index.recipes.map((r) => r.entry));
    if (entries.some((e) => !recipeEntries.has(e) && existsSync(join(templatesDir, e, "recipe.json")))) return undefined;
    // A recipe folder is a folder, not a link to one elsewhere (the catalogue refuses those).
    if (dirents.some((d) => recipeEntries.has(d.name) && !d.isDirectory())) return undefined;
    for (const r of index.recipes) {
      const manifest = r.files.find((f) => f.path === `${r.entry}/recipe.json`);
      if (!manifest || !unchanged(templatesDir, manifest)) return undefined;
    }
    if (!allUnchanged(codeDir(), index.code)) return undefined;
    if (Object.entries(index.packages).some(([name, recorded]) => !samePackage(name, recorded))) return undefined;
    return { index, templatesDir };
  } catch {
    return undefined; // unreadable: read the templates as before, which says what is wrong
  }
}

/** The bundled recipes as `loadCatalogue()` (no packs) lists them, with what `list` prints of their manifests, from a current index; undefined to read the templates instead. */
export async function indexedRecipes(): Promise<Array<Omit<Recipe, "manifest"> & { manifest: ListedManifest }> | undefined> {
  const at = await currentIndex();
  if (!at) return undefined;
  return at.index.recipes.map((r) => ({ manifest: r.listed, dir: join(at.templatesDir, r.entry), pack: "bundled", ref: r.entry }));
}

/**
 * The bundled recipes' manifests by folder name, as `loadCatalogue` would
 * read and validate them from `templatesDir`, from a current index;
 * undefined to read the templates instead.
 */
export function indexedManifests(templatesDir: string): Map<string, RecipeManifest> | undefined {
  const at = currentIndex();
  if (!at || at.templatesDir !== templatesDir) return undefined;
  try {
    const data = JSON.parse(readFileSync(catalogueManifestsPath(), "utf8")) as Partial<ManifestsFile>;
    if (data?.build !== at.index.build || !data.manifests || typeof data.manifests !== "object") return undefined;
    const manifests = new Map<string, RecipeManifest>();
    for (const r of at.index.recipes) {
      const manifest = data.manifests[r.entry];
      if (manifest?.id !== r.entry) return undefined;
      manifests.set(r.entry, manifest);
    }
    return manifests;
  } catch {
    return undefined;
  }
}

/**
 * The bundled recipe `ref` (its id, or `bundled/<id>`) with its precomputed
 * preview, when the index and every file of the recipe's folder are current;
 * undefined to load and render as before (also for an unknown ref, whose
 * error names close matches).
 */
export async function indexedPreview(ref: string): Promise<{ recipe: Recipe; preview: IndexedPreview } | undefined> {
  const at = await currentIndex();
  if (!at) return undefined;
  const id = ref.startsWith("bundled/") ? ref.slice("bundled/".length) : ref;
  const r = at.index.recipes.find((x) => x.entry === id);
  if (!r?.preview) return undefined;
  let data: PreviewFile;
  try {
    const files = recipeFolderFiles(at.templatesDir, r.entry);
    if (!files || files.length !== r.files.length || files.some((f, i) => f !== r.files[i]?.path)) return undefined;
    if (!allUnchanged(at.templatesDir, r.files)) return undefined;
    data = JSON.parse(readFileSync(cataloguePreviewPath(r.entry), "utf8")) as PreviewFile;
    if (data?.build !== at.index.build || !data.preview || data.manifest?.id !== r.entry) return undefined;
  } catch {
    return undefined;
  }
  return { recipe: { manifest: data.manifest, dir: join(at.templatesDir, r.entry), pack: "bundled", ref: r.entry }, preview: data.preview };
}

// === `--help`, printed without commander ===
//
// The build also keeps what `--help` prints when stdout is not a terminal (commander
// then wraps at 80 columns and uses no colours): dist/src/help.json, used while
// dist/src/cli.js and commander's version are those it was made with. In a
// terminal (whose width commander follows) help is made by commander as always.

/** What the build keeps of `--help`. */
export interface HelpCache {
  version: number;
  code: IndexedFile[];
  packages: Record<string, { version: string; path: string }>;
  text: string;
}

export const helpCachePath = () => join(codeDir(), "help.json");

/** The text `--help` prints to a stdout that is not a terminal, when the cache of it is current; else undefined. */
export async function cachedHelp(): Promise<string | undefined> {
  try {
    const cache = JSON.parse(readFileSync(helpCachePath(), "utf8")) as HelpCache;
    if (cache?.version !== catalogueIndexVersion || typeof cache.text !== "string" || !Array.isArray(cache.code) || cache.code.length === 0) return undefined;
    if (!allUnchanged(codeDir(), cache.code)) return undefined;
    if (Object.entries(cache.packages).some(([name, recorded]) => !samePackage(name, recorded))) return undefined;
    return cache.text;
  } catch {
    return undefined;
  }
}
