#!/usr/bin/env node
// Run by `npm run build` after tsc: writes dist/src/catalogue-index.json and
// dist/src/catalogue-previews/, the bundled recipes' manifests and `show`
// previews that `list` and `show` use while every file they were made from is
// unchanged (src/recipes/catalogue-index.ts); dist/src/help.json, what
// `--help` prints to a pipe; and dist/src/compiled-templates/, the bundled
// templates parsed and compiled (src/render/precompiled.ts). They are caches: when they cannot be written the
// build still succeeds, and the CLI reads the templates as before.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "../dist/src");
try {
  const { writeCatalogueIndex, writeCompiledTemplates, writeHelpCache } = await import("../dist/src/recipes/catalogue-index-build.js");
  // Silent when they are written, as tsc is (`npm pack --json` prints the build's stdout with its JSON).
  for (const said of [await writeCatalogueIndex(), writeHelpCache(), await writeCompiledTemplates()]) if (said.startsWith("no ")) console.warn(said);
} catch (error) {
  for (const name of ["catalogue-index.json", "catalogue-manifests.json", "catalogue-previews", "help.json", "compiled-templates"]) rmSync(join(dist, name), { recursive: true, force: true });
  console.warn(`no catalogue index or help cache (the CLI works without them, slower): ${error instanceof Error ? error.message : String(error)}`);
}
