import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { bundledTemplatesDir, helpCachePath, type HelpCache, catalogueIndexPath, catalogueManifestsPath, type ManifestsFile, catalogueIndexVersion, cataloguePreviewPath, codeDir, fileStamp, packageJsonPath, recipeFolderFiles, type CatalogueIndex, type IndexedFile, type IndexedPreview, type PreviewFile } from "./catalogue-index.js";

// Writes the catalogue index (see catalogue-index.ts) from the compiled code,
// at build time: `node scripts/build-catalogue-index.js` after tsc.

/**
 * The compiled modules (relative to dist/src) whose code decides what the index holds: reading and validating manifests, answers, rendering, `show`'s preview;
 * and the entry of the bundle bin runs (scripts/bundle.js), which names every chunk by its content's hash: a chunk that changes renames itself and its importers, up to the entry.
 */
const codeFolders = ["recipes", "render"];
const codeFiles = ["commands/show.js", "commands/list.js", "core/regular-file.js", "bundle/cli.cjs"];
/** The packages they use to decide it. */
const packages = ["handlebars", "semver"];

/**
 * A file as the index records it. On a file system with whole-second times,
 * a file changed less than two seconds ago gets no stamp (its hash decides
 * every time): a change in the same second would keep the stamp.
 */
function indexedFile(base: string, path: string, now: number): IndexedFile {
  const abs = join(base, path);
  const stamp = fileStamp(abs);
  if (stamp === undefined) throw new Error(`${abs} is not a regular file`);
  const stat = statSync(abs, { bigint: true });
  const settled = stat.ctimeNs % 1_000_000_000n !== 0n || now - Number(stat.ctimeNs / 1_000_000n) > 2000;
  return { path, stamp: settled ? stamp : null, sha256: createHash("sha256").update(readFileSync(abs)).digest("hex") };
}

/**
 * Builds the index of the bundled templates and writes it; returns what it
 * did in words. When the catalogue does not load (a broken manifest), no
 * index is written and an old one is removed: the CLI then reads the
 * templates and reports the problem as before.
 */
export async function writeCatalogueIndex(): Promise<string> {
  const target = catalogueIndexPath();
  const previewDir = dirname(cataloguePreviewPath("x"));
  rmSync(target, { force: true });
  rmSync(catalogueManifestsPath(), { force: true });
  rmSync(previewDir, { recursive: true, force: true });
  const now = Date.now();
  // Every file is stamped (and hashed) before anything is read to build the index: a file changed
  // meanwhile then differs from its record, and the index is not used for it, never wrong.
  const templatesDir = bundledTemplatesDir();
  const entries = readdirSync(templatesDir).sort();
  const dist = codeDir();
  const code = [...codeFolders.flatMap((folder) => readdirSync(join(dist, folder)).filter((f) => f.endsWith(".js")).map((f) => `${folder}/${f}`)), ...codeFiles];
  const codeRecords = code.sort().map((path) => indexedFile(dist, path, now));
  const recipeFiles = new Map<string, IndexedFile[]>();
  for (const entry of entries) {
    if (!existsSync(join(templatesDir, entry, "recipe.json"))) continue;
    const files = recipeFolderFiles(templatesDir, entry);
    if (!files) return `no catalogue index: ${join(templatesDir, entry)} holds something other than files and folders`;
    recipeFiles.set(entry, files.map((f) => indexedFile(templatesDir, f, now)));
  }
  const { loadCatalogue } = await import("./catalogue.js");
  const { showPreview, showText, previewFacts } = await import("../commands/show.js");
  const facts = await previewFacts();
  let recipes;
  try {
    recipes = loadCatalogue([], templatesDir).recipes;
  } catch (error) {
    return `no catalogue index: the bundled templates do not load (${(error as Error).message})`;
  }
  const index: CatalogueIndex = { version: catalogueIndexVersion, build: randomBytes(8).toString("hex"), entries, code: codeRecords, packages: {}, recipes: [] };
  for (const name of packages) {
    const record = packageRecord(name);
    if (record) index.packages[name] = record;
  }
  mkdirSync(previewDir, { recursive: true });
  let previews = 0;
  for (const recipe of recipes) {
    const files = recipeFiles.get(recipe.ref);
    if (!files) return `no catalogue index: ${recipe.dir} appeared while the index was built`;
    let preview: IndexedPreview | undefined;
    try {
      // The very code `show` runs, for a typical project: the strings its lines render are recorded as they are asked for.
      const { files: previewFiles, parts } = await showPreview(recipe, facts);
      const rendered: Record<string, string> = {};
      const placeholders: Record<string, string> = {};
      const record = (map: Record<string, string>, key: string, text: string) => {
        if (key in map && map[key] !== text) throw new Error(`${key}: two texts`); // cannot be looked up: no preview
        return (map[key] = text);
      };
      showText(recipe, previewFiles, { render: (template, where) => record(rendered, `${where}\0${template}`, parts.render(template, where)), placeholder: (q) => record(placeholders, q.name, parts.placeholder(q)) }, { here: false, facts });
      preview = { files: previewFiles, rendered, placeholders, facts };
      previews++;
    } catch {
      preview = undefined; // `show` fails on it: it will, the same way, without the index
    }
    if (preview) writeWhole(cataloguePreviewPath(recipe.ref), { build: index.build, manifest: recipe.manifest, preview } satisfies PreviewFile);
    const { id, kind, title, description, seeds } = recipe.manifest;
    index.recipes.push({ entry: recipe.ref, listed: { id, ...(kind !== undefined && { kind }), title, description, seeds }, files, preview: preview !== undefined });
  }
  const manifests: ManifestsFile = { build: index.build, manifests: Object.fromEntries(recipes.map((r) => [r.ref, r.manifest])) };
  writeWhole(catalogueManifestsPath(), manifests);
  writeWhole(target, index); // last: the previews and manifests it names are there
  return `catalogue index: ${index.recipes.length} recipes, ${previews} previews → ${target}`;
}

/** Written whole, then renamed over: a CLI run at the same moment reads the old file or the new one, never half of one. */
function writeWhole(path: string, data: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(data)}\n`);
  renameSync(temporary, path);
}

/** The record of package `name` (its version and where its package.json is, from dist/src); undefined when it is not installed. */
function packageRecord(name: string): { version: string; path: string } | undefined {
  const path = packageJsonPath(name);
  if (path === undefined) return undefined;
  return { version: (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version, path: relative(codeDir(), path) };
}

/**
 * Keeps what `--help` prints to a pipe (see catalogue-index.ts): the CLI is
 * run as users run it, stdout a pipe, after the old cache is removed.
 */
export function writeHelpCache(): string {
  const target = helpCachePath();
  rmSync(target, { force: true });
  const dist = codeDir();
  // The program is built in cli.js; bin runs its bundle, whose entry names every chunk by its content's hash.
  const code = ["cli.js", "bundle/cli.cjs"].map((path) => indexedFile(dist, path, Date.now()));
  const commander = packageRecord("commander");
  if (!commander) return "no help cache: commander is not installed";
  const cli = join(dist, "bundle/cli.cjs");
  const run = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(cli)}).main(["--help"]).catch((e) => { console.error(e); process.exit(1); });`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.status !== 0 || run.stderr !== "" || run.stdout === "") return `no help cache: --help exited ${run.status} (${run.stderr.trim()})`;
  const cache: HelpCache = { version: catalogueIndexVersion, code, packages: { commander }, text: run.stdout };
  writeWhole(target, cache);
  return `help cache → ${target}`;
}

/**
 * Compiles every bundled template text ahead of time (src/render/precompiled.ts):
 * each .hbs file under templates/, and each manifest string with a `{{`.
 * A text that does not parse is left out (rendering it reports the error as before).
 */
export async function writeCompiledTemplates(): Promise<string> {
  const { compiledKey, compiledTemplatesDir } = await import("../render/precompiled.js");
  const { compileOptions, handlebars, precompile } = await import("../render/handlebars-env.js");
  const { parseTemplate } = await import("../render/template-names.js");
  const { readTextFile } = await import("../core/regular-file.js");
  const dir = compiledTemplatesDir();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const texts = new Set<string>();
  const strings = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.includes("{{")) texts.add(value);
    } else if (Array.isArray(value)) value.forEach(strings);
    else if (value && typeof value === "object") Object.values(value).forEach(strings);
  };
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".hbs")) texts.add(readTextFile(path) ?? "");
      else if (entry.isFile() && entry.name === "recipe.json") strings(JSON.parse(readFileSync(path, "utf8")));
    }
  };
  walk(bundledTemplatesDir());
  let written = 0;
  for (const text of texts) {
    const parsed = parseTemplate(text);
    if ("problem" in parsed) continue;
    const ast = JSON.parse(JSON.stringify(parsed.ast)) as unknown; // as parsed, before the compiler sees it
    writeWhole(join(dir, `${compiledKey(text, handlebars.VERSION, compileOptions)}.json`), { ast, spec: precompile(parsed.ast) });
    written++;
  }
  return `compiled templates: ${written} → ${dir}`;
}
